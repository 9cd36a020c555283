"""When a register entry falls due, and which later agenda item follows it up.

Both depend on the meetings indexed after the entry's, not on the day the register is
read, so they are worked out whenever the minutes of a committee change and stored
beside the entry (`register.due_by`, `register.followed_up_item_id`). Reading the
register, in Minutebook or in Datasette's `register_status` view, then only compares
`due_by` with the day (`index.derived.REGISTER_STATUS`).

An entry is followed up by the first later item of the same committee on the same
subject worded as an update; "at the next meeting" is that committee's next meeting,
indexed or listed by a synced ModernGov site.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable

import sqlite_utils

UPDATE_WORDS = re.compile(r"\b(update|progress|review|further report|follow[- ]up|monitoring)\b", re.IGNORECASE)
SUBJECT_STOPWORDS = {"update", "progress", "review", "report", "further", "and", "the", "of", "for", "on", "in", "to"}
SUBJECT_OVERLAP = 0.6
SUBJECT_WORD_LETTERS = 3
HELD = "lower(coalesce(status, '')) <> 'cancelled'"


def subject(title: str | None) -> set[str]:
    """The words that say what an agenda item is about, without "update", "review" and the like."""
    words = re.findall(r"[a-z0-9]+", (title or "").lower())
    return {word for word in words if word not in SUBJECT_STOPWORDS and len(word) >= SUBJECT_WORD_LETTERS}


def follow_up(title: str | None, date: str, later_items: list[dict]) -> int | None:
    """The id of the first of the committee's items (in meeting order) after `date` on the subject of `title`,
    worded as an update."""
    wanted = subject(title)
    if not wanted:
        return None
    for later in later_items:
        if later["date"] <= date:
            continue
        if len(wanted & subject(later["title"])) / len(wanted) >= SUBJECT_OVERLAP and UPDATE_WORDS.search(
            later["title"] or ""
        ):
            return later["id"]
    return None


def resolve(db: sqlite_utils.Database, committees: Iterable[str | None] | None = None) -> None:
    """Work out `due_by` and `followed_up_item_id` for the register entries of `committees` (every entry when
    None): what changes for a committee when one of its meetings is added, replaced or taken out."""
    where, params = _of_committees(committees)
    items: dict[str | None, list[dict]] = defaultdict(list)
    for item in db.query(
        "SELECT i.id, i.title, m.committee, m.date FROM items i JOIN meetings m ON m.id = i.meeting_id "
        f"WHERE m.date IS NOT NULL AND {where} ORDER BY m.date, i.position, i.id",
        params,
    ):
        items[item["committee"]].append(item)
    meetings: dict[str | None, list[str]] = defaultdict(list)
    for meeting in db.query(
        f"SELECT committee, date FROM meetings m WHERE date IS NOT NULL AND {where} UNION "
        f"SELECT committee, date FROM meeting_calendar m WHERE {HELD} AND {where} ORDER BY date",
        params,
    ):
        meetings[meeting["committee"]].append(meeting["date"])
    updates = []
    for entry in db.query(
        "SELECT r.id, r.kind, r.promise, r.due, r.due_at_next_meeting, m.committee, m.date, i.title "
        f"FROM register r JOIN items i ON i.id = r.item_id LEFT JOIN meetings m ON m.id = r.meeting_id WHERE {where}",
        params,
    ):
        date, committee = entry["date"], entry["committee"]
        due = entry["due"]
        if entry["due_at_next_meeting"]:
            due = next((later for later in meetings[committee] if date and later > date), None)
        promises = entry["promise"] or entry["kind"] != "decision"
        later_id = follow_up(entry["title"], date, items[committee]) if promises and date else None
        updates.append((due, later_id, entry["id"]))
    db.conn.executemany("UPDATE register SET due_by = ?, followed_up_item_id = ? WHERE id = ?", updates)


def _of_committees(committees: Iterable[str | None] | None) -> tuple[str, dict[str, str]]:
    """A WHERE clause over meetings `m` for these committees (None among them: meetings that name none), and its
    parameters; every meeting when `committees` is None."""
    if committees is None:
        return "1 = 1", {}
    wanted = set(committees)
    named = sorted(committee for committee in wanted if committee is not None)
    unnamed = " OR m.committee IS NULL" if None in wanted else ""
    return f"(m.committee IN (SELECT value FROM json_each(:committees)){unnamed})", {"committees": json.dumps(named)}
