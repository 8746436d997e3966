"""How teams read in chat, in the reader's language: /teams, a team's page, its roster with
guardians, its links, its group, a family link's offer, and the buttons of creating a team."""

from __future__ import annotations

import uuid
from datetime import date

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import locale_of, tn
from domain.clubs.teams.joining import JoinOffer, coach_link, family_link
from domain.clubs.teams.teams import TeamPage, TeamSummary
from domain.short_ids import short_id
from handlers.clubs.callbacks import (
    JoinPress,
    MemberAction,
    MemberPress,
    MessageWhere,
    NewAction,
    NewTeamPress,
    TeamAction,
    TeamNew,
    TeamPress,
    TeamsHome,
)
from handlers.clubs.series_render import schedule_button
from handlers.shared.callback_data import CallbackData
from handlers.shared.menu_entries import AddChild

Markup = InlineKeyboardMarkup
AGE_GROUPS = ("U8", "U10", "U12", "U14", "U16", "U18")


def _button(label: str, press: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press.pack())


def day(value: date, lang: str | None) -> str:
    """A date as the reader writes it ("1 Sept 2026", "1 sept 2026")."""
    return format_date(value, "medium", locale=locale_of(lang))


def season(start: date, end: date, lang: str | None) -> str:
    """A season's two dates."""
    return t("teams.season", lang, start=day(start, lang), end=day(end, lang))


def home(found: list[TeamSummary], lang: str | None, *, coach: bool) -> tuple[str, Markup | None]:
    """/teams: one's teams, a button each; a coach's ➕ New team."""
    if not found:
        text = t("teams.home_empty_coach" if coach else "teams.home_empty", lang)
    else:
        text = t("teams.home", lang)
    rows = []
    for team in found:
        label = t("teams.home_line", lang, name=team.name, age_group=team.age_group)
        if team.athletes:
            label = t("teams.home_line_family", lang, line=label, athletes=", ".join(team.athletes))
        rows.append([_button(label, TeamPress(TeamAction.OPEN, team.team_id))])
    if coach:
        rows.append([_button(t("teams.button.new", lang), TeamNew())])
    return text, Markup(rows) if rows else None


def team_page(page: TeamPage, lang: str | None) -> tuple[str, Markup]:
    """A team's page: details and coaches for all; a coach's buttons, or the family's own."""
    coaches = ", ".join(
        t(f"teams.coach_role.{role}", lang, name=name) for name, role in page.coaches
    )
    lines = [
        t("teams.page.title", lang, name=page.name),
        t("teams.page.details", lang, sport=page.sport, age_group=page.age_group),
        season(page.season_start, page.season_end, lang),
        t("teams.page.coaches", lang, coaches=coaches),
        tn("teams.page.players", page.players, lang),
    ]
    if page.managing:
        lines.append(
            t("teams.page.group_linked" if page.group_linked else "teams.page.no_group", lang)
        )
        lines += [_message_line(m.body, m.seen, m.recipients, lang) for m in page.messages]
    rows = _manager_rows(page, lang) if page.managing else _family_rows(page, lang)
    rows.append([_button(t("teams.button.home", lang), TeamsHome())])
    return "\n".join(lines), Markup(rows)


def _message_line(body: str, seen: int, recipients: int, lang: str | None) -> str:
    excerpt = body if len(body) <= 40 else body[:39] + "…"
    if recipients == 0:  # to the group only: no private copies, nothing to count
        return t("teams.page.message_line_group", lang, excerpt=excerpt)
    return t("teams.page.message_line", lang, excerpt=excerpt, seen=seen, recipients=recipients)


def _manager_rows(page: TeamPage, lang: str | None) -> list[list[InlineKeyboardButton]]:
    def press(action: TeamAction) -> TeamPress:
        return TeamPress(action, page.team_id)

    return [
        [
            _button(t("teams.button.roster", lang), press(TeamAction.ROSTER)),
            _button(t("teams.button.links", lang), press(TeamAction.LINKS)),
        ],
        [
            _button(t("teams.button.message", lang), press(TeamAction.MESSAGE)),
            _button(t("teams.button.group", lang), press(TeamAction.GROUP)),
        ],
        [schedule_button(page.team_id, lang)],
    ]


def _family_rows(page: TeamPage, lang: str | None) -> list[list[InlineKeyboardButton]]:
    return [
        [
            _button(
                t("teams.button.leave", lang, name=name),
                MemberPress(MemberAction.LEAVE, page.team_id, athlete_id),
            )
        ]
        for athlete_id, name in page.own_members
    ]


