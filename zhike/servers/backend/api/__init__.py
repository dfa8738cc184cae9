"""REST API blueprints: health and the API description plus the ``/api/v1`` resources."""

from __future__ import annotations

from sanic import Blueprint

from zhike.servers.backend.api.bindings import bindings_blueprint
from zhike.servers.backend.api.common import API_PREFIX
from zhike.servers.backend.api.customers import customers_blueprint
from zhike.servers.backend.api.delivery import delivery_blueprint
from zhike.servers.backend.api.exchanges import exchanges_blueprint
from zhike.servers.backend.api.health import health_blueprint
from zhike.servers.backend.api.invoice_changes import invoice_changes_blueprint
from zhike.servers.backend.api.orders import orders_blueprint
from zhike.servers.backend.api.presales import presales_blueprint
from zhike.servers.backend.api.price_protection import price_protection_blueprint
from zhike.servers.backend.api.school import school_blueprint
from zhike.servers.backend.api.tickets import tickets_blueprint
from zhike.servers.backend.api.visits import visits_blueprint


def api_blueprints() -> list[Blueprint]:
    """Fresh blueprints for one app (blueprints must not be shared between apps)."""
    return [
        health_blueprint(),
        orders_blueprint(),
        customers_blueprint(),
        bindings_blueprint(),
        school_blueprint(),
        tickets_blueprint(),
        presales_blueprint(),
        price_protection_blueprint(),
        visits_blueprint(),
        exchanges_blueprint(),
        invoice_changes_blueprint(),
        delivery_blueprint(),
    ]


__all__ = ["API_PREFIX", "api_blueprints"]
