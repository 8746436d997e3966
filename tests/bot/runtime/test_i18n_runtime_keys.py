"""Every catalogue key the code uses exists in every language, including keys built at run time.

Three ways a key reaches `t`: a literal (checked by scanning every call that takes a key), a
template filled in at run time (`t(f"session.status.{status}")`: each template found in the code
must be registered below with where its values come from, so a new one cannot slip through
unchecked), and a notification's kind (`notification.<kind>` for every `NotificationKind` the
outbox words rather than sends by a Bot API call of its own).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

import domain
from bot.i18n import catalogues, languages
from bot.local_time import WORDS
from bot.outbox import SIDE_EFFECTS
from domain.admin.broadcasts import ROLES as BROADCAST_ROLES
from domain.admin.money import ExportKind
from domain.booking.availability import WEEKDAYS
from domain.errors import DomainError
from domain.metrics.catalogue import CATEGORIES
from domain.metrics.progress import SPANS
from domain.models import (
    Allergen,
    AttendanceStatus,
    BroadcastStatus,
    CheckinStatus,
    Diet,
    FeePeriod,
    FoodKind,
    MealSlot,
    NotificationKind,
    NutritionPlanStatus,
    PaymentStatus,
    ProgramStatus,
    Role,
    RsvpAnswer,
    SessionPaymentStatus,
    SessionStatus,
    TeamCoachRole,
    VideoStatus,
    WorkoutStatus,
)
from domain.nutrition.plan_content import DayKind
from domain.nutrition.plans import PLAN_TYPES
from domain.nutrition.templates import Outcome
from domain.people.invitations import KINDS
from domain.people.onboarding import SELF_CHOSEN_ROLES
from domain.people.profile_fields import ProfileField
from domain.people.profile_input import HANDS, SPORTS
from domain.programs.details import SPORTS as PROGRAM_SPORTS
from domain.programs.details import Difficulty
from handlers.booking.availability_render import _PAGE_LABELS, SESSION_TYPES
from handlers.nutrition.render import CARD_BUTTONS as NUTRITION_BUTTONS
from handlers.nutrition.render import STARTS as NUTRITION_STARTS
from handlers.people import onboarding_steps
from handlers.people.family import QUESTIONS
from handlers.videos.words import JOINTS

ROOT = Path(__file__).parents[3]
FOLDERS = ("bot", "handlers", "domain")
# Callables whose first argument is a catalogue key.
KEY_TAKERS = {"t", "_words", "tn"}
VIDEO_REASONS = ("not_decodable", "no_frames", "too_long", "failed", "crashed")
REFUSALS = ("unknown", "used", "expired")
ASKED_STEPS = [s for s in onboarding_steps.ALL_STEPS if s != onboarding_steps.TIMEZONE]

# Each template the code fills in at run time, and the values it is filled with.
RUNTIME_KEYS: dict[str, Callable[[], Iterable[str]]] = {
    "series.answer.{}": lambda: [*RsvpAnswer, "none"],
    "series.rsvp.button.{}": lambda: RsvpAnswer,
    "series.rsvp.kept.{}": lambda: RsvpAnswer,
    "series.attendance.status.{}": lambda: AttendanceStatus,
    "admin.csv.kind.{}": lambda: ExportKind,
    "teams.coach_role.{}": lambda: TeamCoachRole,
    "teams.error.{}": lambda: ("name", "sport", "age_group"),
    "notification.{}": lambda: [k for k in NotificationKind if k not in SIDE_EFFECTS],
    "video.status.{}": lambda: VideoStatus,
    "video.joint.{}": lambda: JOINTS,
    "video.reason.{}": lambda: VIDEO_REASONS,
    "metrics.category.{}": lambda: CATEGORIES,
    "progress.span.{}": lambda: SPANS,
    "session.type.{}": lambda: SESSION_TYPES,
    "session.status.{}": lambda: SessionStatus,
    "session.payment.{}": lambda: SessionPaymentStatus,
    "booking.type.{}": lambda: SESSION_TYPES,
    "availability.day.{}": lambda: WEEKDAYS,
    "availability.type.{}": lambda: SESSION_TYPES,
    "availability.button.{}": lambda: _PAGE_LABELS.values(),
    "payment.returned.{}": lambda: (PaymentStatus.REFUNDED, PaymentStatus.REFUND_DUE),
    "payment.status.{}": lambda: PaymentStatus,
    "payment.history.{}": lambda: ("pack", "team_fee"),
    "fees.period.{}": lambda: FeePeriod,
    "payment.error.{}": lambda: ("already_paid", "cancelled"),
    "family.invite_{}": lambda: KINDS,
    "family.welcome_{}": lambda: KINDS,
    "family.notice_{}": lambda: KINDS,
    "family.ask_{}": lambda: QUESTIONS.values(),
    "family.sport_{}": lambda: SPORTS,
    "family.refused_{}": lambda: REFUSALS,
    "onboarding.role.{}": lambda: SELF_CHOSEN_ROLES,
    "onboarding.{}.ask": lambda: ASKED_STEPS,
    "training.day.answered.{}": lambda: WorkoutStatus,
    "profile.sport.{}": lambda: SPORTS,
    "profile.hand.{}": lambda: HANDS,
    "profile.role.{}": lambda: Role,
    "profile.field.{}": lambda: ProfileField,
    "coach.spec.{}": lambda: PROGRAM_SPORTS,
    "programs.level.{}": lambda: Difficulty,
    "programs.card.status.{}": lambda: ProgramStatus,
    "broadcast.progress.{}": lambda: BroadcastStatus,
    "broadcast.audience.role.{}": lambda: BROADCAST_ROLES,
    "nutrition.plan.button.{}": lambda: NUTRITION_BUTTONS,
    "nutrition.plan.chart.{}": lambda: ("energy", "protein"),
    "nutrition.plan.checked.{}": lambda: CheckinStatus,
    "nutrition.plan.kind.{}": lambda: DayKind,
    "nutrition.kind.{}": lambda: FoodKind,
    "nutrition.plan.restriction.{}": lambda: [*Allergen, *Diet],
    "nutrition.plan.slot.{}": lambda: MealSlot,
    "nutrition.plan.start.{}": lambda: NUTRITION_STARTS,
    "nutrition.plan.status.{}": lambda: [*NutritionPlanStatus, "template"],
    "nutrition.plan.template.outcome.{}": lambda: Outcome,
    "nutrition.plan.type.{}": lambda: PLAN_TYPES,
}


def _sources() -> Iterable[tuple[Path, ast.Module]]:
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _key_taking_errors() -> set[str]:
    """Domain errors whose first argument is their message key (others take a detail)."""
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(info.name)
    found, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        try:
            probe = cls("probe.key")
        except (TypeError, AttributeError):  # takes something else first (a list of problems)
            continue
        if probe.message_key == "probe.key":
            found.add(cls.__name__)
    return found


def _template(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)


def _keys_and_templates() -> tuple[dict[str, str], dict[str, str]]:
    """Literal keys and run-time templates passed to key-taking calls, with where each is."""
    takers = KEY_TAKERS | _key_taking_errors()
    literals: dict[str, str] = {}
    templates: dict[str, str] = {}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in takers and node.args:
                first, where = node.args[0], f"{path.relative_to(ROOT)}:{node.lineno}"
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    literals.setdefault(first.value, where)
                elif isinstance(first, ast.JoinedStr):
                    templates.setdefault(_template(first), where)
            # `self.message_key = f"family.refused_{reason}"`
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.JoinedStr)
                and any(getattr(t, "attr", None) == "message_key" for t in node.targets)
            ):
                templates.setdefault(_template(node.value), f"{path.relative_to(ROOT)}")
    return literals, templates


LITERALS, TEMPLATES = _keys_and_templates()
KEY_SHAPE = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")


def test_every_template_built_at_run_time_is_registered_with_its_values() -> None:
    # `{}.other` and `{}` are the plural helper and error classes passing a key through.
    unregistered = {
        template: where
        for template, where in TEMPLATES.items()
        if template not in RUNTIME_KEYS and template not in ("{}.other", "{}")
    }
    assert unregistered == {}


@pytest.mark.parametrize("lang", languages())
def test_every_key_built_at_run_time_exists(lang: str) -> None:
    catalogue = catalogues()[lang]
    missing = [
        template.format(value)
        for template, values in RUNTIME_KEYS.items()
        for value in values()
        if template.format(value) not in catalogue
    ]
    assert missing == []


@pytest.mark.parametrize("lang", languages())
def test_every_literal_key_passed_to_t_or_a_domain_error_exists(lang: str) -> None:
    catalogue = catalogues()[lang]
    keys = {key: where for key, where in LITERALS.items() if KEY_SHAPE.match(key)}
    assert len(keys) > 300  # the scan sees the code, not an empty folder
    plural = {k for k in keys if f"{k}.one" in catalogue and f"{k}.other" in catalogue}
    missing = {k: w for k, w in keys.items() if k not in catalogue and k not in plural}
    assert missing == {}


def test_the_registry_names_only_templates_the_code_still_uses() -> None:
    assert set(RUNTIME_KEYS) - set(TEMPLATES) == set()


def _built_in_metric_codes() -> list[str]:
    """The codes of the catalogue's built-in metrics, as migration 0005 seeds them."""
    (path,) = (ROOT / "migrations" / "versions").glob("0005_*.py")
    spec = importlib.util.spec_from_file_location("seed_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [row[0] for row in module.SEED]


@pytest.mark.parametrize("lang", languages())
def test_every_built_in_metric_has_a_name_in_every_language(lang: str) -> None:
    codes = _built_in_metric_codes()
    assert len(codes) > 20
    catalogue = catalogues()[lang]
    assert [code for code in codes if f"{WORDS['metric']}{code}" not in catalogue] == []
