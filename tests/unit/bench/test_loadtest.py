"""The load test's arithmetic: statuses, empty replies, retries, percentiles, rows."""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import re
import time
from types import SimpleNamespace

import pytest

import bench.__main__ as bench_main
from bench import report
from bench.loadtest.client import MAX_RETRIES, MAX_RETRY_WAIT, Answer, run_conversation
from bench.loadtest.client import send_message as send
from bench.loadtest.counts import LoadTestResult, retry_after_seconds
from bench.loadtest.rasa_log import ActionFailures
from bench.loadtest.rows import loadtest_notes, loadtest_rows
from bench.report import table_cells
from bench.texts import LOADTEST_ORDERS, LOADTEST_SCRIPTS, loadtest_conversation


class FakeServer:
    """Answers from a script; an exception in the script is raised instead."""

    def __init__(self, *answers: Answer | Exception) -> None:
        self.answers = list(answers)
        self.received: list[tuple[str, str]] = []

    async def post(self, sender: str, text: str) -> Answer:
        self.received.append((sender, text))
        answer = self.answers.pop(0) if self.answers else Answer(200, None, [{"text": "好的"}])
        if isinstance(answer, Exception):
            raise answer
        return answer


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


OK = Answer(200, None, [{"text": "您好，请问有什么可以帮您？"}])


