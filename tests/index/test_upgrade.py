"""Indexes built by landed versions of Minutebook upgrade to this one: the first (725edee, its index tables only) and
the last before migrations were recorded by sqlite-utils (ac74baa, all eleven of its migrations in `_migrations`,
and the bot's tables with a watch, a channel's committee, a post and a conversation in them). Each opens, keeps its
rows, answers at once, and once its minutes are ingested again answers exactly as an index built today from the same
files. The fixtures are those versions' own indexes of three sample minutes (tests/data/upgrade/README.md)."""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

import pytest

from bot.answer_log import AnswerLog
from bot.channels import ChannelCommittees
from bot.config import Clock, open_index
from bot.migrations import ADOPTED, BOT
from bot.posts import Posts
from bot.slack.answering import Answerer
from bot.watches import Watch, Watches
from index.filters import Filters
from index.migrations import INDEX, LEGACY_LAST
from index.search import search
from index.store import DATABASE_NAME, Store
from tests.conftest import DATA, ENVIRONMENT_COMMITTEE, ROOT, environment_without_settings

pytestmark = pytest.mark.slow  # runs python -m bot and loads the embedding model

FIXTURE = DATA / "upgrade"
# The sample minutes both versions ingested, with the SHA-256 of the bytes they read, and the folder they read them
# from: an index knows a document by its absolute path (`index.pipeline.source_key`), so they are put back there for
# an upgraded index to recognise its documents when they are ingested again.
SAMPLES = ROOT / "examples" / "minutes"
MINUTES = {
    SAMPLES / "cyp-scrutiny" / "2023-03-14-minutes.txt": "273009adba10ba0b55e07a1c10378b1f",
    SAMPLES / "environment" / "2023-06-20-printed-minutes.html": "a1c6c8d94625ededb97b333f70099222",
    SAMPLES / "environment" / "2024-06-11-minutes.pdf": "48a07ce1a6e1c9b1f457b5fc4eb1de54",
}
SOURCE_FOLDER = Path("/tmp/minutebook-upgrade-fixture/minutes")
SOURCE_PATHS = sorted(str(SOURCE_FOLDER / file.name) for file in MINUTES)
# What the index works out by the rules of the version that opens it (`index.derived.refresh`), not kept as it was.
DERIVED = {("items", "procedural"), ("register", "due_by"), ("register", "followed_up_item_id")}
BOT_TABLES = ("answers", "feedback", "channel_committees", "watches", "watch_seen", "posts")
STATUSES = {"open", "overdue", "followed up", "decided"}


@dataclass(frozen=True)
class Landed:
    """A landed version's index of the minutes: the migrations it recorded in `_migrations`, and the rows of the
    bot's tables in it (none when that version had no bot tables)."""

    folder: Path
    legacy: tuple[str, ...]
    bot_rows: dict[str, int]
    ingested_again: str  # what `minutebook ingest` of the same minutes says on it today


FIRST_LANDED = Landed(
    FIXTURE / "first-landed",
    ("m001_initial",),
    {},
    "0 added, 0 unchanged, 3 replaced, 0 failed",  # read by pdfminer.six then, and before PIPELINE_VERSION
)
LAST_LANDED = Landed(
    FIXTURE / "last-landed",
    (
        "m001_initial",
        "m002_answers_feedback_urls",
        "m003_moderngov_sources",
        "m004_register",
        "m005_chunk_generation",
        "m006_council_date_source_ocr",
        "m007_register_search_and_status",
        "m008_channel_committees",
        "m009_follow_through",
        "m010_answer_threads",
        "m011_page_starts",
    ),
    {"answers": 2, "feedback": 1, "channel_committees": 1, "watches": 1, "watch_seen": 4, "posts": 1},
    "0 added, 3 unchanged, 0 replaced, 0 failed",  # read as today reads them (the same PIPELINE_VERSION)
)
LANDED = [pytest.param(FIRST_LANDED, id="first-landed"), pytest.param(LAST_LANDED, id="last-landed")]
# What the last landed version kept of the bot (build_last_landed.py).
CHANNEL, CLERK, COUNCILLOR, THREAD = "C0ENVIRONMENT", "U0CLERK", "U0COUNCILLOR", "1733486400.000100"
FLOOD_QUESTION = "how much has the Lower Brandling flood scheme gone up by?"
QUESTIONS = [
    "what did we decide about home to school transport costs back in March 2023?",
    "what did fostering say about a second Mockingbird hub?",
    "what did the committee decide on the Route 47 bus consultation?",
    "when were we meant to get the full Route 47 consultation report?",
    FLOOD_QUESTION,
]
CASES = {
    case["question"]: case
    for case in map(json.loads, (ROOT / "examples" / "questions.jsonl").read_text().splitlines())
    if case["question"] in QUESTIONS
}


