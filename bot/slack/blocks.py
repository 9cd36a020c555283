"""Block Kit for every message and view the bot shows, in one place, within Slack's limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from itertools import groupby
from pathlib import PurePath

from index.register import RegisterEntry
from index.search import Answer, Passage

from ..render import OCR_NOTE, count, format_date, item_label, meeting_body

TEXT_LIMIT = 3000
QUOTE_LIMIT = 2800
BLOCK_LIMIT = 50
PARAGRAPH_BREAK = re.compile(r"\n[\s\u00a0]*\n")
SENTENCE_END = re.compile(r"[.!?][\"'’”)]*\s")


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """Cut at the last sentence that fits (else the last whole word), with an ellipsis; never mid-word."""
    if len(text) <= limit:
        return text
    window = text[: limit - 1]
    sentences = [match.end() for match in SENTENCE_END.finditer(window)]
    if sentences and sentences[-1] > limit // 2:
        return window[: sentences[-1]].rstrip() + " …"
    return window[: window.rstrip().rfind(" ")].rstrip(" ,;:") + " …"


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The passage as a Slack quote: its own words, paragraphs kept, whitespace tidied."""
    paragraphs = [" ".join(part.split()) for part in PARAGRAPH_BREAK.split(text)]
    joined = "\n".join(paragraph for paragraph in paragraphs if paragraph)
    shown = shorten(joined, limit)
    return "\n".join(f"> {escape(line)}" for line in shown.split("\n"))


def how_long_ago(date: dt.date, today: dt.date) -> str:
    days = (today - date).days
    if days < 0:
        return "upcoming"
    if days == 0:
        return "today"
    if days < 45:
        return f"{days} day{'s' * (days != 1)} ago"
    months = round(days / 30.44)
    if months < 18:
        return f"{months} months ago"
    years = round(days / 365.25)
    return f"{years} years ago"


def citation(passage: Passage | RegisterEntry, today: dt.date) -> str:
    """committee (council) · meeting date (how long ago) · agenda item · source document (a link when it has a URL);
    a passage read by OCR says so."""
    date = f"{format_date(passage.date)} ({how_long_ago(passage.date, today)})" if passage.date else None
    item = item_label(passage.item_number, passage.item)
    body = meeting_body(passage.committee, passage.council)
    name = PurePath(passage.document).name
    document = f"<{passage.url}|{escape(name)}>" if passage.url else escape(name)
    parts = [f"*{escape(body)}*" if body else None, date, escape(item) if item else None, document]
    return " · ".join([part for part in parts if part] + ([f"_{OCR_NOTE}_"] if passage.ocr else []))


def passage_blocks(passages: list[Passage], today: dt.date) -> list[dict]:
    """Quotes grouped by meeting and agenda item, each group followed by its citation."""
    order = {id(passage): rank for rank, passage in enumerate(passages)}

    def source(passage: Passage) -> tuple:
        return (passage.committee or "", passage.date or dt.date.min, passage.item or "", passage.document)

    first_rank: dict[tuple, int] = {}
    for passage in passages:
        first_rank.setdefault(source(passage), order[id(passage)])
    ordered = sorted(passages, key=lambda passage: (first_rank[source(passage)], order[id(passage)]))
    blocks: list[dict] = []
    for _, group in groupby(ordered, key=source):
        group = list(group)
        for passage in group:
            label = "*Decision*\n" if passage.kind == "decision" else ""
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": label + quote(passage.text)}})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": citation(group[0], today)}]})
    return blocks


def feedback_actions(answer_id: int, shareable: bool) -> dict:
    buttons = [
        {
            "type": "button",
            "action_id": "feedback_helpful",
            "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True},
            "value": str(answer_id),
        },
        {
            "type": "button",
            "action_id": "feedback_not_helpful",
            "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True},
            "value": str(answer_id),
        },
    ]
    if shareable:
        buttons.insert(
            0,
            {
                "type": "button",
                "action_id": "share_answer",
                "style": "primary",
                "text": {"type": "plain_text", "text": "Share in channel"},
                "value": str(answer_id),
            },
        )
    return {"type": "actions", "block_id": f"answer-{answer_id}", "elements": buttons}


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, TEXT_LIMIT)}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, TEXT_LIMIT)}]}


def answer_message(
    answer: Answer,
    answer_id: int,
    today: dt.date,
    shareable: bool = False,
    shared_by: str | None = None,
) -> dict:
    """An answer: a header line, the filters applied, the quotes with citations, and feedback buttons."""
    question = escape(answer.question)
    blocks: list[dict] = []
    if shared_by:
        blocks.append(context(f"<@{shared_by}> shared an answer from the minutes"))
    if not answer.passages:
        blocks.append(section(f"Nothing in the minutes matched “{question}”."))
    elif answer.answered:
        count = len(answer.passages)
        blocks.append(section(f"*{count} passage{'s' * (count != 1)} from the minutes* for “{question}”"))
    else:
        blocks.append(section(f"I couldn't find anything in the minutes that answers “{question}”."))
    if answer.filters:
        blocks.append(context(f"Filters: {escape(answer.filters.describe())}"))
    if answer.passages and not answer.answered:
        blocks.append({"type": "divider"})
        blocks.append(section("*Nearest passages* (these may not answer your question)"))
    blocks.extend(passage_blocks(answer.passages, today))
    blocks = blocks[: BLOCK_LIMIT - 1]
    if answer_id:
        blocks.append(feedback_actions(answer_id, shareable))
    return {"text": fallback_text(answer, today), "blocks": blocks}


