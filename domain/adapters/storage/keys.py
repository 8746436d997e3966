"""Object keys for the media bucket, laid out exactly as the schema spec's S3 section."""

import re
import secrets
import unicodedata
from uuid import UUID

MAX_FILENAME_LENGTH = 128
FALLBACK_FILENAME = "file"
# Long enough for ".mp4" or ".jpeg", short enough that a hostile "extension" cannot eat the name.
_MAX_EXTENSION_LENGTH = 16
# 64 random bits in front of a name: two uploads meet on one key only by a 1-in-2^64 chance.
_UNIQUE_PREFIX_BYTES = 8

PROFILE_IMAGES = "profile-images"
RAW_VIDEOS = "videos/raw"
PROCESSED_VIDEOS = "videos/processed"
VIDEO_THUMBNAILS = "videos/thumbnails"
CERTIFICATIONS = "documents/certifications"
TRAINING_MATERIALS = "training-materials"
# Issue 17: photos of meals checked in, under the athlete's own user (docs/schema.md).
MEAL_PHOTOS = "nutrition/meals"
# Cold copies: raw videos past retention on the local backend, detached metric partitions.
ARCHIVE = "archive"
METRIC_ARCHIVES = f"{ARCHIVE}/metrics"

LAYOUT_PREFIXES: tuple[str, ...] = (
    PROFILE_IMAGES,
    RAW_VIDEOS,
    PROCESSED_VIDEOS,
    VIDEO_THUMBNAILS,
    CERTIFICATIONS,
    TRAINING_MATERIALS,
    MEAL_PHOTOS,
    ARCHIVE,
)

_PATH_SEPARATORS = re.compile(r"[\\/]")
_UNSAFE_CHARACTERS = re.compile(r"[^\w.\-]+")
_DOT_RUNS = re.compile(r"\.{2,}")


def safe_filename(filename: str) -> str:
    """Reduce an untrusted filename to one safe key segment, or the fallback name."""
    # Clients send whole paths ("C:\\clips\\serve.mp4", "../../x"); only the last part is a name.
    name = _PATH_SEPARATORS.split(unicodedata.normalize("NFC", filename))[-1]
    # Category "C*" covers control, format (bidi overrides), surrogate and unassigned code points.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _UNSAFE_CHARACTERS.sub("_", name)
    name = _DOT_RUNS.sub(".", name).strip("._")
    return _truncate(name) or FALLBACK_FILENAME


def unique_filename(filename: str) -> str:
    """`safe_filename(filename)` behind a random prefix, so no two uploads share a key."""
    # Sanitised before the prefix goes on: safe_filename keeps only the last part of a path, and
    # a prefix put in front of "2019/diploma.pdf" would go with "2019/". _truncate cuts the end
    # of the stem, never its start, so the prefix survives a name at the length limit.
    return _truncate(f"{secrets.token_hex(_UNIQUE_PREFIX_BYTES)}-{safe_filename(filename)}")


def _truncate(name: str) -> str:
    if len(name) <= MAX_FILENAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > _MAX_EXTENSION_LENGTH:
        return name[:MAX_FILENAME_LENGTH].rstrip("._")
    keep = MAX_FILENAME_LENGTH - len(extension) - 1
    return f"{stem[:keep].rstrip('._')}.{extension}"


def profile_image_key(user_id: UUID, filename: str) -> str:
    """Key of a user's profile image."""
    return _key(PROFILE_IMAGES, user_id, filename=filename)


def raw_video_key(user_id: UUID, video_id: UUID, filename: str) -> str:
    """Key of a video as the user uploaded it."""
    return _key(RAW_VIDEOS, user_id, video_id, filename=filename)


def processed_video_key(user_id: UUID, video_id: UUID, filename: str) -> str:
    """Key of a transcoded rendition of a user's video."""
    return _key(PROCESSED_VIDEOS, user_id, video_id, filename=filename)


def video_thumbnail_key(user_id: UUID, video_id: UUID, filename: str) -> str:
    """Key of a thumbnail taken from a user's video."""
    return _key(VIDEO_THUMBNAILS, user_id, video_id, filename=filename)


def certification_document_key(user_id: UUID, filename: str) -> str:
    """Key of a coach's certification document."""
    return _key(CERTIFICATIONS, user_id, filename=filename)


def training_material_key(program_id: UUID, filename: str) -> str:
    """Key of a file attached to a training program."""
    return _key(TRAINING_MATERIALS, program_id, filename=filename)


def _id(value: UUID) -> str:
    # A str slipping through here could carry "../"; only real UUIDs render as one safe segment.
    if not isinstance(value, UUID):
        raise TypeError(f"expected a UUID, got {type(value).__name__}")
    return str(value)


def _key(prefix: str, *ids: UUID, filename: str) -> str:
    return "/".join((prefix, *map(_id, ids), safe_filename(filename)))


def metrics_archive_key(partition: str) -> str:
    """Key of a detached metrics partition's rows, a gzipped CSV with a header line."""
    return f"{METRIC_ARCHIVES}/{safe_filename(partition)}.csv.gz"


def archived_key(key: str) -> str:
    """Where the local backend moves an object it archives: the same key under archive/."""
    return key if key.startswith(f"{ARCHIVE}/") else f"{ARCHIVE}/{key}"
