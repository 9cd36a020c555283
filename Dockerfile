# Minutebook: the Slack bot (or, without Slack tokens, a terminal chat) over an index kept in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    MINUTEBOOK_INDEX=/data \
    MINUTEBOOK_HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app

# Tesseract reads scanned minutes (PDF pages without a text layer) by OCR. Debian's own versions, not pinned, so
# that the image builds whichever Debian release the base image follows.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*

# CPU-only PyTorch first, so that sentence-transformers does not pull a CUDA build. It comes from PyTorch's CPU wheel
# index unless the build names another: a mirror of it, or a local wheel index (a PEP 503 "simple" folder holding
# the torch wheel, served with `python -m http.server 8000`), for example
#   docker build --network=host --build-arg TORCH_INDEX_URL=http://127.0.0.1:8000/simple .
# (--network=host lets the build reach a server on this machine; pip takes plain http only from localhost.)
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0
RUN pip install --no-cache-dir "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"

COPY pyproject.toml README.md manifest.yml ingest.py ./
COPY index ./index
COPY bot ./bot
COPY examples ./examples
RUN pip install --no-cache-dir .

RUN useradd --create-home --uid 10001 minutebook \
    && mkdir -p /data \
    && chown minutebook /data
USER 10001
VOLUME ["/data"]
EXPOSE 3000

CMD ["python", "-m", "bot"]
