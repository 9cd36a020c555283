"""Syncing from ModernGov: the real GetMeeting response, served with made-up committees and meetings by a stand-in
site on 127.0.0.1 that fails, stalls, restricts, withdraws and rewrites its minutes the way real sites do."""

import datetime as dt
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import sqlite_utils

from bot.render import render_answer
from index import migrations, moderngov
from index.digest import digest
from index.embed import ModelChoice
from index.moderngov import (
    MAX_RETRY_AFTER,
    Committee,
    ModernGovError,
    Site,
    choose_committees,
    meeting_document,
    parse_meeting,
    retry_after_seconds,
    sync,
)
from index.search import search
from index.store import Store
from tests.conftest import ROOT, environment_without_settings
from tests.index.moderngov_standin import (
    DEPOT_SECRET,
    GRITTING_APPROVED,
    REAL_MEETING,
    AgendaItem,
    ModernGovStandIn,
    meeting_xml,
)

SINCE, UNTIL = dt.date(2025, 12, 1), dt.date(2026, 6, 30)
HIGHWAYS = "Highways and Transport Committee"
# Long enough for any answer the stand-in gives, on however loaded a machine. Only a stalled answer, which never
# comes, is waited for this long.
PATIENCE = 5.0
# How far a retry may seem to come before the moment a Retry-After named: the rounding of datetime's microseconds.
CLOCK_GRAIN = 0.001


@pytest.fixture(scope="module")
def real_meeting() -> bytes:
    if not REAL_MEETING.exists():
        pytest.skip("../shared/fixtures/moderngov is not beside this checkout")
    return REAL_MEETING.read_bytes()


@pytest.fixture
def site(real_meeting):
    stand_in = ModernGovStandIn(real_meeting)
    yield stand_in
    stand_in.close()


def polite(url: str, **options) -> Site:
    """The real client, with the pauses and the patience shortened for a test."""
    return Site(url, **{"timeout": PATIENCE, "delay": 0, "backoff": 0.05, **options})


def page(site, committee_id: str, meeting_id: str) -> str:
    return f"{site.url}/ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}"


def stored_text(store: Store) -> str:
    columns = [
        "SELECT text FROM documents",
        "SELECT title FROM documents",
        "SELECT text FROM chunks",
        "SELECT context FROM chunks",
        "SELECT title FROM items",
    ]
    return "\n".join(str(row[0]) for query in columns for row in store.db.execute(query).fetchall())


def chunk_ids(store: Store) -> list[int]:
    return sorted(row[0] for row in store.db.execute("SELECT id FROM chunks").fetchall())


def faiss_ids(store: Store) -> list[int]:
    index = store.vectors()
    return sorted(int(index.id_map.at(i)) for i in range(index.ntotal))


def test_the_real_get_meeting_becomes_one_document(real_meeting):
    meeting = parse_meeting(ET.fromstring(real_meeting))
    url = "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=144&MId=4967"
    document = meeting_document(meeting, "Audit Committee", url)
    assert (meeting.id, meeting.date, meeting.published, meeting.restricted) == ("4967", dt.date(2026, 2, 10), True, 0)
    assert (document.committee, document.date, document.url, document.path) == (
        "Audit Committee",
        dt.date(2026, 2, 10),
        url,
        url,
    )
    assert [(item.number, item.title, item.procedural) for item in document.items] == [
        ("1", "Minutes", True),
        ("9", "Work Programme", False),
    ]
    assert [document.paragraph_text(paragraph) for item in document.items for paragraph in item.paragraphs] == [
        "To approve the minutes of the meeting held on 25 November 2025 as a correct record.",
        "The Committee considered a report of the Governance and Scrutiny Support Unit which set out its future Work "
        "Programme for the remainder of 2025/26 municipal year.",
    ]