def fallback_text(answer: Answer, today: dt.date) -> str:
    """What notifications and screen readers get: the best passage and its citation."""
    if not answer.passages:
        return f"Nothing in the minutes matched “{answer.question}”."
    best = answer.passages[0]
    lead = "From the minutes" if answer.answered else "Nothing in the minutes answers this; the nearest passage"
    body = " ".join(best.text.split())
    return shorten(f"{lead}: “{body}” — {citation(best, today)}", TEXT_LIMIT)


HOW_TO_ASK = (
    "*How to ask*\n"
    "• Mention me in a channel: `@Minutebook what did we agree about school transport?` I answer in a thread.\n"
    "• Send me a direct message.\n"
    "• Type `/minutes your question` to get an answer only you can see, with a button to share it.\n"
    '*Filters* you can add to a question: `committee:"Children and Young People"`, `after:2023-01-01`, '
    "`before:2024-12-31` (a year on its own works too: `after:2023`).\n"
    "*Promises and decisions*: ask `what was promised about school transport?` or `what is overdue?`, "
    "or type `/minutes promises TOPIC`.\n"
    "I only ever quote the minutes, with the committee, meeting date, agenda item and document of each passage."
)


def status_text(status: dict) -> str:
    if not status["documents"]:
        return "Nothing is indexed yet: ask whoever runs Minutebook to ingest the minutes."
    lines = [
        f"*What is indexed*: {status['meetings']} meetings from {status['documents']} documents, "
        f"{format_date(_date(status['first'])) or '—'} to {format_date(_date(status['last'])) or '—'}; "
        f"last ingest {status['last_ingest'].replace('T', ' ').removesuffix('+00:00')} UTC."
    ]
    for committee in status["committees"]:
        name = escape(meeting_body(committee["committee"], committee["council"]) or "(committee not stated)")
        span = f"{format_date(_date(committee['first']))} – {format_date(_date(committee['last']))}"
        lines.append(f"• {name}: {count(committee['meetings'], 'meeting')}, {span}")
    return "\n".join(lines)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def help_message() -> dict:
    return {"text": "How to ask Minutebook", "blocks": [section(HOW_TO_ASK)]}


def status_message(status: dict) -> dict:
    return {"text": "What Minutebook has indexed", "blocks": [section(status_text(status))]}


def home_view(status: dict, examples: Iterable[str]) -> dict:
    example_lines = "\n".join(f"• {escape(example)}" for example in examples)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Minutebook: ask the minutes"}},
        section(
            "Ask a question about past committee meetings and I reply with the passages of the minutes "
            "that answer it, quoted word for word, each with its citation."
        ),
        section(HOW_TO_ASK),
    ]
    if example_lines:
        blocks.append(section(f"*Try asking*\n{example_lines}"))
    blocks += [{"type": "divider"}, section(status_text(status))]
    return {"type": "home", "blocks": blocks}


def plain_message(text: str) -> dict:
    return {"text": text, "blocks": [section(escape(text))]}


def register_message(question: str, entries: list[RegisterEntry], answer_id: int, today: dt.date) -> dict:
    """Entries of the register laid out like answers: the quote, its citation, and its due date and status."""
    count = len(entries)
    if not entries:
        blocks = [section(f"Nothing in the register of decisions and commitments matches “{escape(question)}”.")]
        return {"text": "Nothing in the register matches.", "blocks": blocks}
    blocks = [section(f"*{count} entr{'ies' if count != 1 else 'y'} from the register* for “{escape(question)}”")]
    for entry in entries[:12]:
        blocks.append(section(quote(entry.text, QUOTE_LIMIT)))
        status = entry.status.capitalize()
        due = (
            f"due {format_date(entry.due)}" if entry.due else (f"due “{entry.due_phrase}”" if entry.due_phrase else "")
        )
        facts = [f"*{status}*", entry.kind, due, f"bound: {escape(entry.owner)}" if entry.owner else ""]
        if entry.followed_up_by:
            later = entry.followed_up_by
            link = f"<{later.url}|{escape(later.item)}>" if later.url else escape(later.item)
            facts.append(f"followed up {format_date(later.date)}: {link}")
        blocks.append(context(" · ".join(fact for fact in facts if fact) + "\n" + citation(entry, today)))
    blocks.append(feedback_actions(answer_id, shareable=False))
    first = entries[0]
    text = f"{first.status.capitalize()}: “{' '.join(first.text.split())}” — {citation(first, today)}"
    return {"text": shorten(text, TEXT_LIMIT), "blocks": blocks[:BLOCK_LIMIT]}
