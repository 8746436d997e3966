"""Both storage backends; the S3 one (moto's S3 server over real HTTP) is in tests/conftest.py."""

from pathlib import Path

import pytest

from domain.adapters.storage import LocalStorage, MediaStorage

SIGNING_KEY = b"test-signing-key"
PUBLIC_BASE_URL = "http://media.test"


@pytest.fixture
def local_storage(tmp_path: Path) -> LocalStorage:
    """LocalStorage in a fresh directory."""
    return LocalStorage(tmp_path / "media", SIGNING_KEY, PUBLIC_BASE_URL)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest) -> MediaStorage:
    """Each backend in turn, for behaviour the MediaStorage interface promises."""
    return request.getfixturevalue(f"{request.param}_storage")
