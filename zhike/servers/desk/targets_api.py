"""``GET/PUT /analytics/targets``: the KPI targets supervisors set for the dashboard (数据看板).

Supervisor only (403 ``supervisor_only`` for everyone else). ``GET`` answers the targets in
force and every metric a target may be set for::

    {"targets": [{"metric": "containment_rate", "direction": ">=", "value": 0.7}, ...],
     "defaults": true, "updated_by": null, "updated_at": null,
     "metrics": [{"name": "containment_rate", "label": "机器人解决率", "unit": "rate",
                  "min": 0, "max": 1}, ...]}

``PUT`` with ``{"targets": [{"metric", "direction", "value"}, ...]}`` replaces them all
(an empty list restores the defaults) and answers like ``GET``. Rates are fractions
0..1, durations seconds 0..86400, ``direction`` is ``>=`` or ``<=``; anything else is a
400 naming the offending entry.
"""

from __future__ import annotations

import math
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import read_json, require_supervisor
from zhike.servers.desk.targets_db import (
    DIRECTIONS,
    METRICS,
    Target,
    TargetSet,
    load_targets,
    save_targets,
)

TARGETS_PATH = "/analytics/targets"


def targets_json(found: TargetSet) -> dict[str, Any]:
    """The JSON answer of both routes."""
    return {
        "targets": [
            {"metric": target.metric, "direction": target.direction, "value": target.value}
            for target in found.targets
        ],
        "defaults": found.updated_at is None,
        "updated_by": found.updated_by,
        "updated_at": found.updated_at.isoformat() if found.updated_at else None,
        "metrics": [
            {
                "name": metric.name,
                "label": metric.label,
                "unit": metric.unit,
                "min": 0,
                "max": metric.maximum,
            }
            for metric in METRICS.values()
        ],
    }


def parse_targets(body: dict[str, Any]) -> list[Target]:
    """The targets of a ``PUT`` body.

    Raises:
        DeskError: 400 ``invalid_targets``, ``unknown_metric``, ``duplicate_metric``,
            ``invalid_direction`` or ``invalid_value`` with a message naming the entry.
    """
    entries = body.get("targets")
    if not isinstance(entries, list):
        raise DeskError(400, "invalid_targets", "targets must be a list of targets")
    if len(entries) > len(METRICS):
        raise DeskError(400, "invalid_targets", f"at most {len(METRICS)} targets")
    targets: dict[str, Target] = {}
    for index, entry in enumerate(entries):
        where = f"targets[{index}]"
        if not isinstance(entry, dict):
            raise DeskError(400, "invalid_targets", f"{where} must be an object")
        name = entry.get("metric")
        metric = METRICS.get(name) if isinstance(name, str) else None
        if metric is None:
            known = ", ".join(METRICS)
            raise DeskError(400, "unknown_metric", f"{where}.metric must be one of {known}")
        if metric.name in targets:
            raise DeskError(400, "duplicate_metric", f"{where}: {metric.name} is given twice")
        direction = entry.get("direction")
        if direction not in DIRECTIONS:
            raise DeskError(400, "invalid_direction", f"{where}.direction must be >= or <=")
        value = _number(entry.get("value"))
        if value is None or not 0 <= value <= metric.maximum:
            raise DeskError(
                400,
                "invalid_value",
                f"{where}.value of {metric.name} must be a number from 0 to {metric.maximum:g}",
            )
        targets[metric.name] = Target(metric.name, str(direction), value)
    return list(targets.values())


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None when it is no JSON number (or a boolean)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def targets_blueprint() -> Blueprint:
    """``GET`` and ``PUT`` ``/analytics/targets`` (mounted under ``/api/desk/v1``)."""
    bp = Blueprint("desk_targets")

    @bp.get(TARGETS_PATH)
    async def get_targets(request: Request) -> HTTPResponse:
        require_supervisor(request)
        desk: DeskContext = request.app.ctx.desk
        return json_response(targets_json(await load_targets(desk.auth.db)))

    @bp.put(TARGETS_PATH)
    async def put_targets(request: Request) -> HTTPResponse:
        session = require_supervisor(request)
        targets = parse_targets(read_json(request))
        desk: DeskContext = request.app.ctx.desk
        saved = await save_targets(desk.auth.db, targets, session.account.username)
        return json_response(targets_json(saved))

    return bp
