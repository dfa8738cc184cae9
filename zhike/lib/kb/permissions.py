"""Who may do what in the knowledge base; a refusal is :class:`~.errors.Forbidden` (403).

- ``editor``: create entries, change published or archived entries and their own drafts,
  submit their own drafts for review, archive their own never-published drafts.
- ``reviewer``: approve, reject, publish and archive (not create or change content).
- ``supervisor`` and ``service`` (a trusted process with the service token): everything.
- ``agent``: read only.
"""

from __future__ import annotations

from zhike.lib.kb.domain import (
    DRAFT,
    EDITOR,
    IN_REVIEW,
    REVIEWER,
    ROLES,
    SERVICE,
    SUPERVISOR,
    Actor,
)
from zhike.lib.kb.errors import Forbidden, InvalidEntry

CREATE = "create"
UPDATE = "update"
SUBMIT = "submit"
REVIEW = "review"  # approve, reject, publish
ARCHIVE = "archive"
TRIAGE = "triage"  # dismiss a group of the unanswered queue

_ALLOWED = {
    CREATE: {EDITOR, SUPERVISOR, SERVICE},
    UPDATE: {EDITOR, SUPERVISOR, SERVICE},
    SUBMIT: {EDITOR, SUPERVISOR, SERVICE},
    REVIEW: {REVIEWER, SUPERVISOR, SERVICE},
    ARCHIVE: {EDITOR, REVIEWER, SUPERVISOR, SERVICE},
    TRIAGE: {EDITOR, REVIEWER, SUPERVISOR, SERVICE},
}
_WORDS = {
    CREATE: "create entries",
    UPDATE: "change entries",
    SUBMIT: "submit entries for review",
    REVIEW: "review or publish entries",
    ARCHIVE: "archive entries",
    TRIAGE: "handle unanswered questions",
}


def check_actor(actor: Actor) -> None:
    """Refuses an actor without a name (400) or with an unknown role (403)."""
    if not isinstance(actor.name, str) or not actor.name.strip() or len(actor.name) > 128:
        raise InvalidEntry("the actor needs a name of 1-128 characters", "invalid_actor")
    if actor.role not in ROLES:
        raise Forbidden(f"unknown role {actor.role!r}")


def require(actor: Actor, action: str) -> None:
    """Refuses an actor whose role may not do ``action`` at all."""
    check_actor(actor)
    if actor.role not in _ALLOWED[action]:
        raise Forbidden(f"the {actor.role} role may not {_WORDS[action]}")


def may(actor: Actor, action: str) -> bool:
    """Whether the actor's role may do ``action`` (no exception)."""
    return actor.role in _ALLOWED[action]


def require_own_draft(actor: Actor, status: str, owner: str | None) -> None:
    """An editor changes a draft or a submitted entry only when they started that draft."""
    if actor.role != EDITOR:
        return
    if status in (DRAFT, IN_REVIEW) and owner != actor.name:
        raise Forbidden(f"this draft belongs to {owner}; an editor changes only their own")


def require_archive(actor: Actor, status: str, owner: str | None, live: bool) -> None:
    """An editor archives only their own draft that was never published."""
    require(actor, ARCHIVE)
    if actor.role == EDITOR and (live or status != DRAFT or owner != actor.name):
        raise Forbidden("an editor archives only their own unpublished drafts")
