"""The FAISS file beside the database: one file per generation, exact or IVF, brought up to date in place.

SQLite is the source of truth: each document is written in one transaction, with its
chunks' embeddings, and bumps a `generation` counter. The FAISS file is named after the
generation it holds; when the file for the current generation is missing (an ingest has
just written, or was interrupted before it could write one), the previous generation's
index is brought up to date from the embeddings in SQLite, or a new one built from them,
so the two never disagree about which chunks exist. Vector search is exact up to 100,000
chunks and an inverted file (IVF) above (docs/performance.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import faiss
import numpy as np
import sqlite_utils

APPROXIMATE_ABOVE = 100_000
IVF_TRAINING_PER_LIST = 64
IVF_MINIMUM_PER_LIST = 39
IVF_PROBE_SHARE = 1 / 12
ADD_BATCH = 50_000
DEFAULT_DIMENSION = 384


def ivf_lists(count: int) -> int:
    """Clusters of the inverted file: the power of two nearest the square root of the number of chunks, and no
    more than can be trained on at least 39 chunks each (a power of two too, so that small changes in size do
    not call for a new index)."""
    nearest = 2 ** round(np.log2(max(count, 1)) / 2)
    trainable = 2 ** int(np.log2(count // IVF_MINIMUM_PER_LIST)) if count >= IVF_MINIMUM_PER_LIST else 0
    return min(nearest, trainable)


def ivf_probes(lists: int) -> int:
    """Clusters compared with each question."""
    return max(1, round(lists * IVF_PROBE_SHARE))


def vector_index_kind(count: int, approximate_above: int = APPROXIMATE_ABOVE) -> str:
    """The vector index `count` chunks call for: "exact" up to `approximate_above` (by default 100,000, where exact
    search starts to cost more than the rest of a search; docs/performance.md) or when too few to cluster, else
    "IVF" and its number of clusters. An index is rebuilt when its size calls for another kind."""
    lists = ivf_lists(count)
    return "exact" if count <= approximate_above or lists < 2 else f"IVF{lists}"


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


class VectorFile:
    """The vector index of the chunks in `db`, kept in `directory` as vectors-GENERATION.faiss; exact search up to
    `approximate_above` chunks."""

    def __init__(self, directory: Path, db: sqlite_utils.Database, approximate_above: int = APPROXIMATE_ABOVE) -> None:
        self.directory = directory
        self.db = db
        self.approximate_above = approximate_above
        self._index: faiss.Index | None = None
        self._generation = -1

    def current(self, generation: int) -> faiss.Index:
        """The index for `generation`, loaded once and reloaded, updated or rebuilt when an ingest has changed it."""
        if self._index is not None and self._generation == generation:
            return self._index
        path = self._path(generation)
        index = _read(path) if path.exists() else None
        if index is None or _kind(index) != self.kind(index.ntotal):
            if self._index is not None:
                previous, previous_generation = self._index, self._generation
            else:
                previous, previous_generation = self._latest_on_disk()
            index = self._updated(previous, previous_generation)
            self._write(index, generation)
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = ivf_probes(index.nlist)
        self._index, self._generation = index, generation
        return index

    def kind(self, count: int) -> str:
        return vector_index_kind(count, self.approximate_above)

    def _path(self, generation: int) -> Path:
        return self.directory / f"vectors-{generation}.faiss"

    def _latest_on_disk(self) -> tuple[faiss.Index | None, int]:
        """The vector file of the latest earlier generation still there (an ingest replaces it), and its
        generation."""
        for path in sorted(self.directory.glob("vectors-*.faiss"), key=_file_generation, reverse=True):
            index = _read(path)
            if index is not None:
                return index, _file_generation(path)
        return None, -1

    def _updated(self, previous: faiss.Index | None, previous_generation: int) -> faiss.Index:
        """`previous`, the vector index of `previous_generation`, brought in line with the chunks in SQLite by
        removing the chunks gone or rewritten since and adding the rest, or a new index when there is none or
        the index's size now calls for another kind."""
        rows = self.db.execute("SELECT id, generation FROM chunks ORDER BY id").fetchall()
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        if previous is None or _kind(previous) != self.kind(len(ids)):
            return self._built(ids)
        rewritten = ids[np.array([row[1] > previous_generation for row in rows], dtype=bool)]
        held = held_ids(previous)
        stale = np.union1d(np.setdiff1d(held, ids), np.intersect1d(held, rewritten))
        if len(stale):
            # An IVF's id table removes from a plain list; a flat index checks each id against a hashed set.
            selector = faiss.IDSelectorArray if isinstance(previous, faiss.IndexIVF) else faiss.IDSelectorBatch
            previous.remove_ids(selector(stale))
        self._add(previous, np.setdiff1d(ids, np.setdiff1d(held, stale)))
        return previous

    def _built(self, ids: np.ndarray) -> faiss.Index:
        """Exact search up to `approximate_above` chunks; beyond it an inverted file (IVF), which compares a
        question with the vectors of the few clusters nearest to it (docs/performance.md)."""
        dimension = self._dimension()
        kind = self.kind(len(ids))
        if kind == "exact":
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        else:
            lists = ivf_lists(len(ids))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(0).choice(ids, min(len(ids), IVF_TRAINING_PER_LIST * lists), replace=False)
            faiss.omp_set_num_threads(os.cpu_count() or 1)
            index.train(self._embeddings(np.sort(sample))[1])
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
        self._add(index, ids)
        return index

    def _add(self, index: faiss.Index, ids: np.ndarray) -> None:
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        for start in range(0, len(ids), ADD_BATCH):
            found, matrix = self._embeddings(ids[start : start + ADD_BATCH])
            index.add_with_ids(matrix, found)

    def _dimension(self) -> int:
        rows = self.db.execute("SELECT value FROM settings WHERE key = 'dimension'").fetchall()
        return int(rows[0][0]) if rows else DEFAULT_DIMENSION

    def _embeddings(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The stored vectors of these chunks, as (ids, matrix)."""
        rows = self.db.execute(
            "SELECT id, embedding FROM chunks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json.dumps(ids.tolist())],
        ).fetchall()
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), self._dimension())
        return np.array([row[0] for row in rows], dtype=np.int64), matrix

    def _write(self, index: faiss.Index, generation: int) -> None:
        """Write atomically (a temporary file of this process's own, then rename: the bot and an ingest may write
        the same generation at once) and drop files of older generations (never a newer one another process wrote)."""
        target = self._path(generation)
        partial = target.with_suffix(f".faiss.{os.getpid()}.partial")
        try:
            faiss.write_index(index, str(partial))
            os.replace(partial, target)
        except (OSError, RuntimeError):
            partial.unlink(missing_ok=True)
            return
        for old in self.directory.glob("vectors-*.faiss"):
            if _file_generation(old) < generation:
                old.unlink(missing_ok=True)


def _read(path: Path) -> faiss.Index | None:
    try:
        return faiss.read_index(str(path))
    except RuntimeError:
        return None


def _file_generation(path: Path) -> int:
    number = path.name.removeprefix("vectors-").removesuffix(".faiss")
    return int(number) if number.isdigit() else -1


def _kind(index: faiss.Index) -> str:
    return f"IVF{index.nlist}" if isinstance(index, faiss.IndexIVF) else "exact"