@pytest.fixture
def minutes_in_place():
    """The fixture's minutes where the old versions read them; their paths, as those versions were given them."""
    if os.name != "posix" or SOURCE_FOLDER.resolve() != SOURCE_FOLDER:
        pytest.skip(f"{SOURCE_FOLDER} is not a plain folder here, so the fixture's document paths cannot be recreated")
    changed = [
        file.name for file, digest in MINUTES.items() if not sha256(file.read_bytes()).hexdigest().startswith(digest)
    ]
    assert not changed, f"{changed} changed since the fixtures were built from them: rebuild them (its README)"
    shutil.rmtree(SOURCE_FOLDER, ignore_errors=True)
    SOURCE_FOLDER.mkdir(parents=True)
    for file in MINUTES:
        shutil.copyfile(file, SOURCE_FOLDER / file.name)
    yield SOURCE_PATHS
    shutil.rmtree(SOURCE_FOLDER, ignore_errors=True)


def old_index(tmp_path: Path, landed: Landed) -> Path:
    directory = tmp_path / "old-index"
    shutil.copytree(landed.folder, directory)
    return directory


def connect(directory: Path) -> sqlite3.Connection:
    return sqlite3.connect(directory / DATABASE_NAME)


def old_columns(directory: Path) -> dict[str, list[str]]:
    """The old version's tables (not the full-text search's own, nor `_migrations`), each with its columns but those
    that today's rules work out again."""
    with connect(directory) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%\\_fts%' ESCAPE '\\' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name != '_migrations'"
            )
        ]
        return {
            table: [
                row[1] for row in connection.execute(f"PRAGMA table_info([{table}])") if (table, row[1]) not in DERIVED
            ]
            for table in tables
        }


