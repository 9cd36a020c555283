#!/usr/bin/env python3
"""Regenerate the binary / re-encoded sample minutes under examples/minutes/.

The Eastmoor County Council sample minutes are fictional. Most of them are
hand-written files committed as they are (.txt, .md, .html). Three are built
from UTF-8 sources in examples/sources/ by this script:

    examples/sources/cyp-scrutiny-2024-03-12.txt
        -> examples/minutes/cyp-scrutiny/2024-03-12-minutes-cp1252.txt
           (the same text re-encoded as Windows-1252 with CRLF line endings)
    examples/sources/cyp-scrutiny-2024-11-19.txt
        -> examples/minutes/cyp-scrutiny/2024-11-19-minutes.docx
    examples/sources/environment-2024-06-11.txt
        -> examples/minutes/environment/2024-06-11-minutes.pdf

Source markup for the .docx and .pdf (deliberately tiny):

    # text          title line   (docx "Heading 1"; bold centred block in the PDF)
    ## text         agenda item  (docx "Heading 2"; bold heading in the PDF)
    **text**        bold run inside a paragraph
    (i) / (a) / (1) paragraphs starting like this are indented resolutions
    paragraphs are separated by blank lines

Output is deterministic (fixed PDF/docx metadata and zip timestamps) so that
re-running the script does not change committed files needlessly.

Usage:
    python scripts/make_sample_minutes.py

Needs reportlab and python-docx (pip install -e '.[test]' brings both). The test
suite checks examples/questions.jsonl against these files through the real pipeline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SOURCES = EXAMPLES / "sources"
MINUTES = EXAMPLES / "minutes"

CP1252_JOBS = [
    ("cyp-scrutiny-2024-03-12.txt", "cyp-scrutiny/2024-03-12-minutes-cp1252.txt"),
]
DOCX_JOBS = [
    ("cyp-scrutiny-2024-11-19.txt", "cyp-scrutiny/2024-11-19-minutes.docx"),
]
PDF_JOBS = [
    ("environment-2024-06-11.txt", "environment/2024-06-11-minutes.pdf"),
]

FIXED_TIME = dt.datetime(2025, 3, 1, 12, 0, 0)
AUTHOR = "Democratic Services, Eastmoor County Council (fictional sample)"

INDENT_RE = re.compile(r"^\((?:[ivx]+|[a-h]|\d{1,2})\)\s")
BOLD_RE = re.compile(r"\*\*(.+?)\*\*")


# --------------------------------------------------------------------------
# source parsing


def parse_source(path: Path) -> list[tuple[str, str]]:
    """Return blocks as (kind, text); kind is 'title', 'heading' or 'para'."""
    text = path.read_text(encoding="utf-8")
    blocks: list[tuple[str, str]] = []
    for raw in re.split(r"\n\s*\n", text.strip()):
        para = " ".join(line.strip() for line in raw.splitlines())
        if para.startswith("## "):
            blocks.append(("heading", para[3:].strip()))
        elif para.startswith("# "):
            blocks.append(("title", para[2:].strip()))
        else:
            blocks.append(("para", para))
    return blocks


def runs(text: str) -> list[tuple[str, bool]]:
    """Split '**bold** rest' into [(text, is_bold), ...]."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in BOLD_RE.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def is_label(text: str) -> bool:
    """A paragraph that is only a 'Resolved' style label."""
    return text.strip("*").strip() in {"Resolved", "RESOLVED", "RESOLVED that:", "Resolved:"}


def plain(text: str) -> str:
    return BOLD_RE.sub(r"\1", text)


# --------------------------------------------------------------------------
# Windows-1252


def make_cp1252(src: Path, dest: Path) -> None:
    text = src.read_text(encoding="utf-8")
    data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("cp1252")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)


# --------------------------------------------------------------------------
# Word


def make_docx(src: Path, dest: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    blocks = parse_source(src)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)

    for kind, text in blocks:
        if kind == "title":
            doc.add_heading(plain(text), level=1)
        elif kind == "heading":
            doc.add_heading(plain(text), level=2)
        else:
            p = doc.add_paragraph()
            if INDENT_RE.match(plain(text)):
                p.paragraph_format.left_indent = Cm(1)
            label = is_label(text)
            for chunk, bold in runs(text):
                run = p.add_run(chunk)
                run.bold = bold or label

    # footer: "Page X of Y" using Word fields
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def field(paragraph, instr: str) -> None:
        run = paragraph.add_run()
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        code = OxmlElement("w:instrText")
        code.set(qn("xml:space"), "preserve")
        code.text = instr
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        run._r.append(begin)
        run._r.append(code)
        run._r.append(end)

    footer.add_run("Page ")
    field(footer, "PAGE")
    footer.add_run(" of ")
    field(footer, "NUMPAGES")

    cp = doc.core_properties
    first_title = next((t for k, t in blocks if k == "title"), "Minutes")
    cp.title = plain(first_title)
    cp.author = AUTHOR
    cp.last_modified_by = AUTHOR
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.revision = 1

    buf = io.BytesIO()
    doc.save(buf)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(_normalise_zip(buf.getvalue()))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so output is byte-for-byte stable."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------
# PDF


def make_pdf(src: Path, dest: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    rl_config.invariant = 1  # no creation date / random document id

    blocks = parse_source(src)
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=15, spaceAfter=8)
    indented = ParagraphStyle("indented", parent=body, leftIndent=1 * cm)
    title = ParagraphStyle(
        "title", fontName="Helvetica-Bold", fontSize=13, leading=17, alignment=TA_CENTER, spaceAfter=6
    )
    heading = ParagraphStyle(
        "heading",
        fontName="Helvetica-Bold",
        fontSize=11.5,
        leading=15,
        spaceBefore=10,
        spaceAfter=6,
        keepWithNext=1,
    )

    def markup(text: str, force_bold: bool = False) -> str:
        parts = []
        for chunk, bold in runs(text):
            esc = html.escape(chunk, quote=False)
            parts.append(f"<b>{esc}</b>" if (bold or force_bold) else esc)
        return "".join(parts)

    story = []
    for kind, text in blocks:
        if kind == "title":
            story.append(Paragraph(markup(text), title))
        elif kind == "heading":
            if story and isinstance(story[-1], Paragraph) and story[-1].style is title:
                story.append(Spacer(1, 8))
            story.append(Paragraph(markup(text), heading))
        else:
            style = indented if INDENT_RE.match(plain(text)) else body
            story.append(Paragraph(markup(text, force_bold=is_label(text)), style))

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so every footer can say 'Page X of Y'."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self.setFont("Helvetica", 9)
                self.drawCentredString(A4[0] / 2, 1.2 * cm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    titles = [plain(t) for k, t in blocks if k == "title"] or ["Minutes"]
    doc = SimpleDocTemplate(
        str(dest),
        pagesize=A4,
        leftMargin=2.3 * cm,
        rightMargin=2.3 * cm,
        topMargin=2.2 * cm,
        bottomMargin=2.4 * cm,
        title=" – ".join(titles[:2]),
        author=AUTHOR,
        creator="scripts/make_sample_minutes.py",
    )
    dest.parent.mkdir(parents=True, exist_ok=True)
    doc.build(story, canvasmaker=NumberedCanvas)


# --------------------------------------------------------------------------


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    for jobs, make in ((CP1252_JOBS, make_cp1252), (DOCX_JOBS, make_docx), (PDF_JOBS, make_pdf)):
        for source, target in jobs:
            make(SOURCES / source, MINUTES / target)
            print(f"wrote {MINUTES / target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
