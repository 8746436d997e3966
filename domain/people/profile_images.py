"""Profile images (issue 18): a person's Telegram profile photo, taken only when they ask for
it, or a picture they send; stored under `profile-images/{userId}/` and shown on coach cards.

`users.profile_image_url` holds the storage key of the current image. A new image replaces the
old one (the old object is deleted once the new key is committed); removing it deletes both the
object and the key. Each change is audited.
"""

from __future__ import annotations

import logging

from domain import policy
from domain.adapters.storage import MediaStorage, StorageError, profile_image_key
from domain.adapters.storage.keys import unique_filename
from domain.errors import DomainError, NotFound
from domain.models import User
from domain.policy import Action, Actor, UserTarget
from domain.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# The picture formats Telegram hands out and chat clients send: by their first bytes.
_FORMATS = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)


class NotAnImage(DomainError):
    """The bytes are not a JPEG or PNG picture."""

    message_key = "profile_photo.not_an_image"


class ImageTooLarge(DomainError):
    """A picture over MAX_IMAGE_BYTES."""

    message_key = "profile_photo.too_large"


def picture_format(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG or PNG picture, by its first bytes; else None."""
    for magic, extension, content_type in _FORMATS:
        if head.startswith(magic):
            return extension, content_type
    return None


async def set_profile_image(
    uow: UnitOfWork, storage: MediaStorage, *, actor: Actor, picture: bytes, source: str
) -> str:
    """Store the picture as the actor's profile image (source: telegram or sent); its key."""
    policy.require(actor, Action.EDIT_PROFILE, UserTarget(actor.user_id))
    if len(picture) > MAX_IMAGE_BYTES:
        raise ImageTooLarge(limit_mb=MAX_IMAGE_BYTES // (1024 * 1024))
    found = picture_format(picture[:16])
    if found is None:
        raise NotAnImage("not a JPEG or PNG picture")
    extension, content_type = found
    key = profile_image_key(actor.user_id, unique_filename(f"profile.{extension}"))
    await storage.put(key, picture, content_type=content_type)
    try:
        old = await _replace_key(uow, actor, key, source)
    except BaseException:
        await storage.delete(key)  # no row points at it
        raise
    await _delete_quietly(storage, old)
    return key


async def remove_profile_image(uow: UnitOfWork, storage: MediaStorage, *, actor: Actor) -> bool:
    """Remove the actor's profile image, from storage too; whether there was one."""
    policy.require(actor, Action.EDIT_PROFILE, UserTarget(actor.user_id))
    old = await _replace_key(uow, actor, None, "removed")
    await _delete_quietly(storage, old)
    return old is not None


async def has_profile_image(uow: UnitOfWork, *, actor: Actor) -> bool:
    """Whether the actor has a profile image."""
    async with uow as tx:
        user = await tx.session.get(User, actor.user_id)
    return user is not None and user.profile_image_url is not None


async def _replace_key(uow: UnitOfWork, actor: Actor, key: str | None, source: str) -> str | None:
    async with uow as tx:
        user = await tx.session.get(User, actor.user_id, with_for_update=True)
        if user is None:
            raise NotFound("user")
        old, user.profile_image_url = user.profile_image_url, key
        if old != key:
            action = "profile_image.removed" if key is None else "profile_image.set"
            tx.audit.record(
                actor_id=actor.user_id,
                action=action,
                entity="user",
                entity_id=actor.user_id,
                details={"source": source},
            )
        await tx.commit()
    return old


async def _delete_quietly(storage: MediaStorage, key: str | None) -> None:
    if key is None:
        return
    try:
        await storage.delete(key)
    except StorageError:
        # The row no longer points at it; a stray object is harmless and found by its prefix.
        log.exception("old profile image %s could not be deleted", key)
