"""Ingest into a real index: re-ingest, replacement, removal, interruption, model mismatch, bad files."""

import datetime as dt
import shutil

import faiss
import numpy as np
import pytest

from bot.config import open_index
from index.embed import ModelChoice
from index.filters import Filters
from index.pipeline import ingest, source_key
from index.search import search
from index.store import Store, StoreError
from index.vectors import held_ids
from tests.conftest import SEED_DATE


def chunk_ids(store):
    return sorted(row["id"] for row in store.db.query("SELECT id FROM chunks"))


def faiss_ids(store):
    """The chunk ids the vector index holds, after checking that it holds each chunk's stored vector."""
    index = store.vectors()
    ids = held_ids(index)
    stored = store.db.execute("SELECT embedding FROM chunks ORDER BY id").fetchall()
    expected = np.frombuffer(b"".join(row[0] for row in stored), dtype=np.float32).reshape(len(stored), -1)
    np.testing.assert_array_equal(index.reconstruct_batch(ids), expected)
    return ids.tolist()


@pytest.fixture
def folder(tmp_path, seed_path):
    minutes = tmp_path / "minutes"
    minutes.mkdir()
    shutil.copy(seed_path, minutes / "signs-of-safety.txt")
    (minutes / "library.txt").write_text(
        "Cabinet – 12 March 2024\n\n1 Library Opening Hours\n\nSaturday opening will continue at all 14 branches.\n",
        encoding="utf-8",
    )
    return minutes


def test_reingest_unchanged_changed_and_removed(tmp_path, folder, embedder):
    store = Store(tmp_path / "index", create=True)
    first = ingest([str(folder)], store, ModelChoice(), committee="CYP", date=SEED_DATE)
    assert (len(first.added), first.failed) == (2, [])
    before = chunk_ids(store)
    assert before == faiss_ids(store)

    again = ingest([str(folder)], store, ModelChoice(), committee="CYP", date=SEED_DATE)
    assert (len(again.added), len(again.unchanged), again.chunks) == (0, 2, 0)
    assert chunk_ids(store) == before

    (folder / "library.txt").write_text(
        "Cabinet – 12 March 2024\n\n1 Library Opening Hours\n\nSunday opening will start at 3 branches.\n",
        encoding="utf-8",
    )
    changed = ingest([str(folder)], store, ModelChoice(), committee="CYP", date=SEED_DATE)
    assert changed.replaced == [str(folder / "library.txt")]
    texts = [row["text"] for row in store.db.query("SELECT text FROM chunks")]
    assert any("Sunday opening" in text for text in texts) and not any("Saturday opening" in text for text in texts)
    assert chunk_ids(store) == faiss_ids(store)

    assert store.documents.remove(source_key(folder / "library.txt")) == [str(folder / "library.txt")]
    assert store.db["documents"].count == 1
    assert not any("Sunday" in row["text"] for row in store.db.query("SELECT text FROM chunks"))
    assert chunk_ids(store) == faiss_ids(store)
    assert [row["committee"] for row in store.db.query("SELECT committee FROM meetings")] == ["CYP"]


def test_a_rewritten_document_gets_new_vectors_when_sqlite_reuses_its_chunk_ids(tmp_path, folder, embedder):
    store = Store(tmp_path / "index", create=True)
    library = folder / "library.txt"
    ingest([str(library)], store, ModelChoice())
    before = faiss_ids(store)
    library.write_text(library.read_text(encoding="utf-8").replace("Saturday", "Sunday"), encoding="utf-8")
    assert ingest([str(library)], store, ModelChoice()).replaced == [str(library)]
    assert chunk_ids(store) == before  # the highest ids were deleted, so SQLite gave them out again
    assert faiss_ids(Store(tmp_path / "index")) == before and faiss_ids(store) == before


