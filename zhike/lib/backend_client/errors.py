"""The errors of the backend client contract (see :mod:`zhike.lib.backend_client.base`)."""

from __future__ import annotations


class BackendError(Exception):
    """The backend refused or could not answer a request (base of all client errors).

    Attributes:
        message: human-readable reason (the server's message when it sent one).
        code: machine-readable error code from the server, e.g. ``invalid_order_id``.
        status: HTTP status when the error came from an HTTP answer, else ``None``.
    """

    def __init__(self, message: str, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class BackendRateLimited(BackendError):
    """The backend refused because a limit was reached (HTTP 429); retry later.

    The customer should be told politely to try again later; not a fault of the backend.

    Attributes:
        retry_after: seconds until a retry may succeed (the ``Retry-After`` header), or
            ``None`` when the backend did not say.
    """

    def __init__(
        self,
        message: str,
        code: str | None = None,
        status: int | None = 429,
        retry_after: float | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class BackendUnavailable(BackendError):
    """The backend cannot be reached right now: connection error, timeout or 5xx.

    Retrying later may succeed; actions should apologise, open a ticket when they can and
    offer a human agent.
    """
