"""Calendar files (RFC 5545 .ics) for a booked session, so people can add it to their calendar.

One session keeps one UID for life. Calendar apps match updates by UID and apply the one with
the highest SEQUENCE: a reschedule is `booking_ics` again with a higher sequence, a cancellation
is `cancellation_ics` with a higher sequence still. The caller keeps the sequence (bumping it on
every change), since only it knows how many versions went out.

iTIP (RFC 5546) wants an ORGANIZER on a REQUEST or CANCEL, and an address for every attendee.
People here rarely give an email, so a missing one is replaced by an address on the reserved
`.invalid` domain: calendars show the names, and a reply can reach no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//SportsCenter//Booking//EN"
MIME_TYPE = "text/calendar"
NO_REPLY = "no-reply@sportscenter.invalid"


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone named in the event: the coach organizing it or a person attending."""

    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One booked session as a calendar event; `start` and `end` are aware datetimes."""

    uid: str  # stable per session, e.g. f"{session_id}@sportscenter"
    sequence: int
    start: datetime
    end: datetime
    summary: str
    organizer: Participant
    description: str = ""
    location: str = ""
    url: str | None = None
    attendees: tuple[Participant, ...] = ()
    confirmed: bool = True  # False while the coach has not accepted yet: TENTATIVE

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a session's start and end must be aware datetimes")
        if self.end <= self.start:
            raise ValueError("a session must end after it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE starts at 0")


def booking_ics(event: SessionEvent, *, now: datetime | None = None) -> bytes:
    """The .ics that adds (or, with a higher sequence, moves) the session in a calendar."""
    status = "CONFIRMED" if event.confirmed else "TENTATIVE"
    return _calendar(event, method="REQUEST", status=status, now=now)


def cancellation_ics(event: SessionEvent, *, now: datetime | None = None) -> bytes:
    """The .ics that removes the session; `event.sequence` must exceed every one sent before."""
    return _calendar(event, method="CANCEL", status="CANCELLED", now=now)


def ics_document(content: bytes, filename: str) -> dict[str, str]:
    """A calendar file as the `document` of a notification payload (see bot.outbox)."""
    return {"filename": filename, "content": content.decode("utf-8"), "mime": MIME_TYPE}


def _calendar(event: SessionEvent, *, method: str, status: str, now: datetime | None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_event(event, status, now or datetime.now(UTC)))
    return calendar.to_ical()


def _event(event: SessionEvent, status: str, now: datetime) -> Event:
    vevent = Event()
    properties: dict[str, Any] = {
        "uid": event.uid,
        "sequence": event.sequence,
        # UTC everywhere: no VTIMEZONE to ship, and every calendar shows the right instant.
        "dtstamp": now.astimezone(UTC),
        "dtstart": event.start.astimezone(UTC),
        "dtend": event.end.astimezone(UTC),
        "summary": event.summary,
        "status": status,
    }
    for name, value in properties.items():
        vevent.add(name, value)
    for name, text in (("description", event.description), ("location", event.location)):
        if text:
            vevent.add(name, text)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("organizer", _address(event.organizer, NO_REPLY))
    for number, attendee in enumerate(event.attendees, start=1):
        # Calendars tell attendees apart by address, so each stand-in address is distinct.
        stand_in = NO_REPLY.replace("@", f"+{number}@")
        address = _address(attendee, stand_in)
        address.params["role"] = "REQ-PARTICIPANT"
        vevent.add("attendee", address)
    return vevent


def _address(person: Participant, stand_in: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email or stand_in}")
    address.params["cn"] = person.name
    return address