def test_an_items_minutes_stay_with_it_whatever_headings_they_have():
    title = "Library Services Review, including the mobile library and home delivery for housebound residents."
    minutes = (
        "<p>The Cabinet Member introduced the report.</p><h3>Background</h3><p>Loans had doubled since 2024.</p>"
        "<p>RESOLVED:</p><p>That the report be noted.</p>"
    )
    meeting = moderngov.Meeting(
        "7", dt.date(2026, 1, 8), True, (moderngov.AgendaItem("71", "7", title, minutes, False),)
    )
    document = meeting_document(meeting, "Cabinet", "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=1&MId=7")
    assert [(item.number, item.title, item.procedural) for item in document.items] == [("7", title, False)]
    assert [(document.paragraph_text(paragraph), paragraph.kind) for paragraph in document.items[0].paragraphs] == [
        ("The Cabinet Member introduced the report.", "text"),
        ("Loans had doubled since 2024.", "text"),
        ("That the report be noted.", "decision"),
    ]


def test_sync_adds_published_minutes_then_only_what_changed(site, tmp_path, embedder):
    site.fail_next["GetMeetings?lCommitteeId=201"] = 1
    site.stall_next["GetMeeting?lMeetingId=4967"] = 1
    store = Store(tmp_path / "index", create=True)
    client = polite(site.url)
    committees = choose_committees(client.committees(), [], client.url)
    first = sync(client, store, ModelChoice(), committees, SINCE, UNTIL)

    assert first.error is None
    assert first.added == [page(site, "144", "4967")] + [page(site, "201", each) for each in ("5101", "5102", "5103")]
    assert first.without_minutes == [page(site, "144", "4966"), page(site, "201", "5104")]
    assert first.restricted == 1
    assert site.requested("GetMeetings?lCommitteeId=201") == 2, "a 500 is retried"
    assert site.requested("GetMeeting?lMeetingId=4967") == 2, "a timed-out request is retried"
    assert site.requested("GetMeeting?lMeetingId=4966") == 0, "a cancelled meeting has no minutes to fetch"

    items = store.db.execute(
        "SELECT d.url, m.committee, m.date, i.number, i.title, i.procedural FROM items i "
        "JOIN documents d ON d.id = i.document_id JOIN meetings m ON m.id = d.meeting_id WHERE d.source = ?",
        [page(site, "201", "5101")],
    ).fetchall()
    assert items == [
        (page(site, "201", "5101"), HIGHWAYS, "2026-01-15", "1", "Apologies for Absence", 1),
        (page(site, "201", "5101"), HIGHWAYS, "2026-01-15", "2", "Declarations of Interest", 1),
        (page(site, "201", "5101"), HIGHWAYS, "2026-01-15", "3", "Bus Shelter Replacement Programme", 0),
        (page(site, "201", "5101"), HIGHWAYS, "2026-01-15", "5", "Date of Next Meeting", 1),
    ]
    assert DEPOT_SECRET not in stored_text(store) and "Depot Land Disposal" not in stored_text(store)
    sources = {row["committee_id"]: row for row in store.calendar.sources()}
    assert (sources["201"]["meetings"], sources["201"]["items"], sources["201"]["restricted"]) == (3, 6, 1)
    assert (sources["144"]["meetings"], sources["144"]["error"], sources["312"]["meetings"]) == (1, None, 0)

    answer = search(store, embedder, "How many bus shelters will be replaced?", k=3)
    best = answer.passages[0]
    assert "replacing 120 bus shelters" in best.text
    assert (best.url, best.committee, best.date) == (page(site, "201", "5101"), HIGHWAYS, dt.date(2026, 1, 15))
    assert (best.item_number, best.item) == ("3", "Bus Shelter Replacement Programme")
    assert f"3. Bus Shelter Replacement Programme · {page(site, '201', '5101')}" in render_answer(answer)

    before = chunk_ids(store)
    again = sync(client, store, ModelChoice(), committees, SINCE, UNTIL)
    assert (again.added, again.updated, again.removed, again.chunks) == ([], [], [], 0)
    assert again.unchanged == first.added
    assert chunk_ids(store) == before

    site.meetings["5102"] = meeting_xml(
        "5102", dt.date(2026, 2, 12), [AgendaItem("1", "Winter Gritting Review", GRITTING_APPROVED)]
    )
    site.meetings["5103"] = meeting_xml("5103", dt.date(2026, 3, 12), [], published=False)
    site.meetings["5101"] = meeting_xml(
        "5101", dt.date(2026, 1, 15), [AgendaItem("3", "Bus Shelter Replacement Programme", "<p>Exempt.</p>", True)]
    )
    site.listed["144"] = []
    removed = []
    changed = sync(client, store, ModelChoice(), committees, SINCE, UNTIL, lambda *message: removed.append(message))
    assert changed.updated == [page(site, "201", "5102")] and changed.added == changed.unchanged == []
    assert removed == [
        ("Audit Committee, 10 February 2026", "the site no longer lists it"),
        (f"{HIGHWAYS}, 15 January 2026", "its minutes are restricted now"),
        (f"{HIGHWAYS}, 12 March 2026", "its minutes are withdrawn"),
    ]
    assert [row["source"] for row in store.db["documents"].rows] == [page(site, "201", "5102")]
    assert "52 gritting routes" in stored_text(store) and "48 gritting routes" not in stored_text(store)
    assert store.db["meetings"].count == 1
    assert chunk_ids(store) == faiss_ids(store)


