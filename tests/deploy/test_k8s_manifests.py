"""deploy/k8s: every manifest valid against the Kubernetes API schemas, probes where they belong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bot.runner import SHUTDOWN_GRACE_S
from tests.deploy.conftest import ROOT, load_yaml

K8S = ROOT / "deploy/k8s"
# The oldest Kubernetes release still in upstream support when these were written.
KUBERNETES_VERSION = "1.32.0"


def manifests() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def resources() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in manifests():
        for doc in yaml.safe_load_all(path.read_text()):
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def container(kind_name: tuple[str, str]) -> dict[str, Any]:
    return resources()[kind_name]["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("path", manifests(), ids=lambda p: p.name)
def test_manifest_is_valid_against_the_kubernetes_schemas(path: Path) -> None:
    for doc in yaml.safe_load_all(path.read_text()):
        # strict: a misspelt field is an error, not silently dropped by the API server.
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validation_catches_a_misspelt_field() -> None:
    job = load_yaml(K8S / "migrate-job.yaml")
    job["spec"]["backofLimit"] = 3

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = load_yaml(K8S / "kustomization.yaml")["resources"]

    assert sorted(listed) == [p.name for p in manifests()]


def test_the_bot_is_probed_on_healthz_and_readyz_at_health_port() -> None:
    bot = container(("Deployment", "sportscenter-bot"))
    ports = {port["name"]: port["containerPort"] for port in bot["ports"]}
    health_port = int(resources()[("ConfigMap", "sportscenter")]["data"]["HEALTH_PORT"])

    assert bot["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
    assert bot["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
    assert ports["health"] == health_port


def test_the_bot_scales_on_cpu_and_drains_before_it_is_killed() -> None:
    hpa = resources()[("HorizontalPodAutoscaler", "sportscenter-bot")]
    pod = resources()[("Deployment", "sportscenter-bot")]["spec"]["template"]["spec"]

    assert hpa["spec"]["scaleTargetRef"]["name"] == "sportscenter-bot"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert pod["terminationGracePeriodSeconds"] > SHUTDOWN_GRACE_S + 5  # preStop sleeps 5 s


def test_worker_and_migration_job_run_their_commands_with_the_shared_settings() -> None:
    worker = container(("Deployment", "sportscenter-worker"))
    migrate = container(("Job", "sportscenter-migrate"))

    assert worker["args"] == ["worker"]
    assert worker["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert migrate["args"] == ["migrate"]
    for c in (worker, migrate, container(("Deployment", "sportscenter-bot"))):
        assert c["envFrom"] == [
            {"configMapRef": {"name": "sportscenter"}},
            {"secretRef": {"name": "sportscenter"}},
        ]
