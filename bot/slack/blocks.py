"""Block Kit for every message and view the bot shows, in one place, within Slack's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import groupby
from pathlib import PurePath

from index.briefing import Briefing
from index.chunk import sentence_spans
from index.digest import Digest
from index.document import item_label
from index.register import RegisterAnswer, RegisterEntry
from index.search import Answer, Passage

from ..render import OCR_NOTE, count, format_date, meeting_body, page_of, paragraphs, span, utc_time, web_page
from ..watches import Watch, WatchAlert
from .answering import SavedAnswer

TEXT_LIMIT = 3000
QUOTE_LIMIT = 2800
BLOCK_LIMIT = 50
MODAL_BLOCK_LIMIT = 100
MODAL_TITLE_LIMIT = 24
REGISTER_SHOWN = 12
WATCH_SHOWN = 5
PROMPT_TITLE_LIMIT = 48


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """Cut at the last sentence that fits (else the last whole word), with an ellipsis; never mid-word."""
    if len(text) <= limit:
        return text
    window = text[: limit - 1]
    sentence_ends = [end for _, end in sentence_spans(window, 0, len(window))[:-1]]
    if sentence_ends and sentence_ends[-1] > limit // 2:
        return window[: sentence_ends[-1]].rstrip() + " …"
    return window[: window.rstrip().rfind(" ")].rstrip(" ,;:") + " …"


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The passage as a Slack quote: its own words, paragraphs kept, whitespace tidied."""
    shown = shorten("\n".join(paragraphs(text)), limit)
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
    """committee (council) · meeting date (how long ago) · agenda item · source document (a link when it has a URL)
    · page of a PDF; a passage read by OCR says so."""
    date = f"{format_date(passage.date)} ({how_long_ago(passage.date, today)})" if passage.date else None
    item = item_label(passage.item_number, passage.item)
    body = meeting_body(passage.committee, passage.council)
    name = PurePath(passage.document).name
    link = web_page(passage)
    document = f"<{link}|{escape(name)}>" if link else escape(name)
    page = f"page {page_of(passage)}" if page_of(passage) else None
    parts = [f"*{escape(body)}*" if body else None, date, escape(item) if item else None, document, page]
    return " · ".join([part for part in parts if part] + ([f"_{OCR_NOTE}_"] if passage.ocr else []))


def passage_blocks(passages: list[Passage], today: dt.date) -> list[dict]:
    """Quotes grouped by meeting and agenda item, each group followed by its citation, and its first quote with a
    button that opens the whole item."""
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
        blocks[-len(group)]["accessory"] = whole_item_button(group[0])
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": citation(group[0], today)}]})
    return blocks


def whole_item_button(passage: Passage) -> dict:
    """Opens the agenda item the quotes come from, whole ("show_item", by the first quote's passage)."""
    return {
        "type": "button",
        "action_id": "show_item",
        "text": {"type": "plain_text", "text": "Whole item"},
        "value": str(passage.chunk_id),
    }


def _fitting(paragraph: str) -> list[str]:
    """A paragraph in pieces that each fit a quote whole, cut between words: the item is shown, never shortened."""
    pieces: list[str] = []
    while len(paragraph) > QUOTE_LIMIT:
        cut = paragraph.rfind(" ", 0, QUOTE_LIMIT)
        cut = cut if cut > 0 else QUOTE_LIMIT
        pieces.append(paragraph[:cut])
        paragraph = paragraph[cut:].lstrip()
    return [*pieces, paragraph]


def item_view(item: Passage, today: dt.date) -> dict:
    """A modal with an agenda item's text, verbatim, in quotes of whole paragraphs, under its citation; an item too
    long for one modal ends by saying where the rest is."""
    blocks = [context(citation(item, today))]
    pieces: list[str] = []
    for piece in (piece for paragraph in paragraphs(item.text) for piece in _fitting(paragraph)):
        if pieces and len("\n".join([*pieces, piece])) > QUOTE_LIMIT:
            blocks.append(section(quote("\n".join(pieces))))
            pieces = []
        pieces.append(piece)
    if pieces:
        blocks.append(section(quote("\n".join(pieces))))
    if len(blocks) > MODAL_BLOCK_LIMIT:
        rest = context(f"The item continues in {escape(PurePath(item.document).name)}.")
        blocks = [*blocks[: MODAL_BLOCK_LIMIT - 1], rest]
    title = item_label(item.item_number, item.item) or "The whole item"
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": shorten(title, MODAL_TITLE_LIMIT)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


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
        blocks.append(section(f"*{count(len(answer.passages), 'passage')} from the minutes* for “{question}”"))
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
    "• Ask on in that thread without mentioning me: `and what did they decide?`, `and the year before?`, "
    "`show me more`. I keep the thread's subject, committee and period.\n"
    "• Send me a direct message.\n"
    "• Type `/minutes your question` to get an answer only you can see, with a button to share it; "
    "`/minutes status` tells what is indexed.\n"
    '*Filters* you can add to a question: `committee:"Children and Young People"`, `after:2023-01-01`, '
    "`before:2024-12-31` (a year on its own works too: `after:2023`).\n"
    "*Promises and decisions*: ask `what was promised about school transport?` or `what is overdue?`, "
    "or type `/minutes promises TOPIC`.\n"
    '*A committee\'s channel*: `/minutes channel committee:"Planning"` ties a channel to a committee, so that '
    "questions asked there are about its meetings (add “across all committees” to search them all); "
    "`/minutes channel` shows it, `/minutes channel none` unties it.\n"
    "*Watch a topic*: `/minutes watch school transport` posts the new passages about it after each ingest of the "
    'minutes (add `committee:"Planning"` to narrow it); `/minutes watches` lists them, `/minutes unwatch 3` stops '
    "one.\n"
    "I only ever quote the minutes, with the committee, meeting date, agenda item and document of each passage."
)


