"""The Grafana dashboard under deploy/grafana reads metrics the code exposes, by their names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

from bot.metrics import outbox_gauges

DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "sportscenter.json"


def test_every_metric_the_dashboard_queries_is_one_the_code_exposes() -> None:
    outbox_gauges()  # registered by the bot's health server; here, by hand
    exposed = {sample.name for metric in REGISTRY.collect() for sample in metric.samples}
    exposed |= {metric.name for metric in REGISTRY.collect()}
    dashboard = json.loads(DASHBOARD.read_text())
    queries = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    used = {
        name for query in queries for name in re.findall(r"\b(?:sportscenter|process)_\w+", query)
    }
    assert used, "the dashboard queries nothing"
    # Histograms and labelled counters have no sample until observed: their names still count.
    families = {re.sub(r"_(bucket|count|sum|total)$", "", name) for name in exposed}
    unknown = {
        name for name in used if re.sub(r"_(bucket|count|sum|total)$", "", name) not in families
    }
    assert not unknown
