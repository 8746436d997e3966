"""Who may do what to whom: the one place SportsCenter decides access (default deny)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum, auto

from domain.errors import NotAllowed
from domain.models import Role, UserStatus


class Action(StrEnum):
    """Something an actor asks to do; the value is safe to log and to show in errors."""

    VIEW_PROFILE = auto()
    EDIT_PROFILE = auto()
    ACT_FOR_ATHLETE = auto()
    BOOK_FOR_ATHLETE = auto()
    VIEW_METRICS = auto()
    LOG_METRICS = auto()
    VIEW_VIDEO = auto()
    UPLOAD_VIDEO = auto()
    GIVE_FEEDBACK = auto()
    VIEW_SENSITIVE = auto()  # medical notes, emergency contact, date of birth
    MANAGE_AVAILABILITY = auto()  # a coach's own
    VERIFY_COACH = auto()
    ADMIN_COMMAND = auto()
    MANAGE_CHILDREN = auto()  # a parent adding children or inviting a second guardian
    RUN_SESSION = auto()  # a coach accepting, declining, moving, closing their own session
    ASK_TO_MENTOR = auto()  # a mentor asking a family to be linked to their child
    APPROVE_MENTOR = auto()  # a guardian answering that request, and allowing videos or not
    AUTHOR_PROGRAM = auto()  # a coach starting a training program of their own
    EDIT_PROGRAM = auto()  # content, details, materials and versions of a program
    PUBLISH_PROGRAM = auto()  # putting it in (or taking it out of) the catalogue
    VIEW_PROGRAM = auto()  # the whole content and materials, beyond the catalogue's preview
    EXPORT_OWN_DATA = auto()  # /mydata: everything held about oneself and one's children
    ERASE_OWN_DATA = auto()  # /deleteme, and withdrawing it within the grace
    GIVE_VIDEO_CONSENT = auto()  # a guardian allowing (or revoking) a minor's videos
    ENROL_IN_PROGRAM = auto()  # an athlete's side starting (and ending, pausing) a program
    ASSIGN_PROGRAM = auto()  # a coach giving an athlete they coach a program, free
    LOG_PROGRAM_DAY = auto()  # answering a program day: done, partly, skipped, results
    VIEW_ADHERENCE = auto()  # how a program's athletes keep up with it, week by week
    SEND_PROGRAM_VIDEO = auto()  # a training video about a program day, to the program's coach
    REVIEW_PROGRAM_VIDEO = auto()  # feedback on a video sent from a program day
    MANAGE_SERIES = auto()  # a weekly series: create, skip, move, change; its RSVPs (issue 19)
    TAKE_ATTENDANCE = auto()  # marking present / late / absent / excused at an occurrence
    SCHEDULE_SERIES_FOR = auto()  # a private-lesson series with an athlete one coaches
    ANSWER_RSVP = auto()  # "Will Leo come?": yes / no / maybe, for oneself or one's child
    VIEW_ATTENDANCE = auto()  # an athlete's attendance history and season %
    COACH_TEAMS = auto()  # a coach creating a team, or joining one as co-coach by its link
    MANAGE_TEAM = auto()  # a team's details, roster, links, group, series and messages
    VIEW_TEAM = auto()  # a team's page: its coaches, season and what it sends families
    JOIN_TEAM = auto()  # an athlete's side joining (or leaving) a team
    ANSWER_TEAM_MESSAGE = auto()  # a family's Seen and reply to a coach's team message
    WRITE_NUTRITION_PLAN = auto()  # writing, publishing and replacing an athlete's nutrition plan
    VIEW_NUTRITION_PLAN = auto()  # the plan, its printable week and its weekly adherence
    CHECK_IN_MEAL = auto()  # answering a planned meal (as planned, changed, skipped), water
    AUTHOR_NUTRITION_TEMPLATE = auto()  # a coach's own templates of nutrition plans
    WAIT_FOR_PLACE = auto()  # joining, leaving a waitlist; accepting or declining a place offered
    VIEW_WAITLIST = auto()  # who waits for a place in a session, in order (its coach)
    SELL_PACKS_AND_FEES = auto()  # a coach's own packs of lessons, and their teams' fees
    VIEW_BALANCES = auto()  # an athlete's packs (sessions left, expiry) and team fees due


@dataclass(frozen=True)
class Actor:
    """The acting user and every relation the rules need, loaded before deciding."""

    user_id: uuid.UUID
    role: str  # users.role: athlete, parent, coach, mentor or admin
    is_admin: bool = False  # a row of `admins`
    coach_id: uuid.UUID | None = None
    own_athlete_id: uuid.UUID | None = None
    guarded_athlete_ids: frozenset[uuid.UUID] = frozenset()  # parent_id or a linked guardian
    mentored_athlete_ids: frozenset[uuid.UUID] = frozenset()
    # Mentees whose guardian allowed this mentor to be shown their videos.
    video_mentored_athlete_ids: frozenset[uuid.UUID] = frozenset()
    coached_athlete_ids: frozenset[uuid.UUID] = frozenset()  # a non-cancelled booking, any time
    # Coached or mentored athletes whose guardian revoked consent to their videos (issue 18).
    videos_withheld_athlete_ids: frozenset[uuid.UUID] = frozenset()
    is_verified_coach: bool = False
    status: str | None = UserStatus.ACTIVE  # users.status
    language: str | None = None  # users.language_code
    timezone: str = "UTC"  # the zone their times are shown in


@dataclass(frozen=True)
class AthleteTarget:
    """An athlete profile and everything hanging off it (metrics, videos, bookings)."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class NutritionTarget(AthleteTarget):
    """An athlete, with the age a nutrition plan's rules need (None: date of birth unknown)."""

    age: int | None = None


