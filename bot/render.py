"""Answers as text for a terminal: each quote, then its citation."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap

import click

from index.search import Answer, Passage

PARAGRAPH_BREAK = re.compile(r"\n[\s\u00a0]*\n")


def format_date(date: dt.date | None) -> str | None:
    return f"{date.day} {date:%B %Y}" if date else None


def citation(passage: Passage) -> str:
    """Committee · date · Item title · file, leaving out what the minutes did not say."""
    item = f"{passage.item_number}. {passage.item}" if passage.item and passage.item_number else passage.item
    parts = [passage.committee, format_date(passage.date), item, passage.document]
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
