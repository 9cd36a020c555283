"""The real bot, in HTTP mode, against a stand-in Slack: what it posts for signed events, commands and clicks."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.bot.conftest import BOT_TOKEN, CHANNEL_ID, CLERK, SIGNING_SECRET, Bot, new_event_id
from tests.bot.standin import BOT_USER_ID, TEAM_ID, SlackStandIn
from tests.conftest import CYP, ENVIRONMENT_COMMITTEE, ROOT, SEED, SEED_ITEM, copy_index, environment_without_settings


def message_text(params: dict) -> str:
    """Everything a person would read in a posted message: its text and its blocks."""
    return " ".join(" ".join(json.dumps(params.get(key, ""), ensure_ascii=False).split()) for key in ("text", "blocks"))


def words(text: str) -> str:
    return " ".join(text.replace("\\n", " ").replace(">", " ").split())


def ts() -> str:
    return f"{time.time():.6f}"


def mention(text: str, channel: str = CHANNEL_ID, thread_ts: str | None = None) -> dict:
    event = {
        "type": "app_mention",
        "user": "U0COUNCILLOR",
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts(),
        "channel": channel,
        "event_ts": ts(),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def in_thread(thread_ts: str):
    return lambda params: params.get("thread_ts") == thread_ts


def posts_in_thread(stand_in, thread_ts: str) -> list:
    return [call for call in stand_in.of("chat.postMessage") if in_thread(thread_ts)(call.params)]


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not beside this checkout")
def test_mention_about_the_seed_is_answered_once_in_its_thread(bot, stand_in):
    event = mention("how many practitioners will the new 5-day Signs of Safety course train?")
    # Slack takes no answer in the thread until the request is acknowledged: a bot that acknowledged only after
    # posting its answer would wait on Slack, and Slack on it, until the request timed out.
    with stand_in.holding("chat.postMessage", in_thread(event["ts"])):
        try:
            status, _ = bot.event(event)
        except TimeoutError:
            pytest.fail("Slack's request must be acknowledged before the answer is posted, not after")
        assert status == 200
    reply = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
    shown = words(message_text(reply.params))
    assert reply.params["channel"] == CHANNEL_ID
    assert "another 5-day training course had been commissioned to deliver training to 60 practitioners" in shown
    assert CYP.replace("'", "'") in shown.replace("\\u2019", "'")
    assert "4 November 2019" in shown and SEED_ITEM in shown
    assert reply.authorization == f"Bearer {BOT_TOKEN}"
    assert BOT_TOKEN not in json.dumps(reply.params)
    reactions = stand_in.of("reactions.add")
    assert any(call.params.get("timestamp") == event["ts"] and call.params.get("name") == "eyes" for call in reactions)


def test_retries_and_repeated_events_are_answered_once(bot, stand_in):
    event = mention("what did we decide about the Route 47 bus consultation?")
    assert bot.event(event, event_id="EvRETRIED01")[0] == 200
    stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert (
        bot.event(
            event, event_id="EvRETRIED01", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )[0]
        == 200
    )
    assert bot.event(event, event_id="EvRETRIED01")[0] == 200
    later = mention("how much does a Moorlink journey cost per passenger?")
    bot.event(later)
    stand_in.wait_for("chat.postMessage", in_thread(later["ts"]))
    assert len(posts_in_thread(stand_in, event["ts"])) == 1


@pytest.mark.parametrize(
    "how",
    ["wrong signature", "no signature", "five minutes old", "signed with another secret"],
)
def test_badly_signed_requests_are_refused(bot, stand_in, how):
    event = mention("what did we decide about flood defences?")
    event_id = new_event_id()
    body = json.dumps({"type": "event_callback", "team_id": TEAM_ID, "event_id": event_id, "event": event})
    if how == "wrong signature":
        status, _ = bot.post(body, "application/json", signature="v0=" + "0" * 64)
    elif how == "no signature":
        status, _ = bot.post(body, "application/json", signature="")
    elif how == "five minutes old":
        status, _ = bot.post(body, "application/json", timestamp=int(time.time()) - 301)
    else:
        stamp = int(time.time())
        forged = hmac.new(b"another-secret-entirely", f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        status, _ = bot.post(body, "application/json", timestamp=stamp, signature=f"v0={forged}")
    assert status == 401
    # A delivery signed as Slack signs, with the refused request's event id and a message of its own: the bot takes
    # up each event id once, so it answers this one only if the refused request was never taken up, and then never
    # answers the refused one. This answer arriving is the sign that the bot is done with both.
    signed = mention("what did we decide about flood defences?")
    assert bot.event(signed, event_id=event_id)[0] == 200
    stand_in.wait_for("chat.postMessage", in_thread(signed["ts"]))
    assert not posts_in_thread(stand_in, event["ts"])
    assert not [call for call in stand_in.of("reactions.add") if call.params.get("timestamp") == event["ts"]]


def test_follow_up_in_a_thread_is_answered_in_that_thread(bot, stand_in):
    parent = ts()
    event = mention("and how many households stopped fostering in 2022?", thread_ts=parent)
    bot.event(event)
    reply = stand_in.wait_for("chat.postMessage", in_thread(parent))
    assert "Foster Carer Recruitment" in message_text(reply.params)


def test_direct_message_is_answered_in_the_dm(bot, stand_in):
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0COUNCILLOR",
        "user": "U0COUNCILLOR",
        "text": "What is the cost per passenger journey on Moorlink?",
        "ts": ts(),
        "event_ts": ts(),
    }
    bot.event(event)
    reply = stand_in.wait_for("chat.postMessage", lambda params: params.get("channel") == "D0COUNCILLOR")
    assert "The cost per passenger journey was £17.40" in words(message_text(reply.params))
    assert reply.params.get("thread_ts") is None


def test_filters_written_in_the_question_are_applied_and_shown(bot, stand_in):
    event = mention('committee:"Environment" after:2024-01-01 what was said about flood defences?')
    bot.event(event)
    reply = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
    shown = message_text(reply.params)
    assert "Filters: committee “Environment” · on or after 1 January 2024" in shown
    citations = [
        element["text"]
        for block in reply.params["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
        if "·" in element["text"] and not element["text"].startswith("Filters")
    ]
    assert citations and all(ENVIRONMENT_COMMITTEE in text for text in citations)
    assert all("2023" not in text.split("·")[1] for text in citations)


def test_slash_command_answers_privately_and_shares_on_request(bot, stand_in):
    status, body = bot.command("what did we decide about the Route 47 bus consultation?", stand_in.response_url("ask"))
    assert status == 200 and "Searching the minutes" in body
    answer = stand_in.wait_for("/response/ask")
    assert answer.params["response_type"] == "ephemeral"
    assert "Option C be adopted as an 18-month trial" in words(message_text(answer.params))
    actions = next(block for block in answer.params["blocks"] if block["type"] == "actions")
    buttons = {element["action_id"]: element["value"] for element in actions["elements"]}
    assert set(buttons) == {"share_answer", "feedback_helpful", "feedback_not_helpful"}

    assert bot.click("share_answer", buttons["share_answer"], stand_in.response_url("shared"))[0] == 200
    shared = stand_in.wait_for("chat.postMessage", lambda params: "shared an answer" in message_text(params))
    assert shared.params["channel"] == CHANNEL_ID
    assert "Option C be adopted as an 18-month trial" in words(message_text(shared.params))
    assert "Shared in the channel" in stand_in.wait_for("/response/shared").params["text"]


def test_feedback_is_stored_with_the_question_and_passages(bot, bot_index, stand_in):
    bot.command("how many outstanding highway defects were there by April 2024?", stand_in.response_url("rated"))
    answer = stand_in.wait_for("/response/rated")
    actions = next(block for block in answer.params["blocks"] if block["type"] == "actions")
    answer_id = next(e["value"] for e in actions["elements"] if e["action_id"] == "feedback_not_helpful")
    bot.click("feedback_not_helpful", answer_id, stand_in.response_url("thanks"))
    assert "noted as not helpful" in stand_in.wait_for("/response/thanks").params["text"]
    with sqlite3.connect(bot_index / "minutebook.db") as db:
        row = db.execute(
            "SELECT f.user_id, f.helpful, a.question, a.passages FROM feedback f JOIN answers a ON a.id = f.answer_id "
            "WHERE a.id = ?",
            [int(answer_id)],
        ).fetchone()
    assert row[:3] == (CLERK, 0, "how many outstanding highway defects were there by April 2024?")
    assert "4,210 at the end of April 2024" in row[3]


def test_help_and_status(bot, stand_in):
    status, body = bot.command("help", stand_in.response_url("help"))
    assert status == 200 and "How to ask" in body and "committee:" in body
    status, body = bot.command("status", stand_in.response_url("status"))
    assert status == 200 and "What is indexed" in body
    assert (
        f"{ENVIRONMENT_COMMITTEE} (Eastmoor County Council): 3 meetings"
        in json.loads(body)["blocks"][0]["text"]["text"]
    )


def test_app_home_is_published(bot, stand_in):
    bot.event({"type": "app_home_opened", "user": "U0HOME", "channel": "D0HOME", "tab": "home", "event_ts": ts()})
    published = stand_in.wait_for("views.publish", lambda params: params.get("user_id") == "U0HOME")
    view = json.dumps(published.params["view"], ensure_ascii=False)
    assert published.params["view"]["type"] == "home"
    assert "How to ask" in view and "Try asking" in view and "What is indexed" in view


def test_requests_from_another_workspace_are_ignored(bot, stand_in):
    event = mention("what did we decide about potholes?")
    assert bot.event(event, team_id="T0ELSEWHERE")[0] == 200
    marker = mention("what did we decide about potholes in 2024?")
    bot.event(marker)
    stand_in.wait_for("chat.postMessage", in_thread(marker["ts"]))
    assert not posts_in_thread(stand_in, event["ts"])


def test_questions_without_words_get_a_sentence_not_silence(bot, stand_in):
    event = mention("??? !!!")
    bot.event(event)
    reply = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert "no words to search for" in reply.params["text"]


def test_allowed_channels_limit_where_it_answers(bot_index, tmp_path):
    stand_in = SlackStandIn()
    limited = Bot(bot_index, stand_in, tmp_path / "limited.log", MINUTEBOOK_ALLOWED_CHANNELS="C0ALLOWED")
    try:
        elsewhere = mention("what did we decide about potholes?", channel="C0OTHER")
        limited.event(elsewhere)
        notice = stand_in.wait_for("chat.postEphemeral")
        assert notice.params["user"] == "U0COUNCILLOR" and "direct message" in notice.params["text"]
        allowed = mention("what did we decide about potholes?", channel="C0ALLOWED")
        limited.event(allowed)
        stand_in.wait_for("chat.postMessage", in_thread(allowed["ts"]))
        assert not posts_in_thread(stand_in, elsewhere["ts"])
    finally:
        limited.stop()
        stand_in.close()


def test_a_failing_search_gets_an_apology_and_the_bot_keeps_serving(bot_index, tmp_path):
    broken_index = copy_index(bot_index, tmp_path / "broken")
    stand_in = SlackStandIn()
    broken = Bot(broken_index, stand_in, tmp_path / "broken.log")
    try:
        with sqlite3.connect(broken_index / "minutebook.db") as db:
            db.execute("DROP TABLE chunks_fts")
        event = mention("what did we decide about school transport?")
        broken.event(event)
        reply = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
        assert reply.params["text"].startswith("Sorry, something went wrong")
        status, body = broken.command("help", stand_in.response_url("help"))
        assert status == 200 and "How to ask" in body
    finally:
        log = broken.stop()
        stand_in.close()
    assert f"Answering a question in {CHANNEL_ID} failed" in log and "Traceback" in log
    assert BOT_TOKEN not in log


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN should be a bot token starting with xoxb-"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_API_URL": "slack.example"}, "SLACK_API_URL 'slack.example' is not a URL"),
        ({"MINUTEBOOK_ALLOWED_CHANNELS": "#general"}, "MINUTEBOOK_ALLOWED_CHANNELS should list channel IDs"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN should be an app-level token starting with xapp-"),
        (
            {"MINUTEBOOK_DIGEST": "fortnightly"},
            'MINUTEBOOK_DIGEST "fortnightly" is not a schedule: write "daily 02:00"',
        ),
        ({"MINUTEBOOK_SYNC": "7 days before each meeting"}, "MINUTEBOOK_SYNC cannot run before each meeting"),
        ({"MINUTEBOOK_TIMEZONE": "Eastmoor/County Hall"}, "MINUTEBOOK_TIMEZONE"),
        ({"MINUTEBOOK_DIGEST_DAYS": "a month"}, "MINUTEBOOK_DIGEST_DAYS 'a month' is not a number of days"),
    ],
)
def test_bad_settings_get_one_clear_sentence(bot_index, environment, message):
    env = environment_without_settings()
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
    env.update(MINUTEBOOK_INDEX=str(bot_index), SLACK_API_URL="http://127.0.0.1:9/api/")
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--http", "--port", "9"], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_socket_mode_is_chosen_with_an_app_token(bot_index, stand_in):
    """With SLACK_APP_TOKEN the bot opens a Socket Mode connection through SLACK_API_URL (refused by the stand-in)."""
    env = environment_without_settings()
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-1-A0MINUTEBOOK-1234-abcdef", MINUTEBOOK_INDEX=str(bot_index)
    )
    env.update(SLACK_API_URL=stand_in.api_url)
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Slack refused the Socket Mode connection (invalid_auth): check SLACK_APP_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr and "xapp-1-A0MINUTEBOOK" not in result.stderr
    opened = stand_in.wait_for("apps.connections.open")
    assert opened.authorization == "Bearer xapp-1-A0MINUTEBOOK-1234-abcdef"


def test_promises_are_answered_from_the_register(bot, stand_in):
    event = mention("what was promised about the Moorbus usage figures?")
    bot.event(event)
    reply = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
    shown = words(message_text(reply.params))
    assert "from the register" in shown
    assert "That the usage figures for the Moorbus be reported to the next meeting." in shown
    assert "Followed up" in shown and "due 12 March 2024" in shown
    status, body = bot.command("promises", stand_in.response_url("register"))
    assert status == 200
    listed = stand_in.wait_for("/response/register")
    assert "*Overdue*" in message_text(listed.params)


def test_a_channel_tied_to_a_committee_scopes_its_questions_and_says_so(bot, stand_in):
    channel = "C0ENVIRONMENT"
    stand_in.members[channel] = [CLERK]
    status, body = bot.command('channel committee:"environment"', stand_in.response_url("tie"), channel_id=channel)
    assert status == 200 and "now tied to the Environment and Transport Committee" in json.loads(body)["text"]
    announced = stand_in.wait_for("chat.postMessage", lambda params: params.get("channel") == channel)
    assert f"<@{CLERK}> tied this channel to the Environment and Transport Committee" in announced.params["text"]
    assert (
        "tied to the Environment and Transport Committee"
        in json.loads(bot.command("channel", "", channel_id=channel)[1])["text"]
    )

    scoped = mention("what did we decide about youth service funding?", channel=channel)
    bot.event(scoped)
    shown = message_text(stand_in.wait_for("chat.postMessage", in_thread(scoped["ts"])).params)
    assert "This channel asks about the *Environment and Transport Committee*" in shown
    assert "Children and Young People" not in shown

    across = mention("what did we decide about youth service funding across all committees?", channel=channel)
    bot.event(across)
    shown = message_text(stand_in.wait_for("chat.postMessage", in_thread(across["ts"])).params)
    assert "This channel asks about" not in shown and "Youth Service Funding" in shown

    status, body = bot.command("channel none", stand_in.response_url("untie"), channel_id=channel)
    assert "no longer tied" in json.loads(body)["text"]
    stand_in.wait_for("chat.postMessage", lambda params: "untied this channel" in params.get("text", ""))
    assert "not tied to a committee" in json.loads(bot.command("channel", "", channel_id=channel)[1])["text"]


@pytest.mark.parametrize(
    ("channel", "members", "text", "refusal"),
    [
        ("C0NOTMEMBER", [], 'channel committee:"Environment"', "Only the channel's members"),
        ("C0MEMBER", [CLERK], 'channel committee:"Parking"', "No committee in the minutes matches “Parking”"),
        ("C0MEMBER", [CLERK], "channel committee:Committee", "give more of the name"),
        ("D0DIRECT", [CLERK], 'channel committee:"Environment"', "Only a channel can be tied"),
    ],
)
def test_tying_a_channel_is_refused_in_one_sentence(bot, stand_in, channel, members, text, refusal):
    stand_in.members[channel] = members
    status, body = bot.command(text, "", channel_id=channel)
    assert status == 200 and refusal in json.loads(body)["text"]
    assert "not tied to a committee" in json.loads(bot.command("channel", "", channel_id=channel)[1])["text"]
