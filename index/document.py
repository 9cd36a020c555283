"""The one document model that every format's parser produces.

Offsets (`start`, `end`) always index `Document.text`, the document's extracted
text, so that any passage can be cut from it verbatim and traced back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ParagraphKind = Literal["text", "decision"]


@dataclass(frozen=True)
class Block:
    """A run of extracted text as the format laid it out: a paragraph, a line, a heading."""

    start: int
    end: int
    heading: bool = False


@dataclass
class Paragraph:
    start: int
    end: int
    kind: ParagraphKind = "text"
    speakers: tuple[str, ...] = ()


@dataclass
class Item:
    """An agenda item: its number and title when the minutes give them, and its paragraphs.

    `procedural` marks apologies, declarations of interest, approval of the last minutes and the next meeting's
    date: searchable, but rarely what a question is after.
    """

    number: str | None
    title: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    procedural: bool = False


@dataclass
class Document:
    path: str
    format: str
    text: str
    committee: str | None = None
    date: dt.date | None = None
    title: str | None = None
    items: list[Item] = field(default_factory=list)
    url: str | None = None

    def span(self, start: int, end: int) -> str:
        return self.text[start:end]

    def paragraph_text(self, paragraph: Paragraph) -> str:
        return self.text[paragraph.start : paragraph.end]


def join_runs(runs: list[tuple[str, bool]]) -> tuple[str, list[Block]]:
    """Extracted text for formats without their own plain text: runs joined by blank lines, as (text, blocks)."""
    blocks: list[Block] = []
    position = 0
    for run, heading in runs:
        blocks.append(Block(position, position + len(run), heading=heading))
        position += len(run) + 2
    return "\n\n".join(run for run, _ in runs), blocks