def test_a_failure_part_way_keeps_what_was_synced(site, tmp_path, embedder):
    site.fail_next["GetMeeting?lMeetingId=5102"] = 2
    store = Store(tmp_path / "index", create=True)
    client = polite(site.url, retries=1)
    highways = choose_committees(client.committees(), ["201"], client.url)
    stopped = sync(client, store, ModelChoice(), highways, SINCE, UNTIL)
    assert stopped.error == f"{site.url} answered GetMeeting with 500 Internal Server Error, 2 times: try again later."
    assert stopped.added == [page(site, "201", "5101")]
    assert [row["source"] for row in store.db["documents"].rows] == [page(site, "201", "5101")]
    assert store.calendar.sources()[0]["error"] == stopped.error

    resumed = sync(client, store, ModelChoice(), highways, SINCE, UNTIL)
    assert resumed.error is None and store.calendar.sources()[0]["error"] is None
    assert (resumed.unchanged, resumed.added) == (
        [page(site, "201", "5101")],
        [page(site, "201", "5102"), page(site, "201", "5103")],
    )


def test_a_sync_records_the_meetings_to_come_so_that_a_digest_knows_the_next_one(site, tmp_path, embedder):
    site.listed["201"] += [("5105", UNTIL + dt.timedelta(days=16), "Cancelled"), ("5106", dt.date(2026, 9, 10), "")]
    store = Store(tmp_path / "index", create=True)
    client = polite(site.url)
    report = sync(
        client, store, ModelChoice(), choose_committees(client.committees(), ["201"], client.url), SINCE, UNTIL
    )

    assert report.error is None and site.requested("GetMeeting?lMeetingId=5106") == 0, "no minutes to fetch yet"
    assert store.calendar.next_meeting(HIGHWAYS, UNTIL) == dt.date(2026, 9, 10), "the cancelled meeting is not the next"
    assert store.calendar.next_meeting(HIGHWAYS, dt.date(2026, 2, 1)) == dt.date(2026, 2, 12)
    due = digest(store, HIGHWAYS, UNTIL)
    assert (due.next_meeting, due.until) == (dt.date(2026, 9, 10), dt.date(2026, 9, 10))

    site.listed["201"].pop()
    sync(client, store, ModelChoice(), choose_committees(client.committees(), ["201"], client.url), SINCE, UNTIL)
    assert store.calendar.next_meeting(HIGHWAYS, UNTIL) is None, "a meeting the site no longer lists is forgotten"


