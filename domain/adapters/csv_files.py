"""CSV files as spreadsheets open them safely: UTF-8, CRLF, and no cell run as a formula.

A text cell that starts with =, +, -, @, a tab or a carriage return is what a spreadsheet may
run as a formula ("CSV injection"); it gets a leading apostrophe. Names, notes and references
in our exports are typed by other people, so every text cell passes through `guarded`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(text: str) -> str:
    """The text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The rows under the header as UTF-8 CSV; text cells guarded, other values as str()."""
    return csv_rows(header) + csv_rows(*rows)


def csv_rows(*rows: Sequence[object]) -> bytes:
    """Rows as UTF-8 CSV lines with no header, guarded as `csv_bytes` does: a large file is
    written a batch at a time (the header first, as a row of its own)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([guarded(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue().encode("utf-8")