def roster(page: TeamPage, lang: str | None) -> tuple[str, Markup]:
    """The roster: each athlete with their guardians, a ➖ to take them off the team."""
    lines = [t("teams.roster.title", lang, name=page.name)]
    rows = []
    for entry in page.roster:
        guardians = ", ".join(g.first_name for g in entry.guardians)
        name = " ".join(part for part in (entry.first_name, entry.last_name) if part)
        key = "teams.roster.line_guardians" if guardians else "teams.roster.line"
        lines.append(t(key, lang, name=name, guardians=guardians))
        rows.append(
            [
                _button(
                    t("teams.button.remove", lang, name=entry.first_name),
                    MemberPress(MemberAction.REMOVE, page.team_id, entry.athlete_id),
                )
            ]
        )
    if not page.roster:
        lines.append(t("teams.roster.empty", lang))
    rows.append([_button(t("teams.button.back", lang), TeamPress(TeamAction.OPEN, page.team_id))])
    return "\n".join(lines), Markup(rows)


def links(page: TeamPage, bot_username: str, lang: str | None) -> tuple[str, Markup]:
    """The family link to share and the single-use co-coach link."""
    assert page.join_code is not None and page.coach_code is not None
    text = t(
        "teams.links",
        lang,
        name=page.name,
        family=family_link(bot_username, page.join_code),
        coach=coach_link(bot_username, page.coach_code),
    )
    back = _button(t("teams.button.back", lang), TeamPress(TeamAction.OPEN, page.team_id))
    return text, Markup([[back]])


def group(page: TeamPage, lang: str | None) -> tuple[str, Markup]:
    """How to link the team's Telegram group, or the Unlink button once linked."""
    back = _button(t("teams.button.back", lang), TeamPress(TeamAction.OPEN, page.team_id))
    if page.group_linked:
        unlink = _button(t("teams.button.unlink", lang), TeamPress(TeamAction.UNLINK, page.team_id))
        return t("teams.group.linked", lang, name=page.name), Markup([[unlink], [back]])
    assert page.join_code is not None
    return t("teams.group.how", lang, code=page.join_code), Markup([[back]])


def join_offer(offer: JoinOffer, lang: str | None, *, parent: bool) -> tuple[str, Markup | None]:
    """A family link opened: the team, and a button per athlete who may join it."""
    lines = [
        t("teams.join.title", lang, name=offer.team_name),
        t("teams.page.details", lang, sport=offer.sport, age_group=offer.age_group),
        season(offer.season_start, offer.season_end, lang),
        t("teams.page.coaches", lang, coaches=", ".join(offer.coaches)),
    ]
    rows = [
        [
            _button(
                t("teams.button.join", lang, name=choice.name),
                JoinPress(offer.code, choice.athlete_id),
            )
        ]
        for choice in offer.choices
        if not choice.on_team
    ]
    if offer.coaching:
        lines.append(t("teams.join.coaching", lang))
    on_team = [choice.name for choice in offer.choices if choice.on_team]
    if on_team:
        lines.append(t("teams.join.on_team", lang, names=", ".join(on_team)))
    if parent:
        rows.append([_button(t("teams.button.add_child", lang), AddChild())])
        lines.append(t("teams.join.add_child_hint", lang))
    elif not offer.choices and not offer.coaching:
        lines.append(t("teams.join.nobody", lang))
    return "\n".join(lines), Markup(rows) if rows else None


def age_markup(lang: str | None) -> Markup:
    """Usual age groups as buttons (anything else is typed)."""
    ages = [_button(age, NewTeamPress(NewAction.AGE, age)) for age in AGE_GROUPS]
    cancel = _button(t("teams.button.cancel", lang), NewTeamPress(NewAction.CANCEL))
    return Markup([ages[:3], ages[3:], [cancel]])


def season_markup(start: date, end: date, lang: str | None) -> Markup:
    """The suggested season as a button (another one is typed)."""
    suggested = _button(season(start, end, lang), NewTeamPress(NewAction.SEASON))
    cancel = _button(t("teams.button.cancel", lang), NewTeamPress(NewAction.CANCEL))
    return Markup([[suggested], [cancel]])


def coaches_markup(coaches: list[tuple[uuid.UUID, str]], lang: str | None) -> Markup:
    """An admin picks the new team's head coach."""
    rows = [
        [_button(name, NewTeamPress(NewAction.COACH, short_id(coach_id)))]
        for coach_id, name in coaches
    ]
    rows.append([_button(t("teams.button.cancel", lang), NewTeamPress(NewAction.CANCEL))])
    return Markup(rows)


def cancel_markup(lang: str | None) -> Markup:
    """Cancel, under a question that is answered by typing."""
    return Markup([[_button(t("teams.button.cancel", lang), NewTeamPress(NewAction.CANCEL))]])


def where_markup(lang: str | None, *, group_linked: bool) -> Markup:
    """Where a team message goes: the families, and the group once there is one."""
    rows = [[_button(t("teams.where.families", lang), MessageWhere("families"))]]
    if group_linked:
        rows.append([_button(t("teams.where.group", lang), MessageWhere("group"))])
        rows.append([_button(t("teams.where.both", lang), MessageWhere("both"))])
    rows.append([_button(t("teams.button.cancel", lang), MessageWhere("cancel"))])
    return Markup(rows)
