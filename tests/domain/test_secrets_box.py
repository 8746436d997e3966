"""SecretBox: sensitive fields are encrypted, authenticated, and readable across key rotation."""

from __future__ import annotations

import base64
from datetime import date, datetime

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from domain.secrets_box import SecretBox, UndecryptableField, keys_from_setting

OLD_KEY = b"o" * 32
NEW_KEY = b"n" * 32
NOTE = "Asthma: inhaler in the blue bag"


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def test_encrypted_text_decrypts_to_the_original() -> None:
    box = SecretBox([NEW_KEY])

    token = box.encrypt(NOTE)

    assert NOTE not in token
    assert box.decrypt(token) == NOTE


def test_the_same_text_encrypts_to_a_different_token_each_time() -> None:
    box = SecretBox([NEW_KEY])

    assert box.encrypt(NOTE) != box.encrypt(NOTE)


def test_a_token_from_the_old_key_still_decrypts_after_a_new_key_is_added() -> None:
    old_token = SecretBox([OLD_KEY]).encrypt(NOTE)

    assert SecretBox([NEW_KEY, OLD_KEY]).decrypt(old_token) == NOTE


def test_rotate_re_encrypts_with_the_new_key_so_the_old_key_can_be_dropped() -> None:
    old_token = SecretBox([OLD_KEY]).encrypt(NOTE)

    rotated = SecretBox([NEW_KEY, OLD_KEY]).rotate(old_token)

    assert SecretBox([NEW_KEY]).decrypt(rotated) == NOTE
    with pytest.raises(UndecryptableField):
        SecretBox([OLD_KEY]).decrypt(rotated)


def test_a_wrong_key_raises_undecryptable_field_without_leaking_text_or_token() -> None:
    token = SecretBox([OLD_KEY]).encrypt(NOTE)

    with pytest.raises(UndecryptableField) as caught:
        SecretBox([NEW_KEY]).decrypt(token)

    _assert_leaks_nothing(caught.value, NOTE, token)


def test_rotating_a_token_no_key_opens_raises_undecryptable_field() -> None:
    token = SecretBox([OLD_KEY]).encrypt(NOTE)

    with pytest.raises(UndecryptableField) as caught:
        SecretBox([NEW_KEY]).rotate(token)

    _assert_leaks_nothing(caught.value, NOTE, token)


@pytest.mark.parametrize("position", [0, 30, -1])
def test_a_tampered_token_is_refused(position: int) -> None:
    box = SecretBox([NEW_KEY])
    raw = bytearray(base64.urlsafe_b64decode(box.encrypt(NOTE)))
    raw[position] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()

    with pytest.raises(UndecryptableField) as caught:
        box.decrypt(tampered)

    _assert_leaks_nothing(caught.value, NOTE, tampered)


@pytest.mark.parametrize("plaintext", ["", "José García, +34 600 000 000", "not a token"])
def test_plaintext_stored_by_mistake_is_refused_not_returned(plaintext: str) -> None:
    with pytest.raises(UndecryptableField) as caught:
        SecretBox([NEW_KEY]).decrypt(plaintext)

    _assert_leaks_nothing(caught.value, plaintext)


@pytest.mark.parametrize("born", [date(2012, 2, 29), date(1, 1, 1), date(9999, 12, 31)])
def test_dates_round_trip(born: date) -> None:
    box = SecretBox([NEW_KEY])

    assert box.decrypt_date(box.encrypt_date(born)) == born


def test_a_token_holding_text_is_not_read_as_a_date() -> None:
    box = SecretBox([NEW_KEY])

    with pytest.raises(UndecryptableField) as caught:
        box.decrypt_date(box.encrypt(NOTE))

    _assert_leaks_nothing(caught.value, NOTE)


def test_a_datetime_is_not_silently_stored_as_a_date() -> None:
    with pytest.raises(TypeError):
        SecretBox([NEW_KEY]).encrypt_date(datetime(2012, 2, 29, 10, 30))


@given(st.text())
def test_any_unicode_text_round_trips(text: str) -> None:
    box = SecretBox([NEW_KEY, OLD_KEY])

    token = box.encrypt(text)

    assert box.decrypt(token) == text
    assert box.decrypt(box.rotate(token)) == text


def test_the_setting_gives_comma_separated_keys_newest_first() -> None:
    old_token = SecretBox([OLD_KEY]).encrypt(NOTE)

    box = SecretBox(keys_from_setting(f" {_b64(NEW_KEY)} , {_b64(OLD_KEY)} "))

    assert box.decrypt(old_token) == NOTE
    assert SecretBox([NEW_KEY]).decrypt(box.encrypt(NOTE)) == NOTE


def test_the_setting_accepts_a_key_made_by_fernet() -> None:
    key = Fernet.generate_key().decode()

    token = SecretBox(keys_from_setting(key)).encrypt(NOTE)

    assert Fernet(key).decrypt(token).decode() == NOTE


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (f"{_b64(NEW_KEY)},not base64!", "must be url-safe base64 (key 2 of 2 is not)"),
        (f"{_b64(NEW_KEY)},{_b64(b'short')}", "must decode to 32 bytes (key 2 of 2 does not)"),
        (f"{_b64(NEW_KEY)},,{_b64(OLD_KEY)}", "must be comma-separated keys (key 2 of 3 is empty)"),
        ("", "must be comma-separated keys (key 1 of 1 is empty)"),
    ],
)
def test_a_bad_key_is_named_by_position_only(setting: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        keys_from_setting(setting)

    assert str(caught.value).startswith(message)
    _assert_leaks_nothing(caught.value, *setting.split(","))


def test_a_box_needs_keys_of_32_bytes() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        SecretBox([])
    with pytest.raises(ValueError, match="key 2 must be 32 bytes"):
        SecretBox([NEW_KEY, b"short"])


def _assert_leaks_nothing(error: Exception, *secrets: str) -> None:
    message = str(error) + repr(error)
    for secret in secrets:
        if len(secret.strip()) >= 4:  # too short to tell a leak from an ordinary word
            assert secret.strip() not in message
    # A chained exception would print the token-parsing internals under the message.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
