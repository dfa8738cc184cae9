"""``GET /openapi.json``: served without a key, and in step with the routes of the app."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
import pytest

from zhike.servers.backend.app import create_app
from zhike.servers.backend.config import Settings
from zhike.servers.backend.openapi import OPERATIONS, openapi_document

from .backend_process import BackendProcess

pytestmark = pytest.mark.integration

METHODS = {"get", "post", "put", "patch", "delete"}
_APP_NUMBERS = itertools.count()


def _app_routes(faults: bool) -> set[tuple[str, str]]:
    settings = Settings(
        db_url="sqlite+aiosqlite://",
        faults_enabled=faults,
        app_name=f"zhike_openapi_{next(_APP_NUMBERS)}",
    )
    app = create_app(settings)
    routes = set()
    for route in app.router.routes:
        path = "/" + re.sub(r"<(\w+)(?::[^>]*)?>", r"{\1}", route.path).strip("/")
        routes |= {(method, path) for method in route.methods}
    return routes


def _documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_route_is_documented_and_vice_versa() -> None:
    assert _app_routes(faults=False) == _documented(openapi_document())
    # the test-only endpoints exist with ZHIKE_BACKEND_FAULTS=1 but are not part of the API
    extra = _app_routes(faults=True) - _app_routes(faults=False)
    assert {path for _, path in extra} == {"/__faults", "/__sent_codes", "/__reset"}
    assert len({(op.method, op.path) for op in OPERATIONS}) == len(OPERATIONS)


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def test_document_is_served_without_a_key(backend: BackendProcess) -> None:
    response = httpx.get(f"{backend.base_url}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document == openapi_document()
    assert document["openapi"].startswith("3.0")
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": document["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    assert document["security"] == [{"ApiKey": []}]
    schemas = document["components"]["schemas"]
    assert {f"#/components/schemas/{name}" for name in schemas} >= _refs(document["paths"])
    assert _refs(schemas) <= {f"#/components/schemas/{name}" for name in schemas}
    assert schemas["Error"]["properties"]["error"]["required"] == ["code", "message"]


def test_operations_describe_bodies_errors_and_security() -> None:
    document = openapi_document()
    paths = document["paths"]
    refund = paths["/api/v1/orders/{order_id}/refunds"]["post"]
    assert refund["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RefundRequest"
    }
    assert set(refund["responses"]) == {"201", "400", "401", "404", "409", "413", "415", "422"}
    assert "refund_exists" in refund["responses"]["409"]["description"]
    assert [p["name"] for p in refund["parameters"]] == ["order_id"]
    ticket = paths["/api/v1/tickets"]["post"]
    assert {"200", "201"} <= set(ticket["responses"])
    assert any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in ticket["parameters"])
    lessons = paths["/api/v1/customers/{customer_id}/lessons"]["get"]
    assert {p["name"] for p in lessons["parameters"] if p["in"] == "query"} == {
        "limit",
        "student_id",
    }
    for path in ("/health", "/openapi.json"):
        assert paths[path]["get"]["security"] == []
    for path, item in paths.items():
        for method, operation in item.items():
            error_refs = [
                answer["content"]["application/json"]["schema"]
                for status, answer in operation["responses"].items()
                if int(status) >= 400
            ]
            assert all(ref == {"$ref": "#/components/schemas/Error"} for ref in error_refs)
            if path.startswith("/api/v1"):
                assert "401" in operation["responses"], (method, path)
