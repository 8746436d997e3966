"""The booking flow's words: coaches, lengths, days, prices, and what was booked or moved."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from bot.i18n import t
from bot.i18n.formats import money, month_name, tn, weekday_name
from bot.local_time import local_moment
from domain.booking.book import Booked, price_for
from domain.booking.schedule import CoachCard
from domain.booking.sessions import SessionView
from domain.coaching.specializations import from_catalogue
from domain.currencies import STARS
from domain.timezones import zone_of
from handlers.booking.draft import Draft

BIO_PREVIEW = 90


def specialization_name(spec: str, lang: str | None) -> str:
    """A catalogue specialization in the reader's language, a custom one as the coach wrote it."""
    entry = from_catalogue(spec)
    return t(entry.message_key, lang) if entry else spec


def kind_name(kind: str, lang: str | None) -> str:
    """A session type in words."""
    return t(f"booking.type.{kind}", lang)


def booked_text(draft: Draft, booked: Booked, lang: str | None) -> str:
    """The words for a booking made, requested, joined or found already made."""
    view = booked.session
    if booked.already_booked:
        key = "booking.already_booked"
    elif booked.joined_group:
        key = "booking.joined_group"
    elif booked.needs_acceptance:
        key = "booking.requested"
    else:
        key = "booking.booked"
    text = t(
        key,
        lang,
        athlete=", ".join(view.athlete_names) or draft.athlete_name,
        coach=view.coach_name,
        when=when_text(draft, view.start, lang),
        minutes=view.minutes,
        price=money(view.price, view.currency, lang)
        if view.price is not None
        else t("booking.no_price", lang),
    )
    if booked.pack_left is not None:
        text += "\n" + t("booking.paid_with_pack", lang, left=booked.pack_left)
    return text


def moved_text(draft: Draft, view: SessionView, lang: str | None) -> str:
    """The words for a session moved."""
    return t(
        "booking.moved",
        lang,
        athlete=", ".join(view.athlete_names) or draft.athlete_name,
        coach=view.coach_name,
        when=when_text(draft, view.start, lang),
    )


def when_text(draft: Draft, start: datetime, lang: str | None) -> str:
    """A moment in the booker's time, with the coach's local time when their zones differ."""
    mine = local_moment(start, draft.timezone, lang)
    if draft.coach_timezone == draft.timezone:
        return mine
    coach_time = f"{start.astimezone(zone_of(draft.coach_timezone)):%H:%M}"
    return t("booking.coach_time", lang, moment=mine, time=coach_time, coach=draft.coach_name)


def price_text(draft: Draft, minutes: int, lang: str | None) -> str:
    """The price of `minutes` at the coach's rate, or the words for no rate set."""
    if draft.rate is None:
        return t("booking.no_price", lang)
    price = price_for(Decimal(draft.rate), minutes, draft.currency)
    return money(price, draft.currency, lang) if price is not None else t("booking.no_price", lang)


def price_in_stars_text(draft: Draft, minutes: int, stars: int, lang: str | None) -> str:
    """The price at the coach's rate and the Stars it is charged as: "€40.00 = ⭐ 2,000"."""
    stars_text = money(stars, STARS, lang)
    return t(
        "booking.price_in_stars", lang, price=price_text(draft, minutes, lang), stars=stars_text
    )


def coach_line(n: int, card: CoachCard, lang: str | None) -> str:
    """A coach in the list: number, name, rating, rate, experience and the start of the bio."""
    bio = card.bio if len(card.bio) <= BIO_PREVIEW else card.bio[: BIO_PREVIEW - 1] + "…"
    return t(
        "booking.coach_line", lang, n=n, name=card.name, details=coach_details(card, lang), bio=bio
    )


def coach_details(card: CoachCard, lang: str | None) -> str:
    """Rating (or new), rate and years of experience, in one line."""
    parts = [
        t("booking.coach.rating", lang, rating=f"{card.rating:.1f}", reviews=card.total_reviews)
        if card.rating is not None and card.total_reviews
        else t("booking.coach.new", lang),
        t("booking.coach.rate", lang, rate=money(card.hourly_rate, card.currency, lang))
        if card.hourly_rate is not None
        else t("booking.no_price", lang),
    ]
    if card.years_experience is not None:
        parts.append(tn("booking.coach.years", card.years_experience, lang))
    return " · ".join(parts)


def length_label(draft: Draft, minutes: int, lang: str | None) -> str:
    """A session length with its price."""
    return t("booking.length", lang, minutes=minutes, price=price_text(draft, minutes, lang))


def day_text(day: date, lang: str | None) -> str:
    """A date in words: weekday, day and month."""
    weekday, month = weekday_name(day, lang), month_name(day.month, lang)
    return t("booking.day", lang, weekday=weekday, day=day.day, month=month)


def instant(epoch: int) -> datetime:
    """Epoch seconds (as buttons carry them) as an aware instant."""
    return datetime.fromtimestamp(epoch, UTC)
