"""Reading the register: decisions, commitments and aspirations with their status as of a day.

Status is worked out when the register is read, because it depends on what came later:
`followed up` when a later meeting of the same committee has an item on the same subject
worded as an update; else `overdue` once the due date has passed; else `open`. A decision
that promises nothing is `decided`. "At the next meeting" becomes the date of that
committee's next meeting in the index.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from .embed import Embedder
from .search import content_terms, search, term_coverage, written_filters
from .store import Filters, Store

STATUSES = ("open", "overdue", "followed up", "decided")
UPDATE_WORDS = re.compile(r"\b(update|progress|review|further report|follow[- ]up|monitoring)\b", re.IGNORECASE)
SUBJECT_STOPWORDS = {"update", "progress", "review", "report", "further", "and", "the", "of", "for", "on", "in", "to"}
SUBJECT_OVERLAP = 0.6
URGENCY = {"overdue": 0, "open": 1, "followed up": 2, "decided": 3}


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


def subject(title: str | None) -> set[str]:
    """The words that say what an agenda item is about, without "update", "review" and the like."""
    words = re.findall(r"[a-z0-9]+", (title or "").lower())
    return {word for word in words if word not in SUBJECT_STOPWORDS and len(word) > 2}


def _follow_up(row: dict, later_items: list[dict]) -> Later | None:
    """The first later item of the same committee on the same subject, worded as an update."""
    wanted = subject(row["item"])
    if not wanted or not row["date"]:
        return None
    for later in later_items:
        if later["committee"] != row["committee"] or later["date"] <= row["date"]:
            continue
        overlap = len(wanted & subject(later["title"])) / len(wanted)
        if overlap >= SUBJECT_OVERLAP and UPDATE_WORDS.search(later["title"] or ""):
            return Later(dt.date.fromisoformat(later["date"]), later["title"], later["path"], later["url"])
    return None


def _next_meeting(row: dict, meetings: list[dict]) -> dt.date | None:
    dates = [
        m["date"] for m in meetings if m["committee"] == row["committee"] and row["date"] and m["date"] > row["date"]
    ]
    return dt.date.fromisoformat(min(dates)) if dates else None


def read_register(
    store: Store,
    as_of: dt.date,
    committee: str | None = None,
    status: str | None = None,
    ids: list[int] | None = None,
) -> list[RegisterEntry]:
    """Every entry (or those with `ids`, in that order), with its status as of `as_of`, most urgent first."""
    where, params = Filters(committee=committee).sql()
    rows = list(
        store.db.execute_returning_dicts(
            "SELECT r.id, r.kind, r.text, r.owner, r.due, r.due_phrase, r.due_at_next_meeting, r.promise, "
            "m.council, m.committee, m.date, i.title AS item, i.number AS item_number, d.path AS document, d.url, "
            "EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = r.document_id AND c.ocr = 1 "
            "AND c.char_start < r.char_end AND c.char_end > r.char_start) AS ocr "
            "FROM register r JOIN documents d ON d.id = r.document_id JOIN items i ON i.id = r.item_id "
            f"LEFT JOIN meetings m ON m.id = r.meeting_id WHERE {where} ORDER BY m.date, r.id",
            params,
        )
    )
    later_items = list(
        store.db.execute_returning_dicts(
            "SELECT m.committee, m.date, i.title, d.path, d.url FROM items i JOIN meetings m ON m.id = i.meeting_id "
            "JOIN documents d ON d.id = i.document_id WHERE m.date IS NOT NULL ORDER BY m.date, i.position"
        )
    )
    meetings = list(store.db.execute_returning_dicts("SELECT committee, date FROM meetings WHERE date IS NOT NULL"))
    entries = [_entry(row, later_items, meetings, as_of) for row in rows]
    if status:
        entries = [entry for entry in entries if entry.status == status]
    if ids is not None:
        by_id = {entry.id: entry for entry in entries}
        return [by_id[entry_id] for entry_id in ids if entry_id in by_id]
    return sorted(entries, key=_urgency)


def _entry(row: dict, later_items: list[dict], meetings: list[dict], as_of: dt.date) -> RegisterEntry:
    due = dt.date.fromisoformat(row["due"]) if row["due"] else None
    if row["due_at_next_meeting"]:
        due = _next_meeting(row, meetings)
    later = _follow_up(row, later_items) if row["promise"] or row["kind"] != "decision" else None
    if later:
        status = "followed up"
    elif row["kind"] == "decision" and not row["promise"]:
        status = "decided"
    elif due and due < as_of:
        status = "overdue"
    else:
        status = "open"
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
        due=due,
        due_phrase=row["due_phrase"],
        status=status,
        followed_up_by=later,
        council=row["council"],
        ocr=bool(row["ocr"]),
    )


def _urgency(entry: RegisterEntry) -> tuple:
    """Overdue first (longest overdue first), then open by due date, then the rest, newest first."""
    due = entry.due.toordinal() if entry.due else 10**7
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
    limit: int = 20,
) -> list[RegisterEntry]:
    """Entries about `topic`, ranked by the one search function restricted to passages holding register entries."""
    restricted = (filters or Filters()).merged(Filters(register=True))
    answer = search(store, embedder, topic, k=limit, filters=restricted)
    found_in: dict[int, int] = {}
    for passage_rank, passage in enumerate(answer.passages):
        for entry_id in store.register_ids_in(passage.chunk_id):
            found_in.setdefault(entry_id, passage_rank)
    entries = read_register(store, as_of, committee=restricted.committee, status=status, ids=list(found_in))
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


def answer_from_register(
    store: Store, embedder: Embedder, question: str, as_of: dt.date, limit: int = 10
) -> tuple[list[RegisterEntry], Filters]:
    """Register entries for a question: about its topic when it names one, else all of them, overdue ones when it
    asks what is overdue; filters written in the question apply."""
    rest, filters = written_filters(question)
    status = "overdue" if re.search(r"\boverdue\b", rest, re.I) else None
    topic = [term for term in content_terms(rest) if term not in REGISTER_WORDS]
    if topic:
        return register_about(store, embedder, rest, as_of, filters, status, limit), filters
    return read_register(store, as_of, committee=filters.committee, status=status)[:limit], filters
