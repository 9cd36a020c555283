"""What the index works out from its tables by today's rules: which agenda items are procedural, when each register
entry falls due and what followed it up, and the views that Datasette shows (`register_status`).

None of it is a migration: a rule may change in any version, and a migration must mean the same whatever version
runs it. The store brings all of it up to date after an upgrade (`refresh`), and the views whenever their text
differs from this version's (`ensure_views`)."""

from __future__ import annotations

import sqlite_utils

from . import follow_up
from .structure import is_procedural

# A register entry's status as of a day, from what `index.follow_up` stored: the one rule, for `read_register` (as
# of any day) and the `register_status` view (as of the council's today).
REGISTER_STATUS = """CASE
    WHEN r.followed_up_item_id IS NOT NULL THEN 'followed up'
    WHEN r.kind = 'decision' AND NOT coalesce(r.promise, 0) THEN 'decided'
    WHEN r.due_by < {as_of} THEN 'overdue'
    ELSE 'open'
  END"""
# A register entry `r` with its meeting `m`, item `i`, document `d` and the later item `li` (of meeting `lm`, in
# document `ld`) that followed it up: for `read_register` and the `register_status` view alike.
REGISTER_JOINS = """FROM register r
JOIN documents d ON d.id = r.document_id
JOIN items i ON i.id = r.item_id
LEFT JOIN meetings m ON m.id = r.meeting_id
LEFT JOIN items li ON li.id = r.followed_up_item_id
LEFT JOIN meetings lm ON lm.id = li.meeting_id
LEFT JOIN documents ld ON ld.id = li.document_id"""
REGISTER_READ_BY_OCR = """EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = r.document_id AND c.ocr = 1
    AND c.char_start < r.char_end AND c.char_end > r.char_start)"""
# Today where the council is: SQLite knows only UTC, so the store keeps the council's offsets from UTC, and when
# each begins (`council_clock`); UTC when none are kept.
COUNCIL_TODAY = """date('now', coalesce((SELECT printf('%+d minutes', offset_minutes) FROM council_clock
    WHERE starts <= strftime('%Y-%m-%dT%H:%M:%S', 'now') ORDER BY starts DESC LIMIT 1), '+0 minutes'))"""
REGISTER_STATUS_VIEW = f"""SELECT r.id, {REGISTER_STATUS.format(as_of="today.as_of")} AS status, today.as_of,
  r.kind, r.due_by AS due, r.due_phrase, r.owner, r.text, m.council, m.committee, m.date,
  i.number AS item_number, i.title AS item, d.path AS document, d.url,
  lm.date AS followed_up_on, li.title AS followed_up_by, ld.path AS followed_up_in, ld.url AS followed_up_url,
  r.promise, {REGISTER_READ_BY_OCR} AS ocr,
  r.document_id, r.item_id, r.meeting_id
{REGISTER_JOINS}
CROSS JOIN (SELECT {COUNCIL_TODAY} AS as_of) today"""
VIEWS = {"register_status": REGISTER_STATUS_VIEW}


def refresh(db: sqlite_utils.Database) -> None:
    """Work out again, by this version's rules, what the index derives from its rows; after an upgrade, so that an
    index is read as if this version had built it, without reading its minutes again."""
    db.conn.executemany(
        "UPDATE items SET procedural = ? WHERE id = ?",
        [(int(is_procedural(row["title"])), row["id"]) for row in db.query("SELECT id, title FROM items")],
    )
    follow_up.resolve(db)


def ensure_views(db: sqlite_utils.Database) -> None:
    """Make each view as this version defines it, replacing one that an earlier version made differently."""
    for name, sql in VIEWS.items():
        stated = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
        if stated is None or stated[0].split(" AS ", 1)[-1] != sql:
            db.create_view(name, sql, replace=True)
