"""/mydata: a ZIP of everything held about a person and the children they guard.

Each part is a JSON file and a CSV file (the shared formula-guarded writer). Sensitive fields
are decrypted: they are the person's own. Rows are read through a server-side cursor a
thousand at a time and written in a thread (zipfile blocks), so memory holds one batch
whatever the history's length; video files are streamed from storage to disk and go in while
the ZIP stays within Telegram's 50 MB for a bot's document, the rest as links that expire.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from domain.adapters.csv_files import csv_rows
from domain.adapters.storage import MediaStorage
from domain.adapters.storage.base import StorageError
from domain.models import MEAL_PHOTOS_PREFIX
from domain.policy import Action, Actor, UserTarget, require
from domain.privacy import queries
from domain.privacy.queries import Row
from domain.secrets_box import SecretBox, UndecryptableField
from domain.uow import UnitOfWork

log = logging.getLogger(__name__)
# Telegram's limit for a document a bot sends; room is kept for the ZIP's own directory.
DOCUMENT_LIMIT = 50 * 1024 * 1024
HEADROOM = 512 * 1024
LINK_SECONDS = 7 * 24 * 3600
_ENCRYPTED = {
    "profile": ("phone_number", "date_of_birth_encrypted"),
    "athletes": ("medical_conditions", "emergency_contact_name", "emergency_contact_phone"),
}


@dataclass(frozen=True)
class DataExport:
    """The ZIP on disk (the caller sends it and removes its folder) and what went into it."""

    path: Path
    filename: str
    videos_attached: int
    videos_linked: int


async def export_my_data(
    uow: UnitOfWork, *, actor: Actor, storage: MediaStorage, box: SecretBox, now: datetime
) -> DataExport:
    """Everything held about the actor and the children they guard, as a ZIP file."""
    require(actor, Action.EXPORT_OWN_DATA, UserTarget(actor.user_id))
    folder = Path(tempfile.mkdtemp(prefix="mydata-"))
    path = folder / f"mydata-{now.date().isoformat()}.zip"
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            counts, videos, photos = await _write_rows(uow, actor, box, archive, folder)
            attached, links = 0, []
            for key in photos:  # meal photos are small: each goes in while the ZIP has room
                name = key.removeprefix(MEAL_PHOTOS_PREFIX).replace("/", "-")
                await _attach(archive, storage, key, name, folder="meal_photos")
            for video in videos:
                if await _attach(
                    archive,
                    storage,
                    video["video_url"],
                    f"{video['id']}{Path(video['video_url']).suffix}",
                ):
                    attached += 1
                else:
                    links.append(await _link(storage, video))
            if links:
                await asyncio.to_thread(_write_whole, archive, folder, "video_links", links)
    except BaseException:
        await asyncio.to_thread(shutil.rmtree, folder, True)
        raise
    log.info("exported a person's data: %s", counts)
    return DataExport(path, path.name, attached, len(links))


async def _write_rows(
    uow: UnitOfWork, actor: Actor, box: SecretBox, archive: zipfile.ZipFile, folder: Path
) -> tuple[dict[str, int], list[Row], list[str]]:
    """Every part into the ZIP, in one transaction; rows per part, the videos' rows and the
    meal photos' keys."""
    counts: dict[str, int] = {}
    videos: list[Row] = []
    photos: list[str] = []
    async with uow as tx:
        athletes = {*actor.guarded_athlete_ids, *filter(None, [actor.own_athlete_id])}
        children = await queries.athlete_user_ids(tx, actor.guarded_athlete_ids)
        users = {actor.user_id, *children}
        subjects = {*users, *athletes, *filter(None, [actor.coach_id])}
        parts = queries.export_statements(actor.user_id, users, athletes, subjects)
        for name, statement in parts.items():
            part = await asyncio.to_thread(
                _Part, archive, folder, name, queries.columns_of(statement)
            )
            async for batch in queries.stream(tx, statement):
                rows = _decrypted(batch, name, box)
                await asyncio.to_thread(part.write, rows)
                if name == "videos":
                    videos += [{"id": row["id"], "video_url": row["video_url"]} for row in rows]
                if name == "nutrition_checkins":
                    photos += [row["photo_key"] for row in rows if row["photo_key"]]
            counts[name] = await asyncio.to_thread(part.close)
        tx.audit.record(
            actor_id=actor.user_id,
            action="privacy.exported",
            entity="user",
            entity_id=actor.user_id,
            details={"videos": counts["videos"], "metrics": counts["metrics"]},
        )
        await tx.commit()
    return counts, videos, photos


@dataclass
class _Part:
    """One part's JSON file written into the ZIP as rows come, its CSV file beside on disk
    (a ZIP takes one entry at a time) until the part is done."""

    archive: zipfile.ZipFile
    folder: Path
    name: str
    header: list[str]
    rows: int = 0
    _json: IO[bytes] = field(init=False)
    _csv: IO[bytes] = field(init=False)

    def __post_init__(self) -> None:
        self._json = self.archive.open(f"{self.name}.json", "w")
        self._json.write(b"[")
        self._csv = (self.folder / f"{self.name}.csv").open("wb")
        self._csv.write(csv_rows(self.header))

    def write(self, rows: list[Row]) -> None:
        for row in rows:
            text = json.dumps(row, default=_plain, ensure_ascii=False)
            self._json.write(("\n" if not self.rows else ",\n").encode() + text.encode())
            self.rows += 1
        self._csv.write(csv_rows(*([_cell(row.get(c)) for c in self.header] for row in rows)))

    def close(self) -> int:
        self._json.write(b"\n]\n")
        self._json.close()
        self._csv.close()
        csv_path = self.folder / f"{self.name}.csv"
        self.archive.write(csv_path, f"{self.name}.csv")
        csv_path.unlink()
        return self.rows


def _write_whole(archive: zipfile.ZipFile, folder: Path, name: str, rows: list[Row]) -> None:
    part = _Part(archive, folder, name, list(rows[0]) if rows else [])
    part.write(rows)
    part.close()


def _decrypted(rows: list[Row], part: str, box: SecretBox) -> list[Row]:
    for row in rows:
        for name in _ENCRYPTED.get(part, ()):
            if row.get(name):
                try:
                    row[name] = box.decrypt(row[name])
                except UndecryptableField:
                    row[name] = None
    return rows


async def _attach(
    archive: zipfile.ZipFile, storage: MediaStorage, key: str, name: str, folder: str = "videos"
) -> bool:
    """Add a stored file (a video, a meal photo) as `folder/name` if the ZIP stays within
    Telegram's limit with it; whether it did."""
    try:
        size = await storage.size(key)
    except StorageError:
        return False
    written = archive.fp.tell() if archive.fp is not None else 0
    if written + size + HEADROOM > DOCUMENT_LIMIT:
        return False
    local = Path(archive.filename or "").parent / name
    try:
        await storage.download_to(key, local)
        await asyncio.to_thread(archive.write, local, f"{folder}/{name}", zipfile.ZIP_STORED)
    except StorageError as err:
        log.warning("an exported file could not be read: %r", err)
        return False
    finally:
        local.unlink(missing_ok=True)
    return True


async def _link(storage: MediaStorage, video: Row) -> Row:
    """A link to a video left out of the ZIP, valid for LINK_SECONDS."""
    try:
        url = await storage.presigned_url(video["video_url"], expires_in=LINK_SECONDS)
    except (StorageError, ValueError) as err:
        log.warning("no link for an exported video: %r", err)
        url = ""
    return {"video_id": str(video["id"]), "link": url, "expires_in_s": LINK_SECONDS}


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
