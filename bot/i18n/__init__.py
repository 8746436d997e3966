"""The message catalogue: every text the user sees, in one JSON catalogue per language.

A language is a file `<code>.json` in this folder (`en.json`, `es.json`, ...) and, optionally,
a folder `<code>/` of more JSON files whose keys are merged in (one file per feature, so flows
written side by side do not edit one file); adding a language needs no code. English is
complete by definition; tests require every catalogue to have all of its keys, and should one
still be missing at run time it falls back to English rather than failing in front of the user.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DEFAULT_LANGUAGE = "en"
_FOLDER = Path(__file__).parent


@cache
def catalogues() -> dict[str, dict[str, str]]:
    """Every language's messages by key, read once from the JSON files of this folder."""
    found: dict[str, dict[str, str]] = {}
    files = [(path.stem, path) for path in _FOLDER.glob("*.json")]
    files += [(path.parent.name, path) for path in _FOLDER.glob("*/*.json")]
    for code, path in sorted(files):
        messages = json.loads(path.read_text(encoding="utf-8"))
        # A nested object or a number would only fail later, at format time, in front of a user.
        if not isinstance(messages, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in messages.items()
        ):
            raise ValueError(f"{path.name} must be one flat JSON object of strings")
        catalogue = found.setdefault(code.lower(), {})
        clash = catalogue.keys() & messages.keys()
        if clash:
            raise ValueError(f"{path.name} repeats keys of its language: {sorted(clash)}")
        catalogue.update(messages)
    if DEFAULT_LANGUAGE not in found:
        raise ValueError(f"the catalogue needs {DEFAULT_LANGUAGE}.json")
    return found


def languages() -> tuple[str, ...]:
    """Codes of the languages with a catalogue file, English first."""
    others = sorted(code for code in catalogues() if code != DEFAULT_LANGUAGE)
    return (DEFAULT_LANGUAGE, *others)


def resolve(lang: str | None) -> str:
    """The catalogue language for a Telegram language code ("pt-BR" → "pt"), else English."""
    if not lang:
        return DEFAULT_LANGUAGE
    code = lang.strip().lower().replace("_", "-")
    known = catalogues()
    if code in known:
        return code
    base = code.split("-", 1)[0]
    return base if base in known else DEFAULT_LANGUAGE


def t(key: str, lang: str | None, **params: object) -> str:
    """The message `key` in `lang` (English if missing there) with `params` filled in."""
    known = catalogues()
    template = known[resolve(lang)].get(key)
    if template is None:
        template = known[DEFAULT_LANGUAGE].get(key)
    if template is None:
        raise KeyError(f"no message {key!r} in {DEFAULT_LANGUAGE}.json")
    return template.format_map(params)
