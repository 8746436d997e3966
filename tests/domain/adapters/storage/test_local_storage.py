"""LocalStorage specifics: signed media URLs, atomic writes, files kept under the root."""

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import uuid4

import pytest

from domain.adapters.storage import LocalStorage, profile_image_key, raw_video_key

NOW = 1_750_000_000.0
JPEG = "image/jpeg"


def storage_at(root: Path, *, signing_key: bytes = b"signing-key") -> LocalStorage:
    return LocalStorage(root, signing_key, "https://sc.example/", clock=lambda: NOW)


def signed_parts(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    key = unquote(parts.path.removeprefix("/media/"))
    return key, int(query["expires"][0]), query["signature"][0]


async def test_presigned_url_points_at_the_media_endpoint_with_expiry_and_signature(
    tmp_path: Path,
) -> None:
    storage = storage_at(tmp_path)
    key = profile_image_key(uuid4(), "me.jpg")

    url = await storage.presigned_url(key, expires_in=600)

    assert url.startswith(f"https://sc.example/media/{key}?expires={int(NOW) + 600}&signature=")
    signed_key, expires, signature = signed_parts(url)
    assert signed_key == key
    assert len(signature) == 64
    assert storage.verify_signature(key, expires, signature)


async def test_signature_holds_until_its_expiry_second_and_not_after(tmp_path: Path) -> None:
    storage = storage_at(tmp_path)
    key, expires, signature = signed_parts(
        await storage.presigned_url(profile_image_key(uuid4(), "me.jpg"), expires_in=60)
    )

    assert storage.verify_signature(key, expires, signature, now=expires)
    assert not storage.verify_signature(key, expires, signature, now=expires + 1)


async def test_tampered_signed_urls_are_rejected(tmp_path: Path) -> None:
    storage = storage_at(tmp_path)
    key, expires, signature = signed_parts(
        await storage.presigned_url(profile_image_key(uuid4(), "me.jpg"), expires_in=60)
    )
    other_key = profile_image_key(uuid4(), "me.jpg")
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]

    assert not storage.verify_signature(other_key, expires, signature)
    assert not storage.verify_signature(key, expires + 3600, signature)
    assert not storage.verify_signature(key, expires, flipped)
    assert not storage.verify_signature(key, expires, signature.upper())
    assert not storage.verify_signature(key, expires, "")
    assert not storage.verify_signature(key, expires, "é" * 64)
    assert not storage.verify_signature(key, "soon", signature)
    assert not storage.verify_signature("../" + key, expires, signature)


async def test_a_signature_made_with_another_key_is_rejected(tmp_path: Path) -> None:
    key = profile_image_key(uuid4(), "me.jpg")
    forged = storage_at(tmp_path, signing_key=b"guessed")
    _, expires, signature = signed_parts(await forged.presigned_url(key, expires_in=60))

    assert not storage_at(tmp_path).verify_signature(key, expires, signature)


def test_an_empty_signing_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LocalStorage(tmp_path, b"", "https://sc.example")


async def test_objects_are_files_under_the_root_at_their_key(tmp_path: Path) -> None:
    storage = storage_at(tmp_path / "media")
    user_id, video_id = uuid4(), uuid4()
    key = raw_video_key(user_id, video_id, "serve.mp4")

    await storage.put(key, b"clip", content_type="video/mp4")

    path = tmp_path / "media" / "videos" / "raw" / str(user_id) / str(video_id) / "serve.mp4"
    assert storage.path_of(key) == path
    assert path.read_bytes() == b"clip"
    assert sorted(p.name for p in path.parent.iterdir()) == ["serve.mp4"]


async def test_a_failed_put_keeps_the_previous_object_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    storage = storage_at(tmp_path)
    key = profile_image_key(uuid4(), "me.jpg")
    await storage.put(key, b"old portrait", content_type=JPEG)

    async def interrupted() -> AsyncIterator[bytes]:
        yield b"new portr"
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        await storage.put(key, interrupted(), content_type=JPEG)

    assert await storage.read_bytes(key) == b"old portrait"
    assert [p.name for p in storage.path_of(key).parent.iterdir()] == ["me.jpg"]


async def test_a_directory_on_the_way_to_a_key_is_not_an_object(tmp_path: Path) -> None:
    storage = storage_at(tmp_path)
    user_id, video_id = uuid4(), uuid4()
    await storage.put(raw_video_key(user_id, video_id, "serve.mp4"), b"clip", content_type="x/y")
    directory_key = f"videos/raw/{user_id}/{video_id}"

    assert not await storage.exists(directory_key)
    await storage.delete(directory_key)
    assert await storage.exists(raw_video_key(user_id, video_id, "serve.mp4"))
