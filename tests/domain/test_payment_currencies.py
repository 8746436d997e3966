"""Amounts in a currency's smallest unit, exactly, as Telegram Payments takes them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.currencies import CurrencyError, exponent, from_minor, money_value, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("45.00", "EUR", 4500),
        ("45", "eur", 4500),
        ("0.01", "USD", 1),
        ("4500", "JPY", 4500),
        ("4500.00", "JPY", 4500),  # a Numeric(10, 2) price of a yen coach
        ("12.345", "KWD", 12345),
        ("12.5", "KWD", 12500),
        ("2250", "XTR", 2250),
    ],
)
def test_amounts_are_counted_in_the_smallest_unit(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [
        (4500, "EUR", "45.00"),
        (4500, "JPY", "4500"),
        (12345, "KWD", "12.345"),
        (2250, "XTR", "2250"),
    ],
)
def test_minor_units_come_back_exactly(minor: int, currency: str, amount: str) -> None:
    back = from_minor(minor, currency)
    assert back == Decimal(amount)
    assert str(back) == amount  # with the currency's own number of decimals
    assert to_minor(back, currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1.005", "EUR"),  # half a cent
        ("10.5", "JPY"),  # yen have no smaller unit
        ("1.2345", "KWD"),
        ("0.5", "XTR"),
        ("-1.00", "EUR"),
        ("NaN", "EUR"),
        ("Infinity", "EUR"),
        ("1e20", "EUR"),
        ("1.00", "ZZZ"),
    ],
)
def test_amounts_that_do_not_fit_are_refused_not_rounded(amount: str, currency: str) -> None:
    with pytest.raises(CurrencyError):
        to_minor(Decimal(amount), currency)


@pytest.mark.parametrize("minor", [-1, 2**53, 1.5, True])
def test_minor_amounts_must_be_whole_and_in_range(minor: object) -> None:
    with pytest.raises(CurrencyError):
        from_minor(minor, "EUR")  # type: ignore[arg-type]


def test_exponents_follow_iso_4217() -> None:
    codes = ("EUR", "USD", "GBP", "JPY", "KRW", "KWD", "BHD", "XTR")
    assert {code: exponent(code) for code in codes} == {
        "EUR": 2, "USD": 2, "GBP": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "XTR": 0
    }  # fmt: skip


def test_amounts_are_carried_exactly_in_their_currencys_decimals() -> None:
    assert money_value(Decimal("45"), "eur") == {"amount": "45.00", "currency": "EUR"}
    assert money_value(Decimal("4500.00"), "JPY") == {"amount": "4500", "currency": "JPY"}
    assert money_value(Decimal("12.5"), "KWD") == {"amount": "12.500", "currency": "KWD"}
    assert money_value(Decimal("2250"), "XTR") == {"amount": "2250", "currency": "XTR"}
    assert money_value(Decimal("7.5"), "ZZZ") == {"amount": "7.5", "currency": "ZZZ"}
