"""The ONNX int8 backend: exported once next to the index, close to PyTorch, and used by ingest and search."""

import numpy as np
import pytest

from index.embed import DEFAULT_MODEL, load_embedder
from index.pipeline import ingest
from index.search import search
from index.store import Store
from tests.conftest import EXAMPLES

pytest.importorskip("onnxruntime")


def test_onnx_backend_matches_pytorch_and_is_cached(tmp_path, embedder):
    store = Store(tmp_path / "index", create=True)
    report = ingest([str(EXAMPLES / "environment")], store, DEFAULT_MODEL, backend="onnx")
    assert report.added and not report.failed
    exported = tmp_path / "index" / "onnx" / "all-MiniLM-L6-v2" / "model-int8.onnx"
    assert exported.exists() and store.setting("backend") == "onnx"
    stamp = exported.stat().st_mtime_ns

    texts = [row["text"] for row in store.db.query("SELECT text FROM chunks LIMIT 40")]
    fast = load_embedder(DEFAULT_MODEL, "onnx", tmp_path / "index").encode(texts)
    exact = embedder.encode(texts)
    similarity = np.sum(fast * exact, axis=1)
    assert similarity.min() > 0.97 and np.allclose(np.linalg.norm(fast, axis=1), 1, atol=1e-4)

    onnx = load_embedder(DEFAULT_MODEL, "onnx", tmp_path / "index")
    answer = search(store, onnx, "What is the cost per passenger journey on Moorlink?")
    assert "The cost per passenger journey was £17.40" in " ".join(answer.passages[0].text.split())
    assert exported.stat().st_mtime_ns == stamp
