"""A coach's profile answers: parsing what the coach types, and the checked profile itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.coaching.specializations import MAX_SPECIALIZATIONS
from domain.errors import InvalidInput

MAX_YEARS = 70
MAX_RATE = Decimal("10000")
MIN_BIO, MAX_BIO = 10, 1000
CURRENCY_BUTTONS = ("EUR", "USD", "GBP")
# ISO 4217 codes coaches are likely to charge in; a typo like "EUX" is refused, not stored.
CURRENCIES = frozenset(
    (
        *CURRENCY_BUTTONS,
        *("CHF", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK", "HUF", "RON", "BGN", "RSD", "TRY"),
        *("UAH", "GEL", "AMD", "KZT", "ILS", "AED", "SAR", "QAR", "EGP", "MAD", "ZAR", "NGN"),
        *("KES", "CAD", "MXN", "BRL", "ARS", "CLP", "COP", "PEN", "UYU", "AUD", "NZD", "JPY"),
        *("CNY", "HKD", "SGD", "KRW", "INR", "THB", "MYR", "IDR", "PHP", "VND"),
    )
)
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
# "40", "40 EUR", "€40", "25.50 USD", "USD 25,50", "40€": an amount with an optional code.
_RATE = re.compile(
    r"^(?P<pre>[A-Za-z]{3}|[€$£])?\s*"
    r"(?P<amount>\d{1,7}(?:[.,]\d{1,2})?)"
    r"\s*(?P<post>[A-Za-z]{3}|[€$£])?$"
)


class BadYears(InvalidInput):
    """Years of experience that are not a whole number in range."""

    message_key = "coach.error.bad_years"


class BadRate(InvalidInput):
    """An hourly rate that does not parse or is out of range."""

    message_key = "coach.error.bad_rate"


class BadCurrency(InvalidInput):
    """A currency code we do not know."""

    message_key = "coach.error.bad_currency"


class BadBio(InvalidInput):
    """A bio too short or too long."""

    message_key = "coach.error.bad_bio"


@dataclass(frozen=True)
class Rate:
    """An hourly rate; the currency is None when the coach typed only the amount."""

    amount: Decimal
    currency: str | None


class CoachProfileInput(BaseModel):
    """Everything a coach profile needs before documents, checked once more as a whole."""

    model_config = ConfigDict(frozen=True)

    specializations: list[str] = Field(min_length=1, max_length=MAX_SPECIALIZATIONS)
    years_experience: int = Field(ge=0, le=MAX_YEARS)
    hourly_rate: Decimal = Field(gt=0, lt=MAX_RATE, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    bio: str = Field(min_length=MIN_BIO, max_length=MAX_BIO)

    @classmethod
    def checked(cls, **fields: object) -> CoachProfileInput:
        """The profile, or InvalidInput naming the first field that is wrong."""
        try:
            return cls.model_validate(fields)
        except ValidationError as err:
            field = str(err.errors()[0]["loc"][0]) if err.errors() else ""
            raise InvalidInput(f"bad coach profile field {field}", field=field) from err


def parse_years(text: str) -> int:
    """Years of experience as typed: a whole number from 0 to 70."""
    cleaned = text.strip()
    if not cleaned.isdigit() or int(cleaned) > MAX_YEARS:
        raise BadYears(max=MAX_YEARS)
    return int(cleaned)


def parse_currency(text: str) -> str:
    """An ISO 4217 code or a currency symbol, as its upper-case code."""
    code = _SYMBOLS.get(text.strip(), text.strip().upper())
    if code not in CURRENCIES:
        raise BadCurrency()
    return code


def parse_rate(text: str) -> Rate:
    """An hourly rate like "40", "40 EUR", "€40" or "25.50 USD": above 0 and below 10,000."""
    match = _RATE.match(text.strip())
    if match is None or (match["pre"] and match["post"]):
        raise BadRate(max=MAX_RATE)
    try:
        amount = Decimal(match["amount"].replace(",", "."))
    except InvalidOperation as err:  # the pattern makes this unreachable; kept for safety
        raise BadRate(max=MAX_RATE) from err
    if not Decimal(0) < amount < MAX_RATE:
        raise BadRate(max=MAX_RATE)
    code = match["pre"] or match["post"]
    return Rate(amount.quantize(Decimal("0.01")), parse_currency(code) if code else None)


def parse_bio(text: str) -> str:
    """A bio of 10 to 1000 characters, trimmed."""
    bio = text.strip()
    if not MIN_BIO <= len(bio) <= MAX_BIO:
        raise BadBio(min=MIN_BIO, max=MAX_BIO)
    return bio