def rows(directory: Path, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of these tables, in these columns, read with SQLite alone."""
    with connect(directory) as connection:
        return {
            table: connection.execute(f"SELECT {', '.join(names)} FROM [{table}] ORDER BY rowid").fetchall()
            for table, names in columns.items()
        }


def assert_kept(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> None:
    """Every row is there as it was; the only one added is the council's time zone, which the commands keep for the
    `register_status` view (`Store.keep_time_zone`)."""
    lost = {table: list((Counter(before[table]) - Counter(after[table])).elements()) for table in before}
    added = {table: list((Counter(after[table]) - Counter(before[table])).elements()) for table in before}
    assert {table: found for table, found in lost.items() if found} == {}
    assert [key for key, _ in added["settings"]] == ["time_zone"]
    assert {table: found for table, found in added.items() if found and table != "settings"} == {}


def bot_rows(directory: Path) -> dict[str, list[tuple]]:
    with connect(directory) as connection:
        return {table: connection.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall() for table in BOT_TABLES}


def recorded(directory: Path, table: str = "_sqlite_migrations") -> list[tuple]:
    """The migrations recorded in `_sqlite_migrations` (set, name, when) or in `_migrations` (name, when), in the
    order they were recorded."""
    columns = "migration_set, name, applied_at" if table == "_sqlite_migrations" else "name, applied_at"
    with connect(directory) as connection:
        return connection.execute(f"SELECT {columns} FROM [{table}] ORDER BY rowid").fetchall()


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`minutebook ARGS...` as a person runs it, from the checkout."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment_without_settings(),
        timeout=300,
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def ask(directory: Path) -> list[dict]:
    """`minutebook ask --json` for every question, one JSON object each."""
    result = run("ask", "--json", "-", "--index", str(directory), stdin="".join(q + "\n" for q in QUESTIONS))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == QUESTIONS
    return lines


def answers(directory: Path, embedder) -> list[dict]:
    """What `minutebook ask --json` prints for every question, from the function it calls, in this process."""
    store = Store(directory)
    return [search(store, embedder, question).to_json() for question in QUESTIONS]


def without_scores(lines: list[dict]) -> list[dict]:
    """The answers, each passage with its text and citation (text, document, council, committee, date, item, page,
    ocr) but not its score."""
    return [
        {**line, "passages": [{k: v for k, v in passage.items() if k != "score"} for passage in line["passages"]]}
        for line in lines
    ]


def assert_cited_as_the_case(line: dict) -> None:
    """The first passage is cited as questions.jsonl says the answer is."""
    case, first = CASES[line["question"]], line["passages"][0]
    assert (first["committee"], first["date"], first["item"], Path(first["document"]).name) == (
        case["committee"],
        case["date"],
        case["item"],
        Path(case["file"]).name,
    ), line["question"]


def assert_register_status_agrees(directory: Path) -> None:
    """The `register_status` view (what Datasette shows) gives every register entry the status `minutebook
    promises` gives it, as of the council's today that the view works out."""
    with connect(directory) as connection:
        register = connection.execute("SELECT count(*) FROM register").fetchone()[0]
        viewed = connection.execute("SELECT text, status, as_of FROM register_status").fetchall()
    assert len(viewed) == register
    if not viewed:
        return
    (as_of,) = {row[2] for row in viewed}
    assert dt.date.fromisoformat(as_of) and {row[1] for row in viewed} <= STATUSES
    listed = run("promises", "--json", "--as-of", as_of, "-n", "10000", "--index", str(directory))
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert sorted((entry["text"], entry["status"]) for entry in entries) == sorted(row[:2] for row in viewed)


def documents(directory: Path) -> list[tuple]:
    """Each document as the index holds it, with how it was read."""
    with connect(directory) as connection:
        return connection.execute(
            "SELECT source, path, format, fingerprint, text, page_starts FROM documents ORDER BY source"
        ).fetchall()


def count(directory: Path, table: str) -> int:
    with connect(directory) as connection:
        return connection.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


@pytest.mark.parametrize("landed", LANDED)
def test_the_fixture_is_a_landed_versions_index_of_the_minutes_it_holds(landed):
    assert len(CASES) == len(QUESTIONS)
    with sqlite3.connect(f"file:{landed.folder / DATABASE_NAME}?immutable=1", uri=True) as connection:
        applied = [name for (name,) in connection.execute("SELECT name FROM _migrations ORDER BY rowid")]
        sources = sorted(source for (source,) in connection.execute("SELECT source FROM documents"))
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        held = {table: connection.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0] for table in landed.bot_rows}
    assert applied == list(landed.legacy)
    assert "_sqlite_migrations" not in tables
    assert held == landed.bot_rows
    assert tables.issuperset(BOT_TABLES) if landed.bot_rows else tables.isdisjoint(BOT_TABLES)
    assert sources == SOURCE_PATHS
    assert {Path(CASES[question]["file"]).name for question in QUESTIONS} == {file.name for file in MINUTES}


