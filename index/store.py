"""The one store: SQLite through sqlite-utils, plus a FAISS file keyed by chunk row id.

SQLite is the source of truth: each document is written in one transaction, with
its chunks' embeddings, and bumps a `generation` counter. The FAISS file is named
after the generation it holds; when the file for the current generation is missing
(an ingest has just written, or was interrupted before it could write one), the
previous generation's index is brought up to date from the embeddings in SQLite, or
a new one built from them, so the two never disagree about which chunks exist.
Vector search is exact up to 100,000 chunks and an inverted file (IVF) above.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import faiss
import numpy as np
import sqlite_utils

from .chunk import Chunk
from .document import Document, Meeting, Reading
from .migrations import FTS_TOKENIZER, migrate
from .promises import Entry

DATABASE_NAME = "minutebook.db"
APPROXIMATE_ABOVE = 100_000
IVF_TRAINING_PER_LIST = 64
IVF_PROBE_SHARE = 1 / 12
KEYWORD_POSTINGS = 10_000


def approximate_above() -> int:
    """Above this many chunks vector search is approximate: $MINUTEBOOK_APPROXIMATE_ABOVE, else 100,000, where
    exact search starts to cost more than the rest of a search (docs/performance.md)."""
    value = os.environ.get("MINUTEBOOK_APPROXIMATE_ABOVE", "")
    return int(value) if value.isdigit() else APPROXIMATE_ABOVE


def ivf_lists(count: int) -> int:
    """Clusters of the inverted file: the power of two nearest the square root of the number of chunks, and no
    more than can be trained on at least 39 chunks each (a power of two too, so that small changes in size do
    not call for a new index)."""
    nearest = 2 ** round(np.log2(max(count, 1)) / 2)
    trainable = 2 ** int(np.log2(count // 39)) if count >= 39 else 0
    return min(nearest, trainable)


def ivf_probes(lists: int) -> int:
    """Clusters compared with each question."""
    return max(1, round(lists * IVF_PROBE_SHARE))


def vector_index_kind(count: int) -> str:
    """The vector index `count` chunks call for: "exact" up to `approximate_above()` (or when too few to cluster),
    else "IVF" and its number of clusters. An index is rebuilt when its size calls for another kind."""
    lists = ivf_lists(count)
    return "exact" if count <= approximate_above() or lists < 2 else f"IVF{lists}"


class StoreError(Exception):
    """A problem with the index a person can fix; the message says how."""


@dataclass(frozen=True)
class Filters:
    """Limits a search to a committee (any part of its name or its council's, any case), a date range (both ends
    included), and a document (any part of its path)."""

    committee: str | None = None
    after: dt.date | None = None
    before: dt.date | None = None
    document: str | None = None
    register: bool = False

    def __bool__(self) -> bool:
        return bool(self.committee or self.after or self.before or self.document or self.register)

    def describe(self) -> str:
        """The filters as a person would say them: committee “Cabinet” · after 1 January 2019."""
        parts = []
        if self.committee:
            parts.append(f"committee “{self.committee}”")
        if self.after:
            parts.append(f"on or after {self.after.day} {self.after:%B %Y}")
        if self.before:
            parts.append(f"on or before {self.before.day} {self.before:%B %Y}")
        if self.document:
            parts.append(f"document “{self.document}”")
        return " · ".join(parts)

    def to_record(self) -> dict:
        return {
            "committee": self.committee,
            "after": self.after.isoformat() if self.after else None,
            "before": self.before.isoformat() if self.before else None,
            "document": self.document,
        }

    @classmethod
    def from_record(cls, record: dict) -> Filters:
        dates = {key: dt.date.fromisoformat(record[key]) if record.get(key) else None for key in ("after", "before")}
        return cls(committee=record.get("committee"), document=record.get("document"), **dates)

    def merged(self, other: Filters) -> Filters:
        """These filters, with any that `other` sets taking their place."""
        return Filters(
            committee=other.committee or self.committee,
            after=other.after or self.after,
            before=other.before or self.before,
            document=other.document or self.document,
            register=other.register or self.register,
        )

    def sql(self) -> tuple[str, dict[str, str]]:
        """A WHERE clause over `meetings m`, `documents d` (and `chunks c` for the register), and its parameters."""
        clauses, params = ["1 = 1"], {}
        if self.committee:
            clauses.append("(m.committee LIKE :committee ESCAPE '\\' OR m.council LIKE :committee ESCAPE '\\')")
            params["committee"] = f"%{_like_escape(self.committee)}%"
        if self.after:
            clauses.append("m.date >= :after")
            params["after"] = self.after.isoformat()
        if self.before:
            clauses.append("m.date <= :before")
            params["before"] = self.before.isoformat()
        if self.document:
            clauses.append("d.path LIKE :document ESCAPE '\\'")
            params["document"] = f"%{_like_escape(self.document)}%"
        if self.register:
            clauses.append(
                "EXISTS (SELECT 1 FROM register r WHERE r.document_id = c.document_id "
                "AND r.char_start < c.char_end AND r.char_end > c.char_start)"
            )
        return " AND ".join(clauses), params


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
SELECT c.id, c.text, c.kind, c.speakers, c.char_start, c.char_end, c.ocr, d.path AS document, d.url,
       m.council, m.committee, m.date, i.number AS item_number, i.title AS item
FROM chunks c {CHUNK_JOINS}
"""


