"""Impossible values (negative or zero times and weights, percentages over 100, fractions of a
rep, NaN, numbers no column holds) are refused with the reason; unlikely ones are only asked
about. The database refuses what the domain refuses."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert

from bot.i18n import catalogues
from domain.errors import InvalidInput
from domain.metrics.catalogue import catalogue_for
from domain.metrics.latest import LatestMetrics
from domain.metrics.log import Implausible, log_metric, require_plausible
from domain.metrics.log_line import MetricInputError, parse_log_line
from domain.metrics.possible import REASONS, Impossible, impossibility
from domain.metrics.units import CANONICAL_UNITS
from domain.models import PerformanceMetric
from domain.uow import UnitOfWork
from tests.domain.metrics.metric_steps import builtin_kinds
from tests.domain.metrics.test_metrics_log import metrics_world, stored

NOW = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
CATALOGUE = builtin_kinds()


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_log_line(text, CATALOGUE, now=NOW, timezone="Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("40m sprint -5.12", "metrics.error.not_positive", "-5.12 s"),
        ("40m sprint -5.12 s", "metrics.error.not_positive", "-5.12 s"),
        ("40m sprint 0", "metrics.error.not_positive", "0 s"),
        ("5k 0:00", "metrics.error.not_positive", "0 s"),
        ("5k -21:30", "metrics.error.not_positive", "-21:30"),
        # Rounded to the column's four places, it would be stored as zero.
        ("40m sprint 0.00001", "metrics.error.not_positive", "0 s"),
        ("squat -100kg", "metrics.error.not_positive", "-100 kg"),
        ("squat 0 lb", "metrics.error.not_positive", "0 lb"),
        ("long jump -3 ft", "metrics.error.not_positive", "-3 ft"),
        ("height 0 cm", "metrics.error.not_positive", "0 cm"),
        ("serve 0 mph", "metrics.error.not_positive", "0 mph"),
        ("hr 0 bpm", "metrics.error.not_positive", "0 bpm"),
        ("ftp -200", "metrics.error.not_positive", "-200 W"),
        ("pull-ups -1", "metrics.error.negative", "-1 reps"),
        ("beep test -2", "metrics.error.negative", "-2 level"),
        ("free throws -5%", "metrics.error.negative", "-5%"),
        ("free throws 101%", "metrics.error.over_most", "101%"),
        ("shots on target 100.5", "metrics.error.over_most", "100.5%"),
        ("pull-ups 2.5", "metrics.error.not_whole", "2.5 reps"),
    ],
)
def test_a_physically_impossible_value_is_refused_with_the_reason(
    text: str, key: str, value: str
) -> None:
    with pytest.raises(MetricInputError) as refused:
        parse(text)
    assert isinstance(refused.value, Impossible)
    assert refused.value.message_key == key
    assert refused.value.params["value"] == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("pull-ups 0", "0"),  # a child who cannot do one yet
        ("free throws 0%", "0"),
        ("free throws 100%", "100"),
        ("beep test 0", "0"),
        ("40m sprint 0.0001", "0.0001"),
    ],
)
def test_zero_is_a_real_result_where_a_count_or_share_can_be_zero(text: str, value: str) -> None:
    assert parse(text).value == Decimal(value)


@pytest.mark.parametrize("text", ["40m sprint 1.5", "squat 1200kg", "pull-ups 150"])
def test_an_unlikely_but_possible_value_is_only_questioned(text: str) -> None:
    with pytest.raises(Implausible):
        require_plausible(parse(text))


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (Decimal("NaN"), "metrics.error.not_a_number"),
        (Decimal("sNaN"), "metrics.error.not_a_number"),
        (Decimal("Infinity"), "metrics.error.not_a_number"),
        (Decimal("-Infinity"), "metrics.error.not_a_number"),
        (Decimal("1E+20"), "metrics.error.too_large"),
        (Decimal("-5.12"), "metrics.error.not_positive"),
    ],
)
async def test_log_anyway_never_stores_an_impossible_value(
    uow: UnitOfWork, latest: LatestMetrics, value: Decimal, key: str
) -> None:
    world = await metrics_world(uow)
    catalogue = await catalogue_for(uow, athlete_id=None)
    typed = parse_log_line("40m sprint 5.12", catalogue, now=NOW, timezone="UTC")
    # A line that never came from the parser: the service checks again, whatever it is told.
    forged = dataclasses.replace(typed, value=value, typed_value=value)

    with pytest.raises(Impossible) as refused:
        await log_metric(
            uow,
            actor=world.parent,
            athlete_id=world.kim.id,
            line=forged,
            now=NOW,
            latest=latest,
            confirmed=True,
        )

    assert refused.value.message_key == key
    assert await stored(uow) == []


def test_every_reason_is_worded_in_every_language() -> None:
    for messages in catalogues().values():
        assert {key for key in REASONS.values()} <= messages.keys()


# Around every edge the rules have: below and at zero, fractions, 100 and past it.
EDGES = [Decimal(v) for v in ("-1", "-0.0001", "0", "0.0001", "0.5", "1", "100", "100.0001")]


async def test_the_database_refuses_exactly_what_the_domain_refuses(uow: UnitOfWork) -> None:
    world = await metrics_world(uow)
    verdicts: dict[tuple[str, Decimal], tuple[bool, bool]] = {}
    for unit in CANONICAL_UNITS:
        for value in EDGES:
            try:
                async with uow as tx:
                    await tx.session.execute(
                        insert(PerformanceMetric).values(
                            recorded_at=NOW,
                            athlete_id=world.kim.id,
                            metric_type="any",
                            value={},
                            metric_value=value,
                            unit=unit,
                        )
                    )
                    await tx.commit()
                stored_it = True
            except InvalidInput:
                stored_it = False
            verdicts[unit, value] = (stored_it, impossibility(unit, value) is None)

    assert {key for key, (db, domain) in verdicts.items() if db != domain} == set()
    assert not verdicts["s", Decimal(0)][0] and verdicts["reps", Decimal(0)][0]
