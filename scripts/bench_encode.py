"""Encoding speed: the same QMSum chunks embedded by PyTorch and by the ONNX int8 export.

    python scripts/bench_encode.py [--chunks 1500]

Prints chunks per second for each backend and their ratio; the end-to-end ingest rate
(parse, chunk, embed, store) is what `python -m bot eval --backend onnx` reports.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.chunk import chunk_document  # noqa: E402
from index.embed import DEFAULT_MODEL, load_embedder  # noqa: E402
from index.evaluate import DEFAULT_DATA, meeting_documents  # noqa: E402
from index.parse import parse_bytes  # noqa: E402
from index.pipeline import embedded_text  # noqa: E402


def chunk_texts(limit: int) -> list[str]:
    torch_model = load_embedder(DEFAULT_MODEL)
    texts: list[str] = []
    for path in meeting_documents(DEFAULT_DATA):
        document = parse_bytes(path.read_bytes(), str(path))
        for chunk in chunk_document(document, torch_model.max_tokens, torch_model.count_tokens):
            texts.append(embedded_text(chunk.context, document.span(chunk.start, chunk.end)))
        if len(texts) >= limit:
            return texts[:limit]
    return texts


def rate(backend: str, texts: list[str], cache: Path) -> float:
    embedder = load_embedder(DEFAULT_MODEL, backend, cache)
    embedder.encode(texts[:64])
    started = time.perf_counter()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=1500)
    texts = chunk_texts(parser.parse_args().chunks)
    with tempfile.TemporaryDirectory() as cache:
        torch_rate = rate("torch", texts, Path(cache))
        onnx_rate = rate("onnx", texts, Path(cache))
    figures = {
        "chunks": len(texts),
        "torch_chunks_per_s": round(torch_rate, 1),
        "onnx_chunks_per_s": round(onnx_rate, 1),
    }
    print(json.dumps({**figures, "speed_up": round(onnx_rate / torch_rate, 2)}))


if __name__ == "__main__":
    main()