def test_the_options_a_person_gives_override_what_the_document_says(tmp_path, folder, embedder):
    store = Store(tmp_path / "index", create=True)
    stated = ingest([str(folder / "library.txt")], store, ModelChoice())
    assert list(store.db.query("SELECT committee, date FROM meetings")) == [
        {"committee": "Cabinet", "date": "2024-03-12"}
    ]
    assert [(reading.date_source, reading.committee_from_text) for reading in stated.readings] == [("text", True)]
    given = ingest([str(folder / "library.txt")], store, ModelChoice(), committee="CYP", date=SEED_DATE)
    assert list(store.db.query("SELECT committee, date FROM meetings")) == [
        {"committee": "CYP", "date": SEED_DATE.isoformat()}
    ]
    assert list(store.db.query("SELECT date_source FROM documents")) == [{"date_source": "option"}]
    assert [reading.date_source for reading in given.readings] == ["option"]


def test_an_interrupted_ingest_leaves_a_consistent_index(tmp_path, folder, embedder):
    store = Store(tmp_path / "index", create=True)
    ingest([str(folder / "library.txt")], store, ModelChoice())
    # A second process is killed after its SQLite commit but before it writes the FAISS file:
    # the file on disk is then one generation behind the database.
    other = Store(tmp_path / "index")
    from index.chunk import chunk_document
    from index.parse import parse_bytes

    data = (folder / "signs-of-safety.txt").read_bytes()
    document = parse_bytes(data, "signs-of-safety.txt")
    chunks = chunk_document(document, embedder.max_tokens, embedder.count_tokens)
    other.documents.save(document, "elsewhere", "fingerprint", chunks, embedder.encode(["x"] * len(chunks)))
    assert not (tmp_path / "index" / f"vectors-{other.generation}.faiss").exists()
    reopened = Store(tmp_path / "index")
    assert faiss_ids(reopened) == chunk_ids(reopened)
    assert (tmp_path / "index" / f"vectors-{reopened.generation}.faiss").exists()
    assert len(list((tmp_path / "index").glob("vectors-*.faiss"))) == 1


def test_bad_files_are_skipped_and_the_rest_saved(tmp_path, folder, embedder):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    store = Store(tmp_path / "index", create=True)
    report = ingest([str(folder), str(tmp_path / "missing.txt")], store, ModelChoice())
    assert len(report.added) == 2
    assert sorted(path.rsplit("/", 1)[-1] for path, _ in report.failed) == ["empty.txt", "missing.txt", "scan.pdf"]
    assert store.db["documents"].count == 2


def test_a_second_model_is_refused(tmp_path, folder, embedder):
    store = Store(tmp_path / "index", create=True)
    ingest([str(folder / "library.txt")], store, ModelChoice())
    with pytest.raises(StoreError, match="was built with the embedding model 'all-MiniLM-L6-v2'"):
        ingest([str(folder)], store, ModelChoice("some/other-model"))


def test_opening_a_missing_index_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="ingest some minutes first"):
        Store(tmp_path / "nothing")


def test_a_large_index_searches_clusters_and_is_updated_in_place(tmp_path, sample_index, folder, embedder, monkeypatch):
    shutil.copytree(sample_index, tmp_path / "index")
    exact = Store(tmp_path / "index")
    scoped = Filters(committee="Environment", after=dt.date(2024, 6, 1), before=dt.date(2024, 6, 30))
    question = "what was agreed about flood defences?"
    expected = [passage.chunk_id for passage in search(exact, embedder, question, filters=scoped).passages]
    assert expected

    monkeypatch.setenv("MINUTEBOOK_APPROXIMATE_ABOVE", "50")
    store = open_index(tmp_path / "index")
    index = store.vectors()
    assert isinstance(index, faiss.IndexIVF) and index.nlist >= 2
    assert faiss_ids(store) == chunk_ids(store)
    centroids = index.quantizer.reconstruct_n(0, index.nlist)
    # A filter that allows few chunks probes every cluster, so it finds what exact search finds.
    assert [passage.chunk_id for passage in search(store, embedder, question, filters=scoped).passages] == expected

    ingest([str(folder / "library.txt")], store, ModelChoice())
    assert faiss_ids(store) == chunk_ids(store)
    assert "Saturday opening" in search(store, embedder, "library opening hours on Saturdays").passages[0].text
    assert store.documents.remove(source_key(folder / "library.txt"))
    updated = store.vectors()
    assert faiss_ids(store) == chunk_ids(store)
    np.testing.assert_array_equal(updated.quantizer.reconstruct_n(0, updated.nlist), centroids)
    assert len(list((tmp_path / "index").glob("vectors-*.faiss"))) == 1
