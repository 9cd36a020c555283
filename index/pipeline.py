"""Ingest: walk paths, parse, chunk, embed, store; one document at a time, each in its own transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .chunk import chunk_document
from .document import Document, Reading
from .embed import Embedder, ModelChoice
from .parse import ParseError, parse_bytes
from .parse.pdf import OcrMode, tesseract_available
from .progress import Progress, Unseen
from .promises import extract
from .store import Store

# Part of every file's fingerprint: raised when reading changes, so that the next ingest reads every file again.
PIPELINE_VERSION = "4"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0
    readings: list[Reading] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.unchanged)} unchanged, {len(self.replaced)} replaced, "
            f"{len(self.failed)} failed; {self.chunks} chunks in {self.seconds:.1f} s"
        )


def discover(paths: Iterable[str]) -> tuple[list[tuple[str, Path]], list[tuple[str, str]]]:
    """Files to ingest as (path as the user gave it, file), folders walked recursively; and paths that don't exist."""
    found: list[tuple[str, Path]] = []
    missing: list[tuple[str, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                if file.is_file() and not any(part.startswith(".") for part in relative.parts):
                    found.append((os.path.normpath(os.path.join(given, relative)), file))
        elif path.is_file():
            found.append((os.path.normpath(given), path))
        else:
            missing.append((given, "no such file or folder"))
    return found, missing


def source_key(path: Path) -> str:
    """A document's identity in the index: its absolute path, whatever folder it was ingested from."""
    return str(path.resolve())


def _fingerprint(data: bytes, committee: str | None, date: dt.date | None, ocr: OcrMode) -> str:
    """What decides how a file is read: its bytes, the options, and whether scanned pages can be read here."""
    digest = hashlib.sha256(data)
    reads_scans = ocr == "auto" and tesseract_available()
    digest.update(f"\0{committee}\0{date}\0{PIPELINE_VERSION}\0{reads_scans}".encode())
    return digest.hexdigest()


def embedded_text(context: str, passage: str) -> str:
    """What the model sees for a chunk: its committee and item title, then the passage."""
    passage = " ".join(passage.split())
    return f"{context}\n{passage}" if context else passage


class Indexer:
    """Chunks, embeds and saves documents from any source (files, a ModernGov site), loading the model once."""

    def __init__(self, store: Store, model: ModelChoice, progress: Progress | None = None) -> None:
        store.check_model(model.name)
        self.store = store
        self.model = model
        self.progress = progress or Unseen()
        self._embedder: Embedder | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self.model.load(self.store.directory)
            self.store.claim_model(self.model.name, self._embedder.dimension, self.model.backend)
        return self._embedder

    def add(self, document: Document, source: str, fingerprint: str) -> int:
        """Save `document` under `source` (replacing what was there); returns how many chunks it made."""
        embedder = self.embedder
        chunks = chunk_document(document, embedder.max_tokens, embedder.count_tokens)
        self.progress.planned("chunk", len(chunks))
        vectors = embedder.encode(
            [embedded_text(chunk.context, document.span(chunk.start, chunk.end)) for chunk in chunks],
            progress=lambda count: self.progress.done("chunk", count),
        )
        self.store.documents.save(document, source, fingerprint, chunks, vectors, extract(document))
        return len(chunks)


def ingest(
    paths: Iterable[str],
    store: Store,
    model: ModelChoice,
    committee: str | None = None,
    date: dt.date | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    ocr: OcrMode = "auto",
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest `paths` into `store`; a bad file is reported and skipped, every good one is saved as it is done.
    `progress` hears of files and chunks."""
    progress = progress or Unseen()
    indexer = Indexer(store, model, progress)
    started = time.perf_counter()
    report = IngestReport()
    files, missing = discover(paths)

    def fail(path: str, reason: str) -> None:
        report.failed.append((path, reason))
        if on_failure:
            on_failure(path, reason)

    def ingest_file(path: str, file: Path) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            fail(path, f"cannot be read ({error.strerror})")
            return
        source = source_key(file)
        fingerprint = _fingerprint(data, committee, date, ocr)
        previous = store.documents.fingerprint(source)
        if previous == fingerprint:
            report.unchanged.append(path)
            return
        try:
            document = parse_bytes(data, path, committee=committee, date=date, ocr=ocr)
        except ParseError as error:
            fail(path, str(error))
            return
        report.chunks += indexer.add(document, source, fingerprint)
        report.readings.append(
            Reading(
                path,
                document.meeting.date_source,
                document.meeting.committee_from_text or committee is not None,
                document.ocr_pages,
                document.unread_pages,
                any(item.title for item in document.items),
            )
        )
        (report.replaced if previous else report.added).append(path)

    for path, reason in missing:
        fail(path, reason)
    progress.planned("file", len(files))
    try:
        for path, file in files:
            progress.started("file", file.name)
            ingest_file(path, file)
            progress.done("file")
    finally:
        store.sync_vectors()
        report.seconds = time.perf_counter() - started
    return report