def test_a_site_without_the_web_service_is_one_sentence(site):
    with pytest.raises(ModernGovError) as off:
        polite(f"{site.url}/off").committees()
    assert str(off.value) == (
        f"{site.url}/off is not a ModernGov site, or its web service is switched off: "
        "GetCommittees answered 404 Not Found."
    )
    with pytest.raises(ModernGovError) as plain:
        polite(f"{site.url}/plain/ieDocHome.aspx").committees()
    assert str(plain.value) == (
        f"{site.url}/plain is not a ModernGov site, or its web service is switched off: "
        "GetCommittees did not answer with the web service's XML."
    )
    site.stall_next["GetCommittees"] = 2
    with pytest.raises(ModernGovError) as slow:
        polite(site.url, timeout=0.2, retries=1).committees()
    assert str(slow.value) == f"{site.url} did not answer GetCommittees within 0.2 s, 2 times: try again later."


def test_requests_and_retries_share_one_kept_alive_connection(site):
    site.fail_next["GetMeetings"] = 1
    site.busy_next["GetMeeting?"] = 1
    site.retry_after = 0
    client = polite(site.url)
    highways = choose_committees(client.committees(), ["201"], client.url)[0]
    listed = client.meetings(highways, SINCE, UNTIL)
    assert client.meeting(listed[0].id).id == "5101"
    assert [request.path.split("?")[0].rsplit("/", 1)[1] for request in site.requests] == [
        "GetCommittees",
        "GetMeetings",
        "GetMeetings",
        "GetMeeting",
        "GetMeeting",
    ]
    assert len(site.connections) == 1, "every request, and the retries after a 500 and a 503, went over one connection"
    polite(site.url).committees()
    assert len(site.connections) == 2, "another Site has a connection of its own"


@pytest.mark.parametrize(("status", "as_date"), [(429, False), (503, True)], ids=["429-seconds", "503-http-date"])
def test_a_busy_site_is_asked_again_no_sooner_than_its_retry_after(site, status, as_date):
    site.busy_next["GetCommittees"] = 1
    site.busy_status, site.retry_after, site.retry_after_date = status, 1, as_date
    committees = polite(site.url).committees()
    assert [committee.id for committee in committees] == ["144", "201", "312"]
    busy, retried = site.requests
    assert retried.arrived >= site.retry_from[0] - CLOCK_GRAIN, "the pause without Retry-After is only 0.05 s"
    assert retried.arrived - busy.arrived >= 1 - CLOCK_GRAIN
    assert len(site.connections) == 1


def test_a_site_busy_for_all_the_tries_is_one_sentence(site):
    site.busy_next["GetCommittees"] = 3
    site.busy_status, site.retry_after = 429, 0
    with pytest.raises(ModernGovError) as busy:
        polite(site.url, retries=2).committees()
    assert str(busy.value) == f"{site.url} answered GetCommittees with 429 Too Many Requests, 3 times: try again later."
    assert site.requested("GetCommittees") == 3


def test_retry_after_is_read_in_seconds_or_as_a_date_and_capped():
    now = dt.datetime(2026, 10, 21, 7, 28, tzinfo=dt.UTC)
    assert retry_after_seconds("7", now) == 7
    assert retry_after_seconds(" 0 ", now) == 0
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:30 GMT", now) == 30
    assert retry_after_seconds("Wed Oct 21 07:28:45 2026", now) == 45, "the obsolete asctime form is in GMT too"
    assert retry_after_seconds("Wed, 21 Oct 2026 07:27:00 GMT", now) == 0, "a moment already past"
    assert retry_after_seconds(str(24 * 60 * 60), now) == MAX_RETRY_AFTER
    assert retry_after_seconds("Thu, 22 Oct 2026 07:28:00 GMT", now) == MAX_RETRY_AFTER
    for unreadable in (None, "", "soon", "-5", "1.5", "²"):
        assert retry_after_seconds(unreadable, now) is None, unreadable


def test_committees_by_id_or_name():
    committees = [
        Committee("144", "Audit Committee"),
        Committee("145", "Audit Sub-Committee"),
        Committee("9", "Cabinet"),
    ]
    gone = Committee("7", "Old Board", deleted=True)
    assert choose_committees([*committees, gone], [], "site") == committees
    assert choose_committees(committees, ["9", "audit committee", "cab"], "site") == [committees[2], committees[0]]
    with pytest.raises(ModernGovError, match=r"could be any of Audit Committee \(144\), Audit Sub-Committee \(145\)"):
        choose_committees(committees, ["Audit"], "site")
    with pytest.raises(ModernGovError, match="site has no committee 'Planning': minutebook ingest --moderngov site"):
        choose_committees(committees, ["Planning"], "site")


