"""The dashboard's KPI targets: ``GET/PUT /api/desk/v1/analytics/targets``."""

from __future__ import annotations

from typing import Any

import pytest

from zhike.servers.desk import DeskDatabase
from zhike.servers.desk.targets_db import load_targets

from .conftest import Desk

TARGETS = "/analytics/targets"


def by_metric(answer: Any) -> dict[str, tuple[str, float]]:
    return {t["metric"]: (t["direction"], t["value"]) for t in answer.json["targets"]}


async def test_a_supervisor_starts_with_the_default_targets(desk: Desk) -> None:
    boss = await desk.login("boss")
    answer = await desk.call("GET", TARGETS, boss)
    assert answer.status == 200
    assert answer.json["defaults"] is True
    assert by_metric(answer) == {
        "containment_rate": (">=", 0.7),
        "handoff_rate": ("<=", 0.3),
        "csat_score": (">=", 0.9),
        "avg_first_response_s": ("<=", 30.0),
    }
    labels = {m["name"]: m["label"] for m in answer.json["metrics"]}
    assert labels["containment_rate"] == "机器人解决率"
    assert {m["unit"] for m in answer.json["metrics"]} == {"rate", "seconds"}


async def test_agents_and_strangers_cannot_read_or_set_targets(desk: Desk) -> None:
    agent = await desk.login("wangfang")
    assert (await desk.call("GET", TARGETS)).status == 401
    answer = await desk.call("GET", TARGETS, agent)
    assert answer.status == 403 and answer.json["error"] == "supervisor_only"
    body = {"targets": [{"metric": "handoff_rate", "direction": "<=", "value": 0.5}]}
    assert (await desk.call("PUT", TARGETS, agent, body=body)).status == 403
    boss = await desk.login("boss")
    assert (await desk.call("PUT", TARGETS, boss, body=body, csrf=False)).status == 403
    assert (await desk.call("GET", TARGETS, boss)).json["defaults"] is True


async def test_saved_targets_replace_the_defaults_and_record_who_saved_them(desk: Desk) -> None:
    boss = await desk.login("boss")
    body = {
        "targets": [
            {"metric": "avg_first_response_s", "direction": "<=", "value": 45},
            {"metric": "containment_rate", "direction": ">=", "value": 0.6},
        ]
    }
    answer = await desk.call("PUT", TARGETS, boss, body=body)
    assert answer.status == 200, answer.text
    assert by_metric(answer) == {
        "containment_rate": (">=", 0.6),
        "avg_first_response_s": ("<=", 45),
    }
    again = await desk.call("GET", TARGETS, boss)
    assert by_metric(again) == by_metric(answer)
    assert again.json["defaults"] is False and again.json["updated_by"] == "boss"
    # An empty list brings the defaults back.
    cleared = await desk.call("PUT", TARGETS, boss, body={"targets": []})
    assert cleared.json["defaults"] is True and len(cleared.json["targets"]) == 4


@pytest.mark.parametrize(
    ("entry", "error", "named"),
    [
        ({"metric": "happiness", "direction": ">=", "value": 0.5}, "unknown_metric", "metric"),
        ({"metric": "handoff_rate", "direction": ">", "value": 0.5}, "invalid_direction", ">="),
        ({"metric": "handoff_rate", "direction": "<=", "value": 1.5}, "invalid_value", "0 to 1"),
        ({"metric": "handoff_rate", "direction": "<=", "value": -0.1}, "invalid_value", "0 to 1"),
        ({"metric": "handoff_rate", "direction": "<=", "value": "0.3"}, "invalid_value", "number"),
        ({"metric": "handoff_rate", "direction": "<=", "value": True}, "invalid_value", "number"),
        ({"metric": "handoff_rate", "direction": "<="}, "invalid_value", "number"),
        ({"metric": "mtta_s", "direction": "<=", "value": 90000}, "invalid_value", "86400"),
        ("handoff_rate", "invalid_targets", "object"),
    ],
)
async def test_bad_targets_are_refused_with_a_clear_400(
    desk: Desk, entry: Any, error: str, named: str
) -> None:
    boss = await desk.login("boss")
    answer = await desk.call("PUT", TARGETS, boss, body={"targets": [entry]})
    assert answer.status == 400
    assert answer.json["error"] == error
    assert named in answer.json["message"] and "targets[0]" in answer.json["message"]
    assert (await desk.call("GET", TARGETS, boss)).json["defaults"] is True


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'{"targets": {"handoff_rate": 0.3}}', "invalid_targets"),
        (b"[]", "invalid_body"),
        (b"{not json", "malformed_json"),
        (
            b'{"targets": [{"metric": "mtta_s", "direction": "<=", "value": 10},'
            b' {"metric": "mtta_s", "direction": "<=", "value": 20}]}',
            "duplicate_metric",
        ),
        (b'{"targets": [{"metric": "mtta_s", "direction": "<=", "value": NaN}]}', None),
    ],
)
async def test_malformed_bodies_are_400_not_500(desk: Desk, content: bytes, error: str) -> None:
    boss = await desk.login("boss")
    answer = await desk.call("PUT", TARGETS, boss, content=content)
    assert answer.status == 400, answer.text
    if error:
        assert answer.json["error"] == error


async def test_every_desk_replica_sees_the_same_targets(desk: Desk) -> None:
    body = {"targets": [{"metric": "csat_score", "direction": ">=", "value": 0.95}]}
    saved = await desk.call("PUT", TARGETS, await desk.login("boss"), body=body)
    assert saved.status == 200
    other_replica = DeskDatabase(desk.context.settings.db_url)  # its own engine and pool
    try:
        found = await load_targets(other_replica)
    finally:
        await other_replica.dispose()
    assert [(t.metric, t.direction, t.value) for t in found.targets] == [("csat_score", ">=", 0.95)]
    assert found.updated_by == "boss"