@dataclass(frozen=True)
class UserTarget:
    """A user's account and profile."""

    user_id: uuid.UUID


@dataclass(frozen=True)
class CoachTarget:
    """A coach profile and its availability."""

    coach_id: uuid.UUID


@dataclass(frozen=True)
class SessionTarget:
    """A training session, seen from the coach's side (the athletes' side is AthleteTarget)."""

    coach_id: uuid.UUID | None


@dataclass(frozen=True)
class ProgramTarget:
    """A training program: its author and the athletes enrolled in it (running or finished)."""

    coach_id: uuid.UUID | None
    enrolled_athlete_ids: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class ProgramDayTarget(AthleteTarget):
    """An enrolled athlete's program day: the athlete, and the coach who wrote the program."""

    program_coach_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SeriesTarget:
    """A weekly series and its occurrences: the coaches who run it (its coach, a team's)."""

    coach_ids: frozenset[uuid.UUID]


@dataclass(frozen=True)
class TeamTarget:
    """A team: its coaches (head and assistants) and the athletes on it now."""

    coach_ids: frozenset[uuid.UUID]
    member_athlete_ids: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class System:
    """The service as a whole, for admin-wide actions."""


Target = (
    AthleteTarget
    | NutritionTarget
    | ProgramDayTarget
    | UserTarget
    | CoachTarget
    | SessionTarget
    | ProgramTarget
    | SeriesTarget
    | TeamTarget
    | System
)
Relation = Callable[[Actor, Target], bool]

# users.status is nullable and defaults to active, so NULL reads as active. Blocked only
# means the bot cannot write to them.
# Any other status ('suspended', 'deleted', or one we do not know yet) denies everything.
_STATUSES_ALLOWED_TO_ACT = frozenset({None, UserStatus.ACTIVE, UserStatus.BLOCKED})
# What a suspended person may still do: a suspension stops their use of the service, not their
# right to a copy of what it holds about them (bot.guards lets /mydata through for this).
ALLOWED_WHEN_SUSPENDED = frozenset({Action.EXPORT_OWN_DATA})


def is_themself(actor: Actor, target: Target) -> bool:
    """The target is the actor's own athlete profile."""
    return isinstance(target, AthleteTarget) and target.athlete_id == actor.own_athlete_id


# Issue 17: from this age an athlete writes their own nutrition plan.
SELF_NUTRITION_AGE = 16


def is_themself_aged_16_or_more(actor: Actor, target: Target) -> bool:
    """The target is the actor's own athlete profile, 16 or older by date of birth."""
    return (
        isinstance(target, NutritionTarget)
        and target.age is not None
        and target.age >= SELF_NUTRITION_AGE
        and is_themself(actor, target)
    )


def is_guardian(actor: Actor, target: Target) -> bool:
    """The actor is the athlete's parent or a linked second guardian."""
    return isinstance(target, AthleteTarget) and target.athlete_id in actor.guarded_athlete_ids


