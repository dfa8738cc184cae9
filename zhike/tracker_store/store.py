"""The SQL tracker store that never writes personal data in clear.

:class:`MaskingSQLTrackerStore` is Rasa 3.6's ``SQLTrackerStore`` (same settings, same
``events`` table, SQLite or PostgreSQL) except for what reaches the table: Rasa appends
the events a turn added (``_additional_events``), and each goes through
:func:`~zhike.tracker_store.events.protect_event` first -- numbers masked in texts,
entities and metadata, string slot values holding them encrypted. Reading a tracker
decrypts those slot values again, so actions (which get the tracker from Rasa) see
``bind_phone`` in full, while earlier user texts come back masked.

Not covered: the event broker (``stream_events``) still publishes the events as Rasa
made them, and events written before this store was configured stay as they are.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from zhike.common.deployment import ConfigurationError
from zhike.tracker_store.events import protect_event, reveal_event
from zhike.tracker_store.slots import slot_cipher

logger = logging.getLogger(__name__)


class MaskingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that masks personal data when saving (see the module docstring).

    Rasa creates it from ``endpoints.yml`` (``type: zhike.tracker_store.MaskingSQLTrackerStore``)
    with ``host`` (the endpoint's ``url``), ``domain``, ``event_broker`` and the other keys
    (``dialect``, ``db``, ``port``, ``username``, ``password``, ``login_db``, ``query``).

    Raises:
        ConfigurationError: production without ``ZHIKE_TRACKER_SECRET`` or
            ``ZHIKE_IDENTITY_SECRET`` (checked before connecting to the database), or a
            database driver that cannot be imported. (Rasa silently replaces a custom
            tracker store that raises ``ImportError`` or ``AttributeError`` by an
            in-memory one, which would lose every conversation at the next restart.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._cipher = slot_cipher()
        try:
            super().__init__(*args, **kwargs)
        except (ImportError, AttributeError) as exc:
            raise ConfigurationError(
                f"the tracker store's database cannot be opened: {type(exc).__name__}: {exc}"
            ) from exc

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Appends the tracker's new events, masked and encrypted, to the database."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = protect_event(event.as_dict(), tracker.sender_id, self._cipher)
                parse_data = data.get("parse_data")
                intent = (
                    (parse_data.get("intent") or {}).get(INTENT_NAME_KEY)
                    if isinstance(parse_data, dict)
                    else None
                )
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        logger.debug("Tracker of a conversation stored (masked) to the database")

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """The tracker from the database, its encrypted slot values decrypted."""
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [reveal_event(json.loads(row.data), sender_id, self._cipher) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None
