"""Rasa's SQL tracker store, without personal data in clear in its database.

``endpoints.yml``::

    tracker_store:
      type: zhike.tracker_store.MaskingSQLTrackerStore
      dialect: "sqlite"            # every setting of Rasa's SQL tracker store
      db: ".zhike/tracker.db"

See :mod:`zhike.tracker_store.store` for what is masked and what is encrypted.
"""

from zhike.tracker_store.slots import SlotCipher, slot_cipher
from zhike.tracker_store.store import MaskingSQLTrackerStore

__all__ = ["MaskingSQLTrackerStore", "SlotCipher", "slot_cipher"]
