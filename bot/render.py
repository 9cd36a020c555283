"""What Minutebook shows in a terminal (answers, the register, the index's status, a register spreadsheet), and
the wording that Slack's messages share with it: dates, bodies, citations, counts, paragraphs."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import textwrap
from typing import TextIO

import click

from index.briefing import Briefing
from index.dates import in_words
from index.digest import Digest
from index.document import Reading, item_label
from index.parse.pdf import TESSERACT_HELP
from index.register import RegisterAnswer, RegisterEntry
from index.search import Answer, Passage

PARAGRAPH_BREAK = re.compile(r"\n[\s\u00a0]*\n")
LISTED = 5
TERMINAL_WIDTH = 100
CSV_COLUMNS = [
    "status",
    "kind",
    "due",
    "due_phrase",
    "owner",
    "council",
    "committee",
    "date",
    "item",
    "text",
    "document",
]


def format_date(date: dt.date | None) -> str | None:
    """A date in words, or None when there is none."""
    return in_words(date) if date else None


def span(first: str | None, last: str | None) -> str:
    """Two ISO dates as a person reads them, once when they are the same day."""
    days = [in_words(dt.date.fromisoformat(iso)) if iso else "—" for iso in (first, last)]
    return days[0] if days[0] == days[1] else f"{days[0]} to {days[1]}"


def utc_time(timestamp: str) -> str:
    """A timestamp the index recorded (ISO 8601, UTC) as people read it: 2026-12-01 09:30:00 UTC."""
    return timestamp.replace("T", " ").removesuffix("+00:00") + " UTC"


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a passage, each with its whitespace tidied to single spaces."""
    return [tidied for part in PARAGRAPH_BREAK.split(text) if (tidied := " ".join(part.split()))]


def meeting_body(committee: str | None, council: str | None) -> str | None:
    """The body that met and, when its name does not say it, its council: "Cabinet (Kent County Council)"."""
    if committee and council and council.casefold() not in committee.casefold():
        return f"{committee} ({council})"
    return committee or council


OCR_NOTE = "text read by OCR from a scanned page"


def citation(passage: Passage | RegisterEntry) -> str:
    """Committee (council) · date · Item title · web page (else file) · page of a PDF, leaving out what the minutes
    did not say; a passage read by OCR says so."""
    page = page_of(passage)
    parts = [
        meeting_body(passage.committee, passage.council),
        format_date(passage.date),
        item_label(passage.item_number, passage.item),
        web_page(passage) or passage.document,
        f"page {page}" if page else None,
        OCR_NOTE if passage.ocr else None,
    ]
    return " · ".join(part for part in parts if part)


def page_of(passage: Passage | RegisterEntry) -> int | None:
    """The PDF page a passage starts on (register entries are cited by their item)."""
    return passage.page if isinstance(passage, Passage) else None


def web_page(passage: Passage | RegisterEntry) -> str | None:
    """The passage's web page, opened at its page when it is a PDF's (#page=N, which browsers' PDF viewers read)."""
    page = page_of(passage)
    return f"{passage.url}#page={page}" if passage.url and page else passage.url


def _width() -> int:
    return min(TERMINAL_WIDTH, shutil.get_terminal_size((TERMINAL_WIDTH, 24)).columns)


def quote(text: str, width: int) -> str:
    wrapped = [
        textwrap.fill(paragraph, width=width, initial_indent="   │ ", subsequent_indent="   │ ")
        for paragraph in paragraphs(text)
    ]
    return "\n   │\n".join(wrapped)


def render_passages(passages: list[Passage]) -> str:
    width = _width()
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
    width = _width()
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


def render_digest(due: Digest) -> str:
    """A committee's digest in the terminal: what it has due and up to when, then the entries as the register
    shows them."""
    heading = click.style(f"{due.committee}: due {due.horizon()}, as of {format_date(due.as_of)}", bold=True)
    if not due.entries:
        return f"{heading}\nNothing is overdue or falls due by then."
    return f"{heading}\n\n{render_register(due.entries)}"


