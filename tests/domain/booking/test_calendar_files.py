"""Calendar files for a booked session, read back with icalendar as a calendar app would."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from domain.booking.calendar_files import (
    MIME_TYPE,
    PRODID,
    Participant,
    SessionEvent,
    booking_ics,
    cancellation_ics,
    ics_document,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2030, 11, 20, 9, 30, tzinfo=UTC)
EVENT = SessionEvent(
    uid="0b7c4a36-5f3e-4a0e-9a54-1f6f0b9b2c11@sportscenter",
    sequence=0,
    start=datetime(2030, 12, 1, 16, 0, tzinfo=BERLIN),
    end=datetime(2030, 12, 1, 17, 0, tzinfo=BERLIN),
    summary="Tennis with Luis",
    organizer=Participant("Luis Pérez", "luis@example.com"),
    description="Bring water, a towel; and good shoes.\nCourt 3, München",
    location="Club Nord, Court 3; Straße 5, München",
    url="https://t.me/sportscenter_bot?start=session",
    attendees=(Participant("Ana"), Participant("Ben, Jr.")),
)


def _parsed(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_a_booking_is_a_request_with_the_session_in_utc() -> None:
    data = booking_ics(EVENT, now=NOW)

    calendar, event = _parsed(data)
    assert (str(calendar["prodid"]), str(calendar["version"])) == (PRODID, "2.0")
    assert str(calendar["method"]) == "REQUEST"
    assert (str(event["uid"]), int(event["sequence"])) == (EVENT.uid, 0)
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstart") == datetime(2030, 12, 1, 15, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2030, 12, 1, 16, 0, tzinfo=UTC)
    assert event.decoded("dtstamp") == NOW
    assert b"DTSTART:20301201T150000Z\r\n" in data and b"DTSTAMP:20301120T093000Z\r\n" in data


def test_a_booking_not_yet_accepted_is_tentative() -> None:
    _, event = _parsed(booking_ics(dataclasses.replace(EVENT, confirmed=False), now=NOW))

    assert str(event["status"]) == "TENTATIVE"


def test_a_reschedule_keeps_the_uid_with_a_higher_sequence_and_the_new_time() -> None:
    later = EVENT.start + timedelta(days=2)
    moved = dataclasses.replace(EVENT, sequence=1, start=later, end=later + timedelta(hours=1))

    _, event = _parsed(booking_ics(moved, now=NOW))

    assert (str(event["uid"]), int(event["sequence"])) == (EVENT.uid, 1)
    assert event.decoded("dtstart") == datetime(2030, 12, 3, 15, 0, tzinfo=UTC)


def test_a_cancellation_is_a_cancel_of_the_same_uid_with_the_bumped_sequence() -> None:
    calendar, event = _parsed(cancellation_ics(dataclasses.replace(EVENT, sequence=2), now=NOW))

    assert str(calendar["method"]) == "CANCEL"
    assert (str(event["uid"]), int(event["sequence"]), str(event["status"])) == (
        EVENT.uid,
        2,
        "CANCELLED",
    )


def test_commas_semicolons_newlines_and_accents_survive_the_round_trip() -> None:
    _, event = _parsed(booking_ics(EVENT, now=NOW))

    assert str(event["summary"]) == EVENT.summary
    assert str(event["description"]) == EVENT.description
    assert str(event["location"]) == EVENT.location
    assert str(event["url"]) == EVENT.url
    assert event["organizer"].params["cn"] == "Luis Pérez"
    assert str(event["organizer"]) == "mailto:luis@example.com"
    assert [a.params["cn"] for a in event["attendee"]] == ["Ana", "Ben, Jr."]


def test_people_without_an_email_get_distinct_addresses_no_one_receives() -> None:
    no_email = dataclasses.replace(EVENT, organizer=Participant("Luis"))

    _, event = _parsed(booking_ics(no_email, now=NOW))

    addresses = [str(event["organizer"]), *(str(a) for a in event["attendee"])]
    assert all(address.endswith("@sportscenter.invalid") for address in addresses)
    assert len(set(addresses)) == 3


def test_long_lines_are_folded_at_75_octets() -> None:
    data = booking_ics(dataclasses.replace(EVENT, description="é" * 200), now=NOW)

    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert str(_parsed(data)[1]["description"]) == "é" * 200


def test_a_calendar_file_becomes_a_notification_document() -> None:
    data = booking_ics(EVENT, now=NOW)

    document = ics_document(data, "session.ics")

    assert document == {"filename": "session.ics", "content": data.decode(), "mime": MIME_TYPE}


@pytest.mark.parametrize(
    "change",
    [
        {"start": datetime(2030, 12, 1, 16, 0)},
        {"end": EVENT.start},
        {"sequence": -1},
    ],
    ids=["naive start", "ends when it starts", "negative sequence"],
)
def test_an_impossible_event_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(EVENT, **change)
