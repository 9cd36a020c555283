"""The digest of what is due, read from the register of the sample minutes: what is overdue or falls due by a
committee's next meeting, and nothing else, most urgent first."""

import datetime as dt

import pytest

from index.digest import DIGEST_DAYS, digest
from index.store import Store
from tests.conftest import ENVIRONMENT_COMMITTEE
from tests.index.test_store import samples_store

CYP = "Children and Young People's Overview and Scrutiny Committee"
SITE = "https://mg.example.gov.uk"


@pytest.fixture
def store(tmp_path) -> Store:
    return samples_store(tmp_path)


def test_an_open_promise_due_within_the_days_ahead_is_listed(store):
    due = digest(store, ENVIRONMENT_COMMITTEE, dt.date(2023, 6, 25))
    assert (due.next_meeting, due.until) == (None, dt.date(2023, 6, 25) + dt.timedelta(days=DIGEST_DAYS))
    assert [(entry.status, entry.due) for entry in due.entries] == [("open", dt.date(2023, 6, 30))]
    assert due.entries[0].text.startswith("He said that the full consultation report")
    assert due.horizon() == "by 23 July 2023"
    assert digest(store, ENVIRONMENT_COMMITTEE, dt.date(2023, 6, 25), days=3).entries == []


def test_overdue_entries_come_first_longest_overdue_first_and_only_the_committees_own(store):
    due = digest(store, CYP, dt.date(2025, 3, 20))
    assert [entry.status for entry in due.entries] == ["overdue"] * 4
    assert [entry.due for entry in due.entries] == sorted(entry.due for entry in due.entries)
    assert {entry.committee for entry in due.entries} == {CYP}
    assert all(entry.status in {"open", "overdue"} for entry in due.entries)


def test_the_next_meeting_of_a_synced_site_sets_the_horizon(store):
    listed = [("701", dt.date(2025, 3, 4), "Cancelled"), ("702", dt.date(2025, 4, 8), "Confirmed")]
    store.calendar.save(SITE, "9", ENVIRONMENT_COMMITTEE, listed, dt.date(2024, 1, 1), dt.date(2026, 1, 1))
    due = digest(store, ENVIRONMENT_COMMITTEE, dt.date(2025, 3, 1), days=1)
    assert (due.next_meeting, due.until) == (dt.date(2025, 4, 8), dt.date(2025, 4, 8))
    assert due.horizon() == "before its next meeting on 8 April 2025"
    moorlink = [entry for entry in due.entries if "Moorlink zone" in entry.text]
    assert [(entry.status, entry.due, entry.due_phrase) for entry in moorlink] == [
        ("open", dt.date(2025, 4, 8), "to the next meeting")
    ]
    record = due.to_json()
    assert record["next_meeting"] == "2025-04-08" and record["entries"][-1]["due"] == "2025-04-08"
