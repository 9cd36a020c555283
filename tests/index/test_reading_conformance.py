"""Reading conformance: real minutes of many councils, read through the one parser entry, against their labels.

../shared/eval/reading holds minutes of eight councils with hand-made labels (labels.jsonl); each file's meeting
date and committee must be read as labelled. And no real file of ../shared/eval, whatever its format, loses its
text: every one gives items with paragraphs that hold nearly all of the text read from it. Scans are read by OCR
(10–70 s each), so they are marked slow and need Tesseract; each file is parsed once per run.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pypdfium2
import pytest

from index.document import Document, item_label
from index.evaluate import name_key
from index.parse import FORMATS, parse_bytes
from index.parse.pdf import tesseract_available
from tests.conftest import SHARED

EVAL = SHARED / "eval"
READING = EVAL / "reading"
REAL_FILE_SETS = ("reading", "real-minutes")
ABSENT = "../shared/eval is not beside this checkout"
NO_TESSERACT = "a scan: Tesseract is not installed (apt-get install tesseract-ocr; .ci/run installs it)"
# The share of a file's non-whitespace text that its items must hold. Files with a text layer are at 0.94–1.0
# today, except two Markdown posts whose front matter and attendance call-outs are left out (0.82, 0.87).
COVERAGE = 0.9


def is_scan(path: Path) -> bool:
    """Whether a PDF has a page without a text layer, which only OCR reads."""
    if path.suffix.lower() != ".pdf":
        return False
    pdf = pypdfium2.PdfDocument(path)
    try:
        return any(not page.get_textpage().get_text_range().strip() for page in pdf)
    finally:
        pdf.close()


def file_param(name: str, path: Path, *values: object):
    """One test case for a real file, marked slow and needing Tesseract when it is a scan."""
    marks = [pytest.mark.slow, pytest.mark.skipif(not tesseract_available(), reason=NO_TESSERACT)]
    return pytest.param(path, *values, id=name, marks=marks if is_scan(path) else [])


def labelled_files() -> list:
    if not (READING / "labels.jsonl").exists():
        return [pytest.param(None, None, id="reading", marks=pytest.mark.skip(reason=ABSENT))]
    labels = [json.loads(line) for line in (READING / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    return [file_param(label["file"], READING / label["file"], label) for label in labels]


def real_files() -> list:
    files = sorted(
        path
        for name in REAL_FILE_SETS
        for path in (EVAL / name).rglob("*")
        if path.parent != EVAL / name and path.suffix.lower() in FORMATS
    )
    if not files:
        return [pytest.param(None, id="eval", marks=pytest.mark.skip(reason=ABSENT))]
    return [file_param(path.relative_to(EVAL).as_posix(), path) for path in files]


@functools.cache
def read(path: Path) -> Document:
    """The file parsed as `minutebook ingest` parses it, once per run."""
    return parse_bytes(path.read_bytes(), str(path), ocr="auto")


@pytest.mark.parametrize(("path", "label"), labelled_files())
def test_meeting_date_and_committee_are_read_as_labelled(path: Path, label: dict):
    document = read(path)
    read_as = (document.date.isoformat() if document.date else None, document.committee)
    assert (read_as[0], name_key(read_as[1])) == (label["date"], name_key(label["committee"])), (
        f"read {read_as}, labelled {(label['date'], label['committee'])}"
    )


def share_held(document: Document) -> float:
    """The share of the document's non-whitespace characters that its items hold: the characters inside their
    paragraphs, plus as many as their headings have (a heading is held as its item's title, not as a paragraph)."""
    inside = bytearray(len(document.text))
    for item in document.items:
        for paragraph in item.paragraphs:
            inside[paragraph.start : paragraph.end] = b"\x01" * (paragraph.end - paragraph.start)
    characters = [index for index, character in enumerate(document.text) if not character.isspace()]
    headings = sum(len("".join((item_label(item.number, item.title) or "").split())) for item in document.items)
    return min(1.0, (sum(inside[index] for index in characters) + headings) / max(1, len(characters)))


@pytest.mark.parametrize("path", real_files())
def test_text_is_never_dropped(path: Path):
    document = read(path)
    assert any(item.paragraphs for item in document.items)
    assert share_held(document) >= COVERAGE
