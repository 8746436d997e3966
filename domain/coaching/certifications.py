"""Certification documents a coach uploads for verification: checked, stored, listed."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from domain.adapters.storage import (
    ByteSource,
    MediaStorage,
    certification_document_key,
    unique_filename,
)
from domain.adapters.storage.streams import byte_chunks
from domain.coaching import queries
from domain.coaching.verification import documents_of, require_coach
from domain.errors import DomainError, InvalidInput, NotFound
from domain.policy import Actor
from domain.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
MAX_DOCUMENTS = 10
MAX_NAME_LENGTH = 255
UNNAMED = "document"
# What is not seen but changes what is seen: control and format characters (the bidi embeddings,
# overrides and isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E/F, zero-width ones),
# surrogates, private-use and unassigned code points, and line or paragraph separators. A name
# like "\u202efdp.exe" reads as "exe.pdf" to an admin about to open it.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Magic bytes, not the name or the declared type: a renamed .exe stays an .exe.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class NotADocument(InvalidInput):
    """Neither a PDF nor a picture."""

    message_key = "coach.error.not_a_document"


class DocumentTooLarge(InvalidInput):
    """Over the size a certification document may have."""

    message_key = "coach.error.document_too_large"


class TooManyDocuments(InvalidInput):
    """The profile already lists as many documents as it may."""

    message_key = "coach.error.too_many_documents"


class NoProfileYet(NotFound):
    """Documents belong to a saved profile."""

    message_key = "coach.error.no_profile"


def document_name(filename: str) -> str:
    """A document's name as people may see it: nothing invisible, nothing that reorders text."""
    shown = "".join(
        ch
        for ch in unicodedata.normalize("NFC", filename)
        if unicodedata.category(ch) not in _INVISIBLE
    )
    return shown.strip()[:MAX_NAME_LENGTH] or UNNAMED


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show (PDF, PNG, JPEG or WebP), or None."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


async def add_certification(
    uow: UnitOfWork,
    storage: MediaStorage,
    *,
    actor: Actor,
    filename: str,
    content_type: str,
    source: ByteSource,
) -> dict[str, Any]:
    """Store one certification document and list it on the actor's coach profile."""
    require_coach(actor)
    chunks = byte_chunks(source)
    head = await anext(chunks, b"")
    detected = sniff(head)
    if detected is None:
        raise NotADocument(f"not a PDF or image (declared {content_type!r})")
    # Two files both called "diploma.pdf" (in two folders, or sent twice) must not overwrite
    # each other: the key carries a random prefix.
    key = certification_document_key(actor.user_id, unique_filename(filename))
    stored = await storage.put(key, _limited(head, chunks), content_type=detected)
    document = {
        "key": stored.key,
        "name": document_name(filename),
        "mime": detected,
        "size": stored.size,
        "uploaded_at": datetime.now(UTC).isoformat(),
    }
    try:
        await _list_document(uow, actor, document)
    except DomainError:
        await storage.delete(stored.key)
        raise
    return document


async def _list_document(uow: UnitOfWork, actor: Actor, document: dict[str, Any]) -> None:
    async with uow as tx:
        coach = await queries.coach_of_user(tx, actor.user_id)
        if coach is None:
            raise NoProfileYet("no coach profile to attach a document to")
        documents = documents_of(coach)
        if len(documents) >= MAX_DOCUMENTS:
            raise TooManyDocuments(max=MAX_DOCUMENTS)
        # JSONB is not change-tracked in place: assign a new dict.
        coach.verification_documents = {
            **(coach.verification_documents or {}),
            "documents": [*documents, document],
        }
        tx.audit.record(
            actor_id=actor.user_id,
            action="coach.document_added",
            entity="coach",
            entity_id=coach.id,
            details={"key": document["key"], "mime": document["mime"], "size": document["size"]},
        )
        await tx.commit()


async def _limited(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    # Counted while streaming, so an oversized upload is refused without holding it in memory.
    size = len(head)
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(max_mb=MAX_DOCUMENT_BYTES // 2**20)
    yield head
    async for chunk in rest:
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentTooLarge(max_mb=MAX_DOCUMENT_BYTES // 2**20)
        yield chunk
