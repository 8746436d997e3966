"""Object keys follow the spec's bucket layout and untrusted filenames cannot escape it."""

import re
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.adapters.storage import (
    InvalidKey,
    LocalStorage,
    S3Storage,
    build_storage,
    certification_document_key,
    check_key,
    processed_video_key,
    profile_image_key,
    raw_video_key,
    safe_filename,
    training_material_key,
    unique_filename,
    video_thumbnail_key,
)
from domain.adapters.storage.keys import FALLBACK_FILENAME, MAX_FILENAME_LENGTH

USER = UUID("00000000-0000-4000-8000-000000000001")
VIDEO = UUID("00000000-0000-4000-8000-000000000002")
PROGRAM = UUID("00000000-0000-4000-8000-000000000003")

# (builder bound to its ids, the prefix every key it makes must sit under)
BUILDERS: list[tuple[Callable[[str], str], str]] = [
    (lambda name: profile_image_key(USER, name), f"profile-images/{USER}/"),
    (lambda name: raw_video_key(USER, VIDEO, name), f"videos/raw/{USER}/{VIDEO}/"),
    (lambda name: processed_video_key(USER, VIDEO, name), f"videos/processed/{USER}/{VIDEO}/"),
    (lambda name: video_thumbnail_key(USER, VIDEO, name), f"videos/thumbnails/{USER}/{VIDEO}/"),
    (lambda name: certification_document_key(USER, name), f"documents/certifications/{USER}/"),
    (lambda name: training_material_key(PROGRAM, name), f"training-materials/{PROGRAM}/"),
]

# Plain text, plus strings built from the pieces a path-traversal attempt is made of.
_TRAVERSAL_PIECES = ["/", "\\", ".", "..", "\x00", "\n", " ", "a", "é", "C:"]
hostile_filenames = st.one_of(st.text(), st.lists(st.sampled_from(_TRAVERSAL_PIECES)).map("".join))


@pytest.mark.parametrize(("build", "prefix"), BUILDERS)
def test_each_builder_places_the_file_in_its_spec_folder(
    build: Callable[[str], str], prefix: str
) -> None:
    assert build("serve.mp4") == f"{prefix}serve.mp4"


@given(filename=hostile_filenames)
def test_any_filename_yields_a_valid_key_that_stays_under_its_prefix(filename: str) -> None:
    for build, prefix in BUILDERS:
        key = build(filename)

        assert key.startswith(prefix)
        name = key.removeprefix(prefix)
        assert "/" not in name
        assert ".." not in key.split("/")
        assert 0 < len(name) <= MAX_FILENAME_LENGTH
        assert check_key(key) == key


@pytest.mark.parametrize(
    ("filename", "safe"),
    [
        ("serve.mp4", "serve.mp4"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\coach\\Desktop\\serve.mp4", "serve.mp4"),
        ("my clip (1).mp4", "my_clip_1_.mp4"),
        ("Прыжок.mov", "Прыжок.mov"),
        ("..hidden..mp4", "hidden.mp4"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("line\nbreak\x00.jpg", "linebreak.jpg"),
        ("", FALLBACK_FILENAME),
        ("..", FALLBACK_FILENAME),
        ("/", FALLBACK_FILENAME),
        ("\x00\x01", FALLBACK_FILENAME),
    ],
)
def test_safe_filename_keeps_the_readable_name_and_drops_the_dangerous_parts(
    filename: str, safe: str
) -> None:
    assert safe_filename(filename) == safe


def test_overlong_filenames_are_cut_to_the_limit_keeping_the_extension() -> None:
    name = safe_filename("a" * 500 + ".mp4")

    assert len(name) == MAX_FILENAME_LENGTH
    assert name.endswith("a.mp4")


@given(filename=hostile_filenames)
def test_a_unique_filename_keeps_its_random_prefix_whatever_the_name(filename: str) -> None:
    key = certification_document_key(USER, unique_filename(filename))
    name = key.removeprefix(f"documents/certifications/{USER}/")

    assert re.fullmatch(r"[0-9a-f]{16}-[^/]+", name)
    assert len(name) <= MAX_FILENAME_LENGTH


@pytest.mark.parametrize("filename", ["2019/diploma.pdf", "C:\\scans\\diploma.pdf", "a" * 500])
def test_two_unique_filenames_of_one_name_never_share_a_key(filename: str) -> None:
    first = certification_document_key(USER, unique_filename(filename))
    second = certification_document_key(USER, unique_filename(filename))

    assert first != second
    assert len(first.rsplit("/", 1)[1]) <= MAX_FILENAME_LENGTH


def test_builders_refuse_ids_that_are_not_uuids() -> None:
    with pytest.raises(TypeError):
        profile_image_key("../../etc", "me.jpg")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/profile-images/u/me.jpg",
        "profile-images/u/../../me.jpg",
        "profile-images//me.jpg",
        "profile-images/u/me.jpg/",
        "profile-images\\u\\me.jpg",
        "profile-images/u/me\x7f.jpg",
        "profile-images",
        "profile-imagesx/u/me.jpg",
        "videos/u/me.mp4",
        "profile-images/" + "a" * 1024,
    ],
)
def test_check_key_rejects_keys_that_escape_or_miss_the_layout(key: str) -> None:
    with pytest.raises(InvalidKey):
        check_key(key)


def test_build_storage_returns_the_configured_backend(tmp_path: Path) -> None:
    common = {
        "media_dir": tmp_path,
        "bucket": "media",
        "endpoint_url": "http://127.0.0.1:9000",
        "region": "us-east-1",
        "signing_key": b"k",
        "public_base_url": "http://sc.test",
    }

    assert isinstance(build_storage(backend="local", **common), LocalStorage)
    assert isinstance(build_storage(backend="s3", **common), S3Storage)
    with pytest.raises(ValueError):
        build_storage(backend="ftp", **common)
    with pytest.raises(ValueError):
        build_storage(backend="s3", **{**common, "bucket": None})
