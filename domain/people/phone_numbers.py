"""Phone numbers at rest: a Fernet token to read them, a blind index to find them.

The index is a keyed hash (`SecretBox.blind_index`) of the number's last 9 digits, so
"+34 600 123 456", "0034600123456" and "600 123 456" find the same person, while the
database holds nothing a reader without the key could reverse. Nine digits is a national
number in most countries; two people whose numbers share them in different countries are
both found, and the reader tells them apart.
"""

from __future__ import annotations

import re

from domain.secrets_box import SecretBox

LOOKUP_DIGITS = 9


def lookup_digits(phone: str) -> str:
    """The digits a number is found by: its last LOOKUP_DIGITS."""
    return re.sub(r"\D", "", phone)[-LOOKUP_DIGITS:]


def phone_index(phone: str, box: SecretBox) -> str:
    """The blind index stored beside a number's token."""
    return box.blind_index(lookup_digits(phone))


def indexes_to_try(typed: str, box: SecretBox) -> list[str]:
    """Every index a typed number may be stored under (one per key, newest first)."""
    return box.blind_indexes(lookup_digits(typed))
