"""A small synchronous REST helper for the real backend process (raw status codes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx


class Api:
    """``httpx.Client`` on the backend with the API key, plus the test-only endpoints."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        headers = {"X-Api-Key": api_key} if api_key else {}
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=10.0)

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(f"/api/v1{path}", **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.http.post(f"/api/v1{path}", json=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.http.put(f"/api/v1{path}", json=body, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        """The JSON answer of a request that must succeed with ``status``."""
        response = self.http.request(method, f"/api/v1{path}", json=body)
        assert response.status_code == status, (method, path, response.text)
        return response.json()

    def reset(self, now: datetime | None = None) -> None:
        """Fresh demo data (``POST /__reset``), optionally seeded relative to ``now``."""
        body = {"now": now.isoformat()} if now is not None else {}
        response = self.http.post("/__reset", json=body)
        assert response.status_code == 200, response.text

    def codes(self, phone: str) -> list[str]:
        """The one-time codes delivered to ``phone`` so far, oldest first (``/__sent_codes``)."""
        response = self.http.get("/__sent_codes", params={"phone": phone})
        assert response.status_code == 200, response.text
        return [message["code"] for message in response.json()["messages"]]


def error_of(response: httpx.Response) -> tuple[int, str]:
    """``(status, error code)`` of an error answer (asserts the error contract)."""
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    error = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    return response.status_code, error["code"]
