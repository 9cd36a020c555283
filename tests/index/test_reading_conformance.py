"""Reading conformance: real minutes of many councils, read through the one parser entry, against their labels.

../shared/eval/reading holds minutes of eight councils with hand-made labels (labels.jsonl); each file's meeting
date and committee must be read as labelled. And no real file of ../shared/eval, whatever its format, loses its
text: every one gives items with paragraphs that hold nearly all of the text read from it. Scans are read by OCR
(10–70 s each), so they are marked slow and need Tesseract; each file is parsed once per run.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

import pypdfium2
import pytest

from index.document import Document, item_label
from index.evaluate import name_key
from index.parse import FORMATS, parse_bytes
from index.parse.pdf import tesseract_available
from index.parse.text import FRONT_MATTER
from tests.conftest import SHARED

EVAL = SHARED / "eval"
READING = EVAL / "reading"
REAL_FILE_SETS = ("reading", "real-minutes")
ABSENT = "../shared/eval is not beside this checkout"
NO_TESSERACT = "a scan: Tesseract is not installed (apt-get install tesseract-ocr; .ci/run installs it)"
# The share of a file's non-whitespace text that its items must hold: files with a text layer are at 0.94–1.0.
COVERAGE = 0.9
# Labels not read yet, each with why: strict, so a fix shows as an unexpected pass and the entry must go.
# The labelled scans are read in every run; of the real-minutes scans (23, about 75 pages), the first few are,
# and the rest with pytest --every-scan.
SCANS_IN_EVERY_RUN = 1
LINE = re.compile(r"[^\n]+")
NOT_READ_YET = {
    "london-ontario/2025-05-13 8th Council Meeting.md": "the full council is named 'Municipal Council' only in "
    "its resolutions; the title says '8th Council Meeting'",
    "portland/2011-1-19raw.txt": "the body is 'the Council of the City of Portland, Oregon' across the comma, in a "
    "title block run into the first page's text",
}


def is_scan(path: Path) -> bool:
    """Whether a PDF has a page without a text layer, which only OCR reads."""
    if path.suffix.lower() != ".pdf":
        return False
    pdf = pypdfium2.PdfDocument(path)
    try:
        return any(not page.get_textpage().get_text_range().strip() for page in pdf)
    finally:
        pdf.close()


def file_param(name: str, path: Path, *values: object, marks: list | None = None):
    """One test case for a real file, marked slow and needing Tesseract when it is a scan."""
    scan = [pytest.mark.slow, pytest.mark.skipif(not tesseract_available(), reason=NO_TESSERACT)]
    return pytest.param(path, *values, id=name, marks=[*(marks or []), *(scan if is_scan(path) else [])])


def labelled_files() -> list:
    if not (READING / "labels.jsonl").exists():
        return [pytest.param(None, None, id="reading", marks=pytest.mark.skip(reason=ABSENT))]
    labels = [json.loads(line) for line in (READING / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    return [
        file_param(
            label["file"],
            READING / label["file"],
            label,
            marks=[pytest.mark.xfail(strict=True, reason=NOT_READ_YET[label["file"]])]
            if label["file"] in NOT_READ_YET
            else [],
        )
        for label in labels
    ]


def real_files() -> list:
    files = sorted(
        path
        for name in REAL_FILE_SETS
        for path in (EVAL / name).rglob("*")
        if path.parent != EVAL / name and path.suffix.lower() in FORMATS
    )
    if not files:
        return [pytest.param(None, id="eval", marks=pytest.mark.skip(reason=ABSENT))]
    unlabelled_scans = [path for path in files if path.is_relative_to(EVAL / "real-minutes") and is_scan(path)]
    beyond_sample = set(unlabelled_scans[SCANS_IN_EVERY_RUN:])
    return [
        file_param(name.relative_to(EVAL).as_posix(), name, marks=[pytest.mark.every_scan] * (name in beyond_sample))
        for name in files
    ]


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
    """The share of the minutes' non-whitespace characters that its items hold: those inside their paragraphs, and
    those of the lines that are their headings or title block (held as an item's number and title, and as the
    document's title).
    A web post's front matter is the site's record of the post, not the minutes, and is not counted."""
    front_matter = FRONT_MATTER.match(document.text) if document.format == "markdown" else None
    inside = bytearray(len(document.text))
    for item in document.items:
        for paragraph in item.paragraphs:
            inside[paragraph.start : paragraph.end] = b"\x01" * (paragraph.end - paragraph.start)
    labels = [item_label(item.number, item.title) for item in document.items] + [document.title]
    headings = {squashed(label) for label in labels if label}
    held = total = 0
    for line in LINE.finditer(document.text, front_matter.end() if front_matter else 0):
        characters = [line.start() + offset for offset, character in enumerate(line.group()) if not character.isspace()]
        total += len(characters)
        written = squashed(line.group())
        is_heading = any(heading in written or written in heading for heading in headings)
        held += len(characters) if is_heading else sum(inside[index] for index in characters)
    return held / max(1, total)


def squashed(text: str) -> str:
    """The letters and digits of a text, HTML entities read, in one case: to compare a heading line with its item's
    number and title, whatever the punctuation and Markdown marks between them."""
    return "".join(re.findall(r"[^\W_]+", html.unescape(text))).casefold()


@pytest.mark.parametrize("path", real_files())
def test_text_is_never_dropped(path: Path):
    document = read(path)
    assert any(item.paragraphs for item in document.items)
    assert share_held(document) >= COVERAGE
