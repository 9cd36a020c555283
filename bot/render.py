"""Answers and the register as text for a terminal: each quote, then its citation."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap

import click

from index.register import RegisterEntry
from index.search import Answer, Passage

PARAGRAPH_BREAK = re.compile(r"\n[\s\u00a0]*\n")


def format_date(date: dt.date | None) -> str | None:
    return f"{date.day} {date:%B %Y}" if date else None


def citation(passage: Passage | RegisterEntry) -> str:
    """Committee · date · Item title · web page (else file), leaving out what the minutes did not say."""
    item = f"{passage.item_number}. {passage.item}" if passage.item and passage.item_number else passage.item
    parts = [passage.committee, format_date(passage.date), item, passage.url or passage.document]
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
