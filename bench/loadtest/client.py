"""The load test's customers: N conversations at once, each a script of messages over REST.

Every customer sends its next message as soon as the previous one is answered (no think
time). A 429 or 503 is retried after its Retry-After (1 s without one, at most
:data:`MAX_RETRY_WAIT` s), at most :data:`MAX_RETRIES` times, as a well-behaved chat client
would; a message that is still refused, gets another status or no answer at all ends its
conversation (the rest of the script would make no sense). Everything stops at the time
limit: requests in flight are cancelled and counted as unanswered.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bench.loadtest.counts import OVERLOAD_STATUSES, LoadTestResult
from bench.texts import LOADTEST_SCRIPTS, loadtest_conversation

MAX_RETRIES = 3
MAX_RETRY_WAIT = 30.0
DEFAULT_RETRY_WAIT = 1.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=120)


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, Retry-After header and the JSON body (None if not JSON)."""

    status: int
    retry_after: str | None
    body: object


Post = Callable[[str, str], Awaitable[Answer]]  # (sender, text) -> Answer
Sleep = Callable[[float], Awaitable[None]]


async def send_message(
    post: Post,
    sender: str,
    text: str,
    result: LoadTestResult,
    sleep: Sleep = asyncio.sleep,
) -> bool:
    """Sends one message (retrying 429/503); True when it was answered with a 200.

    A 200 counts as answered even when its reply list is empty (that is counted apart).
    """
    result.sent += 1
    begin = time.perf_counter()
    for attempt in range(MAX_RETRIES + 1):
        try:
            answer = await post(sender, text)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            result.no_response[type(error).__name__] += 1
            return False
        wait = result.record_answer(answer.status, answer.retry_after)
        if answer.status == 200:
            result.answered += 1
            result.latencies_ms.append((time.perf_counter() - begin) * 1000)
            result.record_body(answer.body)
            return True
        if answer.status not in OVERLOAD_STATUSES or attempt == MAX_RETRIES:
            return False
        result.retries += 1
        await sleep(min(DEFAULT_RETRY_WAIT if wait is None else wait, MAX_RETRY_WAIT))
    return False


async def run_conversation(
    post: Post, messages: list[str], result: LoadTestResult, sleep: Sleep = asyncio.sleep
) -> None:
    """One customer's scripted conversation, abandoned at the first unanswered message.

    An empty reply does not end it: the customer goes on, as people do.
    """
    sender = f"loadtest-{uuid.uuid4().hex[:16]}"
    for text in messages:
        if not await send_message(post, sender, text, result, sleep):
            return


def rest_post(session: aiohttp.ClientSession, url: str) -> Post:
    """A :data:`Post` for the REST channel at ``url``."""

    async def post(sender: str, text: str) -> Answer:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            raw = await response.read()
            try:
                body: object = json.loads(raw) if raw else None
            except ValueError:
                body = None
            return Answer(response.status, response.headers.get("Retry-After"), body)

    return post


async def run_load(
    rasa_url: str, conversations: int, time_limit: float, seed: int = 1
) -> LoadTestResult:
    """``conversations`` scripted REST conversations at once, stopped after ``time_limit`` s."""
    scripts = [
        loadtest_conversation(index, random.Random(seed * 100_000 + index))
        for index in range(conversations)
    ]
    result = LoadTestResult(
        conversations=conversations,
        messages_per_conversation=len(next(iter(LOADTEST_SCRIPTS.values()))),
        planned=sum(len(script) for script in scripts),
    )
    url = f"{rasa_url}/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=max(conversations, 1))
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=REQUEST_TIMEOUT) as session:
        post = rest_post(session, url)
        tasks = [asyncio.create_task(run_conversation(post, s, result)) for s in scripts]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=time_limit)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            result.time_limit_hit = bool(pending)
    result.seconds = time.perf_counter() - started
    return result


def _reply_text(body: object, width: int = 40) -> str:
    if not isinstance(body, list):
        return f"({body!r})"[:width]
    if not body:
        return "[]"
    texts = [str(r.get("text", "")) if isinstance(r, dict) else str(r) for r in body]
    return " / ".join(texts).replace("\n", " ")[:width]


async def warm_up(rasa_url: str) -> list[str]:
    """Each script once, one message at a time; a line per script with its replies.

    Warms the fresh server up (the first messages are slow) and shows that the scripts
    reach the answers they are meant to (order status, refund status, FAQ ...).
    """
    lines = []
    url = f"{rasa_url}/webhooks/rest/webhook"
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
        post = rest_post(session, url)
        for index, name in enumerate(LOADTEST_SCRIPTS):
            sender = f"loadtest-warmup-{uuid.uuid4().hex[:12]}"
            replies = []
            for text in loadtest_conversation(index, random.Random(0)):
                try:
                    answer = await post(sender, text)
                    replies.append(f"{text} -> {answer.status} {_reply_text(answer.body)}")
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                    replies.append(f"{text} -> {type(error).__name__}")
            lines.append(f"{name}: " + " | ".join(replies))
    return lines
