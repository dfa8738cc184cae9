"""The exceptions of the handoff library: every refusal carries a machine-readable code.

The desk web app and the Rasa side map :attr:`HandoffError.code` to an HTTP status or a
message for the user; the text of :attr:`HandoffError.message` is for logs and agents.
"""

from __future__ import annotations


class HandoffError(Exception):
    """Base class of every refusal of the handoff service.

    Attributes:
        code: A stable machine-readable code, e.g. ``"already_accepted"``.
        message: A human-readable explanation (English, for logs and the desk).
    """

    code = "handoff_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidInput(HandoffError):
    """An argument is malformed: text too long, rating out of range, unknown group ..."""

    code = "invalid_input"


class NotFound(HandoffError):
    """The conversation or agent does not exist."""

    code = "not_found"


class InvalidState(HandoffError):
    """The conversation's state does not allow the operation (a state machine violation)."""

    code = "invalid_state"


class AlreadyAccepted(InvalidState):
    """Another agent accepted the conversation first."""

    code = "already_accepted"


class NotAllowed(HandoffError):
    """The agent may not do this: wrong skill group, not the owner, offline ..."""

    code = "not_allowed"


class AgentAtCapacity(HandoffError):
    """The agent already handles their maximum number of concurrent chats."""

    code = "agent_at_capacity"


class AlreadyRated(InvalidState):
    """The conversation episode has been rated already (a rating is given once)."""

    code = "already_rated"


class IdempotencyConflict(HandoffError):
    """An idempotency key was reused for a different message."""

    code = "idempotency_conflict"


class HandoffUnavailable(HandoffError):
    """The handoff database cannot be reached or is misconfigured: nothing was changed.

    The library raises it for every storage failure (database down, disk full, a bad
    ``ZHIKE_HANDOFF_DB_URL`` or business hours), so callers catch :class:`HandoffError`
    alone and never need to know the storage underneath.
    """

    code = "unavailable"
