"""REST API blueprints: health plus the ``/api/v1`` resources."""

from __future__ import annotations

from sanic import Blueprint

from zhike.backend.api.customers import customers_blueprint
from zhike.backend.api.health import health_blueprint
from zhike.backend.api.orders import orders_blueprint

API_PREFIX = "/api/v1"


def api_blueprints() -> list[Blueprint]:
    """Fresh blueprints for one app (blueprints must not be shared between apps)."""
    return [health_blueprint(), orders_blueprint(), customers_blueprint()]


__all__ = ["API_PREFIX", "api_blueprints"]
