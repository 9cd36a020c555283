"""The documents in the index, and all that hangs on each (its meetings, agenda items, passages with their
embeddings, register entries): saved in one transaction, replaced, taken out, and how each was read."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import follow_up
from .chunk import Chunk
from .dates import utc_timestamp
from .document import Document, Meeting
from .filters import like_escape
from .promises import Entry

if TYPE_CHECKING:
    from .store import Store


class Documents:
    """Writes of whole documents, each bumping the index's generation, and what was read from each."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def fingerprint(self, source: str) -> str | None:
        rows = list(self.store.db.query("SELECT fingerprint FROM documents WHERE source = ?", [source]))
        return rows[0]["fingerprint"] if rows else None

    def _meeting_id(self, meeting: Meeting) -> int | None:
        """The row of the meeting a document records; one row for a meeting however many documents record it, one
        of them naming the council and another not."""
        if meeting.committee is None and meeting.date is None and meeting.council is None:
            return None
        record = {
            "council": meeting.council,
            "committee": meeting.committee,
            "date": meeting.date.isoformat() if meeting.date else None,
        }
        rows = list(
            self.store.db.query(
                "SELECT id, council FROM meetings WHERE committee IS :committee AND date IS :date "
                "AND (council IS :council OR council IS NULL OR :council IS NULL) ORDER BY council IS NULL",
                record,
            )
        )
        if not rows:
            return self.store.db["meetings"].insert(record).last_pk
        if rows[0]["council"] is None and meeting.council:
            self.store.db["meetings"].update(rows[0]["id"], {"council": meeting.council})
        return rows[0]["id"]

    def save(
        self,
        document: Document,
        source: str,
        fingerprint: str,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        entries: Sequence[Entry] = (),
    ) -> None:
        """Write one document with its items, chunks, vectors and register entries in one transaction, replacing
        any earlier version."""
        with self.store.db.atomic():
            first_seen = self._first_generations(source)
            committees = self._delete([source])
            generation = self.store.generation + 1
            meeting_ids = [self._meeting_id(meeting) for meeting in document.meetings]
            document_id = (
                self.store.db["documents"]
                .insert(
                    {
                        "path": document.path,
                        "source": source,
                        "format": document.format,
                        "title": document.title,
                        "url": document.url,
                        "meeting_id": meeting_ids[0],
                        "fingerprint": fingerprint,
                        "characters": len(document.text),
                        "text": document.text,
                        "ingested_at": utc_timestamp(),
                        "date_source": document.meeting.date_source,
                        "committee_from_text": int(document.meeting.committee_from_text),
                        "ocr_pages": document.ocr_pages,
                        "unread_pages": document.unread_pages,
                        "page_starts": json.dumps(document.page_starts) if document.page_starts else None,
                    }
                )
                .last_pk
            )
            item_ids = [
                self.store.db["items"]
                .insert(
                    {
                        "document_id": document_id,
                        "meeting_id": meeting_ids[item.meeting],
                        "position": position,
                        "number": item.number,
                        "title": item.title,
                        "procedural": int(item.procedural),
                    }
                )
                .last_pk
                for position, item in enumerate(document.items)
            ]
            self.store.db["chunks"].insert_all(
                {
                    "document_id": document_id,
                    "item_id": item_ids[chunk.item_index],
                    "position": position,
                    "char_start": chunk.start,
                    "char_end": chunk.end,
                    "kind": chunk.kind,
                    "speakers": ", ".join(chunk.speakers) or None,
                    "context": chunk.context,
                    "text": document.text[chunk.start : chunk.end],
                    "embedding": vector.astype(np.float32).tobytes(),
                    "generation": generation,
                    "first_generation": first_seen.get(document.text[chunk.start : chunk.end], generation),
                    "ocr": int(chunk.ocr),
                }
                for position, (chunk, vector) in enumerate(zip(chunks, vectors, strict=True))
            )
            self.store.db["register"].insert_all(
                {
                    "document_id": document_id,
                    "item_id": item_ids[entry.item_index],
                    "meeting_id": meeting_ids[document.items[entry.item_index].meeting],
                    "kind": entry.kind,
                    "char_start": entry.start,
                    "char_end": entry.end,
                    "text": document.text[entry.start : entry.end],
                    "owner": entry.owner,
                    "due": entry.due.isoformat() if entry.due else None,
                    "due_phrase": entry.due_phrase,
                    "due_at_next_meeting": int(entry.due_at_next_meeting),
                    "promise": int(entry.promise),
                }
                for entry in entries
            )
            follow_up.resolve(self.store.db, committees | {meeting.committee for meeting in document.meetings})
            self.store.set_setting("generation", str(generation))

    def _first_generations(self, source: str) -> dict[str, int]:
        """The passages of the document now at `source`, by their text, with the generation each first entered it:
        a passage that a new version keeps is not new."""
        rows = self.store.db.execute(
            "SELECT c.text, MIN(c.first_generation) FROM chunks c JOIN documents d ON d.id = c.document_id "
            "WHERE d.source = ? GROUP BY c.text",
            [source],
        ).fetchall()
        return dict(rows)

    def _delete(self, sources: Iterable[str]) -> set[str | None]:
        """Delete these documents and what hangs on them; returns the committees whose meetings they recorded."""
        committees: set[str | None] = set()
        for source in sources:
            rows = list(self.store.db.query("SELECT id FROM documents WHERE source = ?", [source]))
            for row in rows:
                committees.update(
                    meeting["committee"]
                    for meeting in self.store.db.query(
                        "SELECT DISTINCT m.committee FROM items i JOIN meetings m ON m.id = i.meeting_id "
                        "WHERE i.document_id = ?",
                        [row["id"]],
                    )
                )
                self.store.db.execute("DELETE FROM register WHERE document_id = ?", [row["id"]])
                self.store.db.execute("DELETE FROM chunks WHERE document_id = ?", [row["id"]])
                self.store.db.execute("DELETE FROM items WHERE document_id = ?", [row["id"]])
                self.store.db.execute("DELETE FROM documents WHERE id = ?", [row["id"]])
        self.store.db.execute(
            "DELETE FROM meetings WHERE id NOT IN (SELECT meeting_id FROM documents WHERE meeting_id IS NOT NULL) "
            "AND id NOT IN (SELECT meeting_id FROM items WHERE meeting_id IS NOT NULL)"
        )
        return committees

    def remove(self, source: str) -> list[str]:
        """Take out the document at `source`, or every document under it when it is a folder; returns their paths."""
        rows = list(
            self.store.db.query(
                "SELECT source, path FROM documents WHERE source = :source OR source LIKE :folder ESCAPE '\\'",
                {"source": source, "folder": like_escape(source.rstrip(os.sep) + os.sep) + "%"},
            )
        )
        self._remove([row["source"] for row in rows])
        return [row["path"] for row in rows]

    def remove_source(self, source: str) -> bool:
        """Take out the one document whose source is exactly `source` (a web page has nothing under it)."""
        found = self.fingerprint(source) is not None
        self._remove([source] if found else [])
        return found

    def _remove(self, sources: list[str]) -> None:
        if sources:
            with self.store.db.atomic():
                follow_up.resolve(self.store.db, self._delete(sources))
                self.store.set_setting("generation", str(self.store.generation + 1))

    def under(self, prefix: str) -> list[dict]:
        """Sources starting with `prefix` (one ModernGov committee's meeting pages, say), with their meeting's date
        and how many agenda items each has."""
        return list(
            self.store.db.query(
                "SELECT d.source, m.date, (SELECT COUNT(*) FROM items i WHERE i.document_id = d.id) AS items "
                "FROM documents d LEFT JOIN meetings m ON m.id = d.meeting_id "
                "WHERE d.source LIKE :prefix ESCAPE '\\' ORDER BY m.date, d.source",
                {"prefix": like_escape(prefix) + "%"},
            )
        )

    def readings(self) -> list[dict]:
        """How each document was read: its path, where its date came from, whether its text named the committee,
        pages read by OCR, and the dates of the meetings its items belong to (comma-separated)."""
        return list(
            self.store.db.query(
                "SELECT d.path, d.date_source, d.committee_from_text, d.ocr_pages, "
                "(SELECT group_concat(DISTINCT m.date) FROM items i JOIN meetings m ON m.id = i.meeting_id "
                "WHERE i.document_id = d.id) AS dates FROM documents d"
            )
        )
