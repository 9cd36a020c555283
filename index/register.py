"""Reading the register: decisions, commitments and aspirations with their status as of a day.

`followed up` when a later meeting of the same committee has an item on the same subject
worded as an update; else `decided` for a decision that promises nothing; else `overdue`
once the due date has passed; else `open`. What follows an entry up and when it falls due
("at the next meeting": that committee's next meeting in the index) are worked out as the
minutes change (`index.follow_up`); the day is compared as the register is read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

import sqlite_utils

from .derived import REGISTER_JOINS, REGISTER_READ_BY_OCR, REGISTER_STATUS
from .embed import Embedder
from .filters import Filters
from .search import PASSAGES, Answer, content_terms, search, term_coverage, written_filters
from .store import Store

URGENCY = {"overdue": 0, "open": 1, "followed up": 2, "decided": 3}
REGISTER_ANSWER_LIMIT = 10
OVERDUE = re.compile(r"\boverdue\b", re.IGNORECASE)


@dataclass(frozen=True)
class Later:
    """The later agenda item that delivers an entry."""

    date: dt.date
    item: str
    document: str
    url: str | None


@dataclass(frozen=True)
class RegisterEntry:
    id: int
    kind: str
    text: str
    owner: str | None
    committee: str | None
    date: dt.date | None
    item: str | None
    item_number: str | None
    document: str
    url: str | None
    due: dt.date | None
    due_phrase: str | None
    status: str
    followed_up_by: Later | None
    council: str | None = None
    ocr: bool = False

    def to_json(self) -> dict:
        record = {
            key: value
            for key, value in asdict(self).items()
            if key in {"kind", "text", "owner", "council", "committee", "item", "due_phrase", "status", "document"}
        }
        record["date"] = self.date.isoformat() if self.date else None
        record["due"] = self.due.isoformat() if self.due else None
        if self.followed_up_by:
            later = self.followed_up_by
            record["followed_up_by"] = {
                "date": later.date.isoformat(),
                "item": later.item,
                "document": later.document,
                "url": later.url,
            }
        return record


def read_register(
    store: Store,
    as_of: dt.date,
    filters: Filters | None = None,
    status: str | None = None,
    ids: list[int] | None = None,
) -> list[RegisterEntry]:
    """Every entry of the meetings `filters` allow (or those with `ids`, in that order), with its status as of
    `as_of`, most urgent first."""
    entries = [_entry(row) for row in register_rows(store.db, filters or Filters(), as_of)]
    if status:
        entries = [entry for entry in entries if entry.status == status]
    if ids is not None:
        by_id = {entry.id: entry for entry in entries}
        return [by_id[entry_id] for entry_id in ids if entry_id in by_id]
    return sorted(entries, key=_urgency)


def register_rows(db: sqlite_utils.Database, filters: Filters, as_of: dt.date) -> list[dict]:
    """Register entries of meetings that `filters` allow, oldest meeting first, with their status as of `as_of`,
    what citing them needs, the later item that followed them up, and whether their text was read by OCR."""
    where, params = filters.sql()
    status = REGISTER_STATUS.format(as_of=":as_of")
    return list(
        db.execute_returning_dicts(
            f"SELECT r.id, r.kind, r.text, r.owner, r.due_by, r.due_phrase, {status} AS status, m.council, "
            "m.committee, m.date, i.title AS item, i.number AS item_number, "
            "d.path AS document, d.url, lm.date AS later_date, li.title AS later_item, ld.path AS later_document, "
            f"ld.url AS later_url, {REGISTER_READ_BY_OCR} AS ocr {REGISTER_JOINS} WHERE {where} "
            "ORDER BY m.date, r.id",
            {**params, "as_of": as_of.isoformat()},
        )
    )


def entries_in(db: sqlite_utils.Database, chunk_id: int) -> list[int]:
    """The register entries whose text lies (at least partly) in a chunk, in reading order."""
    rows = db.execute(
        "SELECT r.id FROM register r JOIN chunks c ON c.document_id = r.document_id "
        "WHERE c.id = ? AND r.char_start < c.char_end AND r.char_end > c.char_start ORDER BY r.char_start",
        [chunk_id],
    ).fetchall()
    return [row[0] for row in rows]


def _entry(row: dict) -> RegisterEntry:
    later = None
    if row["later_date"]:
        later = Later(
            dt.date.fromisoformat(row["later_date"]), row["later_item"], row["later_document"], row["later_url"]
        )
    return RegisterEntry(
        id=row["id"],
        kind=row["kind"],
        text=row["text"],
        owner=row["owner"],
        committee=row["committee"],
        date=dt.date.fromisoformat(row["date"]) if row["date"] else None,
        item=row["item"],
        item_number=row["item_number"],
        document=row["document"],
        url=row["url"],
        due=dt.date.fromisoformat(row["due_by"]) if row["due_by"] else None,
        due_phrase=row["due_phrase"],
        status=row["status"],
        followed_up_by=later,
        council=row["council"],
        ocr=bool(row["ocr"]),
    )


def _urgency(entry: RegisterEntry) -> tuple:
    """Overdue first (longest overdue first), then open by due date, then the rest, newest first."""
    due = (entry.due or dt.date.max).toordinal()
    newest = -(entry.date.toordinal() if entry.date else 0)
    return (
        URGENCY[entry.status],
        entry.kind == "aspiration",
        due if entry.status in {"overdue", "open"} else 0,
        newest,
    )


def register_about(
    store: Store,
    embedder: Embedder,
    topic: str,
    as_of: dt.date,
    filters: Filters | None = None,
    status: str | None = None,
    limit: int = REGISTER_ANSWER_LIMIT,
) -> list[RegisterEntry]:
    """Entries about `topic`, ranked by the one search function restricted to passages holding register entries."""
    restricted = (filters or Filters()).merged(Filters(register=True))
    answer = search(store, embedder, topic, k=limit, filters=restricted)
    found_in: dict[int, int] = {}
    for passage_rank, passage in enumerate(answer.passages):
        for entry_id in entries_in(store.db, passage.chunk_id):
            found_in.setdefault(entry_id, passage_rank)
    entries = read_register(store, as_of, filters, status=status, ids=list(found_in))
    terms = content_terms(topic)
    # Within one passage, the entries that name the topic come before their neighbours ("(i) That … be noted").
    entries.sort(key=lambda entry: (found_in[entry.id], -term_coverage(terms, entry.text)))
    return entries[:limit]


REGISTER_QUESTION = re.compile(
    r"\b(promis\w*|undert(?:ook|ake\w*)|commitments?|committed|overdue|outstanding\s+actions?|follow(?:ed)?[- ]ups?|"
    r"what\s+is\s+due|when\s+is\s+\w+\s+due|due\s+(?:date|back)|actions?\s+(?:log|list))\b",
    re.IGNORECASE,
)
REGISTER_WORDS = {
    "promise", "promised", "promises", "undertook", "undertake", "undertaken", "commitment", "commitments",
    "committed", "overdue", "outstanding", "follow", "followed", "up", "due", "action", "actions", "log", "list",
    "committee", "this", "our", "updates", "update", "register", "open",
}  # fmt: skip


def is_register_question(question: str) -> bool:
    """Whether a question asks about promises and decisions ("what was promised about …", "what is overdue?")."""
    return bool(REGISTER_QUESTION.search(question))


@dataclass(frozen=True)
class RegisterAnswer:
    """The register's entries for a question about promises and decisions, and the filters they were read with."""

    question: str
    entries: list[RegisterEntry]
    filters: Filters

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": bool(self.entries),
            "register": [entry.to_json() for entry in self.entries],
        }


