"""docker-compose.yml: valid against the compose-spec schema, free of the bugs issue 20 found."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from bot.runner import SHUTDOWN_GRACE_S
from tests.deploy.conftest import ROOT


def seconds(duration: str) -> float:
    """A compose duration ("45s", "5m", "1m30s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(number) * units[unit] for number, unit in parts)


def compose_spec_schema() -> dict[str, Any]:
    # The compose-spec JSON schema as check-jsonschema vendors it (offline, pinned by our lock).
    vendored = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(vendored.read_text())


def test_the_compose_file_is_valid_against_the_compose_spec_schema(
    compose: dict[str, Any],
) -> None:
    schema = compose_spec_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)

    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)]

    assert errors == []


def test_the_schema_check_catches_a_misspelt_key(compose: dict[str, Any]) -> None:
    schema = compose_spec_schema()
    broken = {**compose, "services": {**compose["services"], "bot": {"image": "x", "comand": []}}}

    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(broken)


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="no docker client with the compose plugin here; the schema check above stands in",
)
def test_docker_compose_config_accepts_every_profile() -> None:
    subprocess.run(
        ["docker", "compose", "--profile", "replicas", "config", "--quiet"],
        cwd=ROOT,
        check=True,
    )


def test_the_emulator_listens_on_every_interface_so_its_published_port_answers(
    compose: dict[str, Any],
) -> None:
    bot = compose["services"]["bot"]

    assert bot["environment"]["EMULATOR_HOST"] == "0.0.0.0"
    assert "8081:8081" in bot["ports"]
    assert compose["services"]["emulator"]["command"][0] == "--host=0.0.0.0"


def test_presigned_links_name_a_host_a_browser_reaches(compose: dict[str, Any]) -> None:
    env = compose["services"]["bot"]["environment"]
    public = env["S3_PUBLIC_ENDPOINT_URL"]

    assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert "127.0.0.1:9000" in public
    assert "9000:9000" in compose["services"]["minio"]["ports"]


def test_redis_keeps_its_data_on_a_volume_with_an_append_only_file(
    compose: dict[str, Any],
) -> None:
    redis = compose["services"]["redis"]

    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert "redis-data:/data" in redis["volumes"]
    assert "redis-data" in compose["volumes"]


def test_compose_waits_for_the_bots_drain_before_killing_it(compose: dict[str, Any]) -> None:
    for name in ("bot", "bot-replica"):
        assert seconds(compose["services"][name]["stop_grace_period"]) > SHUTDOWN_GRACE_S
    assert seconds(compose["services"]["worker"]["stop_grace_period"]) >= 60


def test_bot_and_worker_are_health_checked_on_healthz_at_health_port(
    compose: dict[str, Any],
) -> None:
    for name in ("bot", "worker", "bot-replica"):
        service = compose["services"][name]
        check = " ".join(service["healthcheck"]["test"])
        port = service["environment"]["HEALTH_PORT"]

        assert f"http://127.0.0.1:{port}/healthz" in check, name


def test_two_bot_replicas_take_webhooks_behind_the_load_balancer(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    replica = services["bot-replica"]
    env = replica["environment"]
    nginx_conf = (ROOT / "deploy/nginx/bot-replicas.conf").read_text()

    assert replica["deploy"]["replicas"] >= 2
    assert env["WEBHOOK_URL"].startswith("http://lb:8443/")
    assert env["TELEGRAM_API_URL"] == "http://emulator:8081"
    assert f"server bot-replica:{env['WEBHOOK_PORT']}" in nginx_conf
    assert "listen 8443;" in nginx_conf
    assert all("replicas" in services[name]["profiles"] for name in ("emulator", "lb"))
    # The token the emulator accepts is the one the replicas present.
    token_arg = next(a for a in services["emulator"]["command"] if a.startswith("--token="))
    assert token_arg.removeprefix("--token=") == env["TELEGRAM_BOT_TOKEN"]
