"""One "today", where the council is, everywhere. Near midnight the council's day is not the server's (UTC here), and
a promise due on the day between the two is overdue for the council or not yet due: the command line, the digest,
Datasette's `register_status` view and Slack must all say the same, the council's answer."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest

from index.embed import ModelChoice
from index.pipeline import ingest
from index.store import DATABASE_NAME, Store
from tests.bot.conftest import Bot
from tests.bot.test_slack import in_thread, mention, message_text, words
from tests.conftest import ROOT, environment_without_settings

AHEAD, BEHIND = "Pacific/Kiritimati", "Etc/GMT+12"  # UTC+14 and UTC-12: one of them is always on another day
SAFE_SECONDS = 300


def zone_on_another_day() -> tuple[str, dt.date, dt.date]:
    """A zone whose date is not UTC's for at least the next five minutes, its date, and UTC's; the zone ahead from
    11:00 UTC (its midnight is 10:00 UTC, UTC's own is when it stops being ahead), the zone behind before."""
    now = dt.datetime.now(dt.UTC)
    name = BEHIND if now.hour < 11 else AHEAD
    boundary = now.replace(hour=12 if name == BEHIND else 0, minute=0, second=0, microsecond=0)
    if name == AHEAD:
        boundary += dt.timedelta(days=1)
    if (boundary - now).total_seconds() < SAFE_SECONDS:
        time.sleep((boundary - now).total_seconds() + 1)
        return zone_on_another_day()
    return name, now.astimezone(ZoneInfo(name)).date(), now.date()


@pytest.fixture(scope="module")
def harbour(tmp_path_factory, embedder):
    """Minutes with a promise due on the day between the council's today and UTC's, indexed; the council's zone,
    and the status the council should see."""
    zone, council_today, utc_today = zone_on_another_day()
    assert council_today != utc_today
    due = min(council_today, utc_today)
    folder = tmp_path_factory.mktemp("harbour")
    (folder / "minutes.txt").write_text(
        "Harbour Committee\n\n"
        f"Minutes of the meeting held on {(due - dt.timedelta(days=60)):%d %B %Y}\n\n"
        "1. Slipway Repairs\n"
        "The Harbour Master undertook to report back to the committee on the cost of the slipway repairs by "
        f"{due:%d %B %Y}.\n",
        encoding="utf-8",
    )
    index = folder / "index"
    assert not ingest([str(folder / "minutes.txt")], Store(index, create=True), ModelChoice()).failed
    return index, zone, council_today, "overdue" if council_today > utc_today else "open"


def minutebook(*arguments: str, zone: str) -> subprocess.CompletedProcess:
    environment = {**environment_without_settings(), "MINUTEBOOK_TIMEZONE": zone}
    result = subprocess.run(
        [sys.executable, "-m", "bot", *arguments], capture_output=True, text=True, cwd=ROOT, env=environment
    )
    assert result.returncode == 0, result.stderr
    return result


def test_the_command_line_the_digest_and_the_view_judge_overdue_by_the_councils_day(harbour):
    index, zone, council_today, status = harbour
    listed = json.loads(minutebook("promises", "--json", "--index", str(index), zone=zone).stdout)
    assert [entry["status"] for entry in listed] == [status]
    printed = minutebook("digest", "--json", "--committee", "harbour", "--index", str(index), zone=zone)
    digest = json.loads(printed.stdout)
    assert digest[0]["as_of"] == council_today.isoformat()
    assert [entry["status"] for entry in digest[0]["entries"]] == [status]
    with sqlite3.connect(index / DATABASE_NAME) as db:
        viewed = db.execute("SELECT as_of, status FROM register_status").fetchall()
    assert viewed == [(council_today.isoformat(), status)]


def test_slack_judges_overdue_by_the_councils_day(harbour, stand_in, tmp_path):
    index, zone, _, status = harbour
    bot = Bot(index, stand_in, tmp_path / "bot.log", MINUTEBOOK_TIMEZONE=zone)
    try:
        event = mention("what was promised about the slipway repairs?")
        bot.event(event)
        shown = words(message_text(stand_in.wait_for("chat.postMessage", in_thread(event["ts"])).params))
    finally:
        bot.stop()
    assert f"{status.capitalize()}:" in shown
