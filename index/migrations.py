"""The index database's schema, as numbered migrations applied in order (the pattern of `llm`'s embeddings store)."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from . import follow_up
from .dates import utc_timestamp
from .structure import is_procedural

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# A register entry's status as of a day, from what `index.follow_up` stored: the one rule, for `read_register` (as
# of any day) and the `register_status` view (as of today).
REGISTER_STATUS = """CASE
    WHEN r.followed_up_item_id IS NOT NULL THEN 'followed up'
    WHEN r.kind = 'decision' AND NOT coalesce(r.promise, 0) THEN 'decided'
    WHEN r.due_by < {as_of} THEN 'overdue'
    ELSE 'open'
  END"""
# A register entry `r` with its meeting `m`, item `i`, document `d` and the later item `li` (of meeting `lm`, in
# document `ld`) that followed it up: for `Store.register_rows` and the `register_status` view alike.
REGISTER_JOINS = """FROM register r
JOIN documents d ON d.id = r.document_id
JOIN items i ON i.id = r.item_id
LEFT JOIN meetings m ON m.id = r.meeting_id
LEFT JOIN items li ON li.id = r.followed_up_item_id
LEFT JOIN meetings lm ON lm.id = li.meeting_id
LEFT JOIN documents ld ON ld.id = li.document_id"""
REGISTER_READ_BY_OCR = """EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = r.document_id AND c.ocr = 1
    AND c.char_start < r.char_end AND c.char_end > r.char_start)"""
REGISTER_STATUS_VIEW = f"""SELECT r.id, {{status}} AS status, date('now') AS as_of, r.kind, r.due_by AS due,
  r.due_phrase, r.owner, r.text, m.council, m.committee, m.date, i.number AS item_number, i.title AS item,
  d.path AS document, d.url,
  lm.date AS followed_up_on, li.title AS followed_up_by, ld.path AS followed_up_in, ld.url AS followed_up_url,
  r.promise, {REGISTER_READ_BY_OCR} AS ocr,
  r.document_id, r.item_id, r.meeting_id
{REGISTER_JOINS}"""
Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(function: Migration) -> Migration:
    MIGRATIONS.append(function)
    return function


class NewerSchema(Exception):
    """The database has migrations this version of Minutebook does not know: a newer version wrote it."""


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration this database has not had yet, and return their names; refuse a database that a newer
    version has migrated further, which this one would misread."""
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
    applied = {row["name"] for row in db["_migrations"].rows}
    unknown = sorted(applied - {function.__name__ for function in MIGRATIONS})
    if unknown:
        raise NewerSchema(unknown[-1])
    done = []
    for function in MIGRATIONS:
        if function.__name__ not in applied:
            with db.atomic():
                function(db)
                db["_migrations"].insert({"name": function.__name__, "applied_at": utc_timestamp()})
            done.append(function.__name__)
    return done


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["meetings"].create({"id": int, "committee": str, "date": str}, pk="id")
    db["meetings"].create_index(["committee", "date"])
    db["documents"].create(
        {
            "id": int,
            "path": str,
            "source": str,
            "format": str,
            "title": str,
            "meeting_id": int,
            "fingerprint": str,
            "characters": int,
            "text": str,
            "ingested_at": str,
        },
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id")],
    )
    db["documents"].create_index(["source"], unique=True)
    db["items"].create(
        {"id": int, "document_id": int, "meeting_id": int, "position": int, "number": str, "title": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("meeting_id", "meetings", "id")],
    )
    db["chunks"].create(
        {
            "id": int,
            "document_id": int,
            "item_id": int,
            "position": int,
            "char_start": int,
            "char_end": int,
            "kind": str,
            "speakers": str,
            "context": str,
            "text": str,
            "embedding": bytes,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("item_id", "items", "id")],
    )
    db.index_foreign_keys()
    db["chunks"].enable_fts(["context", "text"], tokenize=FTS_TOKENIZER, create_triggers=True)


@migration
def m002_answers_feedback_urls(db: sqlite_utils.Database) -> None:
    """Answers the bot gave (so that they can be shared and rated), feedback on them, and source URLs."""
    db["documents"].add_column("url", str)
    db["answers"].create(
        {
            "id": int,
            "created_at": str,
            "question": str,
            "filters": str,
            "answered": int,
            "passages": str,
            "user_id": str,
            "channel_id": str,
        },
        pk="id",
    )
    db["feedback"].create(
        {"id": int, "created_at": str, "answer_id": int, "user_id": str, "helpful": int},
        pk="id",
        foreign_keys=[("answer_id", "answers", "id")],
    )
    db["feedback"].create_index(["answer_id"])


@migration
def m003_moderngov_sources(db: sqlite_utils.Database) -> None:
    """ModernGov committees synced into the index, and the procedural flag on items (set here for items already
    indexed, by the same rule that sets it at ingest)."""
    db["items"].add_column("procedural", int, not_null_default=0)
    db.conn.executemany(
        "UPDATE items SET procedural = 1 WHERE id = ?",
        [(row["id"],) for row in db.query("SELECT id, title FROM items") if is_procedural(row["title"])],
    )
    db["sources"].create(
        {
            "site": str,
            "committee_id": str,
            "committee": str,
            "synced_at": str,
            "since": str,
            "until": str,
            "meetings": int,
            "items": int,
            "restricted": int,
            "error": str,
        },
        pk=("site", "committee_id"),
    )


