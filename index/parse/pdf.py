"""PDF: the text layer read with PDFium, and pages without one read by OCR (Tesseract) when it is installed.

PDFium keeps the spaces that some PDFs only imply by position (pdfminer runs such words together) and is several
times faster (docs/performance.md). Each line of a page becomes a block: bold lines are headings, lines set larger
than the body text are prominent, and a line continues the paragraph above it unless a gap, a change of style or
a jump across the page separates them. Running headers and footers (lines repeated at the top or bottom of most
pages, page numbers, a "DRAFT" watermark) are left out.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

import pypdfium2
import pypdfium2.raw as pdfium_c

from ..document import Block, Extracted
from ..structure import LOOSE_FURNITURE, PAGE_FURNITURE, ends_sentence

OcrMode = Literal["auto", "never"]
OCR_DPI = 300
BAND = 0.15
REPEATED_SHARE = 0.4
BOLD_SHARE = 0.8
PROMINENT_RATIO = 1.25
BOLD_PROMINENT_RATIO = 1.1
OCR_PROMINENT_RATIO = 1.6
BODY_SHARE = 0.2
SHORT_LINE = 0.2
LINE_BREAK = re.compile(r"\r\n|\r|\n")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TESSERACT_HELP = (
    "install Tesseract to read it by OCR (Debian/Ubuntu: apt-get install tesseract-ocr; macOS: brew install tesseract)"
)


class ScannedPdf(ValueError):
    """A PDF whose pages are images and that cannot be read by OCR here; the message says what to do."""


@dataclass(frozen=True)
class Line:
    """One line of a page, in points from the top of the page."""

    text: str
    page: int
    top: float
    bottom: float
    left: float
    right: float
    height: float
    bold: bool = False
    ocr: bool = False
    continues: bool = False


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def extract(data: bytes, ocr: OcrMode = "auto") -> Extracted:
    document = pypdfium2.PdfDocument(data)
    try:
        pages: list[list[Line]] = []
        heights: list[float] = []
        unread: list[int] = []
        ocr_pages = 0
        can_ocr = ocr == "auto" and tesseract_available()
        for number in range(len(document)):
            page = document[number]
            lines = list(_text_lines(page, number))
            if not lines and can_ocr:
                lines = _ocr_lines(page, number)
                ocr_pages += bool(lines)
            elif not lines:
                unread.append(number)
            pages.append(lines)
            heights.append(page.get_height())
    finally:
        document.close()
    if unread and len(unread) == len(pages):
        if ocr == "never":
            raise ScannedPdf("it has no text layer (a scanned PDF): ingest it with --ocr auto to read it by OCR")
        raise ScannedPdf(f"it has no text layer (a scanned PDF): {TESSERACT_HELP}, then ingest it again")
    lines, running = _without_furniture(pages, heights)
    extracted = _assemble(lines)
    extracted.ocr_pages, extracted.unread_pages, extracted.running_lines = ocr_pages, len(unread), running
    return extracted


def first_page_by_ocr(data: bytes) -> list[str]:
    """The first page read by OCR, line by line: for a title block drawn as outlines or set as a picture above a
    text layer, which the text layer does not hold."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [line.text for line in _ocr_lines(document[0], 0)] if len(document) else []
    finally:
        document.close()


