"""Reading from the Rasa server for agent assist: NLU parse and conversation trackers.

Every call is async (httpx) with a timeout; any failure (unreachable, slow, HTTP error,
not JSON) raises :class:`RasaReadError` so callers can fall back instead of failing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from zhike.handoff.rasa_api import SAFE


class RasaReadError(RuntimeError):
    """Rasa could not be reached, was too slow, or answered with an error."""


class RasaReader:
    """The read side of Rasa's HTTP API (start Rasa with ``--enable-api``).

    Args:
        base_url: The Rasa server, e.g. ``http://127.0.0.1:5005``.
        token: Rasa's ``--auth-token``, if it was started with one.
        timeout: Seconds per request (connect, read and write each).
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's NLU result for ``text`` (``POST /model/parse``)."""
        return await self._call("POST", "/model/parse", json={"text": text})

    async def tracker(self, sender_id: str) -> dict[str, Any]:
        """The conversation tracker of ``sender_id`` with all its events."""
        # Rasa matches the id in the raw path (no unquoting): keep ":" of "app:C001" as is.
        path = f"/conversations/{quote(sender_id, safe=SAFE)}/tracker"
        return await self._call("GET", path, params={"include_events": "ALL"})

    async def _call(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        query = dict(params or {})
        if self.token:
            query["token"] = self.token
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.request(method, self.base_url + path, json=json, params=query)
        except httpx.HTTPError as exc:
            raise RasaReadError(f"Rasa server unreachable: {type(exc).__name__}") from exc
        if answer.status_code >= 400:
            raise RasaReadError(f"Rasa server answered HTTP {answer.status_code}")
        try:
            body = answer.json()
        except ValueError as exc:
            raise RasaReadError("Rasa server answered something that is not JSON") from exc
        if not isinstance(body, dict):
            raise RasaReadError("Rasa server answered something that is not a JSON object")
        return body
