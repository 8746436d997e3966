"""The videos capability's callback data (`handlers.shared.callback_data`), in the format of
buttons already sent: `vid:for:<token>:<athlete>`, `vid:ln:<video>:<session or ->`,
`vid:sh:<video>`; and a minor's video consent (`handlers.videos.consent`), given or revoked:
`vcs:give:<athlete>`, `vcs:rev:<athlete>`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from handlers.shared.callback_data import CallbackData

FLOW = "vid"  # the first word of every video button
CONSENT_FLOW = "vcs"  # ... and of the consent buttons


@dataclass(frozen=True)
class VideoFor(CallbackData, prefix="vid:for"):
    """Whose video: the waiting upload (by the picker's token) is this athlete's."""

    token: str
    athlete_id: uuid.UUID


@dataclass(frozen=True)
class VideoLink(CallbackData, prefix="vid:ln"):
    """The video was taken at this session."""

    video_id: uuid.UUID
    session_id: uuid.UUID


@dataclass(frozen=True)
class VideoUnlinked(CallbackData, prefix="vid:ln"):
    """The video is from no session of the list."""

    video_id: uuid.UUID
    none: Literal["-"] = "-"


@dataclass(frozen=True)
class VideoShow(CallbackData, prefix="vid:sh"):
    """One video of /videos again."""

    video_id: uuid.UUID


@dataclass(frozen=True)
class ConsentGive(CallbackData, prefix="vcs:give"):
    """A guardian consents to the child's videos being stored and shown to coaches."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class ConsentRevoke(CallbackData, prefix="vcs:rev"):
    """A guardian revokes that consent."""

    athlete_id: uuid.UUID