def answer_from_register(
    store: Store,
    embedder: Embedder,
    question: str,
    as_of: dt.date,
    filters: Filters | None = None,
    limit: int = REGISTER_ANSWER_LIMIT,
) -> RegisterAnswer:
    """Register entries for a question: about its topic when it names one, else all of them, overdue ones when it
    asks what is overdue; `filters` and the filters written in the question apply either way."""
    rest, written = written_filters(question)
    filters = (filters or Filters()).merged(written)
    status = "overdue" if OVERDUE.search(rest) else None
    topic = [term for term in content_terms(rest) if term not in REGISTER_WORDS]
    if topic:
        entries = register_about(store, embedder, rest, as_of, filters, status, limit)
    else:
        entries = read_register(store, as_of, filters, status)[:limit]
    return RegisterAnswer(rest, entries, filters)


def answer_question(
    store: Store,
    embedder: Embedder,
    question: str,
    as_of: dt.date,
    k: int = PASSAGES,
    filters: Filters | None = None,
    skip: int = 0,
) -> Answer | RegisterAnswer:
    """The one route of a question, for the terminal and Slack alike: from the register when it asks about
    promises and decisions ("what was promised about …", "what is overdue?"), else the passages that answer it
    (after the `skip` best, which an earlier answer showed)."""
    if is_register_question(question):
        return answer_from_register(store, embedder, question, as_of, filters)
    return search(store, embedder, question, k=k, filters=filters, skip=skip)
