"""The ONNX int8 backend: exported once next to the index, close to PyTorch, and used by ingest and search."""

import json
import subprocess
import sys

import numpy as np
import pytest

from index.embed import DEFAULT_MODEL, ModelChoice, load_embedder
from index.pipeline import ingest
from index.search import search
from index.store import Store
from tests.conftest import EXAMPLES, ROOT

pytest.importorskip("onnxruntime")


def test_onnx_backend_matches_pytorch_and_is_cached(tmp_path, embedder):
    store = Store(tmp_path / "index", create=True)
    report = ingest([str(EXAMPLES / "environment")], store, ModelChoice(backend="onnx"))
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

    # Once exported, the model runs on onnxruntime and the tokenizer alone: neither PyTorch nor sentence-transformers
    # is imported (the slim Docker image has neither), and the tokens it counts for the chunker are the model's.
    assert onnx.count_tokens(texts[:5]) == embedder.count_tokens(texts[:5])
    script = (
        "import sys, json\n"
        "for name in ('torch', 'sentence_transformers', 'transformers'):\n"
        "    sys.modules[name] = None\n"
        "from pathlib import Path\n"
        "from index.embed import load_embedder\n"
        f"prebuilt = Path({str(tmp_path / 'index' / 'onnx')!r})\n"
        f"vector = load_embedder('{DEFAULT_MODEL}', 'onnx', prebuilt=prebuilt).encode_question('Moorlink')\n"
        "print(json.dumps(vector.tolist()))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert np.allclose(json.loads(result.stdout), onnx.encode_question("Moorlink"), atol=1e-6)
