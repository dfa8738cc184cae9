"""The knowledge base (知识库): curated answers the robot gives without retraining.

Entries (a standard question, similar questions, an answer, a category …) live in SQL
(SQLite by default, PostgreSQL in production) on their own ``kb_*`` tables, go through
review (draft → in review → published → archived) and keep a history of who changed what.

- :mod:`zhike.lib.kb.domain`: the frozen dataclasses (``Entry``, ``EntryDraft``,
  ``PublishedEntry``, ``Snapshot``, ``Actor``) and the statuses and roles.
- :mod:`zhike.lib.kb.service`: :class:`~zhike.lib.kb.service.KnowledgeBase`, one
  transaction per call, on a :class:`~zhike.lib.kb.db.KbDatabase`.
- :mod:`zhike.lib.kb.io`: CSV / YAML / XLSX import and export.
- :mod:`zhike.lib.kb.unanswered`: the unanswered-questions queue and knowledge coverage.
- :mod:`zhike.lib.kb.seed`: the first import of the FAQ seed file.
- :mod:`zhike.lib.kb.retrieval`: matching questions to entries (no database access).

Importing this package opens no connection and reads no configuration.
"""