def render_briefing(briefing: Briefing) -> str:
    """A meeting's briefing in the terminal: each substantive agenda item with the register's entries on it and the
    earlier passages about it, quoted with their citations; then the items left out."""
    meeting = f" on {format_date(briefing.meeting)}" if briefing.meeting else ""
    heading = click.style(f"Briefing: {briefing.committee or 'the meeting'}{meeting}", bold=True)
    parts = [f"{heading}\nAgenda: {briefing.source}"]
    width = _width()
    for briefed in briefing.items:
        lines = [click.style(briefed.item.label, bold=True, underline=True)]
        for title, entries in (("Decided before", briefed.decisions), ("Open commitments", briefed.commitments)):
            for entry in entries:
                lines += [f"{title} · {due_line(entry)}", quote(entry.text, width), f"   — {citation(entry)}"]
        for passage in briefed.passages:
            lines += ["From the minutes", quote(passage.text, width), f"   — {citation(passage)}"]
        if len(lines) == 1:
            lines.append("Nothing in the committee's earlier minutes is about this item.")
        parts.append("\n".join(lines))
    if briefing.left_out:
        parts.append("Left out (procedural): " + "; ".join(item.label for item in briefing.left_out))
    return "\n\n".join(parts)


DATE_SOURCE_WORDS = {
    "file name": ("dated from its file name", "dated from their file names"),
    "front matter": ("dated from its front matter (when it was posted)", "dated from their front matter (when posted)"),
}


def count(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 meeting", "3 meetings"; `plural` when adding an s is wrong ("entries")."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


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
    whole = [reading.path for reading in readings if not reading.items_read]
    if whole:
        lines.append(
            f"{count(len(whole), 'document')} read without agenda items (indexed whole, as one item): {listed(whole)}"
        )
    unread = [reading.path for reading in readings if reading.unread_pages]
    if unread:
        lines.append(
            f"{count(len(unread), 'document')} with scanned pages left unread: {listed(unread)} — {TESSERACT_HELP}"
        )
    return lines


def render_reply(answer: Answer | RegisterAnswer) -> str:
    """What a question gets in the terminal: the filters it was searched within, then passages of the minutes, or
    entries of the register."""
    filters = f"Filters: {answer.filters.describe()}\n\n" if answer.filters else ""
    if isinstance(answer, Answer):
        return filters + render_answer(answer)
    return filters + render_register(answer.entries)


def _vector_search(kind: str) -> str:
    if kind == "exact":
        return "exact vector search"
    return f"approximate vector search ({int(kind.removeprefix('IVF')):,} clusters)"


def render_status(indexed: dict, sources: list[dict], index_path: str) -> str:
    """What `status` prints: totals, each committee's meetings, documents to fix, and the ModernGov syncs."""
    if not indexed["documents"]:
        lines = [f"Nothing is indexed in '{index_path}' yet: add minutes with minutebook ingest PATH."]
    else:
        lines = [
            f"{count(indexed['meetings'], 'meeting')} from {count(indexed['documents'], 'document')}, "
            f"{span(indexed['first'], indexed['last'])}; {count(indexed['chunks'], 'passage')}; "
            f"last ingest {utc_time(indexed['last_ingest'])}; model {indexed['model']}; "
            f"{_vector_search(indexed['vector_search'])}."
        ]
        for committee in indexed["committees"]:
            body = meeting_body(committee["committee"], committee["council"]) or "(committee not stated)"
            lines.append(
                f"  {body}: {count(committee['meetings'], 'meeting')}, {span(committee['first'], committee['last'])}"
            )
        lines += unread_lines(indexed["readings"])
    if sources:
        lines.append("Synced from ModernGov:")
    for source in sources:
        stopped = f"; the last sync stopped early: {source['error']}" if source["error"] else ""
        lines.append(
            f"  {source['committee']} ({source['committee_id']}) at {source['site']}: "
            f"{count(source['meetings'], 'meeting')}, {count(source['items'], 'item')}; "
            f"synced {utc_time(source['synced_at'])} for {span(source['since'], source['until'])}; "
            f"{count(source['restricted'], 'restricted item')} left out{stopped}"
        )
    return "\n".join(lines)


def write_register_csv(entries: list[RegisterEntry], output: TextIO) -> None:
    """A spreadsheet a clerk can open: one row per entry, each cell on one line."""
    writer = csv.writer(output)
    writer.writerow([*CSV_COLUMNS, "followed_up_date", "followed_up_item"])
    for entry in entries:
        record = entry.to_json()
        later = record.get("followed_up_by") or {}
        writer.writerow(
            [" ".join(str(record[column] or "").split()) for column in CSV_COLUMNS]
            + [later.get("date"), later.get("item")]
        )
