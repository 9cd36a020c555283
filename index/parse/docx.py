"""Word .docx: paragraphs and table rows in document order.

Heading and Title styles are prominent headings; a paragraph set wholly in bold (how many clerks mark an item's
title) is a heading.
"""

from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..document import Extracted, join_runs


def _styled_heading(paragraph: Paragraph) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return style.startswith(("Heading", "Title", "Subtitle"))


def _bold(paragraph: Paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    return bool(runs) and all(run.bold or (run.bold is None and style_bold) for run in runs)


def extract(data: bytes) -> Extracted:
    document = docx.Document(io.BytesIO(data))
    runs: list[tuple[str, bool, bool]] = []
    for element in document.iter_inner_content():
        if isinstance(element, Table):
            for row in element.rows:
                cells: list[str] = []
                for cell in row.cells:
                    cell_text = " ".join(cell.text.split())
                    if cell_text and cell_text not in cells:
                        cells.append(cell_text)
                if cells:
                    runs.append((" | ".join(cells), False, False))
        else:
            paragraph_text = " ".join(element.text.split())
            if paragraph_text:
                styled = _styled_heading(element)
                runs.append((paragraph_text, styled or _bold(element), styled))
    extracted = join_runs(runs)
    created = document.core_properties.created
    extracted.written = created.date() if created else None
    return extracted