def test_retry_after_as_seconds_or_http_date():
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds(" 0 ") == 0.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("") is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("-3") is None
    now = time.time()
    in_ten = email.utils.formatdate(now + 10, usegmt=True)
    assert 9 <= (retry_after_seconds(in_ten, now=now) or 0) <= 10
    assert retry_after_seconds(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0


def test_a_503_with_retry_after_is_retried_after_the_wait_and_counted_once():
    result, sleeps = LoadTestResult(), Sleeps()
    server = FakeServer(Answer(503, "2", None), OK)
    assert asyncio.run(send(server.post, "s1", "你好", result, sleeps))
    assert sleeps.waits == [2.0]
    assert (result.sent, result.answered, result.retries) == (1, 1, 1)
    assert result.statuses == {503: 1, 200: 1}
    assert result.by_category() == {"503": 1, "200": 1}
    assert result.with_retry_after == 1 and result.overload_without_retry_after == 0
    assert len(result.latencies_ms) == 1


def test_overload_without_retry_after_gives_up_after_the_last_retry():
    result, sleeps = LoadTestResult(planned=1), Sleeps()
    server = FakeServer(*[Answer(429, None, None)] * (MAX_RETRIES + 1))
    assert not asyncio.run(send(server.post, "s1", "在吗", result, sleeps))
    assert len(server.received) == MAX_RETRIES + 1
    assert sleeps.waits == [1.0] * MAX_RETRIES
    assert result.overload_answers == MAX_RETRIES + 1
    assert result.overload_without_retry_after == MAX_RETRIES + 1
    assert result.with_retry_after == 0
    assert (result.sent, result.answered, result.unanswered) == (1, 0, 1)
    assert result.latencies_ms == []


def test_a_long_retry_after_is_capped():
    result, sleeps = LoadTestResult(), Sleeps()
    asyncio.run(send(FakeServer(Answer(503, "3600", None), OK).post, "s", "你好", result, sleeps))
    assert sleeps.waits == [MAX_RETRY_WAIT]
    assert result.retry_after_s == [3600.0]


def test_empty_replies_and_bad_bodies_are_answered_but_counted_apart():
    result = LoadTestResult()
    server = FakeServer(Answer(200, None, []), Answer(200, None, {"x": 1}), OK)
    for text in ("谢谢", "好的", "再见"):
        assert asyncio.run(send(server.post, "s", text, result, Sleeps()))
    assert (result.answered, result.empty_replies, result.bad_bodies) == (3, 1, 1)


def test_no_answer_and_other_statuses_end_the_conversation():
    result = LoadTestResult(planned=10)
    timeout = FakeServer(OK, asyncio.TimeoutError())
    asyncio.run(run_conversation(timeout.post, ["你好", "查订单", "8001", "谢谢", "再见"], result))
    assert len(timeout.received) == 2
    assert result.no_response == {"TimeoutError": 1}
    error = FakeServer(Answer(500, None, None))
    asyncio.run(run_conversation(error.post, ["你好", "再见"], result, Sleeps()))
    assert len(error.received) == 1
    assert result.by_category() == {"200": 1, "other": 1}
    assert (result.sent, result.answered, result.unanswered) == (3, 1, 9)
    assert "TimeoutError 1" in result.overload_summary()
    assert "not signalled" in result.overload_summary()


def test_an_empty_reply_does_not_end_the_conversation():
    result = LoadTestResult()
    server = FakeServer(Answer(200, None, []), OK, OK)
    asyncio.run(run_conversation(server.post, ["你好", "查订单", "谢谢"], result))
    assert len(server.received) == 3 and len({sender for sender, _ in server.received}) == 1
    assert result.empty_replies == 1


def test_reply_time_percentiles():
    result = LoadTestResult(latencies_ms=[float(ms) for ms in range(1, 101)])
    assert result.p50 == 50.5
    assert 95 <= (result.p95 or 0) <= 96
    assert 99 <= (result.p99 or 0) <= 100
    assert LoadTestResult().p99 is None


def _result(**counts: object) -> LoadTestResult:
    result = LoadTestResult(conversations=200, messages_per_conversation=5, planned=1000)
    for name, value in counts.items():
        setattr(result, name, value)
    return result


def test_rows_flag_empty_replies_and_failed_actions_against_target_zero():
    zhike = _result(sent=1000, answered=1000, empty_replies=0)
    zhike.action_failures = ActionFailures(count=0)
    zhike.statuses.update({200: 1000})
    baseline = _result(sent=1000, answered=1000, empty_replies=97)
    baseline.action_failures = ActionFailures(count=180)
    cells = {row[0]: row for row in table_cells(loadtest_rows(zhike, baseline))}
    empty = cells["load 200 conv. x 5 msg: empty replies (200 with [])"]
    assert empty[1:3] == ["0", "97"] and empty[4:] == ["0", "yes"]
    failed = cells["load 200 conv. x 5 msg: failed action calls (Rasa log)"]
    assert failed[1:3] == ["0", "180"] and failed[5] == "yes"
    assert cells["load 200 conv. x 5 msg: HTTP 200"][1] == "1000"
    assert cells["load 200 conv. x 5 msg: messages sent"][4:] == ["1000", "yes"]
    # no 429/503 at all: nothing to check about Retry-After
    assert cells["load 200 conv. x 5 msg: 429/503 with Retry-After"][5] == "-"


def test_rows_without_a_baseline_run_and_with_overload():
    zhike = _result(sent=1000, answered=990, empty_replies=3, retry_after_s=[1.0, 1.0])
    zhike.statuses.update({200: 990, 503: 3})
    zhike.action_failures = ActionFailures(count=2)
    cells = {row[0]: row for row in table_cells(loadtest_rows(zhike, None))}
    assert cells["load 200 conv. x 5 msg: empty replies (200 with [])"][1:3] == ["3", "-"]
    assert cells["load 200 conv. x 5 msg: empty replies (200 with [])"][5] == "NO"
    assert cells["load 200 conv. x 5 msg: failed action calls (Rasa log)"][5] == "NO"
    assert cells["load 200 conv. x 5 msg: 429/503 with Retry-After"][1:] == [
        "2",
        "-",
        "-",
        "every 429/503",
        "NO",  # one of the three 503s had none
    ]
    assert cells["load 200 conv. x 5 msg: messages never answered"][1] == "10"
    notes = loadtest_notes({"zhike": zhike, "baseline": None})
    assert any("503 x3; Retry-After on 2/3, 1-1 s" in line for line in notes)
    assert loadtest_rows(None, None) == []


@pytest.mark.parametrize("index", range(len(LOADTEST_SCRIPTS) * 2))
def test_scripted_conversations_have_five_messages_with_matching_phone_digits(index: int):
    messages = loadtest_conversation(index, random.Random(index))
    assert len(messages) == 5
    assert not any("{" in text or "}" in text for text in messages)
    assert messages == loadtest_conversation(index, random.Random(index))  # seeded
    orders = {order for text in messages for order in re.findall(r"HP\d{8}", text)}
    digits = {d for text in messages for d in re.findall(r"(?<!\d)\d{4}(?!\d)", text)}
    for order in orders:
        expected = dict(LOADTEST_ORDERS).get(order, "8001")  # HP20240004 is 张伟's too
        assert digits <= {expected}


def test_the_bench_runs_the_load_test_on_each_model_stack(monkeypatch, tmp_path):
    class FakeStack:
        def __init__(self, config):
            self.config = SimpleNamespace(rasa_url="http://127.0.0.1:1", rasa_token="t")
            rasa_process = SimpleNamespace(pid=os.getpid())
            self.services = [SimpleNamespace(name="rasa", process=rasa_process)]
            self.stopped = False

        def start(self, timeout):
            pass

        def dead_services(self):
            return []

        def stop(self):
            self.stopped = True

    async def no_load_phase(*args):
        return None

    calls = []

    def fake_run_on_stack(stack, conversations, time_limit):
        calls.append((conversations, time_limit))
        return _result(sent=1000, answered=1000, empty_replies=4)

    monkeypatch.setattr(bench_main, "Stack", FakeStack)
    monkeypatch.setattr(bench_main.StackConfig, "on_free_ports", lambda *a, **k: None)
    monkeypatch.setattr(bench_main, "_load_phase", no_load_phase)
    monkeypatch.setattr(bench_main, "run_on_stack", fake_run_on_stack)
    result = report.ModelResult("zhike")
    args = bench_main.parse_args(["--load-conversations", "200", "--load-time-limit", "90"])
    bench_main.measure_serving(
        result, tmp_path / "m.tar.gz", tmp_path, bench_main.FULL, [10], 1, None, 0.3, 90.0
    )
    assert calls == [(200, 90.0)] and args.load_time_limit == 90.0
    assert result.loadtest is not None and result.loadtest.empty_replies == 4
    assert bench_main.QUICK.load_conversations == 20
    skipped = report.ModelResult("baseline")
    no_load = bench_main.replace(bench_main.FULL, load_conversations=0)
    bench_main.measure_serving(
        skipped, tmp_path / "m.tar.gz", tmp_path, no_load, [10], 1, None, 0.3
    )
    assert skipped.loadtest is None and len(calls) == 1
