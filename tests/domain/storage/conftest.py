"""Both storage backends, the S3 one against moto's S3 server over real HTTP."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.client import BaseClient
from moto.server import ThreadedMotoServer

from domain.storage import LocalStorage, MediaStorage, S3Storage

REGION = "us-east-1"
SIGNING_KEY = b"test-signing-key"
PUBLIC_BASE_URL = "http://media.test"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """Run moto's S3 server on a free local port, with dummy credentials for boto3."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_SESSION_TOKEN", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        # A developer's own profile must never be what the tests authenticate with.
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="session")
def bucket() -> str:
    """A bucket name no earlier run has used."""
    return f"sportscenter-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
async def s3_storage(moto_endpoint: str, bucket: str) -> S3Storage:
    """S3Storage on the moto server, its bucket created."""
    storage = S3Storage(bucket=bucket, endpoint_url=moto_endpoint, region=REGION)
    await storage.ensure_bucket()
    return storage


@pytest.fixture(scope="session")
def s3_client(moto_endpoint: str) -> BaseClient:
    """A plain boto3 client, to look at the bucket behind the storage's back."""
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture
def local_storage(tmp_path: Path) -> LocalStorage:
    """LocalStorage in a fresh directory."""
    return LocalStorage(tmp_path / "media", SIGNING_KEY, PUBLIC_BASE_URL)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest) -> MediaStorage:
    """Each backend in turn, for behaviour the MediaStorage interface promises."""
    return request.getfixturevalue(f"{request.param}_storage")