def status_text(status: dict) -> str:
    if not status["documents"]:
        return "Nothing is indexed yet: ask whoever runs Minutebook to ingest the minutes."
    lines = [
        f"*What is indexed*: {count(status['meetings'], 'meeting')} from {count(status['documents'], 'document')}, "
        f"{span(status['first'], status['last'])}; last ingest {utc_time(status['last_ingest'])}."
    ]
    for committee in status["committees"]:
        name = escape(meeting_body(committee["committee"], committee["council"]) or "(committee not stated)")
        lines.append(
            f"• {name}: {count(committee['meetings'], 'meeting')}, {span(committee['first'], committee['last'])}"
        )
    return "\n".join(lines)


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


def watches_message(watches: list[Watch], where: str) -> dict:
    if not watches:
        return plain_message(f"Nothing is watched {where}. /minutes watch TOPIC sets a watch.")
    lines = [f"*Watches {where}*"]
    for watch in watches:
        committee = f' committee:"{escape(watch.committee)}"' if watch.committee else ""
        lines.append(
            f"• *{watch.id}*: “{escape(watch.topic)}”{committee}, set by <@{watch.user_id}> on "
            f"{format_date(dt.date.fromisoformat(watch.created_at[:10]))}"
        )
    lines.append("`/minutes unwatch N` stops one.")
    return {"text": f"{count(len(watches), 'watch', 'watches')} {where}", "blocks": [section("\n".join(lines))]}


def plain_message(text: str) -> dict:
    return {"text": text, "blocks": [section(escape(text))]}


def suggested_prompt(title: str, message: str) -> dict:
    """A prompt for the assistant pane: the question it sends, under a title short enough for its button."""
    return {"title": shorten(title, PROMPT_TITLE_LIMIT), "message": message}


def saved_answer_message(saved: SavedAnswer, today: dt.date, shareable: bool = False) -> dict:
    """The message for an answer the bot has kept: passages of the minutes, or entries of the register."""
    if isinstance(saved.answer, RegisterAnswer):
        message = register_message(saved.answer, saved.id, today)
    else:
        message = answer_message(saved.answer, saved.id, today, shareable=shareable)
    if saved.scope:
        message["blocks"].insert(1, context(scope_note(saved.scope)))
    if saved.follows:
        message["blocks"].insert(1, context(follow_note(saved.follows)))
    return message


def follow_note(previous: str) -> str:
    return f"Following on from “{escape(previous)}” in this thread."


def scope_note(committee: str) -> str:
    return (
        f"This channel asks about the *{escape(committee)}*: add “across all committees” to a question to search "
        "them all, or `committee:NAME` for another."
    )


def register_message(answer: RegisterAnswer, answer_id: int, today: dt.date) -> dict:
    """Entries of the register laid out like answers: the quote, its citation, and its due date and status."""
    entries, question = answer.entries, escape(answer.question)
    filters = [context(f"Filters: {escape(answer.filters.describe())}")] if answer.filters else []
    if not entries:
        blocks = [section(f"Nothing in the register of decisions and commitments matches “{question}”."), *filters]
        return {"text": "Nothing in the register matches.", "blocks": blocks}
    blocks = [section(f"*{count(len(entries), 'entry', 'entries')} from the register* for “{question}”"), *filters]
    blocks += entry_blocks(entries[:REGISTER_SHOWN], today)
    blocks.append(feedback_actions(answer_id, shareable=False))
    return {"text": entry_text(entries[0], today), "blocks": blocks[:BLOCK_LIMIT]}


