"""The index as Datasette shows it: the register's full-text search (migration m007) and `register_status` view,
and metadata.yml — every table, column and canned query it names — checked against the real schema, and the
register's status in SQL held to the answers of `read_register`."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
import yaml

from bot.config import open_index
from index import follow_up
from index.filters import Filters
from index.migrations import INDEX
from index.register import RegisterEntry, read_register
from index.store import DATABASE_NAME, Store
from tests.conftest import ENVIRONMENT_COMMITTEE, ROOT, TODAY

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
DATABASE = METADATA["databases"]["minutebook"]
QUERIES = DATABASE["queries"]
AS_OF_DAYS = [dt.date(2023, 7, 1), dt.date(2024, 1, 1), dt.date(2025, 6, 1), TODAY]
PARAMETER = re.compile(r"(?<!:):(\w+)")


def bound(sql: str, **values: str) -> dict[str, str]:
    """Every named parameter of a canned query, blank unless given, as Datasette binds a form left blank."""
    return {name: values.get(name, "") for name in PARAMETER.findall(sql)}


def run_query(db: sqlite3.Connection, name: str, **values: str) -> list[dict]:
    sql = QUERIES[name]["sql"]
    cursor = db.execute(sql, bound(sql, **values))
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def connect(directory: Path) -> sqlite3.Connection:
    return sqlite3.connect(directory / DATABASE_NAME)


def schema(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Every table and view with its columns."""
    tables = {table.name: table.columns_dict for table in db.tables}
    tables.update({view.name: view.columns_dict for view in db.views})
    return {name: list(columns) for name, columns in tables.items()}


def as_row(entry: RegisterEntry) -> tuple:
    later = entry.followed_up_by
    return (
        entry.id,
        entry.status,
        entry.due.isoformat() if entry.due else None,
        later.date.isoformat() if later else None,
        later.item if later else None,
    )


def query_rows(rows: list[dict]) -> list[tuple]:
    return [(r["id"], r["status"], r["due"], r["followed_up_on"], r["followed_up_by"]) for r in rows]


# metadata.yml against the schema that the migrations make


@pytest.fixture
def migrated(tmp_path) -> sqlite_utils.Database:
    """A new index as the commands open it: the index's tables and views, and the bot's tables."""
    return open_index(tmp_path, create=True).db


def test_every_table_and_column_in_metadata_exists(migrated):
    tables = schema(migrated)
    for name, table in DATABASE["tables"].items():
        assert name in tables, f"metadata.yml describes {name}, which the schema does not have"
        named = set(table.get("columns", {}))
        named |= {facet if isinstance(facet, str) else next(iter(facet.values())) for facet in table.get("facets", [])}
        named |= {table[key] for key in ("label_column", "sort", "sort_desc", "fts_pk") if key in table}
        assert named <= set(tables[name]), f"{name} has no column {sorted(named - set(tables[name]))}"
        if "fts_table" in table:
            assert table["fts_table"] in tables


def test_every_browsable_table_and_column_is_described_and_search_tables_hidden(migrated):
    described = DATABASE["tables"]
    for name, columns in schema(migrated).items():
        if name.endswith("_fts") or "_fts_" in name:
            assert described.get(name, {}).get("hidden") is True, f"{name} should be hidden"
            continue
        assert described.get(name, {}).get("description"), f"metadata.yml does not describe {name}"
        missing = set(columns) - set(described[name].get("columns", {}))
        assert not missing, f"metadata.yml does not describe {name}.{sorted(missing)}"


def test_canned_queries_compile_against_the_schema(migrated):
    assert {"overdue_commitments", "decisions_by_committee"} <= set(QUERIES)
    for name, query in QUERIES.items():
        assert query.get("title") and query.get("description"), name
        migrated.execute(query["sql"], bound(query["sql"], as_of="2024-01-01", q="bus")).fetchall()


# The register's status in SQL, held to read_register's rules on titles chosen to meet each rule's edge


