"""Media storage: one interface, a local filesystem backend and an S3 backend."""

from pathlib import Path

from domain.adapters.storage.base import (
    ByteSource,
    InvalidKey,
    MediaStorage,
    ObjectMissing,
    StorageError,
    StoredObject,
    check_key,
)
from domain.adapters.storage.keys import (
    archived_key,
    certification_document_key,
    metrics_archive_key,
    processed_video_key,
    profile_image_key,
    raw_video_key,
    safe_filename,
    training_material_key,
    unique_filename,
    video_thumbnail_key,
)
from domain.adapters.storage.local import LocalStorage
from domain.adapters.storage.s3 import ARCHIVE_STORAGE_CLASS, S3Storage

__all__ = [
    "ByteSource",
    "InvalidKey",
    "LocalStorage",
    "MediaStorage",
    "ObjectMissing",
    "S3Storage",
    "StorageError",
    "StoredObject",
    "archived_key",
    "build_storage",
    "certification_document_key",
    "check_key",
    "metrics_archive_key",
    "processed_video_key",
    "profile_image_key",
    "raw_video_key",
    "safe_filename",
    "training_material_key",
    "unique_filename",
    "video_thumbnail_key",
]


def build_storage(
    *,
    backend: str,
    media_dir: Path | str,
    bucket: str | None,
    endpoint_url: str | None,
    region: str | None,
    signing_key: bytes,
    public_base_url: str,
    public_endpoint_url: str | None = None,
    archive_storage_class: str = ARCHIVE_STORAGE_CLASS,
) -> MediaStorage:
    """Build the configured backend: "local" (files under media_dir) or "s3" (bucket)."""
    if backend == "local":
        return LocalStorage(Path(media_dir), signing_key, public_base_url)
    if backend == "s3":
        if not bucket:
            raise ValueError("the s3 storage backend needs a bucket name")
        return S3Storage(
            bucket=bucket,
            endpoint_url=endpoint_url,
            public_endpoint_url=public_endpoint_url,
            region=region,
            archive_storage_class=archive_storage_class,
        )
    raise ValueError(f"unknown storage backend {backend!r}; expected 'local' or 's3'")
