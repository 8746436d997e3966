"""What counts as a video is told by its bytes; how large a video the bot may fetch."""

from __future__ import annotations

import pytest

from domain.videos.files import (
    AVI,
    CLOUD_DOWNLOAD_LIMIT,
    GIF,
    MATROSKA,
    MP4,
    QUICKTIME,
    WEBM,
    download_limit,
    sniff,
    too_large,
)


@pytest.mark.parametrize(
    ("head", "container"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", MP4),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", MP4),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", QUICKTIME),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", WEBM),
        (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", MATROSKA),
        (b"RIFF\x00\x10\x00\x00AVI LIST", AVI),
        (b"GIF89a\x10\x00\x10\x00", GIF),
    ],
)
def test_video_containers_are_told_by_their_signature(head: bytes, container: object) -> None:
    assert sniff(head) == container


@pytest.mark.parametrize(
    "head",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",  # a PDF, whatever its name says
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",  # audio in an MP4 box
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",  # a phone photo
        b"RIFF\x00\x10\x00\x00WAVEfmt ",
        b"",
    ],
)
def test_files_that_are_not_videos_are_not_taken_for_one(head: bytes) -> None:
    assert sniff(head) is None


def test_the_cloud_bot_api_limit_is_20_mb_and_local_mode_lifts_it() -> None:
    assert download_limit(local_mode=False) == CLOUD_DOWNLOAD_LIMIT == 20 * 1024 * 1024
    assert too_large(CLOUD_DOWNLOAD_LIMIT + 1, local_mode=False)
    assert not too_large(CLOUD_DOWNLOAD_LIMIT, local_mode=False)
    assert not too_large(CLOUD_DOWNLOAD_LIMIT + 1, local_mode=True)
    assert not too_large(None, local_mode=False)  # Telegram did not say: the download tells
