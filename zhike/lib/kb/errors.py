"""The refusals of the knowledge base: an HTTP-like status and a machine-readable code.

The desk maps :attr:`KbError.status` to its HTTP status and shows :attr:`KbError.message`;
the CLI prints it. ``line`` names the line of an imported file the error is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class KbError(Exception):
    """Base class of every refusal of the knowledge base; nothing was changed.

    Attributes:
        status: 400 invalid input, 403 not allowed for the role, 404 not found,
            409 conflict (state, duplicate or stale version), 503 storage unavailable.
        code: A stable machine-readable code, e.g. ``"version_conflict"``.
        message: A human-readable explanation (English, for logs and staff).
        line: The line of an imported file the error is about, if any.
        field: The entry field the error is about, if any.
    """

    status = 400
    code = "kb_error"

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        status: int | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message}"


class InvalidEntry(KbError):
    """An entry or an argument is malformed (empty answer, too long, bad link …)."""

    status = 400
    code = "invalid"


class Forbidden(KbError):
    """The actor's role may not do this (an editor publishing, an agent editing …)."""

    status = 403
    code = "forbidden"


class NotFound(KbError):
    """The entry or queue group does not exist."""

    status = 404
    code = "not_found"


class Conflict(KbError):
    """The entry's state does not allow it, or a question already belongs to an entry."""

    status = 409
    code = "conflict"


class VersionConflict(Conflict):
    """Someone changed the entry since the caller read it (``expected_version`` is stale)."""

    code = "version_conflict"


class Unavailable(KbError):
    """The knowledge-base database cannot be reached: nothing was changed."""

    status = 503
    code = "unavailable"


@dataclass(frozen=True)
class LineError:
    """One bad row of an imported file: ``line`` (``None``: the whole file) and why."""

    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


class ImportFileError(InvalidEntry):
    """An imported file has bad rows: every one found is in :attr:`errors`; none imported."""

    code = "invalid_file"

    def __init__(self, errors: Sequence[LineError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0] if self.errors else LineError(None, "invalid file")
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(first.reason + more, line=first.line)
