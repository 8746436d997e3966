"""/mydata: a ZIP of everything held about a person and the children they guard.

Each part is a JSON file and a CSV file (the shared formula-guarded writer). Sensitive fields
are decrypted: they are the person's own. Videos go in as files while the ZIP stays within
Telegram's 50 MB for a bot's document; the rest are listed with links that expire. The ZIP is
written to a temporary file in a thread (zipfile is blocking), video files are streamed from
storage to disk first, so memory holds the rows, never a video.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.adapters.csv_files import csv_bytes
from domain.adapters.storage import MediaStorage
from domain.adapters.storage.base import StorageError
from domain.policy import Action, Actor, UserTarget, require
from domain.privacy import queries
from domain.privacy.queries import Row
from domain.secrets_box import SecretBox, UndecryptableField
from domain.uow import Transaction, UnitOfWork

log = logging.getLogger(__name__)
# Telegram's limit for a document a bot sends; room is kept for the ZIP's own directory.
DOCUMENT_LIMIT = 50 * 1024 * 1024
HEADROOM = 512 * 1024
LINK_SECONDS = 7 * 24 * 3600
_ENCRYPTED = {
    "users": ("phone_number", "date_of_birth_encrypted"),
    "athletes": ("medical_conditions", "emergency_contact_name", "emergency_contact_phone"),
}


@dataclass(frozen=True)
class DataExport:
    """The ZIP on disk (the caller sends and removes it) and what went into it."""

    path: Path
    filename: str
    videos_attached: int
    videos_linked: int


async def export_my_data(
    uow: UnitOfWork, *, actor: Actor, storage: MediaStorage, box: SecretBox, now: datetime
) -> DataExport:
    """Everything held about the actor and the children they guard, as a ZIP file."""
    require(actor, Action.EXPORT_OWN_DATA, UserTarget(actor.user_id))
    async with uow as tx:
        parts = await _gather(tx, actor, box)
        tx.audit.record(
            actor_id=actor.user_id,
            action="privacy.exported",
            entity="user",
            entity_id=actor.user_id,
            details={"videos": len(parts["videos"]), "metrics": len(parts["metrics"])},
        )
        await tx.commit()
    folder = Path(tempfile.mkdtemp(prefix="mydata-"))
    path = folder / f"mydata-{now.date().isoformat()}.zip"
    attached, linked = await _write_zip(path, parts, storage)
    return DataExport(path, path.name, attached, linked)


async def _gather(tx: Transaction, actor: Actor, box: SecretBox) -> dict[str, list[Row]]:
    athletes = {*actor.guarded_athlete_ids, *filter(None, [actor.own_athlete_id])}
    children_users = await queries.athlete_user_ids(tx, actor.guarded_athlete_ids)
    users = [actor.user_id, *(u for u in children_users if u != actor.user_id)]
    subjects = {*users, *athletes, *filter(None, [actor.coach_id])}
    return {
        "profile": _decrypted(await queries.user_rows(tx, users), "users", box),
        "athletes": _decrypted(await queries.athlete_rows(tx, athletes), "athletes", box),
        "coach_profile": await queries.coach_rows(tx, actor.user_id),
        "sessions": await queries.session_rows(tx, actor.user_id, athletes),
        "payments": await queries.payment_rows(tx, actor.user_id),
        "metrics": await queries.metric_rows(tx, athletes),
        "videos": await queries.video_rows(tx, actor.user_id, athletes),
        "feedback": await queries.rating_rows(tx, actor.user_id, athletes),
        "program_workouts": await queries.workout_rows(tx, athletes),
        "audit": await queries.audit_rows(tx, subjects),
    }


def _decrypted(rows: list[Row], table: str, box: SecretBox) -> list[Row]:
    for row in rows:
        row.pop("password_hash", None)
        for name in _ENCRYPTED[table]:
            if row.get(name):
                try:
                    row[name] = box.decrypt(row[name])
                except UndecryptableField:
                    row[name] = None
    return rows


async def _write_zip(
    path: Path, parts: dict[str, list[Row]], storage: MediaStorage
) -> tuple[int, int]:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        await asyncio.to_thread(_write_parts, archive, parts)
        videos = parts["videos"]
        links, attached = [], 0
        for video in videos:
            key = video["video_url"]
            if await _attach(archive, path, storage, key, video["id"]):
                attached += 1
                continue
            try:
                url = await storage.presigned_url(key, expires_in=LINK_SECONDS)
            except (StorageError, ValueError) as err:
                log.warning("no link for an exported video: %r", err)
                url = ""
            links.append({"video_id": str(video["id"]), "link": url, "expires_in_s": LINK_SECONDS})
        if links:
            await asyncio.to_thread(_write_part, archive, "video_links", links)
    return attached, len(links)


async def _attach(
    archive: zipfile.ZipFile, path: Path, storage: MediaStorage, key: str, video_id: uuid.UUID
) -> bool:
    """Add the video file if the ZIP stays within Telegram's limit with it; whether it did."""
    try:
        size = await storage.size(key)
    except StorageError:
        return False
    written = archive.fp.tell() if archive.fp is not None else 0
    if written + size + HEADROOM > DOCUMENT_LIMIT:
        return False
    local = path.parent / f"{video_id}{Path(key).suffix}"
    try:
        await storage.download_to(key, local)
        name = f"videos/{local.name}"
        await asyncio.to_thread(archive.write, local, name, zipfile.ZIP_STORED)
    except StorageError as err:
        log.warning("an exported video could not be read: %r", err)
        return False
    finally:
        local.unlink(missing_ok=True)
    return True


def _write_parts(archive: zipfile.ZipFile, parts: dict[str, list[Row]]) -> None:
    for name, rows in parts.items():
        _write_part(archive, name, rows)


def _write_part(archive: zipfile.ZipFile, name: str, rows: list[Row]) -> None:
    archive.writestr(f"{name}.json", json.dumps(rows, default=_plain, ensure_ascii=False, indent=1))
    header = list(rows[0]) if rows else []
    cells = ([_cell(row.get(column)) for column in header] for row in rows)
    archive.writestr(f"{name}.csv", csv_bytes(header, cells))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"not exportable: {type(value).__name__}")


def _cell(value: Any) -> object:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=_plain, ensure_ascii=False)
    if isinstance(value, datetime | date | time | Decimal | uuid.UUID):
        return _plain(value)
    return value
