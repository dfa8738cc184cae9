"""The load generator (asyncio + aiohttp): /model/parse latency, OOS checks, REST load."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import cycle, islice

import aiohttp

from bench.metrics import percentile
from bench.texts import all_conversations, pick_conversation

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
ACCEPTED_FALLBACKS = {"nlu_fallback", "out_of_scope"}


@dataclass
class Samples:
    """Latencies (ms) of the successful requests and the number of failed ones."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    completed_in_window: int = 0
    seconds: float = 0.0

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float | None:
        return percentile(self.latencies_ms, 99)

    @property
    def throughput(self) -> float | None:
        """Successful messages per second inside the measuring window."""
        return self.completed_in_window / self.seconds if self.seconds else None


@dataclass
class OosResult:
    """How many out-of-scope utterances got a real intent (a false accept)."""

    sent: int = 0
    false_accepts: int = 0
    errors: int = 0
    intents: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float | None:
        return self.false_accepts / self.sent if self.sent else None


def _session(limit: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=REQUEST_TIMEOUT)


async def _parse(
    session: aiohttp.ClientSession, rasa_url: str, text: str, token: str | None
) -> dict:
    # Rasa's HTTP API needs the stack's --auth-token (zhike.tools.stack.StackConfig.rasa_token)
    params = {"token": token} if token else None
    url = f"{rasa_url}/model/parse"
    async with session.post(url, json={"text": text}, params=params) as response:
        response.raise_for_status()
        return await response.json()


async def parse_latency(
    rasa_url: str, texts: list[str], requests: int, warmup: int, token: str | None = None
) -> Samples:
    """Sequential /model/parse with one client over ``texts`` (cycled), after a warm-up."""
    samples = Samples()
    async with _session(1) as session:
        for text in islice(cycle(texts), warmup):
            try:
                await _parse(session, rasa_url, text, token)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
        started = time.perf_counter()
        for text in islice(cycle(texts), max(requests, 1)):
            begin = time.perf_counter()
            try:
                await _parse(session, rasa_url, text, token)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                samples.errors += 1
                continue
            samples.latencies_ms.append((time.perf_counter() - begin) * 1000)
        samples.seconds = time.perf_counter() - started
        samples.completed_in_window = len(samples.latencies_ms)
    return samples


async def oos_false_accepts(
    rasa_url: str, utterances: list[str], threshold: float, token: str | None = None
) -> OosResult:
    """Parses each out-of-scope utterance; counts real intents at confidence >= threshold."""
    result = OosResult()
    async with _session(1) as session:
        for text in utterances:
            try:
                parsed = await _parse(session, rasa_url, text, token)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                result.errors += 1
                continue
            result.sent += 1
            intent = parsed.get("intent") or {}
            name = str(intent.get("name") or "")
            confidence = float(intent.get("confidence") or 0.0)
            if name and name not in ACCEPTED_FALLBACKS and confidence >= threshold:
                result.false_accepts += 1
                selectors = parsed.get("response_selector") or {}
                retrieval = selectors.get(name) or selectors.get("default") or {}
                full = (retrieval.get("response") or {}).get("intent_response_key")
                result.intents[str(full or name)] += 1
    return result


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list:
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        if response.status != 200:
            raise aiohttp.ClientResponseError(
                response.request_info, (), status=response.status, message="not 200"
            )
        replies = await response.json()
        if not isinstance(replies, list):
            raise aiohttp.ClientPayloadError("reply is not a list")
        return replies


async def _user(
    session: aiohttp.ClientSession,
    url: str,
    rng: random.Random,
    deadline: float,
    samples: Samples,
) -> None:
    """One simulated customer: conversation after conversation until ``deadline``."""
    while time.perf_counter() < deadline:
        sender = f"bench-{uuid.uuid4().hex[:16]}"
        for text in pick_conversation(rng):
            if time.perf_counter() >= deadline:
                return
            begin = time.perf_counter()
            try:
                await _send(session, url, sender, text)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                samples.errors += 1
                break  # this conversation is broken; start a new one
            end = time.perf_counter()
            samples.latencies_ms.append((end - begin) * 1000)
            if end <= deadline:
                samples.completed_in_window += 1


async def rest_load(rasa_url: str, concurrency: int, seconds: float, seed: int = 1) -> Samples:
    """``concurrency`` closed-loop customers (distinct senders, no think time) for ``seconds``.

    Throughput counts messages answered inside the window; the latencies include the
    requests still in flight at the deadline.
    """
    url = f"{rasa_url}/webhooks/rest/webhook"
    samples = Samples(seconds=seconds)
    async with _session(concurrency + 2) as session:
        deadline = time.perf_counter() + seconds
        users = [
            _user(session, url, random.Random(seed * 1000 + i), deadline, samples)
            for i in range(concurrency)
        ]
        await asyncio.gather(*users)
    return samples


async def warm_up(rasa_url: str, seconds: float, probe: str) -> str:
    """Each conversation once, then ``seconds`` at 10 customers; returns the probe reply."""
    url = f"{rasa_url}/webhooks/rest/webhook"
    probe_reply = "(no reply)"
    async with _session(4) as session:
        for conversation in [[probe], *all_conversations()]:
            sender = f"warmup-{uuid.uuid4().hex[:12]}"
            for text in conversation:
                try:
                    replies = await _send(session, url, sender, text)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                    replies = [{"text": f"(error: {error!r})"}]
                if text == probe and conversation == [probe]:
                    probe_reply = " / ".join(str(r.get("text", "")) for r in replies)
    if seconds > 0:
        await rest_load(rasa_url, 10, seconds, seed=99)
    return probe_reply or "(empty reply)"
