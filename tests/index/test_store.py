"""The store on its own: documents written and replaced in one transaction, the vector file following the
database's generations, filters as SQL, and the register read back — with the real parser and chunker, and vectors
that need no model (the store keeps whatever vectors it is given)."""

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils

from index import migrations
from index.chunk import chunk_document, word_count_tokens
from index.filters import Filters
from index.parse import parse_bytes
from index.promises import extract
from index.register import register_rows
from index.store import DATABASE_NAME, Store, StoreError
from index.vectors import held_ids
from tests.conftest import EXAMPLES, TODAY

ENVIRONMENT = EXAMPLES / "environment"
CYP_MINUTES = EXAMPLES / "cyp-scrutiny" / "2023-03-14-minutes.txt"
DIMENSION = 8


def save(store: Store, path: Path, **options) -> None:
    """Parse and chunk a sample file as ingest does, and save it with vectors of its own."""
    document = parse_bytes(path.read_bytes(), str(path), **options)
    chunks = chunk_document(document, 128, word_count_tokens)
    vectors = np.random.default_rng(len(document.text)).normal(size=(len(chunks), DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.claim_model("test-model", DIMENSION)
    store.documents.save(document, str(path.resolve()), f"{path}{options}", chunks, vectors, extract(document))
    store.sync_vectors()


def chunk_ids(store: Store) -> np.ndarray:
    return np.array([row[0] for row in store.db.execute("SELECT id FROM chunks ORDER BY id")], dtype=np.int64)


def samples_store(directory: Path) -> Store:
    """The Environment committee's sample minutes and one CYP meeting, saved with vectors that need no model."""
    store = Store(directory, create=True)
    for path in sorted(ENVIRONMENT.iterdir()):
        save(store, path)
    save(store, CYP_MINUTES)
    return store


@pytest.fixture
def store(tmp_path) -> Store:
    return samples_store(tmp_path)


def test_passages_are_verbatim_spans_of_their_document(store):
    rows = store.passages.rows(chunk_ids(store).tolist())
    assert len({row["document"] for row in rows.values()}) == 4
    for row in rows.values():
        document_text = next(store.db.query("SELECT text FROM documents WHERE path = ?", [row["document"]]))["text"]
        assert document_text[row["char_start"] : row["char_end"]] == row["text"]


def test_saving_a_document_again_replaces_it_and_bumps_the_generation(store):
    chunks, meetings, generation = store.db["chunks"].count, store.db["meetings"].count, store.generation
    save(store, CYP_MINUTES, date=dt.date(2023, 3, 15))
    assert store.generation == generation + 1
    assert store.db["chunks"].count == chunks
    assert store.db["meetings"].count == meetings
    dates = [row["date"] for row in store.db.query("SELECT date FROM meetings WHERE committee LIKE '%Young%'")]
    assert dates == ["2023-03-15"]


def test_removing_a_folder_takes_out_its_documents_and_their_meetings(store):
    removed = store.documents.remove(str(ENVIRONMENT.resolve()))
    assert sorted(Path(path).name for path in removed) == sorted(path.name for path in ENVIRONMENT.iterdir())
    assert store.db["documents"].count == 1
    assert store.db["meetings"].count == 1
    assert {Path(row["document"]).name for row in register_rows(store.db, Filters(), TODAY)} == {CYP_MINUTES.name}
    assert store.db["chunks"].count == len(chunk_ids(store)) > 0


def test_the_vector_file_holds_exactly_the_chunks_and_is_named_after_the_generation(store):
    assert np.array_equal(held_ids(store.vectors()), chunk_ids(store))
    assert [path.name for path in store.directory.glob("vectors-*.faiss")] == [f"vectors-{store.generation}.faiss"]
    store.documents.remove(str(CYP_MINUTES.resolve()))
    store.sync_vectors()
    assert np.array_equal(held_ids(store.vectors()), chunk_ids(store))
    reopened = Store(store.directory)
    assert np.array_equal(held_ids(reopened.vectors()), chunk_ids(store))


def test_a_vector_file_lost_or_broken_is_rebuilt_from_the_database(store):
    path = store.directory / f"vectors-{store.generation}.faiss"
    path.write_bytes(b"not a faiss index")
    assert np.array_equal(held_ids(Store(store.directory).vectors()), chunk_ids(store))
    path.unlink()
    assert np.array_equal(held_ids(Store(store.directory).vectors()), chunk_ids(store))


def test_a_backup_is_the_committed_index_even_while_another_process_writes(store, tmp_path):
    register = register_rows(store.db, Filters(), TODAY)
    writer = sqlite3.connect(store.directory / DATABASE_NAME)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM chunks")  # a write in progress, not committed when the backup is taken
    copy = store.backup(tmp_path / "backup" / "2026-12-03")
    writer.rollback()
    writer.close()
    assert copy.generation == store.generation
    assert np.array_equal(chunk_ids(copy), chunk_ids(store))
    assert np.array_equal(held_ids(copy.vectors()), chunk_ids(store))
    files = sorted(path.name for path in copy.directory.iterdir() if not path.name.startswith(f"{DATABASE_NAME}-"))
    assert files == [DATABASE_NAME, f"vectors-{store.generation}.faiss"]  # besides the open database's WAL files
    assert register_rows(copy.db, Filters(), TODAY) == register and register
    assert copy.passages.rows(chunk_ids(store).tolist()) == store.passages.rows(chunk_ids(store).tolist())


def test_a_backup_never_overwrites(store, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("an earlier backup")
    (tmp_path / "a-file").write_text("")
    for target in (tmp_path / "taken", tmp_path / "a-file"):
        with pytest.raises(StoreError) as refused:
            store.backup(target)
        assert str(refused.value) == (
            f"'{target}' already exists and is not an empty folder: back up into a new folder, so that nothing "
            "there is overwritten."
        )
    assert (tmp_path / "taken" / "notes.txt").read_text() == "an earlier backup"


@pytest.mark.parametrize(
    ("filters", "documents"),
    [
        (Filters(committee="eastmoor"), {"2024-06-11-minutes.pdf"}),
        (Filters(committee="young people"), {"2023-03-14-minutes.txt"}),
        (Filters(after=dt.date(2024, 1, 1)), {"2024-06-11-minutes.pdf", "2025-02-04-minutes.md"}),
        (Filters(before=dt.date(2023, 3, 14)), {"2023-03-14-minutes.txt"}),
        (Filters(document="cyp-scrutiny"), {"2023-03-14-minutes.txt"}),
        (Filters(document="%"), set()),
        (Filters(committee="_"), set()),
    ],
)
def test_filters_limit_passages_and_register_alike(store, filters, documents):
    allowed = store.passages.rows(store.passages.allowed(filters).tolist()).values()
    assert {Path(row["document"]).name for row in allowed} <= documents
    register = {Path(row["document"]).name for row in register_rows(store.db, filters, TODAY)}
    assert register <= documents
    if documents:
        assert allowed and register


def test_the_register_is_read_back_with_what_citing_it_needs(store):
    rows = register_rows(store.db, Filters(), TODAY)
    assert rows and [row["date"] for row in rows] == sorted(row["date"] for row in rows)
    for row in rows:
        assert row["text"] and row["document"] and row["committee"] and row["date"]


def test_latest_item_titles_leave_procedure_out(store):
    titles = store.passages.latest_item_titles(50)
    assert titles
    assert not any("apolog" in title.lower() or "declarations" in title.lower() for title in titles)


def test_status_counts_what_is_indexed(store):
    status = store.status()
    assert (status["documents"], status["chunks"]) == (4, store.db["chunks"].count)
    assert status["vector_search"] == "exact"
    assert sum(committee["meetings"] for committee in status["committees"]) == status["meetings"]


def test_an_index_is_not_created_by_reading_and_a_second_model_is_refused(tmp_path, store):
    with pytest.raises(StoreError, match="There is no Minutebook index"):
        Store(tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()
    with pytest.raises(StoreError, match="built with the embedding model 'test-model'"):
        store.check_model("another-model")


def test_the_database_is_one_file_people_can_open(store):
    connection = sqlite3.connect(store.directory / DATABASE_NAME)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"documents", "meetings", "items", "chunks", "register", "settings"} <= tables


def test_follow_ups_are_found_again_when_a_later_meeting_comes_and_goes(tmp_path):
    store = Store(tmp_path, create=True)
    youth_service = EXAMPLES / "cyp-scrutiny" / "2023-10-10-item-06-youth-service-funding.html"
    later = EXAMPLES / "cyp-scrutiny" / "2024-03-12-minutes-cp1252.txt"
    save(store, youth_service)

    def followed_up() -> set[str | None]:
        return {row["later_item"] for row in register_rows(store.db, Filters(document=youth_service.name), TODAY)}

    assert followed_up() == {None}
    save(store, later)
    assert followed_up() == {None, "Youth Service Funding – Update"}
    store.documents.remove(str(later.resolve()))
    assert followed_up() == {None}


def test_a_new_version_of_a_document_keeps_when_its_unchanged_passages_first_came(tmp_path):
    store = Store(tmp_path / "index", create=True)
    minutes = tmp_path / "2023-03-14-minutes.txt"
    text = CYP_MINUTES.read_text(encoding="utf-8")
    minutes.write_text(text, encoding="utf-8")
    save(store, minutes)
    first = store.generation
    changed = "The meeting closed at 12.20 pm."
    minutes.write_text(text.replace(changed, "The Chair thanked the Head of SEND and Inclusion. " + changed), "utf-8")
    save(store, minutes)

    new = store.passages.allowed(Filters(added_after=first))
    assert store.generation == first + 1 and 0 < len(new) < store.chunk_count
    assert all(
        "The Chair thanked the Head of SEND" in row["text"] for row in store.passages.rows(new.tolist()).values()
    )
    assert len(store.passages.allowed(Filters(added_after=first, committee="Environment"))) == 0
    assert len(store.passages.allowed(Filters(added_after=store.generation))) == 0


def test_a_synced_meetings_list_says_when_the_next_meeting_falls(store):
    committee = "Environment and Transport Committee"
    promised = "options for extending the Moorlink zone"

    def moorlink() -> dict:
        return next(row for row in register_rows(store.db, Filters(), TODAY) if promised in row["text"])

    assert moorlink()["due_by"] is None, "no later meeting is indexed"
    assert store.calendar.next_meeting(committee, dt.date(2025, 2, 4)) is None
    listed = [("701", dt.date(2025, 3, 4), "Cancelled"), ("702", dt.date(2025, 4, 8), "Confirmed")]
    store.calendar.save("https://mg.example.gov.uk", "9", committee, listed, dt.date(2024, 2, 4), dt.date(2026, 2, 4))

    assert store.calendar.next_meeting(committee, dt.date(2025, 2, 4)) == dt.date(2025, 4, 8), (
        "a cancelled meeting is not"
    )
    assert moorlink()["due_by"] == "2025-04-08" and moorlink()["status"] == "overdue"
    store.calendar.save("https://mg.example.gov.uk", "9", committee, [], dt.date(2024, 2, 4), dt.date(2026, 2, 4))
    assert store.calendar.next_meeting(committee, dt.date(2025, 2, 4)) is None and moorlink()["due_by"] is None


def test_an_older_index_is_upgraded_in_place_and_says_so(tmp_path, caplog):
    latest = migrations.INDEX.names[-1]
    older = sqlite_utils.Database(tmp_path / DATABASE_NAME)
    migrations.INDEX.migrations.apply(older, stop_before=latest)
    older.close()
    with caplog.at_level(logging.WARNING, logger="index.store"):
        Store(tmp_path)
    assert f"Upgraded the index in '{tmp_path}' in place to this version's schema ({latest})." in caplog.text
    caplog.clear()
    Store(tmp_path)
    assert "Upgraded" not in caplog.text, "an index already up to date is opened quietly"


def test_an_index_from_a_newer_version_is_refused_in_a_sentence(store):
    store.db["_sqlite_migrations"].insert(
        {"migration_set": "minutebook", "name": "m999_from_the_future", "applied_at": "2027-01-01"}
    )
    with pytest.raises(StoreError, match=r"written by a newer Minutebook \(its schema has m999_from_the_future"):
        Store(store.directory)


def test_versions_before_sqlite_utils_kept_the_record_refuse_an_index_it_keeps(store):
    """Those versions read `_migrations`: its last entry is one they do not know, so they refuse the index in a
    sentence instead of making its tables again."""
    recorded = [row["name"] for row in store.db["_migrations"].rows]
    assert recorded == [migrations.LEGACY_LAST]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, a folder nobody may write to")
def test_a_folder_the_user_cannot_write_gets_a_sentence_not_a_traceback():
    with pytest.raises(StoreError) as refused:
        Store("/proc/self", create=True)
    assert str(refused.value) == (
        f"The index folder '/proc/self' is not writable by this user (uid {os.getuid()}): give it to that user "
        f"(chown -R {os.getuid()} on the host folder), or run as its owner (docker run --user UID)."
    )