class Store:
    def __init__(self, directory: str | Path, create: bool = False) -> None:
        self.directory = Path(directory)
        path = self.directory / DATABASE_NAME
        if not path.exists() and not create:
            raise StoreError(
                f"There is no Minutebook index in '{self.directory}': ingest some minutes first "
                f"(python ingest.py PATH --index {self.directory}) or point --index / MINUTEBOOK_INDEX at one."
            )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the index folder '{self.directory}': {error.strerror}.") from error
        # One connection, shared by the bot's worker threads; callers that share it serialise access.
        self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        self.db.execute("PRAGMA busy_timeout = 5000")
        self.db.enable_wal()
        migrate(self.db)
        self._vectors: faiss.Index | None = None
        self._vectors_generation = -1
        self._memos: dict[str, dict] = {}
        self._memos_generation = -1
        self._vocabulary_ready = False

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
            self._delete_documents([source])
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
                        "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "date_source": document.meeting.date_source,
                        "committee_from_text": int(document.meeting.committee_from_text),
                        "ocr_pages": document.ocr_pages,
                        "unread_pages": document.unread_pages,
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
            self._set("generation", str(generation))

    def _delete_documents(self, sources: Iterable[str]) -> None:
        for source in sources:
            rows = list(self.db.query("SELECT id FROM documents WHERE source = ?", [source]))
            for row in rows:
                self.db.execute("DELETE FROM register WHERE document_id = ?", [row["id"]])
                self.db.execute("DELETE FROM chunks WHERE document_id = ?", [row["id"]])
                self.db.execute("DELETE FROM items WHERE document_id = ?", [row["id"]])
                self.db.execute("DELETE FROM documents WHERE id = ?", [row["id"]])
        self.db.execute(
            "DELETE FROM meetings WHERE id NOT IN (SELECT meeting_id FROM documents WHERE meeting_id IS NOT NULL) "
            "AND id NOT IN (SELECT meeting_id FROM items WHERE meeting_id IS NOT NULL)"
        )

    def remove(self, source: str) -> list[str]:
        """Take out the document at `source`, or every document under it when it is a folder; returns their paths."""
        rows = list(
            self.db.query(
                "SELECT source, path FROM documents WHERE source = :source OR source LIKE :folder ESCAPE '\\'",
                {"source": source, "folder": _like_escape(source.rstrip(os.sep) + os.sep) + "%"},
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
                self._delete_documents(sources)
                self._set("generation", str(self.generation + 1))

    def documents_from(self, prefix: str) -> list[dict]:
        """Sources starting with `prefix` (one ModernGov committee's meeting pages, say), with their meeting's date
        and how many agenda items each has."""
        return list(
            self.db.query(
                "SELECT d.source, m.date, (SELECT COUNT(*) FROM items i WHERE i.document_id = d.id) AS items "
                "FROM documents d LEFT JOIN meetings m ON m.id = d.meeting_id "
                "WHERE d.source LIKE :prefix ESCAPE '\\' ORDER BY m.date, d.source",
                {"prefix": _like_escape(prefix) + "%"},
            )
        )

    def save_source(self, record: dict) -> None:
        """Record how a sync of one ModernGov committee went (see the `sources` table)."""
        self.db["sources"].upsert(record, pk=("site", "committee_id"))

    def sources(self) -> list[dict]:
        """The ModernGov committees synced into this index, with when and how much."""
        return list(self.db.query("SELECT * FROM sources ORDER BY site, committee"))

    def vectors(self) -> faiss.Index:
        """The FAISS index for the current generation, loaded once and reloaded when an ingest has changed it."""
        generation = self.generation
        if self._vectors is not None and self._vectors_generation == generation:
            return self._vectors
        path = self.directory / f"vectors-{generation}.faiss"
        index = _read_vectors(path) if path.exists() else None
        if index is None or _index_kind(index) != vector_index_kind(index.ntotal):
            if self._vectors is not None:
                previous, previous_generation = self._vectors, self._vectors_generation
            else:
                previous, previous_generation = self._previous_vectors()
            index = self._updated_vectors(previous, previous_generation)
            self._write_vectors(index, generation)
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = ivf_probes(index.nlist)
        self._vectors, self._vectors_generation = index, generation
        return index

    def _previous_vectors(self) -> tuple[faiss.Index | None, int]:
        """The vector file of the latest earlier generation still there (an ingest replaces it), and its
        generation."""
        for path in sorted(self.directory.glob("vectors-*.faiss"), key=_file_generation, reverse=True):
            index = _read_vectors(path)
            if index is not None:
                return index, _file_generation(path)
        return None, -1

    def _updated_vectors(self, previous: faiss.Index | None, previous_generation: int) -> faiss.Index:
        """`previous`, the vector index of `previous_generation`, brought in line with the chunks in SQLite by
        removing the chunks gone or rewritten since and adding the rest, or a new index when there is none or
        the index's size now calls for another kind."""
        rows = self.db.execute("SELECT id, generation FROM chunks ORDER BY id").fetchall()
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        if previous is None or _index_kind(previous) != vector_index_kind(len(ids)):
            return self._build_vectors(ids)
        rewritten = ids[np.array([row[1] > previous_generation for row in rows], dtype=bool)]
        held = held_ids(previous)
        stale = np.union1d(np.setdiff1d(held, ids), np.intersect1d(held, rewritten))
        if len(stale):
            # An IVF's id table removes from a plain list; a flat index checks each id against a hashed set.
            selector = faiss.IDSelectorArray if isinstance(previous, faiss.IndexIVF) else faiss.IDSelectorBatch
            previous.remove_ids(selector(stale))
        self._add_vectors(previous, np.setdiff1d(ids, np.setdiff1d(held, stale)))
        return previous

    def _build_vectors(self, ids: np.ndarray) -> faiss.Index:
        """Exact search up to `approximate_above()` chunks; beyond it an inverted file (IVF), which compares a
        question with the vectors of the few clusters nearest to it (docs/performance.md)."""
        dimension = int(self.setting("dimension") or 384)
        kind = vector_index_kind(len(ids))
        if kind == "exact":
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        else:
            lists = ivf_lists(len(ids))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(0).choice(ids, min(len(ids), IVF_TRAINING_PER_LIST * lists), replace=False)
            faiss.omp_set_num_threads(os.cpu_count() or 1)
            index.train(self._embeddings(np.sort(sample))[1])
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
        self._add_vectors(index, ids)
        return index

    def _add_vectors(self, index: faiss.Index, ids: np.ndarray) -> None:
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        for start in range(0, len(ids), 50_000):
            found, matrix = self._embeddings(ids[start : start + 50_000])
            index.add_with_ids(matrix, found)

    def _embeddings(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The stored vectors of these chunks, as (ids, matrix)."""
        rows = self.db.execute(
            "SELECT id, embedding FROM chunks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json.dumps(ids.tolist())],
        ).fetchall()
        dimension = int(self.setting("dimension") or 384)
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), dimension)
        return np.array([row[0] for row in rows], dtype=np.int64), matrix

    def _write_vectors(self, index: faiss.Index, generation: int) -> None:
        """Write atomically (temporary file, then rename) and drop files of older generations."""
        target = self.directory / f"vectors-{generation}.faiss"
        partial = target.with_suffix(".faiss.partial")
        try:
            faiss.write_index(index, str(partial))
            os.replace(partial, target)
        except (OSError, RuntimeError):
            partial.unlink(missing_ok=True)
            return
        for old in self.directory.glob("vectors-*.faiss"):
            if old != target:
                old.unlink(missing_ok=True)

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

    def passages(self, ids: Sequence[int]) -> dict[int, dict]:
        if not ids:
            return {}
        placeholders = ", ".join("?" for _ in ids)
        rows = self.db.execute_returning_dicts(f"{PASSAGE_SELECT} WHERE c.id IN ({placeholders})", list(ids))
        return {row["id"]: row for row in rows}

    def save_answer(
        self,
        question: str,
        filters: Filters,
        answered: bool,
        passages: list[dict],
        user_id: str,
        channel_id: str | None,
    ) -> int:
        """Keep an answer the bot gave, so that it can be shared to the channel and rated later."""
        return (
            self.db["answers"]
            .insert(
                {
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "question": question,
                    "filters": json.dumps(filters.to_record()),
                    "answered": int(answered),
                    "passages": json.dumps(passages, ensure_ascii=False),
                    "user_id": user_id,
                    "channel_id": channel_id,
                }
            )
            .last_pk
        )

    def saved_answer(self, answer_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM answers WHERE id = ?", [answer_id]))
        if not rows:
            return None
        row = rows[0]
        return {
            **row,
            "filters": Filters.from_record(json.loads(row["filters"])),
            "passages": json.loads(row["passages"]),
        }

    def save_feedback(self, answer_id: int, user_id: str, helpful: bool) -> None:
        self.db["feedback"].insert(
            {
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "answer_id": answer_id,
                "user_id": user_id,
                "helpful": int(helpful),
            }
        )

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
                row["committee_from_text"] is None or bool(row["committee_from_text"]) or bool(row["url"]),
                row["ocr_pages"],
                row["unread_pages"],
            )
            for row in self.db.query(
                "SELECT d.path, d.url, d.date_source, d.committee_from_text, d.ocr_pages, d.unread_pages, m.date "
                "FROM documents d LEFT JOIN meetings m ON m.id = d.meeting_id ORDER BY d.path"
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


def _read_vectors(path: Path) -> faiss.Index | None:
    try:
        return faiss.read_index(str(path))
    except RuntimeError:
        return None


def _file_generation(path: Path) -> int:
    number = path.name.removeprefix("vectors-").removesuffix(".faiss")
    return int(number) if number.isdigit() else -1


def _index_kind(index: faiss.Index) -> str:
    return f"IVF{index.nlist}" if isinstance(index, faiss.IndexIVF) else "exact"


def held_ids(index: faiss.Index) -> np.ndarray:
    """The chunk ids a vector index holds, sorted."""
    if isinstance(index, faiss.IndexIVF):
        lists = index.invlists
        held = [
            faiss.rev_swig_ptr(lists.get_ids(number), lists.list_size(number)).copy()
            for number in range(index.nlist)
            if lists.list_size(number)
        ]
        return np.sort(np.concatenate(held)) if held else np.zeros(0, dtype=np.int64)
    return np.sort(faiss.vector_to_array(index.id_map))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