@pytest.mark.parametrize("landed", LANDED)
def test_an_old_index_opens_keeps_its_rows_and_answers(tmp_path, landed):
    directory = old_index(tmp_path, landed)
    columns = old_columns(directory)
    before, bot_before = rows(directory, columns), bot_rows(directory) if landed.bot_rows else None
    legacy_before = recorded(directory, "_migrations")
    legacy_times = dict(legacy_before)
    texts = {
        row[columns["documents"].index("path")]: row[columns["documents"].index("text")] for row in before["documents"]
    }
    assert sorted(texts) == SOURCE_PATHS and len(before["chunks"]) > 40

    # The real command, on the index as the old version left it: it upgrades in place and answers.
    for line in ask(directory):
        assert line["answered"] is True, line["question"]
        assert line["passages"], line["question"]
        for passage in line["passages"]:
            assert passage["text"] in texts[passage["document"]]  # verbatim, of the document it cites
            assert passage["committee"] and passage["date"] and passage["item"], passage
        assert_cited_as_the_case(line)
        case = CASES[line["question"]]
        assert any(case["answer_contains"] in " ".join(passage["text"].split()) for passage in line["passages"])

    # Every migration of both sets is recorded: those the old version applied first (adopted: had they run again,
    # making a table that is there would have failed), the bot's among them under their names of today.
    applied, legacy_after = recorded(directory), recorded(directory, "_migrations")
    index_applied = [(name, when) for migration_set, name, when in applied if migration_set == INDEX.migrations.name]
    bot_applied = [(name, when) for migration_set, name, when in applied if migration_set == BOT.migrations.name]
    assert {migration_set for migration_set, _, _ in applied} == {INDEX.migrations.name, BOT.migrations.name}
    assert [name for name, _ in index_applied] == [
        *landed.legacy,
        *(name for name in INDEX.names if name not in landed.legacy),
    ]
    assert [name for name, _ in bot_applied] == BOT.names
    # `_migrations` is kept as it was, with a last entry that tells the old versions to leave this index alone.
    assert legacy_after[:-1] == legacy_before and legacy_after[-1][0] == LEGACY_LAST

    # Every row the old version wrote is there as it wrote it; the bot's, byte for byte.
    assert_kept(before, rows(directory, columns))
    if landed.bot_rows:
        assert bot_rows(directory) == bot_before
    else:
        assert all(count(directory, table) == 0 for table in BOT_TABLES)  # the bot's tables, new and empty
    assert_register_status_agrees(directory)

    # An adopted migration keeps the time the old version applied it, in either set.
    adopted = {ADOPTED[name]: legacy_times[name] for name in landed.legacy if name in ADOPTED}
    assert [(name, when) for name, when in index_applied if name in landed.legacy] == list(legacy_before)
    assert [(name, when) for name, when in bot_applied if name in adopted] == list(adopted.items())


