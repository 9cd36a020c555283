"""Minutes laid out as councils publish them, built for tests from the fictional sources in tests/data/layouts/.

A source line starting "# " is a title line (large, bold), "! " a bold line, any other a line of text; a blank
line separates paragraphs. `pdf()` sets them on A4 pages with the furniture real minutes carry (page numbers, a
running header, the clerk's address in the footer, a DRAFT watermark); `docx()` writes a Word file whose headings
are bold runs in the Normal style, as most clerks make them.
"""

from __future__ import annotations

import io

from tests.conftest import DATA

LAYOUTS = DATA / "layouts"
PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0
MARGIN = 72.0
BODY = ("Helvetica", 11.0, 14.0)
BOLD = ("Helvetica-Bold", 11.0, 14.0)
TITLE = ("Helvetica-Bold", 14.0, 18.0)


def source(name: str) -> str:
    return (LAYOUTS / name).read_text(encoding="utf-8")


def _runs(name: str) -> list[tuple[tuple[str, float, float], str] | None]:
    """(style, text) for each source line; None between paragraphs."""
    runs: list[tuple[tuple[str, float, float], str] | None] = []
    for line in source(name).splitlines():
        if not line.strip():
            if runs and runs[-1] is not None:
                runs.append(None)
        elif line.startswith("# "):
            runs.append((TITLE, line[2:]))
        elif line.startswith("! "):
            runs.append((BOLD, line[2:]))
        else:
            runs.append((BODY, line))
    return runs


def _layout(name: str) -> list[list[tuple[tuple[str, float, float], str, float]]]:
    """Pages of (style, text, y) for each printed line."""
    from reportlab.lib.utils import simpleSplit

    pages: list[list[tuple[tuple[str, float, float], str, float]]] = [[]]
    y = PAGE_HEIGHT - MARGIN
    for run in _runs(name):
        if run is None:
            y -= 10
            continue
        style, text = run
        for piece in simpleSplit(text, style[0], style[1], PAGE_WIDTH - 2 * MARGIN):
            if y < MARGIN + 30:
                pages.append([])
                y = PAGE_HEIGHT - MARGIN
            pages[-1].append((style, piece, y))
            y -= style[2]
    return pages


def pdf(
    name: str,
    footer: str | None = "Page {page} of {pages}",
    header: str | None = None,
    address: str | None = None,
    watermark: bool = False,
) -> bytes:
    """The source set as a PDF with a text layer."""
    from reportlab.pdfgen.canvas import Canvas

    pages = _layout(name)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    for number, lines in enumerate(pages, start=1):
        if watermark:
            canvas.saveState()
            canvas.setFont("Helvetica-Bold", 90)
            canvas.setFillGray(0.9)
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, "DRAFT")
            canvas.restoreState()
        if header:
            canvas.setFont("Helvetica", 8)
            canvas.drawString(MARGIN, PAGE_HEIGHT - 40, header)
        for (font, size, _), text, y in lines:
            canvas.setFont(font, size)
            canvas.drawString(MARGIN, y, text)
        canvas.setFont("Helvetica", 8)
        if address:
            canvas.drawCentredString(PAGE_WIDTH / 2, 52, address)
        if footer:
            canvas.drawCentredString(PAGE_WIDTH / 2, 36, footer.format(page=number, pages=len(pages)))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def docx(name: str) -> bytes:
    """The source as a Word file: consecutive lines of one style make one paragraph; titles and headings are bold
    runs, not heading styles."""
    import docx as word

    document = word.Document()
    paragraphs: list[tuple[tuple[str, float, float], str]] = []
    for run in _runs(name):
        if run is None:
            continue
        style, text = run
        if paragraphs and paragraphs[-1][0] == style and style != BODY:
            paragraphs[-1] = (style, f"{paragraphs[-1][1]} {text}")
        elif paragraphs and paragraphs[-1][0] == style == BODY and not paragraphs[-1][1].endswith("."):
            paragraphs[-1] = (style, f"{paragraphs[-1][1]} {text}")
        else:
            paragraphs.append((style, text))
    for style, text in paragraphs:
        paragraph = document.add_paragraph()
        paragraph.add_run(text).bold = style != BODY
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
