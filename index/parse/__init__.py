"""One parser per format, each producing the one Document model.

Parsers only extract text and mark headings (`Block`s); `index.structure` reads the
minutes' layout from those blocks, the same way for every format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..document import Block, Document
from ..structure import build_document
from . import docx, html, pdf, text


class ParseError(Exception):
    """A file that cannot be read as minutes; the message says why, for a person."""


Extractor = Callable[[bytes], tuple[str, list[Block]]]

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


def supported(path: Path) -> bool:
    return path.suffix.lower() in FORMATS


def parse_bytes(
    data: bytes,
    path: str,
    committee: str | None = None,
    date: dt.date | None = None,
) -> Document:
    """Parse the bytes of a minutes file named `path`; raises ParseError with a readable reason."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ParseError(f"unknown format '{suffix or 'no extension'}' (Minutebook reads {known})")
    if not data.strip():
        raise ParseError("the file is empty")
    format_name, extract = FORMATS[suffix]
    try:
        extracted, blocks = extract(data)
    except ParseError:
        raise
    except text.NotText as error:
        raise ParseError(str(error)) from error
    except Exception as error:  # noqa: BLE001 - third-party readers raise anything on corrupt files
        raise ParseError(f"could not read it as {format_name} ({type(error).__name__}: {error})") from error
    document = build_document(path, format_name, extracted, blocks, committee=committee, date=date)
    if not document.items:
        raise ParseError("no text found in it (a scanned PDF without a text layer needs OCR first)")
    return document
