"""Money in a currency's smallest unit, as Telegram Payments counts it, exactly.

Telegram takes every amount as an integer of the currency's smallest unit: cents for EUR, yen
for JPY (which has none smaller), fils for KWD (a thousandth), a star for XTR. The exponent is
ISO 4217's (`exp` in Telegram's currencies.json). Conversions never round: an amount with more
decimals than its currency has cannot be charged as it is, so it is refused, and the caller
decides how to price it instead of a cent silently going missing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

STARS = "XTR"

_ZERO = ("CLP", "ISK", "JPY", "KRW", "PYG", "UGX", "VND", STARS)
_THREE = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")
# The rest of the currencies Telegram Payments accepts; all have cents.
# fmt: off
_TWO = (
    "AED", "AFN", "ALL", "AMD", "ARS", "AUD", "AZN", "BAM", "BDT", "BGN", "BND", "BOB", "BRL",
    "BYN", "CAD", "CHF", "CNY", "COP", "CRC", "CZK", "DKK", "DOP", "DZD", "EGP", "ETB", "EUR",
    "GBP", "GEL", "GHS", "GTQ", "HKD", "HNL", "HRK", "HUF", "IDR", "ILS", "INR", "IRR", "JMD",
    "KES", "KGS", "KZT", "LBP", "LKR", "MAD", "MDL", "MMK", "MNT", "MOP", "MUR", "MVR", "MXN",
    "MYR", "MZN", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PHP", "PKR", "PLN", "QAR",
    "RON", "RSD", "RUB", "SAR", "SEK", "SGD", "SYP", "THB", "TJS", "TRY", "TTD", "TWD", "TZS",
    "UAH", "USD", "UYU", "UZS", "YER", "ZAR",
)
# fmt: on

EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_TWO, 2),
    **dict.fromkeys(_ZERO, 0),
    **dict.fromkeys(_THREE, 3),
}
# The Bot API's numbers are JSON doubles: integers beyond 53 bits would arrive changed.
MAX_MINOR = 2**53 - 1


class CurrencyError(ValueError):
    """An amount or currency that cannot be charged as it is."""


def exponent(currency: str) -> int:
    """How many decimals the currency has (2 for EUR, 0 for JPY and Stars, 3 for KWD)."""
    try:
        return EXPONENTS[currency.upper()]
    except KeyError:
        raise CurrencyError(f"unsupported currency {currency!r}") from None


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in the currency's smallest unit; refuses what would need rounding."""
    places = exponent(currency)
    try:
        scaled = amount.scaleb(places)
        minor = int(scaled)
    except (InvalidOperation, OverflowError, ValueError):
        raise CurrencyError(f"not an amount: {amount!r}") from None
    if scaled != minor:
        raise CurrencyError(f"{amount} has more than {places} decimals for {currency}")
    if not 0 <= minor <= MAX_MINOR:
        raise CurrencyError(f"{amount} {currency} is out of range")
    return minor


def from_minor(minor: int, currency: str) -> Decimal:
    """The amount in major units, with exactly the currency's decimals (4500 JPY, 45.00 EUR)."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise CurrencyError(f"not a whole number of minor units: {minor!r}")
    if not 0 <= minor <= MAX_MINOR:
        raise CurrencyError(f"{minor} minor units of {currency} is out of range")
    return Decimal(minor).scaleb(-exponent(currency))


def money_value(amount: Decimal, currency: str) -> dict[str, str]:
    """An amount as notices and errors carry it, for the reader's language to write:
    {"amount": "45.00", "currency": "EUR"} (exact, in the currency's own decimals)."""
    code = currency.upper()
    places = 0 if code == STARS else EXPONENTS.get(code)
    # A value only: an unknown code (an old row, a typo in a profile) is kept, not refused.
    return {"amount": str(amount) if places is None else f"{amount:.{places}f}", "currency": code}
