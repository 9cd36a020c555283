"""Scale benchmark: a synthetic index of N chunks, then build time, memory and search latency.

    python scripts/bench.py 100000 1000000 [--dir /tmp/minutebook-bench]

Vectors are random unit vectors; the text of each chunk is real-sized (about 120 words
drawn from the vocabulary of the sample minutes), so that the full-text side does real
work. Questions go through the one search function, embedded by the bundled model (ONNX
when onnxruntime is installed). Above the approximate-search threshold the vector index
is HNSW; its recall@10 against exact search is measured on the same vectors.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.embed import DEFAULT_MODEL, load_embedder  # noqa: E402
from index.search import search  # noqa: E402
from index.store import Store, approximate_above  # noqa: E402

DIMENSION = 384
QUESTIONS = [
    "what did we decide about school transport costs?",
    "when is the update on flood defences due?",
    "how many foster carers were approved?",
    "what was said about pothole repairs on rural roads?",
    "who asked about electric vehicle charging points?",
]


def vocabulary() -> list[str]:
    text = " ".join(path.read_text(encoding="utf-8", errors="ignore") for path in (ROOT / "examples").rglob("*.txt"))
    return re.findall(r"[A-Za-z][a-z]{2,}", text)


def build(directory: Path, count: int) -> Store:
    """Write `count` chunks straight into a fresh store: one document per 1,000 chunks."""
    shutil.rmtree(directory, ignore_errors=True)
    store = Store(directory, create=True)
    store.claim_model(DEFAULT_MODEL, DIMENSION)
    words, generator = vocabulary(), np.random.default_rng(7)
    chooser = random.Random(7)
    with store.db.atomic():
        for start in range(0, count, 1000):
            document = store.db["documents"].insert({"path": f"bench/{start}.txt", "source": f"bench-{start}"}).last_pk
            item = store.db["items"].insert({"document_id": document, "position": 0, "title": "Item"}).last_pk
            vectors = generator.standard_normal((min(1000, count - start), DIMENSION)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            store.db.conn.executemany(
                "INSERT INTO chunks (document_id, item_id, position, char_start, char_end, kind, context, text, "
                "embedding) VALUES (?, ?, ?, 0, 0, 'text', '', ?, ?)",
                [
                    (document, item, position, " ".join(chooser.choices(words, k=120)), vector.tobytes())
                    for position, vector in enumerate(vectors)
                ],
            )
        store.db["settings"].upsert({"key": "generation", "value": "1"}, pk="key")
    return store


def recall_at_10(store: Store, queries: np.ndarray) -> float:
    """Share of the exact top 10 that the index in use finds too."""
    approximate = store.vectors()
    exact = faiss.IndexFlatIP(DIMENSION)
    rows = store.db.execute("SELECT id, embedding FROM chunks ORDER BY id").fetchall()
    ids = np.array([row[0] for row in rows])
    exact.add(np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), DIMENSION))
    _, truth = exact.search(queries, 10)
    _, found = approximate.search(queries, 10)
    return float(np.mean([len(set(ids[t]) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))


def measure(directory: Path, count: int) -> dict:
    started = time.perf_counter()
    store = build(directory, count)
    written = time.perf_counter() - started
    started = time.perf_counter()
    store.vectors()
    indexed = time.perf_counter() - started
    try:
        embedder = load_embedder(DEFAULT_MODEL, "onnx", directory)
    except Exception:  # noqa: BLE001 - without onnxruntime the bench uses PyTorch
        embedder = load_embedder(DEFAULT_MODEL)
    search(store, embedder, "warm up")
    latencies = []
    for round_ in range(40):
        for question in QUESTIONS:
            began = time.perf_counter()
            search(store, embedder, f"{question} {round_}")
            latencies.append((time.perf_counter() - began) * 1000)
    latencies.sort()
    queries = np.random.default_rng(11).standard_normal((200, DIMENSION)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return {
        "chunks": count,
        "vector_index": "HNSW" if count > approximate_above() else "exact",
        "write_seconds": round(written, 1),
        "vector_build_seconds": round(indexed, 1),
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1),
        "recall_at_10": round(recall_at_10(store, queries), 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "database_mb": round((directory / "minutebook.db").stat().st_size / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/minutebook-bench"))
    arguments = parser.parse_args()
    for size in arguments.sizes:
        print(json.dumps(measure(arguments.dir / str(size), size)), flush=True)


if __name__ == "__main__":
    main()