def _text_lines(page: pypdfium2.PdfPage, number: int) -> Iterator[Line]:
    """The page's text layer, line by line, with each line's position and style."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        styled = textpage.count_chars() == len(text)
        height = page.get_height()
        font = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        box = pdfium_c.FS_RECTF()
        start = 0
        for match in [*LINE_BREAK.finditer(text), None]:
            end = match.start() if match else len(text)
            content = _clean(text[start:end])
            if content.strip():
                tops, bottoms, lefts, rights, sizes, bold = [], [], [], [], [], 0
                for index in range(start, end) if styled else ():
                    if text[index].isspace():
                        continue
                    pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, index, box)
                    tops.append(box.top)
                    bottoms.append(box.bottom)
                    lefts.append(box.left)
                    rights.append(box.right)
                    sizes.append(box.top - box.bottom)
                    pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, font, len(font), ctypes.byref(flags))
                    name = font.value.decode("latin-1").lower()
                    bold += any(word in name for word in ("bold", "black", "heavy", "semibold", "demi")) or (
                        pdfium_c.FPDFText_GetFontWeight(textpage.raw, index) >= 600
                    )
                if sizes:
                    yield Line(
                        text=content.strip(),
                        page=number,
                        top=height - max(tops),
                        bottom=height - min(bottoms),
                        left=min(lefts),
                        right=max(rights),
                        height=statistics.median(sizes),
                        bold=bold >= BOLD_SHARE * len(sizes),
                    )
                else:
                    yield Line(content.strip(), number, top=0.0, bottom=0.0, left=0.0, right=0.0, height=0.0)
            start = match.end() if match else len(text)
    finally:
        textpage.close()


def _clean(text: str) -> str:
    """PDFium marks a word hyphenated at a line end with U+FFFE: it is the printed hyphen."""
    return CONTROL.sub("", text.replace("\ufffe", "-").replace("\u200b", ""))


def _ocr_lines(page: pypdfium2.PdfPage, number: int) -> list[Line]:
    """A page image read by Tesseract, line by line, with Tesseract's own paragraphs."""
    import pytesseract

    scale = OCR_DPI / 72
    image = page.render(scale=scale, grayscale=True).to_pil()
    words = pytesseract.image_to_data(image, output_type=pytesseract.Output.DICT)
    grouped: dict[tuple[int, int, int], list[int]] = {}
    for index, word in enumerate(words["text"]):
        if word.strip() and float(words["conf"][index]) >= 0:
            key = (words["block_num"][index], words["par_num"][index], words["line_num"][index])
            grouped.setdefault(key, []).append(index)
    found: list[tuple[Line, tuple[int, int]]] = []
    for (block, paragraph, _), indexes in grouped.items():
        line = Line(
            text=_clean(" ".join(words["text"][index] for index in indexes)),
            page=number,
            top=min(words["top"][index] for index in indexes) / scale,
            bottom=max(words["top"][index] + words["height"][index] for index in indexes) / scale,
            left=min(words["left"][index] for index in indexes) / scale,
            right=max(words["left"][index] + words["width"][index] for index in indexes) / scale,
            height=statistics.median(words["height"][index] for index in indexes) / scale,
            ocr=True,
        )
        found.append((line, (block, paragraph)))
    # Top to bottom, as a text layer reads: Tesseract's own order can put a column beside the title before it.
    found.sort(key=lambda pair: (round(pair[0].top / max(pair[0].height, 1.0) / 2), pair[0].left))
    lines = []
    for position, (line, paragraph) in enumerate(found):
        continues = position > 0 and found[position - 1][1] == paragraph
        lines.append(replace(line, continues=continues))
    return lines


def _furniture_key(text: str) -> str:
    return re.sub(r"[^a-z#]", "", re.sub(r"\d+", "#", text.lower()))


