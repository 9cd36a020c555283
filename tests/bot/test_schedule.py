"""The schedule settings read as people write them, and the scheduler keeps running jobs that fail."""

from __future__ import annotations

import datetime
import logging
import re
import threading
import time
from zoneinfo import ZoneInfo

import pytest

from bot import schedule as schedule_module
from bot.schedule import Schedule, ScheduleError, Scheduler, configured_timezone, parse_schedule

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected", "described"),
    [
        ("daily 02:00", Schedule("*", 2, 0), "daily at 02:00"),
        ("daily at 02:00", Schedule("*", 2, 0), "daily at 02:00"),
        ("  Every   Day at 2:00 ", Schedule("*", 2, 0), "daily at 02:00"),
        ("mon 08:00", Schedule("mon", 8, 0), "Mondays at 08:00"),
        ("Monday 08:00", Schedule("mon", 8, 0), "Mondays at 08:00"),
        ("mondays at 08:00", Schedule("mon", 8, 0), "Mondays at 08:00"),
        ("mon,thu 08:00", Schedule("mon,thu", 8, 0), "Mondays and Thursdays at 08:00"),
        ("mon and thu 08:00", Schedule("mon,thu", 8, 0), "Mondays and Thursdays at 08:00"),
        ("Thursday, Monday 08:00", Schedule("mon,thu", 8, 0), "Mondays and Thursdays at 08:00"),
        ("mon, wed and fri 17:45", Schedule("mon,wed,fri", 17, 45), "Mondays, Wednesdays and Fridays at 17:45"),
        ("weekdays 07:30", Schedule("mon-fri", 7, 30), "weekdays at 07:30"),
        ("mon - fri 07:30", Schedule("mon-fri", 7, 30), "weekdays at 07:30"),
        ("weekends at 09:00", Schedule("sat,sun", 9, 0), "weekends at 09:00"),
        ("mon,tue,wed,thu,fri,sat,sun 00:00", Schedule("*", 0, 0), "daily at 00:00"),
    ],
)
def test_parses_each_form_and_describes_it(text: str, expected: Schedule, described: str) -> None:
    parsed = parse_schedule(text, "MINUTEBOOK_SYNC")
    assert parsed == expected
    assert parsed.describe() == described
    assert parse_schedule(described, "MINUTEBOOK_SYNC") == parsed


@pytest.mark.parametrize(
    ("text", "expected", "described"),
    [
        ("7 days before each meeting", Schedule("*", 8, 0, 7), "7 days before each meeting, at 08:00"),
        ("7 days before each meeting at 09:30", Schedule("*", 9, 30, 7), "7 days before each meeting, at 09:30"),
        ("1 Day before every meeting", Schedule("*", 8, 0, 1), "1 day before each meeting, at 08:00"),
        ("mon 08:00", Schedule("mon", 8, 0), "Mondays at 08:00"),
    ],
)
def test_digest_may_run_before_each_meeting(text: str, expected: Schedule, described: str) -> None:
    parsed = parse_schedule(text, "MINUTEBOOK_DIGEST", before_meeting_allowed=True)
    assert parsed == expected
    assert parsed.describe() == described
    assert parse_schedule(described, "MINUTEBOOK_DIGEST", before_meeting_allowed=True) == parsed


@pytest.mark.parametrize("text", [None, "", "   ", "off", "OFF", "never", " Never "])
def test_unset_or_off_means_no_schedule(text: str | None) -> None:
    assert parse_schedule(text, "MINUTEBOOK_SYNC") is None


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("fortnightly", 'MINUTEBOOK_SYNC "fortnightly" is not a schedule: write "daily 02:00"'),
        ("daily", '"daily" is not a schedule'),
        ("funday 08:00", '"funday 08:00" is not a schedule'),
        ("fri-mon 08:00", '"fri-mon 08:00" is not a schedule'),
        ("mon 8am", '"mon 8am" is not a schedule'),
        ("daily 24:00", "no time 24:00: write a 24-hour time from 00:00 to 23:59"),
        ("daily 07:60", "no time 07:60"),
        ("7 days before each meeting", "MINUTEBOOK_SYNC cannot run before each meeting"),
    ],
)
def test_bad_schedules_are_one_sentence_naming_the_setting(text: str, wording: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text, "MINUTEBOOK_SYNC")
    message = str(refused.value)
    assert message.startswith("MINUTEBOOK_SYNC ")
    assert wording in message
    assert message.endswith(".") and "\n" not in message
    assert '"7 days before each meeting"' not in message


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("fortnightly", '"mon,thu 08:00" or "7 days before each meeting" (24-hour time), or "off".'),
        ("0 days before each meeting", "must be at least 1 day before each meeting"),
        ("-3 days before each meeting", "must be at least 1 day before each meeting"),
        ("7 days before each meeting at 25:00", "no time 25:00"),
    ],
)
def test_bad_digest_schedules_mention_the_meeting_form(text: str, wording: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text, "MINUTEBOOK_DIGEST", before_meeting_allowed=True)
    assert str(refused.value).startswith("MINUTEBOOK_DIGEST ")
    assert wording in str(refused.value)


