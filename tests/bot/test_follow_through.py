"""Follow-through end to end: the real bot process and the real commands, against the stand-in Slack Web API.

A watch set in a committee's channel posts once when minutes about its topic are ingested, and nothing for minutes
on another subject, the same minutes again, or another run; the bot posts what an ingest without Slack left for it
when it starts; a digest lists what is overdue and what falls due, and is posted once however often it is run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from bot.channels import ChannelCommittees
from bot.config import open_index
from tests.bot.conftest import BOT_TOKEN, CLERK, SIGNING_SECRET, Bot
from tests.bot.standin import Call, SlackStandIn
from tests.conftest import CYP, EXAMPLES, ROOT, copy_index, environment_without_settings
from tests.index.moderngov_standin import DEPOT_SECRET, HIGHWAYS, ModernGovStandIn

LATER = ROOT / "examples" / "later"
CHANNEL = "C0CYPWATCH"


def minutebook(*args: str, stand_in: SlackStandIn | None = None) -> subprocess.CompletedProcess:
    """A command as a person runs it; with `stand_in`, with the bot's Slack settings pointing at it."""
    env = environment_without_settings()
    if stand_in:
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=stand_in.api_url)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
    )


def shown(call: Call) -> str:
    """A posted message as people see it: its blocks' text."""
    parts = []
    for block in call.params.get("blocks") or []:
        parts.append((block.get("text") or {}).get("text", ""))
        parts += [element.get("text", "") for element in block.get("elements", []) if isinstance(element, dict)]
    return "\n".join(parts)


def alerts(stand_in: SlackStandIn, channel: str = CHANNEL) -> list[Call]:
    return [
        call
        for call in stand_in.of("chat.postMessage")
        if call.params.get("channel") == channel and call.params.get("text", "").startswith("New about")
    ]


def watch(bot: Bot, stand_in: SlackStandIn, text: str, name: str) -> str:
    status, _ = bot.command(text, stand_in.response_url(name), channel_id=CHANNEL)
    assert status == 200
    return stand_in.wait_for(f"/response/{name}").params["text"]


def answer(bot: Bot, text: str, channel: str = CHANNEL) -> str:
    """What a subcommand answered in its acknowledgement."""
    status, body = bot.command(text, "", channel_id=channel)
    assert status == 200
    return json.loads(body)["text"]


@pytest.fixture(scope="module")
def watched(full_index, stand_in, tmp_path_factory):
    """A bot on its own copy of the index, with the channel tied to the CYP committee."""
    index = copy_index(full_index, tmp_path_factory.mktemp("watched") / "index")
    running = Bot(
        index,
        stand_in,
        tmp_path_factory.mktemp("watched-log") / "bot.log",
        MINUTEBOOK_SYNC="daily 02:00",
        MINUTEBOOK_DIGEST="7 days before each meeting at 08:30",
        MINUTEBOOK_TIMEZONE="Europe/London",
    )
    stand_in.members[CHANNEL] = [CLERK]
    running.command('channel committee:"Children and Young"', "", channel_id=CHANNEL)
    yield running, index
    running.stop()


def test_the_bot_schedules_the_sync_and_the_digests_its_settings_ask_for(watched):
    bot, _ = watched
    log = bot.log_path.read_text()
    assert "The watches job runs next at" in log
    assert re.search(r"The sync job runs next at \w{3} \d\d \w{3} \d{4} 02:00 (GMT|BST)\.", log), log
    assert re.search(r"The digest job runs next at \w{3} \d\d \w{3} \d{4} 08:30 (GMT|BST)\.", log), log


