"""Computing customers' automatic tags for the desk: rules, facts, storage.

:class:`TagService` reads the rules file once (in a worker thread), collects a customer's
facts (:func:`zhike.lib.tags.collect.collect_facts`), evaluates the rules and stores the
result (:func:`~zhike.servers.desk.tags_db.replace_auto_tags`). The desk's background job
(:mod:`zhike.servers.desk.background`) recomputes a customer's tags when one of their
conversations finished, and while they wait for or talk to an agent when the tags are
missing or older than :data:`STALE_AFTER`; ``python -m zhike.tags recompute`` recomputes
any or all. Pages only read the stored tags. Everything is in the database, so any
replica may do it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sanic import Sanic

from zhike.common.times import utcnow
from zhike.lib.backend_client import BackendClient, client_from_env
from zhike.lib.handoff import HandoffDatabase
from zhike.lib.tags import DEFAULT_RULES_PATH, Rule, evaluate, load_rules
from zhike.lib.tags.collect import collect_facts
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.labels import CHANNEL_LABELS, load_intent_titles
from zhike.servers.desk.tags_db import replace_auto_tags

logger = logging.getLogger(__name__)

RULES_ENV = "ZHIKE_TAG_RULES"
STALE_AFTER = timedelta(hours=1)


def rules_path(environ: dict[str, str] | None = None) -> Path:
    """The rules file: ``ZHIKE_TAG_RULES``, else the default ``zhike/lib/tags/rules.yml``."""
    env = os.environ if environ is None else environ
    return Path(env[RULES_ENV]) if env.get(RULES_ENV) else DEFAULT_RULES_PATH


class TagService:
    """Computes and stores automatic tags.

    Args:
        desk_db: Where the tags are stored.
        handoff_db: The conversations.
        backend: Gives the business backend client (asked on every computation).
        path: The rules file.
        clock: The current time.
    """

    def __init__(
        self,
        desk_db: DeskDatabase,
        handoff_db: HandoffDatabase,
        backend: Callable[[], BackendClient],
        path: Path | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.desk_db = desk_db
        self.handoff_db = handoff_db
        self.backend = backend
        self.path = path or rules_path()
        self.clock = clock
        self._rules: tuple[Rule, ...] | None = None
        self._labels: dict[str, dict[str, str]] | None = None

    async def rules(self) -> tuple[Rule, ...]:
        """The rules, read once (raises :class:`~zhike.lib.tags.RulesInvalid`)."""
        if self._rules is None:
            self._rules = await asyncio.to_thread(load_rules, self.path)
        return self._rules

    async def value_labels(self) -> dict[str, dict[str, str]]:
        """Chinese names of channels and intents for ``by`` tags."""
        if self._labels is None:
            intents = await asyncio.to_thread(load_intent_titles)
            self._labels = {"channel": dict(CHANNEL_LABELS), "intent": intents}
        return self._labels

    async def recompute(self, customer_id: str) -> int:
        """Computes and stores one customer's automatic tags; the number they earn."""
        rules = await self.rules()
        sources = sorted({source for rule in rules for source in rule.sources})
        facts = await collect_facts(customer_id, self.backend(), self.handoff_db, sources)
        now = self.clock()
        results, evaluated = evaluate(rules, facts, now, await self.value_labels())
        await replace_auto_tags(self.desk_db, customer_id, results, evaluated, now)
        return len(results)


def tag_service(app: Sanic) -> TagService:
    """The app's tag service, built on first use (``app.ctx.desk_tags``)."""
    current: TagService | None = getattr(app.ctx, "desk_tags", None)
    if current is None:
        desk = app.ctx.desk

        def backend() -> BackendClient:
            assist = getattr(app.ctx, "desk_assist", None)  # the assist routes' client
            if assist is not None:
                return assist.backend
            own: BackendClient | None = getattr(app.ctx, "desk_tags_backend", None)
            if own is None:
                own = client_from_env()
                app.ctx.desk_tags_backend = own
            return own

        current = TagService(desk.auth.db, desk.handoff.db, backend, clock=desk.handoff.clock)
        app.ctx.desk_tags = current
    return current