def _without_furniture(pages: list[list[Line]], heights: list[float]) -> tuple[list[list[Line]], list[str]]:
    """Each page's lines without running headers and footers: page numbers and lines repeated at the top or bottom
    of most pages (the clerk's address, the meeting's name), and a "DRAFT" watermark or signature line anywhere;
    and the text of each repeated line, once."""
    in_band = [
        [line.top < BAND * height or line.bottom > (1 - BAND) * height for line in lines]
        for lines, height in zip(pages, heights, strict=True)
    ]
    counts = Counter(
        key
        for lines, bands in zip(pages, in_band, strict=True)
        for key in {_furniture_key(line.text) for line, band in zip(lines, bands, strict=True) if band}
    )
    enough = max(2, REPEATED_SHARE * len(pages))
    repeated = {key for key, count in counts.items() if count >= enough}
    running = {
        _furniture_key(line.text): line.text
        for lines, bands in zip(pages, in_band, strict=True)
        for line, band in zip(lines, bands, strict=True)
        if band and _furniture_key(line.text) in repeated
    }
    kept = [
        [
            line
            for line, band in zip(lines, bands, strict=True)
            if not (band and (_furniture_key(line.text) in repeated or PAGE_FURNITURE.match(line.text)))
            and not LOOSE_FURNITURE.match(line.text)
        ]
        for lines, bands in zip(pages, in_band, strict=True)
    ]
    return kept, list(running.values())


def _continues(previous: Line, line: Line, margin: float) -> bool:
    """Whether `line` is the next line of the paragraph `previous` is in: close below it in the same style, unless
    `previous` stopped well short of the right `margin` before a capital (a line broken on purpose: one action of a
    list), or the sentence plainly runs on."""
    mid_sentence = not ends_sentence(previous.text) and line.text[:1].islower()
    if line.ocr or previous.ocr:
        return previous.page == line.page and (line.continues or mid_sentence and line.top > previous.top)
    if previous.page != line.page:
        return mid_sentence and not line.bold
    height = max(previous.height, line.height, 1.0)
    close = 0 <= line.top - previous.bottom <= 0.6 * height
    same_style = previous.bold == line.bold and abs(previous.height - line.height) <= 0.15 * height
    aligned = abs(line.left - previous.left) <= 2 * height
    short = previous.right < margin - SHORT_LINE * (margin - previous.left)
    return close and (same_style and (aligned or not ends_sentence(previous.text)) and not short or mid_sentence)


def _prominent_ratio(line: Line) -> float:
    """How much larger than the body a line must be to stand out as a heading: less when it is bold too, more when
    its height was measured by OCR (capitals alone make a line taller)."""
    return OCR_PROMINENT_RATIO if line.ocr else BOLD_PROMINENT_RATIO if line.bold else PROMINENT_RATIO


def _body_size(lines: list[Line]) -> float:
    """The size of the running text: the largest size that sets a good share of the characters (tables and
    footnotes are often set smaller than the minutes' prose)."""
    sizes = Counter(round(line.height * 2) / 2 for line in lines for _ in line.text if line.height)
    total = sum(sizes.values())
    common = [size for size, count in sizes.items() if count >= BODY_SHARE * total]
    return max(common, default=0.0)


def _assemble(pages: list[list[Line]]) -> Extracted:
    """One text for the document: a paragraph's lines joined by line breaks, paragraphs by blank lines; and where
    each page starts in it, so that a passage can cite its page (a page with no text starts where the next does)."""
    lines = [line for page in pages for line in page]
    body = _body_size(lines)
    pieces: list[str] = []
    blocks: list[Block] = []
    page_starts: list[int] = []
    position = 0
    previous: Line | None = None
    margins = {
        page: max((line.right for line in lines if line.page == page), default=0.0) for page in range(len(pages))
    }
    for line in lines:
        continues = previous is not None and _continues(previous, line, margins[line.page])
        if previous is not None:
            separator = "\n" if continues else "\n\n"
            pieces.append(separator)
            position += len(separator)
        page_starts.extend([position] * (line.page + 1 - len(page_starts)))
        pieces.append(line.text)
        blocks.append(
            Block(
                position,
                position + len(line.text),
                heading=line.bold,
                prominent=bool(body) and line.height >= _prominent_ratio(line) * body,
                continues=continues,
                ocr=line.ocr,
            )
        )
        position += len(line.text)
        previous = replace(line, continues=continues)
    page_starts.extend([position] * (len(pages) - len(page_starts)))
    return Extracted("".join(pieces), blocks, page_starts=page_starts)