def test_the_migration_marks_items_already_indexed(tmp_path):
    db = sqlite_utils.Database(tmp_path / "minutebook.db")
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for migration in (migrations.m001_initial, migrations.m002_answers_feedback_urls):
        migration(db)
        db["_migrations"].insert({"name": migration.__name__, "applied_at": "2026-01-01T00:00:00"})
    db["items"].insert_all([{"id": 1, "title": "Apologies for Absence"}, {"id": 2, "title": "Library Opening Hours"}])
    db.close()
    store = Store(tmp_path)
    assert [(row["title"], row["procedural"]) for row in store.db["items"].rows] == [
        ("Apologies for Absence", 1),
        ("Library Opening Hours", 0),
    ]
    assert store.calendar.sources() == []


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment_without_settings(),
        timeout=300,
    )


@pytest.mark.slow  # runs the real commands, which load the model
def test_the_commands_list_sync_ask_and_tell_status(site, tmp_path):
    index = str(tmp_path / "index")
    listed = run("ingest.py", "--moderngov", f"{site.url}/", "--list-committees")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "   144  Audit Committee",
        "   201  Highways and Transport Committee",
        "   312  Appointments Sub-Committee (expired)",
    ]
    synced = run(
        "ingest.py", "--moderngov", site.url, "--committee", "highways", "--committee", "144",
        "--since", "2025-12-01", "--until", "2026-06-30", "--delay", "0", "--index", index,
    )  # fmt: skip
    assert synced.returncode == 0, synced.stderr
    assert len(site.connections) == 2, "each command asks all it asks over one connection"
    assert synced.stdout.startswith(
        "4 meetings added, 0 updated, 0 unchanged, 0 removed, 2 without published minutes; 1 restricted item left out;"
    )
    asked = run("-m", "bot", "ask", "--json", "What will the new bus shelters have?", "-k", "1", "--index", index)
    assert asked.returncode == 0, asked.stderr
    passage = json.loads(asked.stdout)["passages"][0]
    assert "real-time information displays" in passage["text"]
    assert (passage["document"], passage["committee"], passage["date"]) == (
        page(site, "201", "5101"),
        HIGHWAYS,
        "2026-01-15",
    )
    status = run("-m", "bot", "status", "--index", index)
    assert status.returncode == 0, status.stderr
    assert "; model all-MiniLM-L6-v2; exact vector search.\n" in status.stdout
    assert f"  {HIGHWAYS} (201) at {site.url}: 3 meetings, 6 items; synced " in status.stdout
    assert "for 1 December 2025 to 30 June 2026; 1 restricted item left out" in status.stdout

    resynced = run("-m", "bot", "sync", "--index", index)
    assert resynced.returncode == 0, resynced.stderr
    assert resynced.stdout.startswith(f"{site.url}: 0 meetings added, 0 updated, "), resynced.stdout
    assert ", 0 removed, " in resynced.stdout, "a sync from cron changes nothing that has not changed"


def test_the_command_says_what_is_wrong_in_one_sentence(site, tmp_path):
    off = run("ingest.py", "--moderngov", f"{site.url}/off", "--list-committees")
    assert (off.returncode, off.stdout) == (1, "")
    assert off.stderr == (
        f"Error: {site.url}/off is not a ModernGov site, or its web service is switched off: "
        "GetCommittees answered 404 Not Found.\n"
    )
    unknown = run("ingest.py", "--moderngov", site.url, "--committee", "Planning", "--index", str(tmp_path / "i"))
    assert unknown.returncode == 1 and "has no committee 'Planning'" in unknown.stderr
    assert not (tmp_path / "i").exists()
    both = run("ingest.py", "examples/minutes", "--moderngov", site.url)
    assert both.returncode == 2 and "give it without PATHs" in both.stderr
    for result in (off, unknown, both):
        assert "Traceback" not in result.stderr