def entry_blocks(entries: list[RegisterEntry], today: dt.date) -> list[dict]:
    """Register entries laid out like answers: each quote, then its status, due date, who is bound, the later item
    that followed it up, and its citation."""
    blocks = []
    for entry in entries:
        blocks.append(section(quote(entry.text, QUOTE_LIMIT)))
        status = entry.status.capitalize()
        due = (
            f"due {format_date(entry.due)}" if entry.due else (f"due “{entry.due_phrase}”" if entry.due_phrase else "")
        )
        if entry.due and entry.due_phrase:
            due += f" (“{escape(entry.due_phrase)}”)"
        facts = [f"*{status}*", entry.kind, due, f"bound: {escape(entry.owner)}" if entry.owner else ""]
        if entry.followed_up_by:
            later = entry.followed_up_by
            link = f"<{later.url}|{escape(later.item)}>" if later.url else escape(later.item)
            facts.append(f"followed up {format_date(later.date)}: {link}")
        blocks.append(context(" · ".join(fact for fact in facts if fact) + "\n" + citation(entry, today)))
    return blocks


def entry_text(entry: RegisterEntry, today: dt.date) -> str:
    """What notifications get for register entries: the first, with its status and citation."""
    text = f"{entry.status.capitalize()}: “{' '.join(entry.text.split())}” — {citation(entry, today)}"
    return shorten(text, TEXT_LIMIT)


def watch_message(alert: WatchAlert, today: dt.date) -> dict:
    """New passages about a watched topic, grouped by meeting, at most `WATCH_SHOWN`, then how many more there are
    and the question that finds them."""
    watch, passages = alert.watch, alert.passages
    topic = escape(watch.topic)
    where = f" in the minutes of the {escape(alert.committee)}" if alert.committee else " in the minutes"
    blocks = [section(f"*New about “{topic}”*{where}: {count(len(passages), 'passage')} since the last ingest.")]
    shown = passages[:WATCH_SHOWN]
    blocks += passage_blocks(sorted(shown, key=lambda passage: passage.date or dt.date.min, reverse=True), today)
    more = len(passages) - len(shown)
    follow = f"Watch {watch.id}, set by <@{watch.user_id}>: `/minutes unwatch {watch.id}` stops it."
    if more:
        dates = [passage.date for passage in passages if passage.date]
        question = watch.topic + (f' committee:"{alert.committee}"' if alert.committee else "")
        question += f" after:{min(dates).isoformat()}" if dates else ""
        follow = f"…and {more} more: `/minutes {escape(question)}` shows them. " + follow
    blocks.append(context(follow))
    best = passages[0]
    text = f"New about “{watch.topic}”: “{' '.join(best.text.split())}” — {citation(best, today)}"
    return {"text": shorten(text, TEXT_LIMIT), "blocks": blocks[:BLOCK_LIMIT]}


def digest_message(due: Digest) -> dict:
    """A committee's digest: what is overdue or falls due by its next meeting, most urgent first."""
    committee, horizon = escape(due.committee), due.horizon()
    if not due.entries:
        text = f"Nothing in the register of the {due.committee} is overdue or falls due {horizon}."
        return {"text": text, "blocks": [section(escape(text))]}
    overdue = sum(entry.status == "overdue" for entry in due.entries)
    heading = (
        f"*What the {committee} has due {horizon}*: {count(len(due.entries), 'entry', 'entries')} from the register, "
        f"{overdue} overdue, as of {format_date(due.as_of)}."
    )
    blocks = [section(heading), *entry_blocks(due.entries[:REGISTER_SHOWN], due.as_of)]
    more = len(due.entries) - REGISTER_SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more: `/minutes promises` lists the register."))
    return {"text": entry_text(due.entries[0], due.as_of), "blocks": blocks[:BLOCK_LIMIT]}


def briefing_message(briefing: Briefing, today: dt.date) -> dict:
    """A meeting's briefing: for each substantive agenda item, the register's entries on it and the earlier
    passages about it, quoted with their citations; what does not fit one message is left to `minutebook brief`."""
    body = escape(briefing.committee or "the meeting")
    when = f" on {format_date(briefing.meeting)}" if briefing.meeting else ""
    source = f"<{briefing.source}|the agenda>" if briefing.source.startswith("http") else "the agenda"
    heading = f"*Briefing for the {body} meeting{when}*: what earlier meetings said on each item of {source}."
    blocks = [section(heading)]
    shown = 0
    for briefed in briefing.items:
        item_blocks = [section(f"*{escape(briefed.item.label)}*")]
        item_blocks += entry_blocks(briefed.decisions + briefed.commitments, today)
        item_blocks += passage_blocks(briefed.passages, today)
        if len(item_blocks) == 1:
            item_blocks.append(context("Nothing in the committee's earlier minutes is about this item."))
        if len(blocks) + len(item_blocks) > BLOCK_LIMIT - 2:
            break
        blocks += item_blocks
        shown += 1
    if shown < len(briefing.items):
        blocks.append(context(f"…and {len(briefing.items) - shown} more items: `minutebook brief` prints them all."))
    if briefing.left_out:
        blocks.append(context("Left out (procedural): " + escape("; ".join(item.label for item in briefing.left_out))))
    text = f"Briefing for the {briefing.committee or 'meeting'}{when}: {count(len(briefing.items), 'item')}"
    return {"text": text, "blocks": blocks[:BLOCK_LIMIT]}
