"""The first content of an empty knowledge base: the FAQ seed file, imported and published.

:func:`ensure_seeded` imports the file only while the knowledge base has no entry at all
(checked in the import's own transaction), so running it at every start is safe and
never brings back an entry staff archived or changed.
"""

from __future__ import annotations

from pathlib import Path

from zhike.lib.kb.domain import SERVICE, Actor, ImportReport
from zhike.lib.kb.io import parse_file
from zhike.lib.kb.service import KnowledgeBase

SEED_ACTOR = Actor("seed", SERVICE)


async def ensure_seeded(
    kb: KnowledgeBase, path: str | Path, actor: Actor = SEED_ACTOR
) -> ImportReport:
    """Imports and publishes the seed file when the knowledge base is empty.

    Returns:
        What was imported; ``skipped`` when the knowledge base already had entries.

    Raises:
        FileNotFoundError: there is no seed file.
        ImportFileError: the seed file has bad rows (nothing imported).
    """
    items = parse_file(path)
    return await kb.import_entries(items, actor=actor, publish=True, only_if_empty=True)
