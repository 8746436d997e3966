"""/mydata's ZIP past Telegram's 50 MB: videos that would not fit are links that expire."""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from datetime import UTC, datetime

import pytest

from domain.adapters.storage import raw_video_key
from domain.models import VideoAnalysis
from domain.privacy import export
from domain.uow import UnitOfWork
from tests.domain.admin.test_suspension import actor_of
from tests.factories import booking_world


async def test_a_video_that_would_push_the_zip_past_the_limit_is_sent_as_an_expiring_link(
    uow: UnitOfWork, services, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await booking_world(uow)
    video_id = uuid.uuid4()
    key = raw_video_key(world.parent.id, video_id, "clip.mp4")
    await services.storage.put(key, b"v" * 4096, content_type="video/mp4")
    async with uow as tx:
        tx.session.add(VideoAnalysis(id=video_id, athlete_id=world.child.id, video_url=key))
        await tx.commit()
    # Room for the rows, not for the video.
    monkeypatch.setattr(export, "DOCUMENT_LIMIT", export.HEADROOM + 1024)

    made = await export.export_my_data(
        uow, actor=await actor_of(uow, world.parent), storage=services.storage,
        box=services.secrets, now=datetime.now(UTC),
    )  # fmt: skip

    try:
        assert (made.videos_attached, made.videos_linked) == (0, 1)
        with zipfile.ZipFile(made.path) as archive:
            assert not [name for name in archive.namelist() if name.startswith("videos/")]
            (link,) = json.loads(archive.read("video_links.json"))
            assert "video_links.csv" in archive.namelist()
        assert link["video_id"] == str(video_id) and "signature=" in link["link"]
        assert link["expires_in_s"] == 7 * 24 * 3600
    finally:
        shutil.rmtree(made.path.parent)
