"""Keyword search over the passages: SQLite FTS5 with BM25, bounded to the rarest terms of a question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .filters import Filters
from .migrations import FTS_TOKENIZER
from .passages import CHUNK_JOINS

if TYPE_CHECKING:
    from .store import Store

KEYWORD_POSTINGS = 10_000


class Keywords:
    """The passages' full-text index, and how many passages hold each term (kept until an ingest changes them)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._vocabulary_ready = False

    def search(self, terms: Sequence[str], limit: int, filters: Filters) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores (higher is better) for chunks with any of `terms`.

        In a large index a common word is in so many chunks that scoring them all would take most of a search's
        time while adding little, so the rarest terms are searched as long as their chunks add up to at most
        `KEYWORD_POSTINGS`; when even the rarest term is in more, chunks must have the two rarest (a question of
        one such word is left to vector search). The joins that filters need are left out when there are none."""
        match = self._match(terms)
        if match is None:
            return []
        where, params = filters.sql()
        joins = f"JOIN chunks c ON c.id = chunks_fts.rowid {CHUNK_JOINS}" if filters else ""
        rows = self.store.db.execute(
            f"SELECT chunks_fts.rowid, -bm25(chunks_fts, 0.5, 1.0) AS score FROM chunks_fts {joins} "
            f"WHERE chunks_fts MATCH :match AND {where} ORDER BY score DESC LIMIT :limit",
            {"match": match, "limit": limit, **params},
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def _match(self, terms: Sequence[str]) -> str | None:
        frequencies = self.frequencies(terms)
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

    def frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """How many chunks contain each term, as full-text search reads it (stemmed; for "council's", the rarer
        of its two words). Counting a common word's chunks takes milliseconds, so counts are kept in memory
        until an ingest changes the index."""
        known = self.store.memo("frequencies")
        missing = [term for term in dict.fromkeys(terms) if term not in known]
        if missing:
            with self.store.db.atomic():  # the scratch table's writes must not leave a transaction open
                counted = self._count_chunks_with(missing)
            known.update({term: counted.get(position, 0) for position, term in enumerate(missing)})
        return {term: known[term] for term in terms}

    def _count_chunks_with(self, terms: list[str]) -> dict[int, int]:
        """Chunks holding each term, by its position in `terms`: FTS5 tokenises the terms in a scratch table, and
        its vocabulary of the chunks gives each token's count."""
        if not self._vocabulary_ready:
            self.store.db.execute(
                f"CREATE VIRTUAL TABLE temp.question_terms USING fts5(words, tokenize='{FTS_TOKENIZER}')"
            )
            self.store.db.execute(
                "CREATE VIRTUAL TABLE temp.question_tokens USING fts5vocab(temp, question_terms, instance)"
            )
            self.store.db.execute("CREATE VIRTUAL TABLE temp.chunk_tokens USING fts5vocab(main, chunks_fts, row)")
            self._vocabulary_ready = True
        self.store.db.execute("DELETE FROM temp.question_terms")
        self.store.db.conn.executemany("INSERT INTO temp.question_terms (rowid, words) VALUES (?, ?)", enumerate(terms))
        rows = self.store.db.execute(
            "SELECT q.doc, MIN(COALESCE(c.doc, 0)) FROM temp.question_tokens q "
            "LEFT JOIN temp.chunk_tokens c ON c.term = q.term GROUP BY q.doc"
        ).fetchall()
        return dict(rows)


def fts_match(terms: Sequence[str], operator: str = "OR") -> str | None:
    """An FTS5 MATCH expression that no user text can break: every term a quoted string, ORed (or ANDed)."""
    return f" {operator} ".join('"' + term.replace('"', '""') + '"' for term in terms) or None
