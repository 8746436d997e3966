import re
import string
from pathlib import Path

import pytest

from bot.app import handler_modules
from bot.i18n import DEFAULT_LANGUAGE, catalogues, languages, resolve, t
from domain import errors

ROOT = Path(__file__).parents[3]
# t("key", ...) with a literal key, however the call is wrapped over lines.
_T_CALL = re.compile(r"""\bt\(\s*["']([\w.]+)["']""")


def _keys_used_in_code() -> set[str]:
    used: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(_T_CALL.findall(path.read_text(encoding="utf-8")))
    for module in handler_modules():
        used.update(key for _, key in getattr(module, "COMMANDS", []))
        for commands in getattr(module, "ROLE_COMMANDS", {}).values():
            used.update(key for _, key in commands)
    used.update(
        error.message_key
        for error in vars(errors).values()
        if isinstance(error, type) and issubclass(error, errors.DomainError)
    )
    return used


def test_every_message_key_used_in_code_exists_in_english() -> None:
    used = _keys_used_in_code()

    assert {"error.unexpected", "common.start", "command.help", "error.slot_taken"} <= used
    assert sorted(used - catalogues()[DEFAULT_LANGUAGE].keys()) == []


def test_languages_are_the_catalogue_files_with_english_first() -> None:
    folder = ROOT / "bot" / "i18n"
    on_disk = {path.stem for path in folder.glob("*.json")}
    on_disk |= {path.parent.name for path in folder.glob("*/*.json")}

    assert languages()[0] == "en"
    assert set(languages()) == on_disk


def test_parameters_are_filled_in() -> None:
    assert "ab12cd34" in t("error.unexpected", "en", ref="ab12cd34")


@pytest.mark.parametrize("lang", [None, "", "xx", "zz-YY", "EN", "en-GB", "en_US"])
def test_unknown_or_regional_languages_fall_back_to_english(lang: str | None) -> None:
    assert resolve(lang) == "en"
    assert t("common.nothing_to_cancel", lang) == catalogues()["en"]["common.nothing_to_cancel"]


def test_an_unknown_key_is_an_error_not_a_silent_blank() -> None:
    with pytest.raises(KeyError, match=re.escape("no.such.key")):
        t("no.such.key", "en")


def test_every_catalogue_has_exactly_the_keys_of_english() -> None:
    english = catalogues()[DEFAULT_LANGUAGE].keys()
    mismatched = {
        lang: {
            "missing": sorted(english - messages.keys()),
            "extra": sorted(messages.keys() - english),
        }
        for lang, messages in catalogues().items()
        if messages.keys() != english
    }

    assert mismatched == {}


def test_every_translation_keeps_the_placeholders_commands_and_line_breaks_of_english() -> None:
    english = catalogues()[DEFAULT_LANGUAGE]
    differing = [
        (lang, key, aspect.__name__)
        for lang, messages in catalogues().items()
        for key, text in messages.items()
        for aspect in (_fields, _commands, _line_breaks)
        if key in english and aspect(text) != aspect(english[key])
    ]

    assert differing == []


@pytest.mark.parametrize("lang", ["es", "ES", "es-MX", "es_MX", "es-419"])
def test_a_spanish_speaker_gets_spanish(lang: str) -> None:
    spanish = catalogues()["es"]

    assert resolve(lang) == "es"
    assert t("common.nothing_to_cancel", lang) == spanish["common.nothing_to_cancel"]
    assert (
        t("error.rate_limited", lang, seconds=3)
        == "Vas un poco rápido. Espera 3 s y vuelve a intentarlo."
    )


@pytest.mark.parametrize("lang", ["tlh", "zz-ES", "x-es"])
def test_a_language_without_a_catalogue_falls_back_to_english_not_spanish(lang: str) -> None:
    assert resolve(lang) == "en"
    assert t("common.stale_button", lang) == catalogues()["en"]["common.stale_button"]


def _fields(text: str) -> list[tuple[str, str, str]]:
    """Each replacement field with its format spec and conversion, in sorted order."""
    return sorted(
        (name, spec or "", conversion or "")
        for _, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    )


def _commands(text: str) -> list[str]:
    """Telegram commands such as /help: they stay in English in every language."""
    return sorted(re.findall(r"(?<![\w/])/\w+", text))


def _line_breaks(text: str) -> int:
    return text.count("\n")
