"""Failed custom-action calls, counted from the Rasa server's log (Rasa 3.6 texts).

When a call to the action server fails, Rasa 3.6's ``MessageProcessor._run_action``
(rasa/core/processor.py) catches the exception and logs, once per failed call::

    ERROR rasa.core.processor - Encountered an exception while running action
    'action_x'.Bot will continue, but the actions events are lost. ...
    Traceback (most recent call last): ...
    rasa.shared.exceptions.RasaException: Failed to run custom action 'action_x'. Action
    server responded with a non 200 status code of None. ... Error: Cannot write to
    closing transport

``RemoteAction.run`` (rasa/core/actions/action.py) raises the ``Failed to run/execute
custom action`` texts (and logs ``Failed to run custom action ... Couldn't connect`` once
more before raising), so one failure is one "events are lost" record: that is what is
counted. The traceback below it gives the action's name and the cause.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LOST_EVENTS = "the actions events are lost"
_ACTION_NAME = re.compile(r"Encountered an exception while running action '([^']+)'")
# A new log record starts with a date: Rasa's "2024-12-03 04:07:00 ERROR ..." or sanic's
# "[2024-12-03 04:07:00 +0000] [pid] [INFO] ..."; traceback lines never do.
_RECORD_START = re.compile(r"^\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Known causes, most specific first (matched in the record's traceback).
CAUSES = (
    ("Cannot write to closing transport", "Cannot write to closing transport"),
    ("ServerDisconnectedError", "server disconnected"),
    ("Couldn't connect", "could not connect"),
    ("ClientConnectorError", "could not connect"),
    ("TimeoutError", "timeout"),
)
_ERROR_STATUS = re.compile(r"ClientResponseError: (\d{3})")


@dataclass
class ActionFailures:
    """Failed action calls in a stretch of the Rasa server's log."""

    count: int = 0
    by_action: Counter[str] = field(default_factory=Counter)
    by_cause: Counter[str] = field(default_factory=Counter)

    def summary(self, top: int = 4) -> str:
        """``"180 failed: action_x 120, ...; causes: Cannot write ... 175, ..."``."""
        if not self.count:
            return "no failed action calls"
        actions = ", ".join(f"{name} {n}" for name, n in self.by_action.most_common(top))
        causes = ", ".join(f"{name} {n}" for name, n in self.by_cause.most_common(top))
        return f"{self.count} failed: {actions}; causes: {causes}"


def split_records(text: str) -> list[str]:
    """The log records of ``text``: each starting line with its continuation lines."""
    records: list[list[str]] = []
    for line in _ANSI.sub("", text).splitlines():
        if _RECORD_START.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    return ["\n".join(lines) for lines in records]


def _cause(record: str) -> str:
    for needle, label in CAUSES:
        if needle in record:
            return label
    status = _ERROR_STATUS.search(record)
    if status:
        return f"action server HTTP {status.group(1)}"
    lines = [line.strip() for line in record.splitlines()[1:] if line.strip()]
    return lines[-1][:80] if lines else "unknown"


def count_action_failures(text: str) -> ActionFailures:
    """Counts the failed action calls logged in ``text`` (see the module docstring)."""
    failures = ActionFailures()
    for record in split_records(text):
        if LOST_EVENTS not in record:
            continue
        failures.count += 1
        name = _ACTION_NAME.search(record)
        failures.by_action[name.group(1) if name else "?"] += 1
        failures.by_cause[_cause(record)] += 1
    return failures


def read_from(path: Path, offset: int) -> str:
    """The text of the log file at ``path`` after byte ``offset`` ("" if it is missing)."""
    if not path.exists():
        return ""
    with open(path, "rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", errors="replace")


def log_size(path: Path | None) -> int:
    """The current size of the log file (0 if there is none yet)."""
    return path.stat().st_size if path is not None and path.exists() else 0
