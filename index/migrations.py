"""The index's schema as numbered migrations, applied in order: a set of sqlite-utils' `Migrations` (the pattern of
`llm`'s embeddings store), recorded in `_sqlite_migrations`. The bot keeps its tables in a set of its own
(bot/migrations.py).

A migration changes the schema and carries everything it needs, so that it means the same whichever version runs
it: what the index works out by rules that may change (procedural items, due dates, follow-ups, views) is not made
here but brought up to date after migrating (`index.derived`)."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .dates import utc_timestamp

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# Where versions before 7 December 2026 recorded their migrations. It is kept, with a last entry that no such
# version knows, so that one of them refuses this database in a sentence instead of misreading it.
LEGACY_TABLE = "_migrations"
LEGACY_LAST = "m012_recorded_by_sqlite_utils"
Migration = Callable[[sqlite_utils.Database], None]


class NewerSchema(Exception):
    """The database has migrations this version of Minutebook does not know: a newer version wrote it."""


class Schema:
    """One set of migrations, by name; a database that a newer version has migrated further is refused, since this
    one would misread it. `retired` names were once in this set and are known, but never run again."""

    def __init__(self, name: str, retired: tuple[str, ...] = ()) -> None:
        self.migrations = Migrations(name)
        self.names: list[str] = []
        self.retired = set(retired)

    def migration(self, function: Migration) -> Migration:
        self.names.append(function.__name__)
        return self.migrations()(function)

    def applied(self, db: sqlite_utils.Database) -> list[str]:
        return [migration.name for migration in self.migrations.applied(db)]

    def apply(self, db: sqlite_utils.Database, adopted: dict[str, str] | None = None) -> list[str]:
        """Apply what this database has not had yet, and return its names. A database migrated by the versions
        before sqlite-utils kept the record has those of its `_migrations` that `adopted` maps to a name of this
        set recorded as applied first, when they were."""
        if adopted and not self.applied(db):
            self._adopt(db, [(adopted[name], when) for name, when in legacy_applied(db) if name in adopted])
        unknown = [name for name in self.applied(db) if name not in self.names and name not in self.retired]
        if unknown:
            raise NewerSchema(unknown[-1])
        pending = [migration.name for migration in self.migrations.pending(db)]
        self.migrations.apply(db)
        return pending

    def _adopt(self, db: sqlite_utils.Database, applied: list[tuple[str, str]]) -> None:
        self.migrations.ensure_migrations_table(db)
        with db.atomic():
            db[Migrations.migrations_table].insert_all(
                {"migration_set": self.migrations.name, "name": name, "applied_at": when} for name, when in applied
            )


def legacy_applied(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """The migrations an index made before 7 December 2026 recorded in `_migrations`, and when, in order."""
    if not db[LEGACY_TABLE].exists():
        return []
    return db.execute(f"SELECT name, applied_at FROM {LEGACY_TABLE} ORDER BY applied_at, name").fetchall()


INDEX = Schema("minutebook", retired=("m008_channel_committees", "m010_answer_threads"))
migration = INDEX.migration


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Bring the index's schema up to date and return the migrations applied; refuse one a newer version wrote."""
    legacy = [name for name, _ in legacy_applied(db)]
    done = INDEX.apply(db, adopted={name: name for name in legacy if name != LEGACY_LAST})
    if LEGACY_LAST not in legacy:
        db[LEGACY_TABLE].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
        db[LEGACY_TABLE].insert({"name": LEGACY_LAST, "applied_at": utc_timestamp()})
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
    """Each document's source URL. (The bot's answers and feedback, first made here, are in the bot's set.)"""
    db["documents"].add_column("url", str)


@migration
def m003_moderngov_sources(db: sqlite_utils.Database) -> None:
    """ModernGov committees synced into the index, and the procedural flag on items (worked out for the items
    already indexed after migrating, by `index.derived.refresh`)."""
    db["items"].add_column("procedural", int, not_null_default=0)
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
    """The register searchable (full text of its text, owner and due phrase, kept in step by triggers), and
    `due_by` and `followed_up_item_id` stored beside each entry (`index.follow_up`; worked out for the entries
    already indexed after migrating). The `register_status` view over them is made by `index.derived`."""
    db["register"].add_column("due_by", str)
    db["register"].add_column("followed_up_item_id", int, fk="items", fk_col="id")
    db["register"].enable_fts(["text", "owner", "due_phrase"], tokenize=FTS_TOKENIZER, create_triggers=True)


@migration
def m009_follow_through(db: sqlite_utils.Database) -> None:
    """What the bot says without being asked needs two things of the index. `chunks.first_generation`: the
    generation a passage's text first entered its document, kept when the document is replaced, so that a watch
    sees only passages that are new. `meeting_calendar`: the meetings a ModernGov site lists, past and to come, so
    that a digest knows a committee's next meeting. (The bot's watches and posts, first made here, are in the
    bot's set.)"""
    db["chunks"].add_column("first_generation", int, not_null_default=0)
    db.execute("UPDATE chunks SET first_generation = generation")
    db["meeting_calendar"].create(
        {"site": str, "meeting_id": str, "committee_id": str, "committee": str, "date": str, "status": str},
        pk=("site", "meeting_id"),
    )
    db["meeting_calendar"].create_index(["committee", "date"])


@migration
def m011_page_starts(db: sqlite_utils.Database) -> None:
    """Where each page of a PDF starts in its text, so that a passage cites its page and links to it. Documents
    indexed before have none until they are read again (the next ingest reads every file again)."""
    db["documents"].add_column("page_starts", str)


@migration
def m012_council_clock(db: sqlite_utils.Database) -> None:
    """The council's offsets from UTC and when each begins, so that SQL (the `register_status` view) can tell the
    council's today, which SQLite cannot from a time zone's name (`Store.keep_time_zone`)."""
    db["council_clock"].create({"starts": str, "offset_minutes": int}, pk="starts")
