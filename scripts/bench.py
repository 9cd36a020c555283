"""Scale benchmark: a synthetic index of N chunks, then build time, memory, search latency and recall.

    python scripts/bench.py 100000 1000000 [--dir /tmp/minutebook-bench]

Each synthetic chunk is about a hundred words of real sentences: a run of consecutive
sentences of real committee meetings (the QMSum transcripts in ../shared when present,
else the sample minutes), with some swapped for sentences from elsewhere. Its vector is
the normalised, length-weighted mean of its sentences' embeddings plus a little noise, so
that vectors are structured like real embeddings (random unit vectors in 384 dimensions
are nearly orthogonal to each other, which no approximate index searches well, and no
real corpus looks like). Every sentence is embedded once, by the bundled model, and kept.

Questions are real too (the QMSum queries, else the sample questions), asked through the
one search function in a fresh process, which reports its own peak memory. Recall@10 of
the vector index in use is measured against exact search over the same vectors.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.chunk import sentence_spans  # noqa: E402
from index.dates import utc_timestamp  # noqa: E402
from index.embed import DEFAULT_MODEL, load_embedder  # noqa: E402
from index.search import search  # noqa: E402
from index.store import Store  # noqa: E402
from index.vectors import vector_index_kind  # noqa: E402

QMSUM = ROOT.parent / "shared" / "eval" / "qmsum"
CHUNK_WORDS = 100
SWAP_SHARE = 0.3
NOISE = 0.3
CHUNKS_PER_DOCUMENT = 1000
CHUNKS_PER_ITEM = 50


def source_texts() -> tuple[str, list[Path], list[str]]:
    """The corpus the sentences come from, its files, and real questions to ask."""
    if (QMSUM / "queries.jsonl").exists():
        questions = [json.loads(line)["query"] for line in (QMSUM / "queries.jsonl").open(encoding="utf-8")]
        return "qmsum", sorted((QMSUM / "docs").rglob("*.txt")), questions
    questions = [json.loads(line)["question"] for line in (ROOT / "examples" / "questions.jsonl").open()]
    return "examples", sorted((ROOT / "examples" / "sources").glob("*.txt")), questions


def sentence_pool(directory: Path, name: str, files: list[Path]) -> tuple[list[str], np.ndarray]:
    """Every sentence of the corpus (4 to 60 words) and its embedding, embedded once and kept in `directory`."""
    cached = directory / f"sentences-{name}.npz"
    if cached.exists():
        saved = np.load(cached)
        return json.loads(str(saved["sentences"])), saved["vectors"]
    sentences = []
    for path in files:
        text = " ".join(path.read_text(encoding="utf-8", errors="ignore").split())
        for start, end in sentence_spans(text, 0, len(text)):
            if 4 <= len(text[start:end].split()) <= 60:
                sentences.append(text[start:end])
    embedder = load_embedder(DEFAULT_MODEL, "onnx", directory)
    vectors = embedder.encode(sentences)
    directory.mkdir(parents=True, exist_ok=True)
    np.savez(cached, sentences=json.dumps(sentences), vectors=vectors)
    return sentences, vectors


def synthetic_chunks(sentences: list[str], vectors: np.ndarray, count: int, seed: int):
    """`count` (text, vector) pairs, a thousand at a time."""
    chooser, noise = random.Random(seed), np.random.default_rng(seed)
    words = np.array([len(sentence.split()) for sentence in sentences])
    dimension = vectors.shape[1]
    for start in range(0, count, CHUNKS_PER_DOCUMENT):
        texts, matrix = [], np.zeros((min(CHUNKS_PER_DOCUMENT, count - start), dimension), dtype=np.float32)
        for row in range(len(matrix)):
            picked, length, at = [], 0, chooser.randrange(len(sentences))
            while length < CHUNK_WORDS:
                chosen = chooser.randrange(len(sentences)) if chooser.random() < SWAP_SHARE else at % len(sentences)
                picked.append(chosen)
                length += words[chosen]
                at += 1
            texts.append(" ".join(sentences[index] for index in picked))
            matrix[row] = (vectors[picked] * words[picked, None]).sum(axis=0)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix += noise.standard_normal(matrix.shape, dtype=np.float32) * (NOISE / np.sqrt(dimension))
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        yield texts, matrix


def build(directory: Path, count: int, sentences: list[str], vectors: np.ndarray) -> None:
    """Write `count` chunks straight into a fresh store."""
    shutil.rmtree(directory, ignore_errors=True)
    store = Store(directory, create=True)
    store.claim_model(DEFAULT_MODEL, vectors.shape[1], "onnx")
    add_documents(store, count, sentences, vectors, "bench", seed=7)


def add_documents(store: Store, count: int, sentences: list[str], vectors: np.ndarray, name: str, seed: int) -> None:
    """`count` chunks in documents of 1,000 chunks and items of 50, written in one transaction that moves the
    index on a generation, as an ingest does."""
    with store.db.atomic():
        generation = store.generation + 1
        written_at = utc_timestamp()
        for number, (texts, matrix) in enumerate(synthetic_chunks(sentences, vectors, count, seed)):
            document = store.db["documents"].insert(
                {"path": f"{name}/{number}.txt", "source": f"{name}-{number}", "ingested_at": written_at}
            )
            rows = []
            for position, (text, vector) in enumerate(zip(texts, matrix, strict=True)):
                if position % CHUNKS_PER_ITEM == 0:
                    item = store.db["items"].insert({"document_id": document.last_pk, "position": position}).last_pk
                rows.append((document.last_pk, item, position, len(text), text, vector.tobytes(), generation))
            store.db.conn.executemany(
                "INSERT INTO chunks (document_id, item_id, position, char_start, char_end, kind, context, text, "
                "embedding, generation) VALUES (?, ?, ?, 0, ?, 'text', '', ?, ?, ?)",
                rows,
            )
        store.db["settings"].upsert({"key": "generation", "value": str(generation)}, pk="key")


def update_seconds(directory: Path, sentences: list[str], vectors: np.ndarray) -> float:
    """Time to bring the vector index up to date after an ingest that adds one document of 1,000 chunks and
    removes another."""
    store = Store(directory)
    add_documents(store, CHUNKS_PER_DOCUMENT, sentences, vectors, "update", seed=8)
    store.documents.remove_source("bench-0")
    started = time.perf_counter()
    Store(directory).sync_vectors()
    return time.perf_counter() - started


def search_in_fresh_process(directory: Path, questions: list[str]) -> dict:
    """Time every question through the one search function, as the bot would, in a process of its own."""
    store = Store(directory)
    embedder = load_embedder(DEFAULT_MODEL, "onnx", directory.parent)
    started = time.perf_counter()
    store.vectors()
    loaded = time.perf_counter() - started
    for question in questions[:5]:
        search(store, embedder, question)
    latencies = []
    for question in questions:
        began = time.perf_counter()
        search(store, embedder, question)
        latencies.append((time.perf_counter() - began) * 1000)
    latencies.sort()
    return {
        "load_seconds": round(loaded, 1),
        "questions": len(latencies),
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1),
        "search_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def recall_at_10(directory: Path, queries: np.ndarray) -> float:
    """Share of the exact top 10 (inner product over every stored vector, read in slices) that the index in use
    finds too."""
    store = Store(directory)
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_ids = np.full((len(queries), 10), -1, dtype=np.int64)
    cursor = store.db.execute("SELECT id, embedding FROM chunks ORDER BY id")
    while rows := cursor.fetchmany(50_000):
        ids = np.array([row[0] for row in rows])
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), -1)
        scores = np.concatenate([best_scores, queries @ matrix.T], axis=1)
        candidates = np.concatenate([best_ids, np.broadcast_to(ids, (len(queries), len(ids)))], axis=1)
        top = np.argpartition(-scores, 10, axis=1)[:, :10]
        best_scores, best_ids = np.take_along_axis(scores, top, 1), np.take_along_axis(candidates, top, 1)
    _, found = store.vectors().search(queries, 10)
    return float(np.mean([len(set(truth) & set(got)) / 10 for truth, got in zip(best_ids, found, strict=True)]))


def measure(directory: Path, count: int, pool: tuple[list[str], np.ndarray], questions: list[str]) -> dict:
    started = time.perf_counter()
    build(directory, count, *pool)
    written = time.perf_counter() - started
    started = time.perf_counter()
    Store(directory).sync_vectors()
    indexed = time.perf_counter() - started
    searched = subprocess.run(
        [sys.executable, __file__, "--search", str(directory)], capture_output=True, text=True, check=True
    )
    embedder = load_embedder(DEFAULT_MODEL, "onnx", directory.parent)
    queries = embedder.encode(questions[:200])
    return {
        "chunks": count,
        "vector_index": vector_index_kind(count),
        "write_seconds": round(written, 1),
        "vector_build_seconds": round(indexed, 1),
        **json.loads(searched.stdout),
        "recall_at_10": round(recall_at_10(directory, queries), 3),
        "vector_update_seconds": round(update_seconds(directory, *pool), 1),
        "database_mb": round((directory / "minutebook.db").stat().st_size / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/minutebook-bench"))
    parser.add_argument("--search", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    name, files, questions = source_texts()
    if arguments.search:
        print(json.dumps(search_in_fresh_process(arguments.search, questions)))
        return
    pool = sentence_pool(arguments.dir, name, files)
    print(json.dumps({"text": name, "sentences": len(pool[0]), "questions": len(questions)}), flush=True)
    for size in arguments.sizes:
        print(json.dumps(measure(arguments.dir / str(size), size, pool, questions)), flush=True)


if __name__ == "__main__":
    main()
