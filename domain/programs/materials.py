"""Files attached to a program (PDF, pictures, video) under `training-materials/{programId}/`,
and the expiring links by which only the author and enrolled families reach them.

A file's type comes from its first bytes, never from its name or the type the client declared:
a renamed executable is refused before anything is kept. Telegram lets a bot send files up to
50 MB, so nothing larger is kept either; the size is counted while streaming.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from domain import policy
from domain.adapters.storage import ByteSource, MediaStorage, training_material_key, unique_filename
from domain.adapters.storage.streams import byte_chunks
from domain.coaching.certifications import document_name
from domain.coaching.certifications import sniff as sniff_document
from domain.errors import DomainError, InvalidInput, NotFound
from domain.models import MATERIAL_MAX_BYTES, MaterialKind, ProgramMaterial, TrainingProgram
from domain.policy import Action, Actor, ProgramTarget
from domain.programs import queries
from domain.programs.authoring import editable_program
from domain.uow import Transaction, UnitOfWork
from domain.videos.files import SNIFF_BYTES
from domain.videos.files import sniff as sniff_video

log = logging.getLogger(__name__)
LINK_LIFETIME_S = 3600
MAX_MATERIALS = 20
_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
}


class MaterialTooLarge(InvalidInput):
    """Over the 50 MB a bot can send."""

    message_key = "programs.error.material_too_large"


class MaterialNotFetchable(InvalidInput):
    """Under 50 MB, but over what Telegram lets this bot download (20 MB from the cloud API)."""

    message_key = "programs.error.material_not_fetchable"


class NotAMaterial(InvalidInput):
    """Neither a PDF, a picture nor a video, whatever its name says."""

    message_key = "programs.error.not_a_material"


class TooManyMaterials(InvalidInput):
    """A program lists as many files as it may."""

    message_key = "programs.error.too_many_materials"


class MaterialNotFound(NotFound):
    """No such file, or not one the asker may open."""

    message_key = "programs.error.material_not_found"


@dataclass(frozen=True)
class Material:
    """A file of a program as listed to its readers."""

    id: uuid.UUID
    title: str
    kind: MaterialKind
    size_bytes: int


@dataclass(frozen=True)
class MaterialLink:
    """A link to one file that stops working after `expires_in` seconds."""

    title: str
    url: str
    expires_in: int


def check_size(size: int | None, *, fetchable: int | None = None) -> None:
    """MaterialTooLarge for a file declared over 50 MB, MaterialNotFetchable for one over what
    the bot can download (`fetchable` bytes), before anything is fetched."""
    if size is not None and size > MATERIAL_MAX_BYTES:
        raise MaterialTooLarge(max_mb=MATERIAL_MAX_BYTES // 2**20)
    if size is not None and fetchable is not None and size > fetchable:
        raise MaterialNotFetchable(max_mb=fetchable // 2**20)


def kind_of(head: bytes) -> tuple[MaterialKind, str, str] | None:
    """(kind, content type, extension) the first bytes show, or None."""
    document = sniff_document(head)
    if document == "application/pdf":
        return MaterialKind.PDF, document, "pdf"
    if document is not None:
        return MaterialKind.IMAGE, document, _EXTENSIONS[document]
    container = sniff_video(head)
    if container is not None:
        return MaterialKind.VIDEO, container.content_type, container.extension
    return None


async def attach(
    uow: UnitOfWork,
    storage: MediaStorage,
    *,
    actor: Actor,
    program_id: uuid.UUID,
    filename: str,
    declared_size: int | None,
    source: ByteSource,
    telegram_file_id: str | None = None,
) -> Material:
    """Store a file and list it on the program; only its author may."""
    check_size(declared_size)
    async with uow as tx:
        await editable_program(tx, actor, program_id)
        if len(await queries.materials(tx, program_id)) >= MAX_MATERIALS:
            raise TooManyMaterials(max=MAX_MATERIALS)
    chunks = byte_chunks(source)
    head = await _head(chunks)
    found = kind_of(head)
    if found is None:
        raise NotAMaterial("unknown signature")
    kind, content_type, extension = found
    title = document_name(filename)
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    key = training_material_key(program_id, unique_filename(f"{stem}.{extension}"))
    stored = await storage.put(key, _limited(head, chunks), content_type=content_type)
    try:
        return await _list(
            uow,
            actor,
            program_id,
            (stored.key, stored.size, kind, content_type, title),
            telegram_file_id,
        )
    except DomainError:
        await storage.delete(stored.key)
        raise


async def materials_of(uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID) -> list[Material]:
    """A program's files, for its author and enrolled families (empty for anyone else)."""
    async with uow as tx:
        program = await queries.program(tx, program_id)
        if program is None or not policy.may(
            actor, Action.VIEW_PROGRAM, await _target(tx, program)
        ):
            return []
        return [_material(m) for m in await queries.materials(tx, program_id)]


async def link(
    uow: UnitOfWork, storage: MediaStorage, *, actor: Actor, material_id: uuid.UUID
) -> MaterialLink:
    """An expiring link to one file, for the program's author and enrolled families only."""
    async with uow as tx:
        material = await queries.material(tx, material_id)
        program = await queries.program(tx, material.program_id) if material else None
        if material is None or program is None:
            raise MaterialNotFound("no such material")
        if not policy.may(actor, Action.VIEW_PROGRAM, await _target(tx, program)):
            raise MaterialNotFound("material of a program the actor does not follow")
        key, title = material.storage_key, material.title
    url = await storage.presigned_url(key, expires_in=LINK_LIFETIME_S)
    return MaterialLink(title=title, url=url, expires_in=LINK_LIFETIME_S)


async def _target(tx: Transaction, program: TrainingProgram) -> ProgramTarget:
    return ProgramTarget(program.coach_id, await queries.enrolled_athletes(tx, program.id))


async def _list(
    uow: UnitOfWork,
    actor: Actor,
    program_id: uuid.UUID,
    stored: tuple[str, int, MaterialKind, str, str],
    telegram_file_id: str | None,
) -> Material:
    key, size, kind, content_type, title = stored
    async with uow as tx:
        await editable_program(tx, actor, program_id, lock=True)
        material = ProgramMaterial(
            program_id=program_id,
            storage_key=key,
            kind=kind.value,
            content_type=content_type,
            size_bytes=size,
            title=title,
            telegram_file_id=telegram_file_id,
            uploaded_by=actor.user_id,
        )
        tx.session.add(material)
        await tx.flush()
        tx.audit.record(
            actor_id=actor.user_id,
            action="program.material_added",
            entity="training_program",
            entity_id=program_id,
            details={"key": key, "kind": kind.value, "size": size},
        )
        await tx.commit()
    return _material(material)


def _material(row: ProgramMaterial) -> Material:
    return Material(
        id=row.id, title=row.title, kind=MaterialKind(row.kind), size_bytes=row.size_bytes
    )


async def _head(chunks: AsyncIterator[bytes]) -> bytes:
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = await anext(chunks, b"")
        if not chunk:
            break
        head += chunk
    return head


async def _limited(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    # Counted while streaming: a file larger than it said is refused without being held whole.
    size = len(head)
    if size > MATERIAL_MAX_BYTES:
        raise MaterialTooLarge(max_mb=MATERIAL_MAX_BYTES // 2**20)
    yield head
    async for chunk in rest:
        size += len(chunk)
        if size > MATERIAL_MAX_BYTES:
            raise MaterialTooLarge(max_mb=MATERIAL_MAX_BYTES // 2**20)
        yield chunk
