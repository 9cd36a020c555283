"""PDF (text layer): lines grouped into paragraphs by pdfminer's layout analysis.

Bold or larger lines are headings; running headers and footers that repeat on
most pages ("Page 2 of 6", the council's name) are dropped.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine

from ..document import Block, join_runs
from ..structure import PAGE_FURNITURE

HYPHENATED = re.compile(r"(?<=[a-z])-$")


def _line_style(line: LTTextLine) -> tuple[bool, float]:
    chars = [char for char in line if isinstance(char, LTChar) and char.get_text().strip()]
    if not chars:
        return False, 0.0
    bold = sum("bold" in char.fontname.lower() or "black" in char.fontname.lower() for char in chars)
    return bold >= 0.8 * len(chars), statistics.median(char.size for char in chars)


def _join_lines(lines: list[str]) -> str:
    joined = ""
    for line in lines:
        if HYPHENATED.search(joined) and line[:1].islower():
            joined = joined[:-1] + line
        else:
            joined = f"{joined} {line}" if joined else line
    return joined


def _page_paragraphs(page) -> list[tuple[str, bool, float]]:
    """(text, bold, size) of each paragraph on a page, a new one wherever the style changes."""
    paragraphs: list[tuple[str, bool, float]] = []
    boxes = sorted((box for box in page if isinstance(box, LTTextBox)), key=lambda box: (-box.y1, box.x0))
    for box in boxes:
        lines: list[str] = []
        style: tuple[bool, float] | None = None
        for line in box:
            if not isinstance(line, LTTextLine) or not line.get_text().strip():
                continue
            line_style = _line_style(line)
            if style is not None and (line_style[0] != style[0] or abs(line_style[1] - style[1]) > 1):
                paragraphs.append((_join_lines(lines), *style))
                lines = []
            style = line_style
            lines.append(" ".join(line.get_text().split()))
        if lines and style is not None:
            paragraphs.append((_join_lines(lines), *style))
    return paragraphs


def extract(data: bytes) -> tuple[str, list[Block]]:
    pages = [_page_paragraphs(page) for page in extract_pages(io.BytesIO(data), laparams=LAParams())]
    repeats = Counter(text for page in pages for text in {text for text, _, _ in page})
    running = {text for text, count in repeats.items() if len(pages) >= 2 and count > len(pages) / 2}
    sizes = [size for page in pages for _, _, size in page if size]
    body_size = statistics.median(sizes) if sizes else 0.0
    runs = [
        (text, bold or size > body_size + 1.5)
        for page in pages
        for text, bold, size in page
        if text not in running and not PAGE_FURNITURE.match(text)
    ]
    return join_runs(runs)
