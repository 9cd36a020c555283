"""The index database's schema, as numbered migrations applied in order (the pattern of `llm`'s embeddings store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlite_utils

from .structure import is_procedural

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(function: Migration) -> Migration:
    MIGRATIONS.append(function)
    return function


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every migration this database has not had yet."""
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
    applied = {row["name"] for row in db["_migrations"].rows}
    for function in MIGRATIONS:
        if function.__name__ not in applied:
            with db.atomic():
                function(db)
                db["_migrations"].insert({"name": function.__name__, "applied_at": dt.datetime.now(dt.UTC).isoformat()})


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
