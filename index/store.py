"""The one store of the index: SQLite through sqlite-utils, with the vectors in a FAISS file beside it.

Every document is written in one transaction with its items, chunks, embeddings and
register entries; the vector file follows the database (`index.vectors`). Every query
the index runs is here, so that the schema (`index.migrations`) has one reader.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import faiss
import numpy as np
import sqlite_utils

from . import follow_up
from .chunk import Chunk
from .dates import utc_timestamp
from .document import Document, Meeting, Reading
from .filters import Filters, like_escape
from .migrations import FTS_TOKENIZER, REGISTER_JOINS, REGISTER_READ_BY_OCR, REGISTER_STATUS, NewerSchema, migrate
from .promises import Entry
from .vectors import VectorFile, vector_index_kind

DATABASE_NAME = "minutebook.db"
logger = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 5000
KEYWORD_POSTINGS = 10_000


class StoreError(Exception):
    """A problem with the index a person can fix; the message says how."""


class ChunkFacts(NamedTuple):
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


class Store:
    """The index in one folder: the database, and the vector file that follows it."""

    def __init__(self, directory: str | Path, create: bool = False) -> None:
        self.directory = Path(directory)
        path = self.directory / DATABASE_NAME
        if not path.exists() and not create:
            raise StoreError(
                f"There is no Minutebook index in '{self.directory}': ingest some minutes first "
                f"(minutebook ingest PATH --index {self.directory}) or point --index / MINUTEBOOK_INDEX at one."
            )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the index folder '{self.directory}': {error.strerror}.") from error
        existed = path.exists()
        try:
            # One connection, shared by the bot's worker threads; callers that share it serialise access.
            self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            upgraded = migrate(self.db)
        except sqlite3.OperationalError as error:
            raise StoreError(self._unopenable(error)) from None
        except NewerSchema as error:
            raise StoreError(
                f"The index in '{self.directory}' was written by a newer Minutebook (its schema has {error}, which "
                "this version does not know): run that version or a newer one, which reads it correctly."
            ) from None
        if existed and upgraded:
            logger.warning(
                "Upgraded the index in '%s' in place to this version's schema (%s).",
                self.directory,
                ", ".join(upgraded),
            )
        self._vector_file = VectorFile(self.directory, self.db)
        self._memos: dict[str, dict] = {}
        self._memos_generation = -1
        self._vocabulary_ready = False

    def _unopenable(self, error: sqlite3.OperationalError) -> str:
        """Why the database cannot be opened, as one sentence with the fix: most often a folder this user may not
        write to (a host folder mounted into the container, owned by root)."""
        try:
            tempfile.TemporaryFile(dir=self.directory).close()
            writable = True
        except OSError:
            writable = False
        if not writable:
            user = os.getuid() if hasattr(os, "getuid") else "this user"
            return (
                f"The index folder '{self.directory}' is not writable by this user (uid {user}): give it to that user "
                f"(chown -R {user} on the host folder), or run as its owner (docker run --user UID)."
            )
        return f"Cannot open the index in '{self.directory}' ({error}): check the folder and its {DATABASE_NAME}."

    def backup(self, target: str | Path) -> Store:
        """A consistent copy of this index in `target`, a new or empty folder, safe to take while the bot or an
        ingest writes: the database through SQLite's backup, and a vector file built from the copy's own embeddings
        (so that it matches the copy, whatever the writers were doing). Open the copy as an index to restore it."""
        target = Path(target)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise StoreError(
                f"'{target}' already exists and is not an empty folder: back up into a new folder, so that nothing "
                "there is overwritten."
            )
        try:
            target.mkdir(parents=True, exist_ok=True)
            copy = sqlite3.connect(target / DATABASE_NAME)
            try:
                self.db.conn.backup(copy)
            finally:
                copy.close()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"Cannot back up the index into '{target}' ({error}): check that folder.") from None
        backup = Store(target)
        backup.sync_vectors()
        return backup

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent view of the index for the several reads of a search: they all see the same
        generation, and SQLite takes its read lock once instead of once per statement."""
        with self.db.atomic():
            yield

    def setting(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM settings WHERE key = ?", [key]))
        return rows[0]["value"] if rows else None

    def _set(self, key: str, value: str) -> None:
        self.db["settings"].upsert({"key": key, "value": value}, pk="key")

    @property
    def model(self) -> str | None:
        return self.setting("model")

    @property
    def generation(self) -> int:
        return int(self.setting("generation") or 0)

    def check_model(self, name: str) -> None:
        """Refuse a second embedding model for this index, since vectors of two models don't mix."""
        recorded = self.model
        if recorded is not None and recorded != name:
            raise StoreError(
                f"The index in '{self.directory}' was built with the embedding model '{recorded}', not '{name}': "
                f"use '{recorded}', or build a new index for '{name}' in another folder with --index."
            )

    def claim_model(self, name: str, dimension: int, backend: str = "torch") -> None:
        """Record the embedding model of this index (and the backend that ran it) the first time anything is
        embedded into it."""
        self.check_model(name)
        if self.model is None:
            with self.db.atomic():
                self._set("model", name)
                self._set("dimension", str(dimension))
                self._set("backend", backend)

    def fingerprint(self, source: str) -> str | None:
        rows = list(self.db.query("SELECT fingerprint FROM documents WHERE source = ?", [source]))
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
            self.db.query(
                "SELECT id, council FROM meetings WHERE committee IS :committee AND date IS :date "
                "AND (council IS :council OR council IS NULL OR :council IS NULL) ORDER BY council IS NULL",
                record,
            )
        )
        if not rows:
            return self.db["meetings"].insert(record).last_pk
        if rows[0]["council"] is None and meeting.council:
            self.db["meetings"].update(rows[0]["id"], {"council": meeting.council})
        return rows[0]["id"]

    def save_document(
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
        with self.db.atomic():
            first_seen = self._first_generations(source)
            committees = self._delete_documents([source])
            generation = self.generation + 1
            meeting_ids = [self._meeting_id(meeting) for meeting in document.meetings]
            document_id = (
                self.db["documents"]
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
                self.db["items"]
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
            self.db["chunks"].insert_all(
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
            self.db["register"].insert_all(
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
            follow_up.resolve(self.db, committees | {meeting.committee for meeting in document.meetings})
            self._set("generation", str(generation))

    def _first_generations(self, source: str) -> dict[str, int]:
        """The passages of the document now at `source`, by their text, with the generation each first entered it:
        a passage that a new version keeps is not new."""
        rows = self.db.execute(
            "SELECT c.text, MIN(c.first_generation) FROM chunks c JOIN documents d ON d.id = c.document_id "
            "WHERE d.source = ? GROUP BY c.text",
            [source],
        ).fetchall()
        return dict(rows)

    def _delete_documents(self, sources: Iterable[str]) -> set[str | None]:
        """Delete these documents and what hangs on them; returns the committees whose meetings they recorded."""
        committees: set[str | None] = set()
        for source in sources:
            rows = list(self.db.query("SELECT id FROM documents WHERE source = ?", [source]))
            for row in rows:
                committees.update(
                    meeting["committee"]
                    for meeting in self.db.query(
                        "SELECT DISTINCT m.committee FROM items i JOIN meetings m ON m.id = i.meeting_id "
                        "WHERE i.document_id = ?",
                        [row["id"]],
                    )
                )
                self.db.execute("DELETE FROM register WHERE document_id = ?", [row["id"]])
                self.db.execute("DELETE FROM chunks WHERE document_id = ?", [row["id"]])
                self.db.execute("DELETE FROM items WHERE document_id = ?", [row["id"]])
                self.db.execute("DELETE FROM documents WHERE id = ?", [row["id"]])
        self.db.execute(
            "DELETE FROM meetings WHERE id NOT IN (SELECT meeting_id FROM documents WHERE meeting_id IS NOT NULL) "
            "AND id NOT IN (SELECT meeting_id FROM items WHERE meeting_id IS NOT NULL)"
        )
        return committees

    def remove(self, source: str) -> list[str]:
        """Take out the document at `source`, or every document under it when it is a folder; returns their paths."""
        rows = list(
            self.db.query(
                "SELECT source, path FROM documents WHERE source = :source OR source LIKE :folder ESCAPE '\\'",
                {"source": source, "folder": like_escape(source.rstrip(os.sep) + os.sep) + "%"},
            )
        )
        self._remove_sources([row["source"] for row in rows])
        return [row["path"] for row in rows]

    def remove_source(self, source: str) -> bool:
        """Take out the one document whose source is exactly `source` (a web page has nothing under it)."""
        found = self.fingerprint(source) is not None
        self._remove_sources([source] if found else [])
        return found

    def _remove_sources(self, sources: list[str]) -> None:
        if sources:
            with self.db.atomic():
                follow_up.resolve(self.db, self._delete_documents(sources))
                self._set("generation", str(self.generation + 1))

    def documents_from(self, prefix: str) -> list[dict]:
        """Sources starting with `prefix` (one ModernGov committee's meeting pages, say), with their meeting's date
        and how many agenda items each has."""
        return list(
            self.db.query(
                "SELECT d.source, m.date, (SELECT COUNT(*) FROM items i WHERE i.document_id = d.id) AS items "
                "FROM documents d LEFT JOIN meetings m ON m.id = d.meeting_id "
                "WHERE d.source LIKE :prefix ESCAPE '\\' ORDER BY m.date, d.source",
                {"prefix": like_escape(prefix) + "%"},
            )
        )

    def save_source(self, record: dict) -> None:
        """Record how a sync of one ModernGov committee went (see the `sources` table)."""
        self.db["sources"].upsert(record, pk=("site", "committee_id"))

    def sources(self) -> list[dict]:
        """The ModernGov committees synced into this index, with when and how much."""
        return list(self.db.query("SELECT * FROM sources ORDER BY site, committee"))

    def save_calendar(
        self,
        site: str,
        committee_id: str,
        committee: str,
        meetings: Iterable[tuple[str, dt.date, str]],
        since: dt.date,
        until: dt.date,
    ) -> None:
        """Record the meetings (id, date, status) a ModernGov site lists for a committee from `since` to `until`,
        in place of those it listed before for those days, and work out again when its entries fall due."""
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM meeting_calendar WHERE site = ? AND committee_id = ? AND date BETWEEN ? AND ?",
                [site, committee_id, since.isoformat(), until.isoformat()],
            )
            self.db["meeting_calendar"].upsert_all(
                (
                    {
                        "site": site,
                        "meeting_id": meeting_id,
                        "committee_id": committee_id,
                        "committee": committee,
                        "date": date.isoformat(),
                        "status": status,
                    }
                    for meeting_id, date, status in meetings
                ),
                pk=("site", "meeting_id"),
            )
            follow_up.resolve(self.db, [committee])

    def next_meeting(self, committee: str, after: dt.date) -> dt.date | None:
        """The committee's first meeting after `after` that a synced ModernGov site lists and has not cancelled."""
        rows = self.db.execute(
            f"SELECT MIN(date) FROM meeting_calendar WHERE committee = ? AND date > ? AND {follow_up.HELD}",
            [committee, after.isoformat()],
        ).fetchall()
        return dt.date.fromisoformat(rows[0][0]) if rows[0][0] else None

    def meetings_after(self, after: dt.date, committees: list[str] | None = None) -> list[dict]:
        """The meetings synced ModernGov sites list after `after` and have not cancelled, soonest first, with their
        site, committee and ids; those of `committees` only, when given."""
        wanted = f"AND committee IN ({', '.join('?' for _ in committees)})" if committees is not None else ""
        rows = self.db.execute_returning_dicts(
            "SELECT site, committee_id, meeting_id, committee, date FROM meeting_calendar "
            f"WHERE date > ? AND {follow_up.HELD} {wanted} ORDER BY date, committee",
            [after.isoformat(), *(committees or [])],
        )
        return [{**row, "date": dt.date.fromisoformat(row["date"])} for row in rows]

    def vectors(self) -> faiss.Index:
        """The FAISS index of the current generation (see `index.vectors`)."""
        return self._vector_file.current(self.generation)

    def sync_vectors(self) -> None:
        """Bring the FAISS file up to date after a round of writes."""
        self.vectors()

    def allowed_ids(self, filters: Filters) -> np.ndarray:
        where, params = filters.sql()
        rows = self.db.execute(f"SELECT c.id FROM chunks c {CHUNK_JOINS} WHERE {where}", params).fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64)

    def keyword_search(self, terms: Sequence[str], limit: int, filters: Filters) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores (higher is better) for chunks with any of `terms`.

        In a large index a common word is in so many chunks that scoring them all would take most of a search's
        time while adding little, so the rarest terms are searched as long as their chunks add up to at most
        `KEYWORD_POSTINGS`; when even the rarest term is in more, chunks must have the two rarest (a question of
        one such word is left to vector search). The joins that filters need are left out when there are none."""
        match = self._keyword_match(terms)
        if match is None:
            return []
        where, params = filters.sql()
        joins = f"JOIN chunks c ON c.id = chunks_fts.rowid {CHUNK_JOINS}" if filters else ""
        rows = self.db.execute(
            f"SELECT chunks_fts.rowid, -bm25(chunks_fts, 0.5, 1.0) AS score FROM chunks_fts {joins} "
            f"WHERE chunks_fts MATCH :match AND {where} ORDER BY score DESC LIMIT :limit",
            {"match": match, "limit": limit, **params},
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def _keyword_match(self, terms: Sequence[str]) -> str | None:
        frequencies = self.chunk_frequencies(terms)
        rarest_first = sorted(terms, key=frequencies.__getitem__)
        if rarest_first and frequencies[rarest_first[0]] > KEYWORD_POSTINGS:
            return fts_match(rarest_first[:2], "AND") if len(rarest_first) > 1 else None
        kept, postings = [], 0
        for term in rarest_first:
            postings += frequencies[term]
            if postings > KEYWORD_POSTINGS:
                break
            kept.append(term)
        return fts_match(kept)

    def chunk_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """How many chunks contain each term, as full-text search reads it (stemmed; for "council's", the rarer
        of its two words). Counting a common word's chunks takes milliseconds, so counts are kept in memory
        until an ingest changes the index."""
        known = self._memo("frequencies")
        missing = [term for term in dict.fromkeys(terms) if term not in known]
        if missing:
            with self.db.atomic():  # the scratch table's writes must not leave a transaction open
                counted = self._count_chunks_with(missing)
            known.update({term: counted.get(position, 0) for position, term in enumerate(missing)})
        return {term: known[term] for term in terms}

    def _count_chunks_with(self, terms: list[str]) -> dict[int, int]:
        """Chunks holding each term, by its position in `terms`: FTS5 tokenises the terms in a scratch table, and
        its vocabulary of the chunks gives each token's count."""
        if not self._vocabulary_ready:
            self.db.execute(f"CREATE VIRTUAL TABLE temp.question_terms USING fts5(words, tokenize='{FTS_TOKENIZER}')")
            self.db.execute("CREATE VIRTUAL TABLE temp.question_tokens USING fts5vocab(temp, question_terms, instance)")
            self.db.execute("CREATE VIRTUAL TABLE temp.chunk_tokens USING fts5vocab(main, chunks_fts, row)")
            self._vocabulary_ready = True
        self.db.execute("DELETE FROM temp.question_terms")
        self.db.conn.executemany("INSERT INTO temp.question_terms (rowid, words) VALUES (?, ?)", enumerate(terms))
        rows = self.db.execute(
            "SELECT q.doc, MIN(COALESCE(c.doc, 0)) FROM temp.question_tokens q "
            "LEFT JOIN temp.chunk_tokens c ON c.term = q.term GROUP BY q.doc"
        ).fetchall()
        return dict(rows)

    def chunk_facts(self, ids: Sequence[int]) -> dict[int, ChunkFacts]:
        """What re-ranking needs to know of each candidate chunk: where it stands, its kind, its meeting date.
        Kept in memory once read, until an ingest changes the index: it would otherwise cost a fifth of a search."""
        known = self._memo("facts")
        missing = [chunk_id for chunk_id in ids if chunk_id not in known]
        if missing:
            known.update(self._read_facts(missing))
        return {chunk_id: known[chunk_id] for chunk_id in ids if chunk_id in known}

    def _memo(self, name: str) -> dict:
        """A cache of facts about the index that holds until an ingest changes it."""
        generation = self.generation
        if generation != self._memos_generation:
            self._memos, self._memos_generation = {}, generation
        return self._memos.setdefault(name, {})

    def _read_facts(self, ids: Sequence[int]) -> dict[int, ChunkFacts]:
        placeholders = ", ".join("?" for _ in ids)
        rows = self.db.execute(
            f"SELECT c.id, c.document_id, c.item_id, c.position, c.char_start, c.char_end, c.kind, m.date, "
            f"i.procedural FROM chunks c {CHUNK_JOINS} WHERE c.id IN ({placeholders})",
            list(ids),
        ).fetchall()
        return {row[0]: ChunkFacts(*row[1:8], bool(row[8])) for row in rows}

    def register_ids_in(self, chunk_id: int) -> list[int]:
        """The register entries whose text lies (at least partly) in a chunk, in reading order."""
        rows = self.db.execute(
            "SELECT r.id FROM register r JOIN chunks c ON c.document_id = r.document_id "
            "WHERE c.id = ? AND r.char_start < c.char_end AND r.char_end > c.char_start ORDER BY r.char_start",
            [chunk_id],
        ).fetchall()
        return [row[0] for row in rows]

    def register_rows(self, filters: Filters, as_of: dt.date) -> list[dict]:
        """Register entries of meetings that `filters` allow, oldest meeting first, with their status as of `as_of`,
        what citing them needs, the later item that followed them up, and whether their text was read by OCR."""
        where, params = filters.sql()
        status = REGISTER_STATUS.format(as_of=":as_of")
        return list(
            self.db.execute_returning_dicts(
                f"SELECT r.id, r.kind, r.text, r.owner, r.due_by, r.due_phrase, {status} AS status, m.council, "
                "m.committee, m.date, i.title AS item, i.number AS item_number, "
                "d.path AS document, d.url, lm.date AS later_date, li.title AS later_item, ld.path AS later_document, "
                f"ld.url AS later_url, {REGISTER_READ_BY_OCR} AS ocr {REGISTER_JOINS} WHERE {where} "
                "ORDER BY m.date, r.id",
                {**params, "as_of": as_of.isoformat()},
            )
        )

    def committees_named(self, words: str) -> list[str]:
        """The indexed committees whose name, or their council's, contains `words` (any case)."""
        where, params = Filters(committee=words).sql()
        rows = self.db.execute(
            f"SELECT DISTINCT m.committee FROM meetings m WHERE m.committee IS NOT NULL AND {where} ORDER BY 1", params
        ).fetchall()
        return [row[0] for row in rows]

    @property
    def chunk_count(self) -> int:
        return self.db["chunks"].count

    def document_readings(self) -> list[dict]:
        """How each document was read: its path, where its date came from, whether its text named the committee,
        pages read by OCR, and the dates of the meetings its items belong to (comma-separated)."""
        return list(
            self.db.query(
                "SELECT d.path, d.date_source, d.committee_from_text, d.ocr_pages, "
                "(SELECT group_concat(DISTINCT m.date) FROM items i JOIN meetings m ON m.id = i.meeting_id "
                "WHERE i.document_id = d.id) AS dates FROM documents d"
            )
        )

    def latest_item_titles(self, count: int) -> list[str]:
        """Titles of the latest meetings' agenda items that are not procedure, newest first."""
        rows = self.db.execute(
            "SELECT DISTINCT i.title FROM items i JOIN meetings m ON m.id = i.meeting_id "
            "WHERE i.title IS NOT NULL AND NOT i.procedural ORDER BY m.date DESC LIMIT ?",
            [count],
        ).fetchall()
        return [row[0] for row in rows]

    def passages(self, ids: Sequence[int]) -> dict[int, dict]:
        if not ids:
            return {}
        placeholders = ", ".join("?" for _ in ids)
        rows = self.db.execute_returning_dicts(f"{PASSAGE_SELECT} WHERE c.id IN ({placeholders})", list(ids))
        return {row["id"]: row for row in rows}

    def item_of(self, chunk_id: int) -> dict | None:
        """The whole agenda item a passage is in, as a passage row: from its first passage's start to its last one's
        end in the document's text, verbatim; None when no such passage is indexed."""
        rows = self.db.execute_returning_dicts(
            "SELECT i.id, MIN(c.char_start) AS char_start, MAX(c.char_end) AS char_end, MAX(c.ocr) AS ocr, "
            "'text' AS kind, NULL AS speakers, substr(d.text, MIN(c.char_start) + 1, MAX(c.char_end) - "
            "MIN(c.char_start)) AS text, d.path AS document, d.url, d.page_starts, m.council, m.committee, m.date, "
            f"i.number AS item_number, i.title AS item FROM chunks c {CHUNK_JOINS} "
            "WHERE c.item_id = (SELECT item_id FROM chunks WHERE id = ?) GROUP BY i.id",
            [chunk_id],
        )
        return rows[0] if rows else None

    def status(self) -> dict:
        """What is indexed: committees with their meeting counts and dates, totals, last ingest, and how each
        document was read."""
        committees = list(
            self.db.query(
                "SELECT MAX(council) AS council, committee, COUNT(*) AS meetings, MIN(date) AS first, "
                "MAX(date) AS last FROM meetings GROUP BY committee ORDER BY committee"
            )
        )
        readings = [
            Reading(
                row["path"],
                row["date_source"] or ("not recorded" if row["date"] else None),
                # named by the text, by --committee (a committee the text did not give), or by ModernGov
                row["committee_from_text"] is None
                or bool(row["committee_from_text"] or row["committee"] or row["url"]),
                row["ocr_pages"],
                row["unread_pages"],
                bool(row["items_read"]),
            )
            for row in self.db.query(
                "SELECT d.path, d.url, d.date_source, d.committee_from_text, d.ocr_pages, d.unread_pages, m.date, "
                "m.committee, EXISTS (SELECT 1 FROM items i WHERE i.document_id = d.id AND i.title IS NOT NULL) "
                "AS items_read FROM documents d LEFT JOIN meetings m ON m.id = d.meeting_id ORDER BY d.path"
            )
        ]
        totals = next(
            self.db.query(
                "SELECT (SELECT COUNT(*) FROM documents) AS documents, (SELECT COUNT(*) FROM meetings) AS meetings, "
                "(SELECT COUNT(*) FROM chunks) AS chunks, (SELECT MIN(date) FROM meetings) AS first, "
                "(SELECT MAX(date) FROM meetings) AS last, (SELECT MAX(ingested_at) FROM documents) AS last_ingest"
            )
        )
        return {
            **totals,
            "model": self.model,
            "vector_search": vector_index_kind(totals["chunks"]),
            "committees": committees,
            "readings": readings,
        }


def fts_match(terms: Sequence[str], operator: str = "OR") -> str | None:
    """An FTS5 MATCH expression that no user text can break: every term a quoted string, ORed (or ANDed)."""
    return f" {operator} ".join('"' + term.replace('"', '""') + '"' for term in terms) or None
