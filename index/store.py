"""The index in one folder: SQLite through sqlite-utils, with the vectors in a FAISS file beside it.

`Store` opens and upgrades the database (`index.migrations`, then `index.derived`), keeps its settings (the model
that embedded it, the generation every write bumps, the council's time zone), keeps the vector file in step
(`index.vectors`), and says what the index holds. Its rooms each keep their own tables' queries: `documents`
(writing and removing whole documents), `calendar` (what ModernGov sites list), `passages` (reading chunks back),
`keywords` (full-text search); the register is read by `index.register` and followed up by `index.follow_up`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import faiss
import sqlite_utils

from . import derived
from .dates import offset_changes
from .document import Reading
from .documents import Documents
from .keywords import Keywords
from .meeting_calendar import Calendar
from .migrations import NewerSchema, migrate
from .passages import Passages
from .vectors import APPROXIMATE_ABOVE, VectorFile

DATABASE_NAME = "minutebook.db"
logger = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 5000
CLOCK_FORMAT = "%Y-%m-%dT%H:%M:%S"


class StoreError(Exception):
    """A problem with the index a person can fix; the message says how."""


def newer_schema(directory: Path, error: NewerSchema) -> StoreError:
    return StoreError(
        f"The index in '{directory}' was written by a newer Minutebook (its schema has {error}, which this version "
        "does not know): run that version or a newer one, which reads it correctly."
    )


class Store:
    """The index in one folder: the database and its rooms, and the vector file that follows it (exact search up to
    `approximate_above` chunks)."""

    def __init__(self, directory: str | Path, create: bool = False, approximate_above: int = APPROXIMATE_ABOVE) -> None:
        self.directory = Path(directory)
        path = self.directory / DATABASE_NAME
        if not path.exists() and not create:
            raise StoreError(
                f"There is no Minutebook index in '{self.directory}': ingest some minutes first "
                f"(minutebook ingest PATH --index {self.directory}) or point --index / MINUTEBOOK_INDEX at one."
            )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the index folder '{self.directory}': {error.strerror}.") from error
        existed = path.exists()
        try:
            # One connection, shared by the bot's worker threads; callers that share it serialise access.
            self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            upgraded = migrate(self.db)
            if existed and upgraded:
                with self.db.atomic():
                    derived.refresh(self.db)
            derived.ensure_views(self.db)
        except sqlite3.OperationalError as error:
            raise StoreError(self._unopenable(error)) from None
        except NewerSchema as error:
            raise newer_schema(self.directory, error) from None
        if existed and upgraded:
            logger.warning(
                "Upgraded the index in '%s' in place to this version's schema (%s).",
                self.directory,
                ", ".join(upgraded),
            )
        self._vector_file = VectorFile(self.directory, self.db, approximate_above)
        self._memos: dict[str, dict] = {}
        self._memos_generation = -1
        self.documents = Documents(self)
        self.calendar = Calendar(self.db)
        self.passages = Passages(self)
        self.keywords = Keywords(self)

    def _unopenable(self, error: sqlite3.OperationalError) -> str:
        """Why the database cannot be opened, as one sentence with the fix: most often a folder this user may not
        write to (a host folder mounted into the container, owned by root)."""
        try:
            tempfile.TemporaryFile(dir=self.directory).close()
            writable = True
        except OSError:
            writable = False
        if not writable:
            user = os.getuid() if hasattr(os, "getuid") else "this user"
            return (
                f"The index folder '{self.directory}' is not writable by this user (uid {user}): give it to that user "
                f"(chown -R {user} on the host folder), or run as its owner (docker run --user UID)."
            )
        return f"Cannot open the index in '{self.directory}' ({error}): check the folder and its {DATABASE_NAME}."

    def backup(self, target: str | Path) -> Store:
        """A consistent copy of this index in `target`, a new or empty folder, safe to take while the bot or an
        ingest writes: the database through SQLite's backup, and a vector file built from the copy's own embeddings
        (so that it matches the copy, whatever the writers were doing). Open the copy as an index to restore it."""
        target = Path(target)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise StoreError(
                f"'{target}' already exists and is not an empty folder: back up into a new folder, so that nothing "
                "there is overwritten."
            )
        try:
            target.mkdir(parents=True, exist_ok=True)
            copy = sqlite3.connect(target / DATABASE_NAME)
            try:
                self.db.conn.backup(copy)
            finally:
                copy.close()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"Cannot back up the index into '{target}' ({error}): check that folder.") from None
        backup = Store(target, approximate_above=self._vector_file.approximate_above)
        backup.sync_vectors()
        return backup

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent view of the index for the several reads of a search: they all see the same
        generation, and SQLite takes its read lock once instead of once per statement."""
        with self.db.atomic():
            yield

    def setting(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM settings WHERE key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        self.db["settings"].upsert({"key": key, "value": value}, pk="key")

    @property
    def model(self) -> str | None:
        return self.setting("model")

    @property
    def generation(self) -> int:
        return int(self.setting("generation") or 0)

    def check_model(self, name: str) -> None:
        """Refuse a second embedding model for this index, since vectors of two models don't mix."""
        recorded = self.model
        if recorded is not None and recorded != name:
            raise StoreError(
                f"The index in '{self.directory}' was built with the embedding model '{recorded}', not '{name}': "
                f"use '{recorded}', or build a new index for '{name}' in another folder with --index."
            )

    def claim_model(self, name: str, dimension: int, backend: str = "torch") -> None:
        """Record the embedding model of this index (and the backend that ran it) the first time anything is
        embedded into it."""
        self.check_model(name)
        if self.model is None:
            with self.db.atomic():
                self.set_setting("model", name)
                self.set_setting("dimension", str(dimension))
                self.set_setting("backend", backend)

    def keep_time_zone(self, zone: dt.tzinfo) -> None:
        """Keep the council's time zone as SQL can use it (`council_clock`: its offsets from UTC for the years
        ahead), so that Datasette's `register_status` judges "overdue" by the council's day, as Minutebook does.
        Written again when the zone changes or its years ahead run short."""
        name, now = str(zone), dt.datetime.now(dt.UTC)
        horizon = (now + dt.timedelta(days=365 * 10)).strftime(CLOCK_FORMAT)
        kept = self.db.execute("SELECT max(starts) FROM council_clock").fetchone()[0]
        if self.setting("time_zone") == name and kept and (kept >= horizon or self._clock_fixed()):
            return
        changes = offset_changes(zone, now - dt.timedelta(days=1))
        with self.db.atomic():
            self.db.execute("DELETE FROM council_clock")
            self.db["council_clock"].insert_all(
                {"starts": starts.strftime(CLOCK_FORMAT), "offset_minutes": minutes} for starts, minutes in changes
            )
            self.set_setting("time_zone", name)

    def _clock_fixed(self) -> bool:
        """Whether the kept zone never changes its offset (UTC, or a zone without summer time)."""
        return self.db.execute("SELECT count(*) FROM council_clock").fetchone()[0] == 1

    def memo(self, name: str) -> dict:
        """A cache of facts about the index that holds until an ingest changes it."""
        generation = self.generation
        if generation != self._memos_generation:
            self._memos, self._memos_generation = {}, generation
        return self._memos.setdefault(name, {})

    def vectors(self) -> faiss.Index:
        """The FAISS index of the current generation (see `index.vectors`)."""
        return self._vector_file.current(self.generation)

    def sync_vectors(self) -> None:
        """Bring the FAISS file up to date after a round of writes."""
        self.vectors()

    @property
    def chunk_count(self) -> int:
        return self.db["chunks"].count

    def status(self) -> dict:
        """What is indexed: committees with their meeting counts and dates, totals, last ingest, and how each
        document was read."""
        committees = list(
            self.db.query(
                "SELECT MAX(council) AS council, committee, COUNT(*) AS meetings, MIN(date) AS first, "
                "MAX(date) AS last FROM meetings GROUP BY committee ORDER BY committee"
            )
        )
        readings = [
            Reading(
                row["path"],
                row["date_source"] or ("not recorded" if row["date"] else None),
                # named by the text, by --committee (a committee the text did not give), or by ModernGov
                row["committee_from_text"] is None
                or bool(row["committee_from_text"] or row["committee"] or row["url"]),
                row["ocr_pages"],
                row["unread_pages"],
                bool(row["items_read"]),
            )
            for row in self.db.query(
                "SELECT d.path, d.url, d.date_source, d.committee_from_text, d.ocr_pages, d.unread_pages, m.date, "
                "m.committee, EXISTS (SELECT 1 FROM items i WHERE i.document_id = d.id AND i.title IS NOT NULL) "
                "AS items_read FROM documents d LEFT JOIN meetings m ON m.id = d.meeting_id ORDER BY d.path"
            )
        ]
        totals = next(
            self.db.query(
                "SELECT (SELECT COUNT(*) FROM documents) AS documents, (SELECT COUNT(*) FROM meetings) AS meetings, "
                "(SELECT COUNT(*) FROM chunks) AS chunks, (SELECT MIN(date) FROM meetings) AS first, "
                "(SELECT MAX(date) FROM meetings) AS last, (SELECT MAX(ingested_at) FROM documents) AS last_ingest"
            )
        )
        return {
            **totals,
            "model": self.model,
            "vector_search": self._vector_file.kind(totals["chunks"]),
            "committees": committees,
            "readings": readings,
        }