def is_mentor(actor: Actor, target: Target) -> bool:
    """The actor mentors the athlete."""
    return isinstance(target, AthleteTarget) and target.athlete_id in actor.mentored_athlete_ids


def is_mentor_shown_videos(actor: Actor, target: Target) -> bool:
    """The actor mentors the athlete, a guardian allowed them the videos and did not revoke
    consent to the videos being shown at all."""
    return (
        isinstance(target, AthleteTarget)
        and target.athlete_id in actor.video_mentored_athlete_ids
        and target.athlete_id not in actor.videos_withheld_athlete_ids
    )


def is_their_coach(actor: Actor, target: Target) -> bool:
    """The actor coaches the athlete: a non-cancelled session, past or future, between them."""
    return isinstance(target, AthleteTarget) and target.athlete_id in actor.coached_athlete_ids


def is_their_coach_shown_videos(actor: Actor, target: Target) -> bool:
    """The actor coaches the athlete, and no guardian revoked consent to the videos."""
    return (
        is_their_coach(actor, target)
        and isinstance(target, AthleteTarget)
        and target.athlete_id not in actor.videos_withheld_athlete_ids
    )


def is_own_account(actor: Actor, target: Target) -> bool:
    """The target is the actor's own user account."""
    return isinstance(target, UserTarget) and target.user_id == actor.user_id


def is_own_coach_profile(actor: Actor, target: Target) -> bool:
    """The target is the actor's own coach profile, verified or not."""
    return isinstance(target, CoachTarget) and target.coach_id == actor.coach_id


def is_coach_of_session(actor: Actor, target: Target) -> bool:
    """The session is on the actor's own coach profile."""
    return (
        isinstance(target, SessionTarget)
        and actor.coach_id is not None
        and target.coach_id == actor.coach_id
    )


def is_series_coach(actor: Actor, target: Target) -> bool:
    """The actor coaches the series (its own coach, or one of its team's coaches)."""
    return (
        isinstance(target, SeriesTarget)
        and actor.coach_id is not None
        and actor.coach_id in target.coach_ids
    )


def is_program_author(actor: Actor, target: Target) -> bool:
    """The program is the actor's own (written on their coach profile)."""
    return (
        isinstance(target, ProgramTarget)
        and actor.coach_id is not None
        and target.coach_id == actor.coach_id
    )


def is_verified_program_author(actor: Actor, target: Target) -> bool:
    """The program is the actor's own and an admin has verified them as a coach."""
    return actor.is_verified_coach and is_program_author(actor, target)


def is_enrolled_family(actor: Actor, target: Target) -> bool:
    """The actor, or a child they are guardian of, is enrolled in the program."""
    if not isinstance(target, ProgramTarget):
        return False
    own = {actor.own_athlete_id} if actor.own_athlete_id is not None else set()
    return bool(target.enrolled_athlete_ids & (own | actor.guarded_athlete_ids))


def is_enrolled_athletes_family(actor: Actor, target: Target) -> bool:
    """The program day is the actor's own, or a child's they are guardian of."""
    return isinstance(target, ProgramDayTarget) and (
        is_themself(actor, target) or is_guardian(actor, target)
    )


def is_program_days_coach(actor: Actor, target: Target) -> bool:
    """The program day is of a program the actor wrote, or of an athlete they coach whose
    videos no guardian withheld."""
    if not isinstance(target, ProgramDayTarget):
        return False
    author = actor.coach_id is not None and target.program_coach_id == actor.coach_id
    return author or is_their_coach_shown_videos(actor, target)


def is_team_coach(actor: Actor, target: Target) -> bool:
    """The actor coaches the team (its head coach or an assistant)."""
    return (
        isinstance(target, TeamTarget)
        and actor.coach_id is not None
        and actor.coach_id in target.coach_ids
    )


def is_team_family(actor: Actor, target: Target) -> bool:
    """The actor, or a child they are guardian of, is on the team now."""
    if not isinstance(target, TeamTarget):
        return False
    own = {actor.own_athlete_id} if actor.own_athlete_id is not None else set()
    return bool(target.member_athlete_ids & (own | actor.guarded_athlete_ids))


def is_admin_on_a_team(actor: Actor, target: Target) -> bool:
    """An admin acting on any team."""
    return actor.is_admin and isinstance(target, TeamTarget)


def is_parent_on_own_account(actor: Actor, target: Target) -> bool:
    """A parent acting on their own family (their own account)."""
    return actor.role == Role.PARENT and is_own_account(actor, target)


