"""Reading passages (chunks) back: the ones a filter allows, what re-ranking needs of each, their rows with their
citations, the whole agenda item one is in, and the committees and items that prompts and scopes name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .filters import Filters

if TYPE_CHECKING:
    from .store import Store


class ChunkFacts(NamedTuple):
    """What re-ranking weighs of a candidate passage."""

    document_id: int
    item_id: int
    position: int
    start: int
    end: int
    kind: str
    date: str | None
    procedural: bool


CHUNK_JOINS = " ".join(
    (
        "JOIN documents d ON d.id = c.document_id",
        "JOIN items i ON i.id = c.item_id",
        "LEFT JOIN meetings m ON m.id = i.meeting_id",
    )
)
PASSAGE_SELECT = f"""
SELECT c.id, c.text, c.kind, c.speakers, c.char_start, c.char_end, c.ocr, d.path AS document, d.url, d.page_starts,
       m.council, m.committee, m.date, i.number AS item_number, i.title AS item
FROM chunks c {CHUNK_JOINS}
"""


class Passages:
    """Reads of the `chunks` table and what it joins; facts of chunks are kept until an ingest changes them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def allowed(self, filters: Filters) -> np.ndarray:
        """The ids of the chunks `filters` allow, for vector search to keep to."""
        where, params = filters.sql()
        rows = self.store.db.execute(f"SELECT c.id FROM chunks c {CHUNK_JOINS} WHERE {where}", params).fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64)

    def facts(self, ids: Sequence[int]) -> dict[int, ChunkFacts]:
        """What re-ranking needs to know of each candidate chunk: where it stands, its kind, its meeting date.
        Kept in memory once read, until an ingest changes the index: it would otherwise cost a fifth of a search."""
        known = self.store.memo("facts")
        missing = [chunk_id for chunk_id in ids if chunk_id not in known]
        if missing:
            known.update(self._read_facts(missing))
        return {chunk_id: known[chunk_id] for chunk_id in ids if chunk_id in known}

    def _read_facts(self, ids: Sequence[int]) -> dict[int, ChunkFacts]:
        placeholders = ", ".join("?" for _ in ids)
        rows = self.store.db.execute(
            f"SELECT c.id, c.document_id, c.item_id, c.position, c.char_start, c.char_end, c.kind, m.date, "
            f"i.procedural FROM chunks c {CHUNK_JOINS} WHERE c.id IN ({placeholders})",
            list(ids),
        ).fetchall()
        return {row[0]: ChunkFacts(*row[1:8], bool(row[8])) for row in rows}

    def rows(self, ids: Sequence[int]) -> dict[int, dict]:
        if not ids:
            return {}
        placeholders = ", ".join("?" for _ in ids)
        rows = self.store.db.execute_returning_dicts(f"{PASSAGE_SELECT} WHERE c.id IN ({placeholders})", list(ids))
        return {row["id"]: row for row in rows}

    def item_of(self, chunk_id: int) -> dict | None:
        """The whole agenda item a passage is in, as a passage row: from its first passage's start to its last one's
        end in the document's text, verbatim; None when no such passage is indexed."""
        rows = self.store.db.execute_returning_dicts(
            "SELECT i.id, MIN(c.char_start) AS char_start, MAX(c.char_end) AS char_end, MAX(c.ocr) AS ocr, "
            "'text' AS kind, NULL AS speakers, substr(d.text, MIN(c.char_start) + 1, MAX(c.char_end) - "
            "MIN(c.char_start)) AS text, d.path AS document, d.url, d.page_starts, m.council, m.committee, m.date, "
            f"i.number AS item_number, i.title AS item FROM chunks c {CHUNK_JOINS} "
            "WHERE c.item_id = (SELECT item_id FROM chunks WHERE id = ?) GROUP BY i.id",
            [chunk_id],
        )
        return rows[0] if rows else None

    def committees_named(self, words: str) -> list[str]:
        """The indexed committees whose name, or their council's, contains `words` (any case)."""
        where, params = Filters(committee=words).sql()
        rows = self.store.db.execute(
            f"SELECT DISTINCT m.committee FROM meetings m WHERE m.committee IS NOT NULL AND {where} ORDER BY 1", params
        ).fetchall()
        return [row[0] for row in rows]

    def latest_item_titles(self, count: int) -> list[str]:
        """Titles of the latest meetings' agenda items that are not procedure, newest first."""
        rows = self.store.db.execute(
            "SELECT DISTINCT i.title FROM items i JOIN meetings m ON m.id = i.meeting_id "
            "WHERE i.title IS NOT NULL AND NOT i.procedural ORDER BY m.date DESC LIMIT ?",
            [count],
        ).fetchall()
        return [row[0] for row in rows]
