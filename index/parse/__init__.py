"""One parser per format, each producing the one Document model.

Parsers only extract text and mark its lines (`Block`s); `index.structure` reads the
minutes' layout from those blocks, the same way for every format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..document import Document, Extracted
from ..structure import build_document, complete_title, title_of_page
from . import docx, html, pdf, text
from .pdf import OcrMode


class ParseError(Exception):
    """A file that cannot be read as minutes; the message says why, for a person."""


Extractor = Callable[[bytes], Extracted]

FORMATS: dict[str, tuple[str, Extractor]] = {
    ".txt": ("text", text.extract),
    ".text": ("text", text.extract),
    ".md": ("markdown", text.extract_markdown),
    ".markdown": ("markdown", text.extract_markdown),
    ".html": ("html", html.extract),
    ".htm": ("html", html.extract),
    ".pdf": ("pdf", pdf.extract),
    ".docx": ("docx", docx.extract),
}


def parse_bytes(
    data: bytes,
    path: str,
    committee: str | None = None,
    date: dt.date | None = None,
    ocr: OcrMode = "auto",
) -> Document:
    """Parse the bytes of a minutes file named `path`; raises ParseError with a readable reason.

    `ocr` "auto" reads the pages of a PDF that have no text layer with Tesseract, when it is installed."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ParseError(f"unknown format '{suffix or 'no extension'}' (Minutebook reads {known})")
    if not data.strip():
        raise ParseError("the file is empty")
    format_name, extract = FORMATS[suffix]
    try:
        extracted = pdf.extract(data, ocr=ocr) if extract is pdf.extract else extract(data)
    except (text.NotText, pdf.ScannedPdf) as error:
        raise ParseError(str(error)) from error
    except Exception as error:  # noqa: BLE001 - third-party readers raise anything on corrupt files
        raise ParseError(f"could not read it as {format_name} ({type(error).__name__}: {error})") from error
    document = build_document(path, format_name, extracted, committee=committee, date=date)
    if not document.items:
        raise ParseError("no text found in it")
    if format_name == "pdf" and ocr == "auto" and _title_missing(document) and pdf.tesseract_available():
        try:
            complete_title(document, title_of_page(pdf.first_page_by_ocr(data)))
        except (RuntimeError, OSError):  # Tesseract or PDFium failing on the picture: the text is read all the same
            pass
    return document


def _title_missing(document: Document) -> bool:
    """Whether a PDF's text layer gave neither its date nor its committee: its title may be drawn, not written."""
    meeting = document.meeting
    return not document.ocr_pages and meeting.date_source not in ("text", "option") and not meeting.committee