def test_configured_timezone_reads_an_iana_name() -> None:
    assert configured_timezone({"MINUTEBOOK_TIMEZONE": " Europe/London "}) == LONDON


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe", "../etc/passwd", "GMT+25"])
def test_configured_timezone_refuses_a_bad_name_in_one_sentence(name: str) -> None:
    with pytest.raises(ScheduleError, match=rf'^MINUTEBOOK_TIMEZONE "{re.escape(name)}" is not a time zone: .*London'):
        configured_timezone({"MINUTEBOOK_TIMEZONE": name})


def test_configured_timezone_falls_back_to_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule_module.tzlocal, "get_localzone", lambda: LONDON)
    assert configured_timezone({}) == LONDON
    assert configured_timezone({"MINUTEBOOK_TIMEZONE": ""}) == LONDON


def test_an_unreadable_machine_zone_asks_for_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable() -> None:
        raise schedule_module.zoneinfo.ZoneInfoNotFoundError("Mars/Olympus")

    monkeypatch.setattr(schedule_module.tzlocal, "get_localzone", unreadable)
    with pytest.raises(ScheduleError, match="set MINUTEBOOK_TIMEZONE"):
        configured_timezone({})


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("mon 08:00", datetime.datetime(2025, 1, 5, 12, 0), datetime.datetime(2025, 1, 6, 8, 0)),
        ("mon,thu 08:00", datetime.datetime(2025, 1, 6, 8, 1), datetime.datetime(2025, 1, 9, 8, 0)),
        ("weekdays 07:30", datetime.datetime(2025, 1, 10, 9, 0), datetime.datetime(2025, 1, 13, 7, 30)),
        ("daily 02:00", datetime.datetime(2025, 7, 1, 3, 0), datetime.datetime(2025, 7, 2, 2, 0)),
        ("daily 08:00", datetime.datetime(2025, 6, 1, 7, 59), datetime.datetime(2025, 6, 1, 8, 0)),
    ],
)
def test_trigger_fires_at_the_local_time(text: str, now: datetime.datetime, expected: datetime.datetime) -> None:
    trigger = parse_schedule(text, "MINUTEBOOK_SYNC").trigger(LONDON)
    fires = trigger.get_next_fire_time(None, now.replace(tzinfo=LONDON))
    assert fires.replace(tzinfo=None) == expected
    assert fires.utcoffset() == expected.replace(tzinfo=LONDON).utcoffset()


def test_before_meeting_digest_is_checked_every_day() -> None:
    trigger = parse_schedule("3 days before each meeting at 09:30", "D", before_meeting_allowed=True).trigger(LONDON)
    saturday = datetime.datetime(2025, 1, 4, 10, 0, tzinfo=LONDON)
    assert trigger.get_next_fire_time(None, saturday) == datetime.datetime(2025, 1, 5, 9, 30, tzinfo=LONDON)


def test_a_failing_job_is_logged_and_runs_again(caplog: pytest.LogCaptureFixture) -> None:
    runs: list[int] = []
    ran_again = threading.Event()

    def fails_first_time() -> None:
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            raise RuntimeError("ModernGov is down")
        ran_again.set()

    scheduler = Scheduler(LONDON)
    scheduler.every("sync", 0.05, fails_first_time)
    with caplog.at_level(logging.ERROR, logger="bot.schedule"):
        scheduler.start()
        try:
            assert ran_again.wait(timeout=10)
        finally:
            scheduler.shutdown()

    failures = [record for record in caplog.records if record.name == "bot.schedule"]
    assert len(failures) == 1
    assert failures[0].getMessage().startswith("The sync job failed; it runs again at ")
    assert failures[0].exc_info[1].args == ("ModernGov is down",)
    assert runs[:2] == [1, 2]


def test_next_runs_lists_each_job_before_and_after_start() -> None:
    scheduler = Scheduler(LONDON)
    scheduler.add("sync", Schedule("*", 2, 0), lambda: None)
    scheduler.add("digest", Schedule("mon", 8, 0), lambda: None)
    scheduler.every("alerts", 3600, lambda: None)
    before = scheduler.next_runs()
    scheduler.start()
    try:
        after = scheduler.next_runs()
    finally:
        scheduler.shutdown()

    for runs in (before, after):
        assert set(runs) == {"sync", "digest", "alerts"}
        assert (runs["sync"].hour, runs["sync"].minute) == (2, 0)
        assert runs["digest"].weekday() == 0 and runs["digest"].hour == 8
        assert runs["alerts"] > datetime.datetime.now(LONDON) + datetime.timedelta(minutes=59)
    assert scheduler.next_runs() == {}


def test_a_job_name_is_used_once() -> None:
    scheduler = Scheduler(LONDON)
    scheduler.add("sync", Schedule("*", 2, 0), lambda: None)
    with pytest.raises(ValueError, match="'sync' is already scheduled"):
        scheduler.every("sync", 60, lambda: None)


def test_shutdown_waits_for_a_running_job_and_is_harmless_when_never_started() -> None:
    started, finished = threading.Event(), threading.Event()

    def slow_job() -> None:
        started.set()
        time.sleep(0.2)
        finished.set()

    Scheduler(LONDON).shutdown()
    scheduler = Scheduler(LONDON)
    scheduler.every("slow", 0.05, slow_job)
    scheduler.start()
    assert started.wait(timeout=10)
    scheduler.shutdown()
    assert finished.is_set()
