"""Answers and the register as text for a terminal: each quote, then its citation."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap

import click

from index.document import Reading
from index.parse.pdf import TESSERACT_HELP
from index.register import RegisterEntry
from index.search import Answer, Passage

PARAGRAPH_BREAK = re.compile(r"\n[\s\u00a0]*\n")
LISTED = 5


def format_date(date: dt.date | None) -> str | None:
    return f"{date.day} {date:%B %Y}" if date else None


def meeting_body(committee: str | None, council: str | None) -> str | None:
    """The body that met and, when its name does not say it, its council: "Cabinet (Kent County Council)"."""
    if committee and council and council.casefold() not in committee.casefold():
        return f"{committee} ({council})"
    return committee or council


def item_label(number: str | None, title: str | None) -> str | None:
    """An agenda item as minutes cite it: "5. Title", or the title alone."""
    return f"{number}. {title}" if title and number else title


OCR_NOTE = "text read by OCR from a scanned page"


def citation(passage: Passage | RegisterEntry) -> str:
    """Committee (council) · date · Item title · web page (else file), leaving out what the minutes did not say;
    a passage read by OCR says so."""
    parts = [
        meeting_body(passage.committee, passage.council),
        format_date(passage.date),
        item_label(passage.item_number, passage.item),
        passage.url or passage.document,
        OCR_NOTE if passage.ocr else None,
    ]
    return " · ".join(part for part in parts if part)


def quote(text: str, width: int) -> str:
    paragraphs = [" ".join(part.split()) for part in PARAGRAPH_BREAK.split(text)]
    wrapped = [
        textwrap.fill(paragraph, width=width, initial_indent="   │ ", subsequent_indent="   │ ")
        for paragraph in paragraphs
        if paragraph
    ]
    return "\n   │\n".join(wrapped)


def render_passages(passages: list[Passage]) -> str:
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    blocks = []
    for number, passage in enumerate(passages, start=1):
        label = " (decision)" if passage.kind == "decision" else ""
        blocks.append(
            f"{number}.{label}\n{quote(passage.text, width)}\n   — {click.style(citation(passage), fg='cyan')}"
        )
    return "\n\n".join(blocks)


def render_answer(answer: Answer) -> str:
    if not answer.passages:
        return "Nothing in the minutes answers that question (no passages matched)."
    if answer.answered:
        return render_passages(answer.passages)
    return (
        "Nothing in the minutes answers that question.\n\n"
        + click.style("Nearest passages (not answers):", bold=True)
        + "\n\n"
        + render_passages(answer.passages)
    )


def due_line(entry: RegisterEntry) -> str:
    """STATUS · due 14 September 2023 ("in six months") · kind · who is bound."""
    parts = [entry.status.upper()]
    if entry.due:
        parts.append(f"due {format_date(entry.due)}" + (f" (“{entry.due_phrase}”)" if entry.due_phrase else ""))
    elif entry.due_phrase:
        parts.append(f"due “{entry.due_phrase}” (no later meeting indexed yet)")
    parts.append(entry.kind)
    if entry.owner:
        parts.append(entry.owner)
    return " · ".join(parts)


def render_register(entries: list[RegisterEntry]) -> str:
    if not entries:
        return "Nothing in the register matches."
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    firm = [entry for entry in entries if entry.kind != "aspiration"]
    hopes = [entry for entry in entries if entry.kind == "aspiration"]
    sections = []
    for title, group in (("Decisions and commitments", firm), ("Hopes and aspirations (not commitments)", hopes)):
        if not group:
            continue
        blocks = []
        for entry in group:
            lines = [click.style(due_line(entry), bold=True), quote(entry.text, width), f"   — {citation(entry)}"]
            if entry.followed_up_by:
                later = entry.followed_up_by
                lines.append(
                    f"   Followed up: {format_date(later.date)} · {later.item} · {later.url or later.document}"
                )
            blocks.append("\n".join(lines))
        sections.append(click.style(title, underline=True) + "\n\n" + "\n\n".join(blocks))
    return "\n\n".join(sections)


DATE_SOURCE_WORDS = {
    "file name": ("dated from its file name", "dated from their file names"),
    "front matter": ("dated from its front matter (when it was posted)", "dated from their front matter (when posted)"),
}


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def unread_lines(readings: list[Reading]) -> list[str]:
    """What a clerk may want to fix, one line per kind: "2 documents dated from their file names: a.pdf, b.pdf";
    "1 document with no date: minutes/notes.pdf — give --date"; scanned pages read by OCR or left unread."""

    def listed(paths: list[str]) -> str:
        shown = ", ".join(paths[:LISTED])
        return shown + (f" and {len(paths) - LISTED} more" if len(paths) > LISTED else "")

    lines = []
    for source, words in DATE_SOURCE_WORDS.items():
        paths = [reading.path for reading in readings if reading.date_source == source]
        if paths:
            lines.append(f"{count(len(paths), 'document')} {words[len(paths) > 1]}: {listed(paths)}")
    undated = [reading.path for reading in readings if reading.date_source is None]
    if undated:
        lines.append(f"{count(len(undated), 'document')} with no date: {listed(undated)} — give --date")
    unnamed = [reading.path for reading in readings if not reading.committee_from_text]
    if unnamed:
        lines.append(
            f"{count(len(unnamed), 'document')} with no committee read from the text: {listed(unnamed)} "
            "— give --committee"
        )
    scanned = [reading for reading in readings if reading.ocr_pages]
    if scanned:
        pages = sum(reading.ocr_pages for reading in scanned)
        lines.append(f"{count(pages, 'scanned page')} read by OCR in {count(len(scanned), 'document')}")
    unread = [reading.path for reading in readings if reading.unread_pages]
    if unread:
        lines.append(
            f"{count(len(unread), 'document')} with scanned pages left unread: {listed(unread)} — {TESSERACT_HELP}"
        )
    return lines
