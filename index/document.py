"""The one document model that every format's parser produces.

Offsets (`start`, `end`) always index `Document.text`, the document's extracted
text, so that any passage can be cut from it verbatim and traced back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ParagraphKind = Literal["text", "decision"]
DateSource = Literal["text", "file name", "front matter", "option"]


@dataclass(frozen=True)
class Block:
    """A run of extracted text as the format laid it out: a paragraph, a line, a heading.

    `heading`: styled as a heading (bold, a heading element). `prominent`: set above the body text (a larger font,
    a Markdown `#`, a Word Heading style), so a heading even in minutes whose items are numbered. `continues`: the
    next line of the paragraph the block before began (lines of a PDF). `ocr`: read from a page image by OCR.
    """

    start: int
    end: int
    heading: bool = False
    prominent: bool = False
    continues: bool = False
    ocr: bool = False


@dataclass
class Extracted:
    """What a format's parser reads from a file: its text, the blocks of that text, and what it says of itself
    outside the minutes (a Markdown file's front matter; a PDF's running header and footer, left out of the text
    but naming the council: "Regular Meeting / Alameda City Council / January 4, 2005")."""

    text: str
    blocks: list[Block]
    front_matter: dict[str, str] = field(default_factory=dict)
    running_lines: list[str] = field(default_factory=list)
    written: dt.date | None = None  # when the file says it was made (a Word file's created date): the year of a date
    # that the minutes print without one
    ocr_pages: int = 0
    unread_pages: int = 0
    page_starts: list[int] = field(default_factory=list)  # where each page of a PDF starts in the text


@dataclass
class Paragraph:
    start: int
    end: int
    kind: ParagraphKind = "text"
    speakers: tuple[str, ...] = ()
    ocr: bool = False


@dataclass
class Meeting:
    """The meeting minutes record: the council, the body that met, and the date, each as the minutes state it.

    `date_source` says where the date came from, so that a clerk can see which dates were not read from the text."""

    council: str | None = None
    committee: str | None = None
    date: dt.date | None = None
    date_source: DateSource | None = None
    committee_from_text: bool = False


@dataclass
class Item:
    """An agenda item: its number and title when the minutes give them, and its paragraphs.

    `procedural` marks apologies, declarations of interest, approval of the last minutes and the next meeting's
    date: searchable, but rarely what a question is after. `meeting` indexes `Document.meetings`: one file can
    hold the minutes of two meetings.
    """

    number: str | None
    title: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    procedural: bool = False
    meeting: int = 0


def item_label(number: str | None, title: str | None) -> str | None:
    """An agenda item as minutes cite it: "5. Title", or the title alone."""
    return f"{number}. {title}" if title and number else title


@dataclass
class Document:
    path: str
    format: str
    text: str
    meetings: list[Meeting] = field(default_factory=lambda: [Meeting()])
    title: str | None = None
    items: list[Item] = field(default_factory=list)
    url: str | None = None
    ocr_pages: int = 0
    unread_pages: int = 0
    page_starts: list[int] = field(default_factory=list)  # a PDF's: where each of its pages starts in `text`

    @property
    def meeting(self) -> Meeting:
        """The document's (first) meeting."""
        return self.meetings[0]

    @property
    def council(self) -> str | None:
        return self.meeting.council

    @property
    def committee(self) -> str | None:
        return self.meeting.committee

    @property
    def date(self) -> dt.date | None:
        return self.meeting.date

    def meeting_of(self, item: Item) -> Meeting:
        return self.meetings[item.meeting]

    def span(self, start: int, end: int) -> str:
        return self.text[start:end]

    def paragraph_text(self, paragraph: Paragraph) -> str:
        return self.text[paragraph.start : paragraph.end]


@dataclass(frozen=True)
class Reading:
    """How one document was read, for telling a clerk what to fix: where its date came from, whether its
    committee was in the text, its pages read by OCR, its scanned pages left unread, and whether any agenda item
    was found in it (a layout not read is still indexed, as one item)."""

    path: str
    date_source: str | None
    committee_from_text: bool
    ocr_pages: int = 0
    unread_pages: int = 0
    items_read: bool = True


def join_runs(runs: list[tuple[str, bool, bool]]) -> Extracted:
    """Extracted text for formats without their own plain text: (text, heading, prominent) runs joined by blank
    lines."""
    blocks: list[Block] = []
    position = 0
    for run, heading, prominent in runs:
        blocks.append(Block(position, position + len(run), heading=heading or prominent, prominent=prominent))
        position += len(run) + 2
    return Extracted("\n\n".join(run for run, _, _ in runs), blocks)