def test_the_bot_carries_on_from_what_the_last_version_kept(tmp_path, embedder):
    """A watch, a channel's committee, a post and a conversation, kept by the last landed version, read by today's
    classes after the bot opens the index; a follow-up in the old thread follows the question asked there."""
    directory = old_index(tmp_path, LAST_LANDED)
    with connect(directory) as connection:
        watch_created, generation = connection.execute("SELECT created_at, last_generation FROM watches").fetchone()
        seen = [key for (key,) in connection.execute("SELECT passage FROM watch_seen ORDER BY rowid")]
        (asked,) = connection.execute("SELECT question FROM answers ORDER BY id DESC LIMIT 1").fetchone()

    store = open_index(directory)  # as the bot and the commands open it: both sets of migrations
    watches, channels, posts, log = Watches(store.db), ChannelCommittees(store.db), Posts(store.db), AnswerLog(store.db)
    assert watches.in_channel(CHANNEL) == [
        Watch(1, "Lower Brandling flood defences", None, CHANNEL, CLERK, watch_created, generation)
    ]
    assert watches.unseen(1, [*seen, "a passage not seen"]) == {"a passage not seen"}
    assert channels.tied() == [(CHANNEL, ENVIRONMENT_COMMITTEE)]
    assert posts.was_sent(f"watch:1:{generation}")
    assert not posts.claim(f"watch:1:{generation}", "watch", CHANNEL)  # never posted twice
    first = log.saved(1)
    assert (first["question"], first["filters"], first["user_id"]) == (
        FLOOD_QUESTION,
        Filters(committee=ENVIRONMENT_COMMITTEE),
        COUNCILLOR,
    )
    assert Path(first["passages"][0]["document"]).name == "2024-06-11-minutes.pdf"
    assert log.answered_in(CHANNEL, THREAD)
    turn, shown = log.last_turn(CHANNEL, THREAD, since="")
    assert (turn.question, turn.topic, shown) == (asked, FLOOD_QUESTION.rstrip("?"), len(log.saved(2)["passages"]))

    # Today's answerer carries the old conversation on: "show me more" follows the last question in the thread,
    # within the channel's committee, and passes over what the thread was shown.
    saved = Answerer(store, embedder, Clock(dt.UTC)).ask("show me more", COUNCILLOR, CHANNEL, THREAD)
    assert (saved.follows, saved.scope) == (asked, ENVIRONMENT_COMMITTEE)
    shown_before = {passage["text"] for passage in log.saved(2)["passages"]}
    assert saved.answer.passages and all(
        passage.committee == ENVIRONMENT_COMMITTEE for passage in saved.answer.passages
    )
    assert shown_before.isdisjoint(passage.text for passage in saved.answer.passages)
    assert log.saved(saved.id)["thread_ts"] == THREAD and saved.id == 3


@pytest.mark.parametrize("landed", LANDED)
def test_ingesting_again_answers_as_an_index_built_today(tmp_path, minutes_in_place, embedder, landed):
    directory = old_index(tmp_path, landed)
    with connect(directory) as connection:
        old_fingerprints = dict(connection.execute("SELECT source, fingerprint FROM documents"))
    bot_before = bot_rows(directory) if landed.bot_rows else None
    assert sorted(old_fingerprints) == minutes_in_place  # the old rows are these files, by their paths

    # The minutes are read again where reading has changed since, each replacing its document rather than adding
    # to it; a document read as today reads it is left as it is.
    again = run("ingest", *minutes_in_place, "--index", str(directory))
    assert again.returncode == 0, again.stderr
    assert "Upgraded the index" in again.stderr, again.stderr
    assert landed.ingested_again in again.stdout, again.stdout
    fresh = tmp_path / "fresh-index"
    built = run("ingest", *minutes_in_place, "--index", str(fresh))
    assert built.returncode == 0, built.stderr
    assert "3 added, 0 unchanged, 0 replaced, 0 failed" in built.stdout, built.stdout

    assert count(directory, "documents") == len(minutes_in_place)  # replaced, not added a second time
    assert documents(directory) == documents(fresh)  # each read as today's code reads it
    replaced = "3 replaced" in landed.ingested_again
    assert all((old_fingerprints[row[0]] != row[3]) == replaced for row in documents(directory))
    for table in ("meetings", "items", "chunks", "register"):
        assert count(directory, table) == count(fresh, table), table
    if landed.bot_rows:
        assert bot_rows(directory) == bot_before
    assert_register_status_agrees(directory)

    found = answers(directory, embedder)
    assert without_scores(found) == without_scores(answers(fresh, embedder))
    for line in found:
        case, first = CASES[line["question"]], line["passages"][0]
        assert line["answered"] is True, line["question"]
        assert case["answer_contains"] in " ".join(first["text"].split()), (line["question"], first["text"][:200])
        assert_cited_as_the_case(line)
    # The PDF's passages cite their page, which the first version did not record.
    assert any(
        passage["page"] for line in found for passage in line["passages"] if passage["document"].endswith(".pdf")
    )
