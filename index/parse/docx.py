"""Word .docx: paragraphs and table rows in document order; Heading and Title styles are headings."""

from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..document import Block, join_runs


def _heading(paragraph: Paragraph) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return style.startswith(("Heading", "Title", "Subtitle"))


def extract(data: bytes) -> tuple[str, list[Block]]:
    document = docx.Document(io.BytesIO(data))
    runs: list[tuple[str, bool]] = []
    for element in document.iter_inner_content():
        if isinstance(element, Table):
            for row in element.rows:
                cells: list[str] = []
                for cell in row.cells:
                    cell_text = " ".join(cell.text.split())
                    if cell_text and cell_text not in cells:
                        cells.append(cell_text)
                if cells:
                    runs.append((" | ".join(cells), False))
        else:
            paragraph_text = " ".join(element.text.split())
            if paragraph_text:
                runs.append((paragraph_text, _heading(element)))
    return join_runs(runs)
