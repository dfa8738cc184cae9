"""Failed action calls are counted from the Rasa 3.6 server log, once per failure."""

from __future__ import annotations

from pathlib import Path

from bench.loadtest.rasa_log import count_action_failures, log_size, read_from, split_records

LOST = (
    "Encountered an exception while running action '{name}'.Bot will continue, but the "
    "actions events are lost. Please check the logs of your action server for more "
    "information."
)

CLOSING_TRANSPORT = f"""\
2026-12-03 04:10:00 ERROR    rasa.core.processor  - {LOST.format(name="action_order_status")}
Traceback (most recent call last):
  File "/x/rasa/utils/endpoints.py", line 174, in request
    async with session.request(
  File "/x/aiohttp/client.py", line 560, in _request
    await resp.start(conn)
ConnectionResetError: Cannot write to closing transport

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/x/rasa/core/actions/action.py", line 780, in run
aiohttp.client_exceptions.ClientOSError: Cannot write to closing transport

During handling of the above exception, another exception occurred:

rasa.shared.exceptions.RasaException: Failed to run custom action 'action_order_status'. \
Action server responded with a non 200 status code of None. Error: Cannot write to closing \
transport
"""

COULD_NOT_CONNECT = f"""\
2026-12-03 04:10:01 ERROR    rasa.core.actions.action  - Failed to run custom action \
'validate_order_status_form'. Couldn't connect to the server at 'http://127.0.0.1:5055/webhook'.\
 Is the server running? Error: Cannot connect to host 127.0.0.1:5055
2026-12-03 04:10:01 ERROR    rasa.core.processor  - {LOST.format(name="order_status_form")}
Traceback (most recent call last):
rasa.shared.exceptions.RasaException: Failed to execute custom action \
'validate_order_status_form'. Couldn't connect to the server at 'http://127.0.0.1:5055/webhook.
"""

RED, RESET = "\x1b[31m", "\x1b[0m"  # coloredlogs' colours, if a terminal was attached
SERVER_ERROR = f"""\
{RED}2026-12-03 04:10:02 ERROR    rasa.core.processor  - {{lost}}{RESET}
Traceback (most recent call last):
rasa.utils.endpoints.ClientResponseError: 500, Internal Server Error, body='b'...''

The above exception was the direct cause of the following exception:

rasa.shared.exceptions.RasaException: Failed to execute custom action 'action_refund_status'
""".replace("{lost}", LOST.format(name="action_refund_status"))

NOT_FAILURES = """\
2026-12-03 04:10:03 ERROR    rasa.core.actions.action  - Custom action 'order_status_form' \
rejected execution.
[2026-12-03 04:10:03 +0000] [123] [INFO] Starting worker [123]
2026-12-03 04:10:03 INFO     root  - Rasa server is up and running.
"""


def test_each_failure_is_counted_once_with_its_action_and_cause():
    failures = count_action_failures(
        NOT_FAILURES + CLOSING_TRANSPORT + COULD_NOT_CONNECT + SERVER_ERROR + CLOSING_TRANSPORT
    )
    assert failures.count == 4
    assert failures.by_action == {
        "action_order_status": 2,
        "order_status_form": 1,
        "action_refund_status": 1,
    }
    assert failures.by_cause == {
        "Cannot write to closing transport": 2,
        "could not connect": 1,
        "action server HTTP 500": 1,
    }
    summary = failures.summary()
    assert summary.startswith("4 failed: action_order_status 2")
    assert "Cannot write to closing transport 2" in summary


def test_a_clean_log_has_no_failures():
    failures = count_action_failures(NOT_FAILURES)
    assert failures.count == 0 and failures.summary() == "no failed action calls"
    assert count_action_failures("").count == 0


def test_traceback_lines_stay_with_their_record():
    records = split_records(NOT_FAILURES + CLOSING_TRANSPORT)
    assert len(records) == 4
    assert records[-1].startswith("2026-12-03 04:10:00 ERROR")
    assert records[-1].rstrip().endswith("transport")


def test_only_the_log_written_after_the_offset_is_read(tmp_path: Path):
    log = tmp_path / "rasa.log"
    assert log_size(log) == 0 and read_from(log, 0) == ""
    log.write_text(CLOSING_TRANSPORT, encoding="utf-8")
    offset = log_size(log)
    with open(log, "a", encoding="utf-8") as out:
        out.write(SERVER_ERROR)
    failures = count_action_failures(read_from(log, offset))
    assert failures.count == 1 and failures.by_action == {"action_refund_status": 1}