@migration
def m004_register(db: sqlite_utils.Database) -> None:
    """The register of decisions, commitments and aspirations read from the minutes at ingest."""
    db["register"].create(
        {
            "id": int,
            "document_id": int,
            "item_id": int,
            "meeting_id": int,
            "kind": str,
            "char_start": int,
            "char_end": int,
            "text": str,
            "owner": str,
            "due": str,
            "due_phrase": str,
            "due_at_next_meeting": int,
            "promise": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("item_id", "items", "id"), ("meeting_id", "meetings", "id")],
    )
    db["register"].create_index(["document_id"])
    db["register"].create_index(["meeting_id"])


@migration
def m005_chunk_generation(db: sqlite_utils.Database) -> None:
    """The generation each chunk was written in, so that a vector index of an earlier generation can be brought up
    to date by re-adding only newer chunks (SQLite gives a new chunk the id of a deleted one when it was the
    highest, so ids alone cannot tell)."""
    db["chunks"].add_column("generation", int, not_null_default=0)


@migration
def m006_council_date_source_ocr(db: sqlite_utils.Database) -> None:
    """The council apart from the body that met; where each document's date and committee came from (so that a
    clerk can see which were not read from the minutes); pages read by OCR, and passages read from them."""
    db["meetings"].add_column("council", str)
    db["documents"].add_column("date_source", str)
    db["documents"].add_column("committee_from_text", int)
    db["documents"].add_column("ocr_pages", int, not_null_default=0)
    db["documents"].add_column("unread_pages", int, not_null_default=0)
    db["chunks"].add_column("ocr", int, not_null_default=0)


@migration
def m007_register_search_and_status(db: sqlite_utils.Database) -> None:
    """The register searchable (full text of its text, owner and due phrase, kept in step by triggers) and
    browsable with its status: `due_by` and `followed_up_item_id` stored beside each entry (`index.follow_up`;
    worked out for entries already indexed by m009, which adds a table it reads), and the `register_status` view,
    each entry with its meeting, agenda item, document and follow-up, and its status as of today (UTC) by
    `REGISTER_STATUS`."""
    db["register"].add_column("due_by", str)
    db["register"].add_column("followed_up_item_id", int, fk="items", fk_col="id")
    db.create_view("register_status", REGISTER_STATUS_VIEW.format(status=REGISTER_STATUS.format(as_of="date('now')")))
    db["register"].enable_fts(["text", "owner", "due_phrase"], tokenize=FTS_TOKENIZER, create_triggers=True)


@migration
def m008_channel_committees(db: sqlite_utils.Database) -> None:
    """Slack channels tied to a committee: questions asked there are about that committee's meetings."""
    db["channel_committees"].create(
        {"channel_id": str, "committee": str, "set_by": str, "set_at": str}, pk="channel_id"
    )


@migration
def m009_follow_through(db: sqlite_utils.Database) -> None:
    """What the bot says without being asked. `chunks.first_generation`: the generation a passage's text first
    entered its document, kept when the document is replaced, so that a watch sees only passages that are new.
    `watches`: topics a channel or person follows. `watch_seen`: passages (by a hash of their text) a watch has
    already posted. `posts`: every message the bot posted of itself, by a key that says what it was, so that it is
    never posted twice. `meeting_calendar`: the meetings a ModernGov site lists, past and to come, so that a digest
    knows a committee's next meeting."""
    db["chunks"].add_column("first_generation", int, not_null_default=0)
    db.execute("UPDATE chunks SET first_generation = generation")
    db["watches"].create(
        {
            "id": int,
            "topic": str,
            "committee": str,
            "channel_id": str,
            "user_id": str,
            "created_at": str,
            "last_generation": int,
        },
        pk="id",
    )
    db["watch_seen"].create(
        {"watch_id": int, "passage": str}, pk=("watch_id", "passage"), foreign_keys=[("watch_id", "watches", "id")]
    )
    db["posts"].create(
        {"key": str, "kind": str, "channel_id": str, "state": str, "ts": str, "posted_at": str}, pk="key"
    )
    db["meeting_calendar"].create(
        {"site": str, "meeting_id": str, "committee_id": str, "committee": str, "date": str, "status": str},
        pk=("site", "meeting_id"),
    )
    db["meeting_calendar"].create_index(["committee", "date"])
    follow_up.resolve(db)


@migration
def m010_answer_threads(db: sqlite_utils.Database) -> None:
    """Conversations: the Slack thread each answer was posted in, the subject of its question, the committee and
    period the question itself set (a channel's committee aside) and how many of its passages earlier answers had
    shown, so that a follow-up in the thread ("and the year before?", "show me more") is read with the question
    before it."""
    db["answers"].add_column("thread_ts", str)
    db["answers"].add_column("topic", str)
    db["answers"].add_column("turn_filters", str)
    db["answers"].add_column("skipped", int, not_null_default=0)
    db["answers"].create_index(["channel_id", "thread_ts"])


@migration
def m011_page_starts(db: sqlite_utils.Database) -> None:
    """Where each page of a PDF starts in its text, so that a passage cites its page and links to it. Documents
    indexed before have none until they are read again (the next ingest reads every file again)."""
    db["documents"].add_column("page_starts", str)
