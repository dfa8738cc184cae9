"""The Rasa side of the link to the action server: one retry on a closed connection.

Rasa 3.6 runs every custom action through :meth:`rasa.core.actions.action.RemoteAction.run`,
which posts the tracker with :meth:`rasa.utils.endpoints.EndpointConfig.request` (a new
aiohttp session, hence a new connection, per call). When the action server closes the
connection under the request -- aiohttp's ``ServerDisconnectedError``, or a
``ClientOSError`` such as "Cannot write to closing transport" -- Rasa gives up at once:
the action's events are lost and the customer gets no answer. :func:`install_action_call_retry`
makes such a call once more, on a new connection, and logs a warning. Other failures
(the server refused the connection or answered with an error status, a timeout) are not
retried.

A retried call may run an action twice when the server closed the connection after
running it; zhike's actions that write are idempotent per message (tickets, the relay
to the desk use the Rasa message id as their key).
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

SUPPORTED_RASA = ("3.6.",)
_RUN_PARAMETERS = ["self", "output_channel", "nlg", "tracker", "domain"]
_REQUEST_PARAMETERS = ["self", "method", "subpath", "content_type", "compress", "kwargs"]
_MARK = "_zhike_action_call_retry"


class ActionClientPatchError(RuntimeError):
    """The installed Rasa is not the one the retry was written for."""


def is_closed_connection(error: BaseException) -> bool:
    """Whether ``error`` means the server closed a connection the request was using.

    ``ClientConnectorError`` (a ``ClientOSError`` too) is a connection that could not be
    opened at all: not retried, the server is down or unreachable.
    """
    if isinstance(error, aiohttp.ClientConnectorError):
        return False
    return isinstance(error, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError))


class RetryOnceEndpoint:
    """An ``EndpointConfig`` whose ``request`` is made once more after a closed connection.

    Every other attribute is the wrapped endpoint's.
    """

    def __init__(self, endpoint: Any, action_name: str) -> None:
        self._endpoint = endpoint
        self._action_name = action_name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._endpoint, name)

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        """``EndpointConfig.request``, repeated once if the connection was closed under it."""
        try:
            return await self._endpoint.request(*args, **kwargs)
        except aiohttp.ClientError as error:
            if not is_closed_connection(error):
                raise
            logger.warning(
                "The action server closed the connection while running '%s' (%s: %s); "
                "calling it once more on a new connection.",
                self._action_name,
                type(error).__name__,
                error,
            )
        return await self._endpoint.request(*args, **kwargs)


def check_rasa() -> None:
    """Checks that the installed Rasa calls the action server the way this module expects.

    Raises:
        ActionClientPatchError: another Rasa version, or ``RemoteAction.run`` /
            ``EndpointConfig.request`` with another signature.
    """
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    version = str(getattr(rasa, "__version__", "?"))
    if not version.startswith(SUPPORTED_RASA):
        raise ActionClientPatchError(
            f"{__name__} supports Rasa {SUPPORTED_RASA}, found {version}: "
            "check RemoteAction.run and EndpointConfig.request, then update the patch."
        )
    run = getattr(RemoteAction.run, "__wrapped__", RemoteAction.run)
    for function, expected in (
        (run, _RUN_PARAMETERS),
        (EndpointConfig.request, _REQUEST_PARAMETERS),
    ):
        found = list(inspect.signature(function).parameters)
        if found != expected:
            raise ActionClientPatchError(
                f"Rasa {version}: {function.__qualname__}{found} is not {expected}; "
                "the action call retry must be updated."
            )


def install_action_call_retry() -> None:
    """Makes Rasa retry an action call once when its connection was closed (idempotent).

    Call it in the Rasa server process before the server starts.

    Raises:
        ActionClientPatchError: see :func:`check_rasa`.
    """
    from rasa.core.actions.action import RemoteAction

    check_rasa()
    if getattr(RemoteAction.run, _MARK, False):
        return
    original = RemoteAction.run

    @functools.wraps(original)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        endpoint = self.action_endpoint
        if endpoint is None or isinstance(endpoint, RetryOnceEndpoint):
            return await original(self, output_channel, nlg, tracker, domain)
        self.action_endpoint = RetryOnceEndpoint(endpoint, self.name())
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        finally:
            self.action_endpoint = endpoint

    setattr(run, _MARK, True)
    RemoteAction.run = run