def test_a_watch_posts_once_for_matching_minutes_and_never_for_unrelated_or_unchanged_ones(watched, stand_in, tmp_path):
    bot, index = watched
    reply = watch(bot, stand_in, "watch school transport", "watch-transport")
    assert reply.startswith("Watch 1: I'll post new passages about “school transport” in the minutes of the Children")
    assert (
        "set watch 1 here" in stand_in.wait_for("chat.postMessage", lambda p: "set watch 1" in p["text"]).params["text"]
    )
    assert watch(bot, stand_in, "watch foster carers", "watch-fostering").startswith("Watch 2:")
    listed = json.loads(bot.command("watches", "", channel_id=CHANNEL)[1])["blocks"][0]["text"]["text"]
    assert "*1*: “school transport”" in listed and "*2*: “foster carers”" in listed

    other_committee = tmp_path / "environment"
    shutil.copytree(EXAMPLES / "environment", other_committee)
    unrelated = minutebook("ingest", str(other_committee), "--index", str(index), stand_in=stand_in)
    assert unrelated.returncode == 0, unrelated.stderr
    assert alerts(stand_in) == [] and "Watch alerts" not in unrelated.stdout + unrelated.stderr

    ingested = minutebook("ingest", str(LATER), "--index", str(index), stand_in=stand_in)
    assert ingested.returncode == 0, ingested.stderr
    assert "Watch alerts: 1 message posted." in ingested.stdout
    [alert] = alerts(stand_in)
    text = shown(alert)
    assert "*New about “school transport”* in the minutes of the Children and Young People's Overview and" in text
    assert "All 42 routes that had received no bids in 2022 had now been let" in text
    assert "4. Home to School Transport – SEND Taxi Routes" in text and "21 January 2025" in text
    assert "Family Hubs" not in text and "foster" not in text.lower()

    copied = tmp_path / "copy-of-later"
    shutil.copytree(LATER, copied)
    for again in (str(LATER), str(copied)):
        unchanged = minutebook("ingest", again, "--index", str(index), stand_in=stand_in)
        assert unchanged.returncode == 0, unchanged.stderr
    synced = minutebook("sync", "--index", str(index), stand_in=stand_in)
    assert synced.returncode == 0 and "No ModernGov site is synced" in synced.stdout
    assert len(alerts(stand_in)) == 1, "unchanged minutes, the same minutes elsewhere, or another run post nothing"

    assert answer(bot, "unwatch 1") == "Watch 1 (“school transport”) is stopped."
    assert answer(bot, "unwatch 1").startswith("There is no watch 1 here")


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("watch", "Say what to watch"),
        ("watch potholes after:2024", "without after: or before:"),
        ("unwatch three", "Give the watch's number"),
    ],
)
def test_a_watch_that_cannot_be_set_gets_a_sentence(watched, stand_in, text, refusal):
    bot, _ = watched
    if text.startswith("unwatch"):
        assert refusal in answer(bot, text)
        return
    name = f"refused-{len(text)}"
    assert bot.command(text, stand_in.response_url(name), channel_id=CHANNEL)[0] == 200
    assert refusal in stand_in.wait_for(f"/response/{name}").params["text"]


def test_a_watch_in_a_channel_the_bot_cannot_post_in_is_not_kept(watched, stand_in):
    bot, _ = watched
    stand_in.refusals["C0NOTJOINED"] = "not_in_channel"
    bot.command("watch school transport", stand_in.response_url("not-joined"), channel_id="C0NOTJOINED")
    assert (
        "I can't post in this channel (not_in_channel), so I set no watch"
        in (stand_in.wait_for("/response/not-joined").params["text"])
    )
    assert answer(bot, "watches", "C0NOTJOINED").startswith("Nothing is watched here")


def test_the_bot_posts_what_an_ingest_without_slack_left_for_it_when_it_starts(full_index, stand_in, tmp_path):
    index = copy_index(full_index, tmp_path / "index")
    first = Bot(index, stand_in, tmp_path / "first.log")
    stand_in.members["C0HUBS"] = [CLERK]
    first.command("watch family hubs", stand_in.response_url("hubs"), channel_id="C0HUBS")
    stand_in.wait_for("/response/hubs")
    first.stop()
    ingested = minutebook("ingest", str(LATER), "--index", str(index))
    assert ingested.returncode == 0 and "Watch alerts" not in ingested.stdout

    second = Bot(index, stand_in, tmp_path / "second.log")
    try:
        alert = stand_in.wait_for("chat.postMessage", lambda p: p["channel"] == "C0HUBS" and "New about" in p["text"])
    finally:
        second.stop()
    assert "had been visited by 3,410 families" in shown(alert)
    open_index(index).db.execute("UPDATE watches SET last_generation = 0")
    again = minutebook("sync", "--index", str(index), stand_in=stand_in)
    assert again.returncode == 0 and "posted" not in again.stdout
    assert len(alerts(stand_in, "C0HUBS")) == 1, "a second run posts nothing it posted before"