def is_mentor_on_own_account(actor: Actor, target: Target) -> bool:
    """A mentor acting on their own account (asking to mentor someone)."""
    return actor.role == Role.MENTOR and is_own_account(actor, target)


def is_admin_on_a_profile(actor: Actor, target: Target) -> bool:
    """An admin looking at any athlete, user or coach profile."""
    return actor.is_admin and isinstance(target, AthleteTarget | UserTarget | CoachTarget)


def is_admin_on_a_coach(actor: Actor, target: Target) -> bool:
    """An admin acting on a coach profile."""
    return actor.is_admin and isinstance(target, CoachTarget)


def is_admin_on_system(actor: Actor, target: Target) -> bool:
    """An admin acting on the service as a whole."""
    return actor.is_admin and isinstance(target, System)


_ATHLETE_OWNER = frozenset(
    {
        Action.VIEW_PROFILE,
        Action.EDIT_PROFILE,
        Action.ACT_FOR_ATHLETE,
        Action.BOOK_FOR_ATHLETE,
        Action.VIEW_METRICS,
        Action.LOG_METRICS,
        Action.VIEW_VIDEO,
        Action.UPLOAD_VIDEO,
        Action.VIEW_SENSITIVE,
        Action.ENROL_IN_PROGRAM,
        Action.LOG_PROGRAM_DAY,
        Action.ANSWER_RSVP,
        Action.VIEW_ATTENDANCE,
        Action.JOIN_TEAM,
        Action.VIEW_NUTRITION_PLAN,
        Action.CHECK_IN_MEAL,
        Action.WAIT_FOR_PLACE,
        Action.VIEW_BALANCES,
    }
)

_MENTOR = frozenset({Action.VIEW_PROFILE, Action.VIEW_METRICS, Action.GIVE_FEEDBACK})