class Minutes:
    """Meetings, agenda items and register entries written straight into a real store, no model needed."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.documents: dict[int | None, int] = {}

    def meeting(self, committee: str | None, date: str | None) -> int:
        return self.db["meetings"].insert({"committee": committee, "date": date, "council": "Eastmoor"}).last_pk

    def item(self, meeting_id: int | None, title: str | None, position: int = 0) -> int:
        if meeting_id not in self.documents:
            name = f"minutes-{meeting_id}.txt"
            self.documents[meeting_id] = (
                self.db["documents"]
                .insert({"path": name, "source": name, "format": "text", "meeting_id": meeting_id, "text": "…"})
                .last_pk
            )
        record = {"document_id": self.documents[meeting_id], "meeting_id": meeting_id, "position": position}
        return self.db["items"].insert({**record, "title": title}).last_pk

    def entry(self, meeting_id, title, kind="commitment", promise=True, due=None, next_meeting=False) -> int:
        item_id = self.item(meeting_id, title)
        record = {"document_id": self.documents[meeting_id], "item_id": item_id, "meeting_id": meeting_id}
        record |= {"kind": kind, "promise": int(promise), "due": due, "due_at_next_meeting": int(next_meeting)}
        record |= {"text": f"{title}: {kind}", "char_start": 0, "char_end": 1, "due_phrase": None, "owner": None}
        return self.db["register"].insert(record).last_pk


@pytest.fixture
def edge_cases(tmp_path) -> Store:
    store = Store(tmp_path, create=True)
    minutes = Minutes(store.db)
    january, march, june, february = (
        minutes.meeting("Committee A", date) for date in ("2023-01-10", "2023-03-10", "2023-06-10", "2024-02-01")
    )
    for title in (
        "Youth Service Funding",  # followed up in March ("– Update"), not by the later "Progress"
        "Road Safety Review",  # "ROAD SAFETY: PROGRESS": review is no subject word, any case reads as an update
        "Library Opening Hours",  # "follow_up" is not "follow-up"
        "Bus Shelter Programme Five Wards",  # 3 of 5 words: exactly the overlap needed
        "Waste Collection Rounds Depot Fleet",  # 2 of 5: too few
        "A14 Junction 10 Works",  # digits make words, but "10" is too short to count: 2 of 3
        "Café Licensing",  # é splits words: "caf"
        "Tree Planting",  # "follow-up"
        "Speed Limits",  # "re-review"
        "Allotment Rents",  # "Updated" is not "update"
        "Further Reports",  # "further  report" with two spaces is not "further report"
        "Street Lighting Energy Costs",  # 2 of 4 words: too few
        "Grants for Sports Clubs",  # 2 of 3 words: "for" does not count
        "Housing Allocations",  # "reviews" is not "review"
        "Museum Services",  # nor is "preview"
    ):
        minutes.entry(january, title, due="2023-05-01")
    minutes.entry(january, "Parks Maintenance Contract", next_meeting=True)
    minutes.entry(january, "Youth Service Funding", kind="decision", promise=False)
    minutes.entry(january, "Youth Service Funding", kind="decision", promise=True, due="2023-02-01")
    minutes.entry(january, "Flood Defences", kind="aspiration", promise=False, due="2023-12-31")
    minutes.entry(january, None, due="2023-04-01")
    minutes.entry(june, "Cycle Lanes", due="2023-07-01")
    minutes.entry(june, "Home Education", next_meeting=True)
    for meeting_id, title in (
        (march, "Youth Service Funding – Update"),
        (march, "Library Opening Hours follow_up"),
        (march, "Bus Shelter Programme: further report"),
        (march, "Waste Collection Monitoring"),
        (march, "A14 junction – MONITORING"),
        (march, "Café licensing: FURTHER REPORT"),
        (march, "Tree planting follow-up"),
        (march, "Speed limits re-review"),
        (march, "Updated allotment rents"),
        (march, "Further  reports"),
        (march, "Street lighting monitoring"),
        (march, "Grants: sports update"),
        (march, "Housing allocations reviews"),
        (march, "Museum services preview"),
        (june, "ROAD SAFETY: PROGRESS"),
        (june, "Cycle lanes update"),  # the same day: not later
        (february, "Youth Service Funding Progress"),
    ):
        minutes.item(meeting_id, title, position=1)
    other = minutes.meeting("Committee B", "2023-01-10")
    minutes.entry(other, "Youth Service Funding", due="2023-02-01")  # the update is another committee's
    minutes.entry(other, "Parks Maintenance Contract", next_meeting=True)  # no next meeting: no due date
    nameless, later = minutes.meeting(None, "2023-01-10"), minutes.meeting(None, "2023-05-05")
    minutes.entry(nameless, "Allotments", next_meeting=True)
    minutes.item(later, "Allotments update")
    minutes.entry(None, "Undated Matter", due="2023-02-02")
    follow_up.resolve(store.db)  # as saving a document does
    return store


def test_status_in_sql_follows_the_rules_of_read_register(edge_cases):
    db = edge_cases.db.conn
    statuses = set()
    for as_of in AS_OF_DAYS:
        entries = read_register(edge_cases, as_of)
        rows = run_query(db, "register_as_of", as_of=as_of.isoformat())
        assert query_rows(rows) == [as_row(entry) for entry in entries], as_of
        overdue = run_query(db, "overdue_commitments", as_of=as_of.isoformat())
        assert [row["id"] for row in overdue] == [entry.id for entry in entries if entry.status == "overdue"]
        statuses |= {entry.status for entry in entries}
    assert statuses == {"open", "overdue", "followed up", "decided"}
    followed = {entry.item for entry in read_register(edge_cases, TODAY, status="followed up")}
    assert followed == {
        "Youth Service Funding",
        "Road Safety Review",
        "Bus Shelter Programme Five Wards",
        "A14 Junction 10 Works",
        "Café Licensing",
        "Tree Planting",
        "Speed Limits",
        "Grants for Sports Clubs",
        "Allotments",
    }


def test_migration_adds_search_and_status_to_an_index_made_before_it(tmp_path):
    db = sqlite_utils.Database(tmp_path / DATABASE_NAME)
    INDEX.migrations.apply(db, stop_before="m007_register_search_and_status")
    minutes = Minutes(db)
    cabinet = minutes.meeting("Cabinet", "2024-01-10")
    earlier = minutes.entry(cabinet, "Bus Lanes", due="2024-02-01")
    db.conn.commit()
    assert not db["register_fts"].exists()

    store = Store(tmp_path)  # brings the index up to date
    minutes = Minutes(store.db)
    later = minutes.entry(minutes.meeting("Cabinet", "2024-03-10"), "Bus Gates", kind="aspiration", promise=False)

    found = store.db.execute("SELECT rowid FROM register_fts WHERE register_fts MATCH 'bus'").fetchall()
    assert sorted(row[0] for row in found) == [earlier, later]
    statuses = store.db.execute("SELECT id, status FROM register_status ORDER BY id").fetchall()
    assert statuses == [(earlier, "overdue"), (later, "open")]


# The sample minutes, ingested by the real pipeline


@pytest.fixture
def sample_copy(sample_index, tmp_path) -> Path:
    """A copy of the sample index that a test may change."""
    shutil.copytree(sample_index, tmp_path, dirs_exist_ok=True)
    return tmp_path


def matching(db: sqlite3.Connection, words: str) -> set[int]:
    return {row[0] for row in db.execute("SELECT rowid FROM register_fts WHERE register_fts MATCH ?", [words])}


@pytest.mark.slow
def test_register_search_follows_ingest_and_removal(sample_copy):
    store = Store(sample_copy)
    db = store.db.conn
    (rowntree,) = db.execute(
        "SELECT id FROM register WHERE owner = 'Councillor Rowntree' AND text LIKE '%consultation report%'"
    ).fetchone()
    assert rowntree in matching(db, "consultation report circulated")  # stemmed: "circulate" would do too
    assert rowntree in matching(db, "rowntree")  # the owner
    assert matching(db, '"next meeting"')  # the due phrase
    (source, document_id) = db.execute(
        "SELECT d.source, d.id FROM documents d JOIN register r ON r.document_id = d.id WHERE r.id = ?", [rowntree]
    ).fetchone()
    removed = {row[0] for row in db.execute("SELECT id FROM register WHERE document_id = ?", [document_id])}

    store.documents.remove(source)

    assert not matching(db, "consultation report circulated") & removed
    assert not {row[0] for row in db.execute("SELECT rowid FROM register_fts")} & removed
    assert (
        db.execute("SELECT count(*) FROM register_fts").fetchone()
        == db.execute("SELECT count(*) FROM register").fetchone()
    )
    db.execute("INSERT INTO register_fts (register_fts) VALUES ('integrity-check')")


@pytest.mark.slow
def test_canned_queries_answer_on_the_sample_index(sample_index):
    db = connect(sample_index)
    values = {"as_of": TODAY.isoformat(), "q": "pothole* backlog"}
    answers = {name: run_query(db, name, **values) for name in QUERIES}
    assert all(answers[name] for name in QUERIES), [name for name in QUERIES if not answers[name]]
    assert run_query(db, "search_passages", q="") == []
    assert {row["committee"] for row in run_query(db, "decisions_by_committee", committee="environment")} == {
        ENVIRONMENT_COMMITTEE
    }


@pytest.mark.slow
def test_overdue_and_register_queries_agree_with_read_register(sample_index):
    store, db = Store(sample_index), connect(sample_index)
    for as_of in AS_OF_DAYS:
        overdue = run_query(db, "overdue_commitments", as_of=as_of.isoformat())
        expected = read_register(store, as_of, status="overdue")
        assert [row["id"] for row in overdue] == [entry.id for entry in expected], as_of
        assert {row["as_of"] for row in overdue} <= {as_of.isoformat()}
        entries = read_register(store, as_of)
        assert query_rows(run_query(db, "register_as_of", as_of=as_of.isoformat())) == list(map(as_row, entries))
    assert run_query(db, "overdue_commitments", as_of=TODAY.isoformat()), "the samples have overdue commitments"
    for status in ("open", "overdue", "followed up", "decided"):
        rows = run_query(db, "register_as_of", as_of=TODAY.isoformat(), status=status, committee="children")
        expected = read_register(store, TODAY, Filters(committee="children"), status=status)
        assert query_rows(rows) == list(map(as_row, expected)), status
    decisions = run_query(db, "decisions_by_committee", committee="Environment")
    expected = read_register(store, TODAY, Filters(committee="Environment"))
    assert {row["id"] for row in decisions} == {entry.id for entry in expected if entry.kind == "decision"}


@pytest.mark.slow
def test_register_status_view_is_the_register_as_of_today(sample_index):
    store = Store(sample_index)
    today = dt.datetime.now(dt.UTC).date()  # date('now') is UTC
    rows = list(store.db.query("SELECT * FROM register_status"))
    assert {row["as_of"] for row in rows} == {today.isoformat()}
    by_id = {row["id"]: row for row in rows}
    entries = read_register(store, today)
    assert sorted(by_id) == sorted(entry.id for entry in entries)
    for entry in entries:
        row = by_id[entry.id]
        assert query_rows([row]) == [as_row(entry)]
        assert (row["committee"], row["item"], row["document"], bool(row["ocr"])) == (
            entry.committee,
            entry.item,
            entry.document,
            entry.ocr,
        )


@pytest.mark.slow
def test_datasette_serves_the_metadata_search_and_queries(sample_index):
    datasette_app = pytest.importorskip(
        "datasette.app", reason="Datasette is not installed: pip install -e '.[browse]' to serve the index with it"
    )
    datasette = datasette_app.Datasette([str(sample_index / DATABASE_NAME)], metadata=METADATA)
    as_of = TODAY.isoformat()

    async def fetch(path: str) -> dict:
        response = await datasette.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    async def pages() -> list[dict]:
        return [
            await fetch("/-/metadata.json"),
            await fetch("/minutebook.json"),
            await fetch(f"/minutebook/overdue_commitments.json?_shape=array&as_of={as_of}"),
            await fetch("/minutebook/register.json?_shape=array&_search=rowntree"),
            await fetch("/minutebook/register_status.json?_search=rowntree&_facet=status"),
            await fetch("/minutebook/register_status.json?_shape=array&status=decided&_size=max"),
        ]

    metadata, database, overdue, searched, view, decided = asyncio.run(pages())
    assert metadata["title"] == "Minutebook"
    hidden = {table["name"] for table in database["tables"] if table["hidden"]}
    assert {"chunks_fts", "register_fts", "register_fts_data"} <= hidden
    assert not hidden & {"meetings", "documents", "items", "chunks", "register"}
    assert {query["name"] for query in database["queries"]} == set(QUERIES)
    store = Store(sample_index)
    assert [row["id"] for row in overdue] == [entry.id for entry in read_register(store, TODAY, status="overdue")]
    assert any(row["owner"] == "Councillor Rowntree" for row in searched)
    assert view["rows"] and "status" in view["facet_results"]
    assert {row["id"] for row in decided} == {
        entry.id for entry in read_register(store, dt.datetime.now(dt.UTC).date(), status="decided")
    }