def test_a_digest_lists_what_is_overdue_and_due_and_is_posted_once(full_index, seed_path, stand_in, tmp_path):
    index = copy_index(full_index, tmp_path / "index")
    ChannelCommittees(open_index(index).db).tie("C0CYPDIGEST", CYP, CLERK)

    printed = minutebook("digest", "--committee", "children", "--as-of", "2024-12-01", "--index", str(index), "--json")
    assert printed.returncode == 0, printed.stderr
    [due] = json.loads(printed.stdout)
    assert (due["committee"], due["until"], due["next_meeting"]) == (CYP, "2024-12-29", None)
    entries = {entry["text"]: entry for entry in due["entries"]}
    update = entries["That the report and presentation be noted and an update to be provided in 12 months."]
    assert (update["status"], update["due"], update["due_phrase"], update["date"]) == (
        "overdue", "2020-11-04", "in 12 months", "2019-11-04"
    )  # fmt: skip
    assert update["item"] == "Signs of Safety Implementation"
    grants = next(entry for text, entry in entries.items() if "approved capital grant awards" in text)
    assert (grants["status"], grants["due"], grants["due_phrase"]) == (
        "open",
        "2024-12-24",
        "before the Christmas recess",
    )
    assert [entry["status"] for entry in due["entries"]][-1] == "open", "overdue entries come first"

    terminal = minutebook("digest", "--as-of", "2024-12-01", "--index", str(index))
    assert terminal.stdout.startswith(f"{CYP}: due by 29 December 2024, as of 1 December 2024")
    assert "OVERDUE · due 4 November 2020 (“in 12 months”) · decision" in terminal.stdout

    stand_in.refusals["C0CYPDIGEST"] = "not_in_channel"
    refused = minutebook("digest", "--post", "--as-of", "2024-12-01", "--index", str(index), stand_in=stand_in)
    assert refused.returncode == 1 and "1 could not be posted (C0CYPDIGEST: not_in_channel)" in refused.stdout
    del stand_in.refusals["C0CYPDIGEST"]
    refused_calls = len(stand_in.of("chat.postMessage"))
    for expected in ("Digests: 1 digest posted.", "Digests: 0 digests posted, 1 already posted before."):
        posted = minutebook("digest", "--post", "--as-of", "2024-12-01", "--index", str(index), stand_in=stand_in)
        assert posted.returncode == 0, posted.stderr
        assert posted.stdout.strip() == expected
    [message] = [
        call for call in stand_in.of("chat.postMessage")[refused_calls:] if call.params.get("channel") == "C0CYPDIGEST"
    ]
    text = shown(message)
    assert f"*What the {CYP} has due by 29 December 2024*" in text
    assert "> That the report and presentation be noted and an update to be provided in 12 months." in text
    assert "*Overdue* · decision · due 4 November 2020 (“in 12 months”)" in text


def test_a_briefing_of_the_next_moderngov_meeting_is_printed_and_posted_once(stand_in, tmp_path):
    site = ModernGovStandIn()
    try:
        index = str(tmp_path / "index")
        synced = minutebook(
            "ingest", "--moderngov", site.url, "--committee", "highways", "--since", "2025-12-01", "--delay", "0",
            "--index", index,
        )  # fmt: skip
        assert synced.returncode == 0, synced.stderr
        printed = minutebook("brief", "--committee", "highways", "--as-of", "2026-04-03", "--json", "--index", index)
        assert printed.returncode == 0, printed.stderr
        [briefing] = json.loads(printed.stdout)
        assert (briefing["committee"], briefing["meeting"]) == (HIGHWAYS[1], "2026-04-09")
        assert briefing["source"].endswith("ieListDocuments.aspx?CId=201&MId=5104")
        [item] = briefing["items"]
        assert (item["number"], item["title"]) == ("2", "Bus Shelter Replacement Programme – Progress")
        decided = [entry["text"] for entry in item["decisions"]]
        assert any("replacement programme be approved, with a budget of £1.4 million" in text for text in decided)
        assert any("real-time information displays" in passage["text"] for passage in item["passages"])
        assert briefing["left_out"] == ["1. Apologies for Absence", "4. Date of Next Meeting"]
        assert "Depot" not in printed.stdout and DEPOT_SECRET not in printed.stdout, "a restricted item is never shown"

        ChannelCommittees(open_index(index).db).tie("C0HIGHWAYS", HIGHWAYS[1], CLERK)
        for expected in ("Briefings: 1 briefing posted.", "Briefings: 0 briefings posted, 1 already posted before."):
            posted = minutebook("brief", "--post", "--as-of", "2026-04-03", "--index", index, stand_in=stand_in)
            assert posted.returncode == 0, posted.stderr
            assert posted.stdout.strip() == expected
        [message] = [call for call in stand_in.of("chat.postMessage") if call.params.get("channel") == "C0HIGHWAYS"]
        text = shown(message)
        assert f"*Briefing for the {HIGHWAYS[1]} meeting on 9 April 2026*" in text
        assert "*2. Bus Shelter Replacement Programme – Progress*" in text

        too_early = minutebook("brief", "--post", "--as-of", "2026-03-20", "--index", index, stand_in=stand_in)
        assert too_early.stdout.strip() == "Briefings: 0 briefings posted."
        none = minutebook("brief", "--committee", "highways", "--as-of", "2026-12-01", "--index", index)
        assert none.returncode == 1 and "Traceback" not in none.stderr
        assert "No meeting to come is known for “highways”: sync the committee from ModernGov" in none.stderr
    finally:
        site.close()