# The rules: a relation between actor and target, and the actions it grants; nothing else is
# allowed. Every relation is checked, so a coach who is also a parent gets both sets.
GRANTS: dict[Relation, frozenset[Action]] = {
    # No GIVE_FEEDBACK on oneself: feedback is a coach's or mentor's word on the athlete.
    is_themself: _ATHLETE_OWNER,
    # A guardian stands in for the athlete (a child may not even have Telegram), and decides
    # who mentors them: not the athlete, who may be a child.
    # Consent to a minor's videos is the guardian's alone, not the child's (issue 18).
    # A guardian writes the child's nutrition plans; the athlete only from 16 (issue 17).
    is_guardian: _ATHLETE_OWNER
    | {Action.APPROVE_MENTOR, Action.GIVE_VIDEO_CONSENT, Action.WRITE_NUTRITION_PLAN},
    is_themself_aged_16_or_more: frozenset({Action.WRITE_NUTRITION_PLAN}),
    # Mentors advise; they neither book, act for the athlete nor read medical data.
    is_mentor: _MENTOR,
    # A child's videos show them; a guardian decides, mentor by mentor, and may revoke all.
    is_mentor_shown_videos: frozenset({Action.VIEW_VIDEO}),
    # A coach with a booking logs results, and needs medical notes to train the athlete safely.
    # A coach assigns programs to the athletes they coach (and only to them), free.
    # ... and puts them in a private-lesson series, whose attendance they keep.
    # A coach writes nutrition plans for the athletes they coach, and sees how they are kept.
    is_their_coach: _MENTOR
    | {
        Action.LOG_METRICS,
        Action.VIEW_SENSITIVE,
        Action.ASSIGN_PROGRAM,
        Action.SCHEDULE_SERIES_FOR,
        Action.VIEW_ATTENDANCE,
    }
    | {Action.WRITE_NUTRITION_PLAN, Action.VIEW_NUTRITION_PLAN},
    # ... and sees the videos unless a guardian revoked consent to them.
    is_their_coach_shown_videos: frozenset({Action.VIEW_VIDEO}),
    # One's own date of birth is one's own business.
    is_own_account: frozenset(
        {
            Action.VIEW_PROFILE,
            Action.EDIT_PROFILE,
            Action.VIEW_SENSITIVE,
            Action.EXPORT_OWN_DATA,
            Action.ERASE_OWN_DATA,
        }
    ),
    # Unverified coaches too, so they can set up before an admin verifies them.
    # Unverified coaches may write programs; only verified ones put them in the catalogue.
    # Any coach may run teams (families join by the coach's own link, not a catalogue).
    is_own_coach_profile: frozenset(
        {
            Action.MANAGE_AVAILABILITY,
            Action.AUTHOR_PROGRAM,
            Action.COACH_TEAMS,
            Action.AUTHOR_NUTRITION_TEMPLATE,
            Action.SELL_PACKS_AND_FEES,
        }
    ),
    # Only the author edits a program; what enrolled athletes received stays (versions).
    # The author alone sees who keeps up with a program (its athletes' answers, week by week).
    is_program_author: frozenset({Action.EDIT_PROGRAM, Action.VIEW_PROGRAM, Action.VIEW_ADHERENCE}),
    is_verified_program_author: frozenset({Action.PUBLISH_PROGRAM}),
    # Enrolled families see the content and the materials; others only the catalogue page.
    is_enrolled_family: frozenset({Action.VIEW_PROGRAM}),
    # A program day's video goes from the athlete's side to the program's author, who answers
    # it though they may never have booked the athlete (the athlete's own coach may too).
    is_enrolled_athletes_family: frozenset({Action.SEND_PROGRAM_VIDEO}),
    is_program_days_coach: frozenset({Action.REVIEW_PROGRAM_VIDEO}),
    # Every coach of a team runs it; its families see it and answer its messages, and never
    # see one another's children beyond the team's roster the coach keeps.
    # Prices are the coach's word alone: an admin runs a team but never sets what it costs.
    is_team_coach: frozenset({Action.MANAGE_TEAM, Action.VIEW_TEAM, Action.SELL_PACKS_AND_FEES}),
    is_team_family: frozenset({Action.VIEW_TEAM, Action.ANSWER_TEAM_MESSAGE}),
    is_parent_on_own_account: frozenset({Action.MANAGE_CHILDREN}),
    is_mentor_on_own_account: frozenset({Action.ASK_TO_MENTOR}),
    # The athletes' side of a session (cancel, move, rate) is BOOK_FOR_ATHLETE on the athlete.
    # ... and sees who waits for a place in it, in order (a family sees only its own place).
    is_coach_of_session: frozenset({Action.RUN_SESSION, Action.VIEW_WAITLIST}),
    # A series is run by its coaches (a team's co-coaches too); families only answer RSVPs.
    is_series_coach: frozenset({Action.MANAGE_SERIES, Action.TAKE_ATTENDANCE}),
    # Least privilege: admins see profiles but not medical data, and never act for a family.
    is_admin_on_a_profile: frozenset({Action.VIEW_PROFILE}),
    # An admin may start a team for a coach and run any team, as its coaches do.
    is_admin_on_a_coach: frozenset({Action.VERIFY_COACH, Action.COACH_TEAMS}),
    is_admin_on_a_team: frozenset({Action.MANAGE_TEAM, Action.VIEW_TEAM}),
    is_admin_on_system: frozenset({Action.ADMIN_COMMAND}),
}


def is_suspended(actor: Actor) -> bool:
    """An admin suspended the person: `may` refuses them everything until unsuspended."""
    return actor.status == UserStatus.SUSPENDED


def may(actor: Actor, action: Action, target: Target) -> bool:
    """Whether the actor may do this action to this target; anything not granted is denied."""
    suspended_exempt = actor.status == UserStatus.SUSPENDED and action in ALLOWED_WHEN_SUSPENDED
    if actor.status not in _STATUSES_ALLOWED_TO_ACT and not suspended_exempt:
        return False
    return any(
        action in actions and relation(actor, target) for relation, actions in GRANTS.items()
    )


def require(actor: Actor, action: Action, target: Target) -> None:
    """Raise NotAllowed unless the actor may do this action to this target."""
    if not may(actor, action, target):
        # The action only: ids and names must not reach logs or the user through the error.
        raise NotAllowed(f"not allowed: {action.value}", action=action.value)


def athletes_actor_may_act_for(actor: Actor) -> frozenset[uuid.UUID]:
    """The athletes the actor may act for: their own profile and those they are guardian of."""
    own = {actor.own_athlete_id} if actor.own_athlete_id is not None else set()
    return frozenset(
        athlete_id
        for athlete_id in actor.guarded_athlete_ids | own
        if may(actor, Action.ACT_FOR_ATHLETE, AthleteTarget(athlete_id))
    )
