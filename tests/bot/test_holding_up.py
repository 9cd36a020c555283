"""The real bot under strain, against the stand-in Slack Web API: rate limits and server errors, a burst of
questions, text of every odd kind, an ingest while it answers, its health check, and stopping it."""

from __future__ import annotations

import itertools
import json
import random
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from index.store import Store
from tests.bot.conftest import BOT_TOKEN, CHANNEL_ID, SIGNING_SECRET, Bot, new_event_id
from tests.bot.standin import SlackStandIn
from tests.bot.test_slack import in_thread, mention, message_text, posts_in_thread, ts
from tests.conftest import ROOT, copy_index, environment_without_settings

LATER = ROOT / "examples" / "later"


@pytest.fixture(scope="module")
def bot_index(full_index, tmp_path_factory) -> Path:
    """The bots of this module strain their index (an ingest, a stop mid-answer): on a copy of their own."""
    return copy_index(full_index, tmp_path_factory.mktemp("holding-up") / "index")


def direct_message(text: str, user: str) -> dict:
    return {"type": "message", "channel_type": "im", "channel": f"D{user[1:]}", "user": user, "text": text, "ts": ts()}


def test_a_rate_limited_or_failing_slack_is_tried_again_and_the_answer_posted_once(bot, stand_in):
    stand_in.fail_next["chat.postMessage"] = [429, 500]
    event = mention("what did we decide about the pothole repair backlog?")
    bot.event(event)
    answer = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert "Pothole" in message_text(answer.params)
    assert len(posts_in_thread(stand_in, event["ts"])) == 1
    assert [call.params.get("thread_ts") for call in stand_in.failed][-2:] == [event["ts"], event["ts"]]


def answered_at(key: str):
    """A test for a posted answer in the thread or conversation `key`."""
    return lambda params: key in (params.get("thread_ts"), params.get("channel"))


def test_a_burst_of_fifty_questions_is_acknowledged_and_each_answered_once(bot, stand_in):
    questions = itertools.cycle(
        ["what did we decide about school transport?", "what was said about foster carers?", "flood defences?"]
    )
    sent: list[tuple[str, str]] = []
    statuses: list[int] = []

    def send(number: int) -> None:
        question = next(questions)
        if number % 3 == 0:
            event = mention(question)
            sent.append(("mention", event["ts"]))
            statuses.append(bot.event(event, event_id=new_event_id())[0])
        elif number % 3 == 1:
            event = direct_message(question, f"U0BURST{number:02d}")
            sent.append(("dm", event["channel"]))
            statuses.append(bot.event(event)[0])
        else:
            name = f"burst-{number}"
            sent.append(("command", name))
            statuses.append(bot.command(question, stand_in.response_url(name))[0])

    threads = [threading.Thread(target=send, args=(number,)) for number in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 50

    def answers(kind: str, key: str) -> list:
        if kind == "mention":
            return posts_in_thread(stand_in, key)
        if kind == "dm":
            return [call for call in stand_in.of("chat.postMessage") if call.params.get("channel") == key]
        return stand_in.of(f"/response/{key}")

    for kind, key in sent:
        if kind == "command":
            stand_in.wait_for(f"/response/{key}")
        else:
            stand_in.wait_for("chat.postMessage", answered_at(key))
    assert all(len(answers(kind, key)) == 1 for kind, key in sent)


def odd_texts() -> list[str]:
    """Several hundred things a person could type: symbols Slack's own formats use, scripts, emoji, markup, words
    that name parts of Slack's payloads, and the longest text Slack sends."""
    fragments = [
        "&", "=", "%", "+", "%20", "&amp;", "a=b&c=d", "100%", "1+1=2", "\"quoted\"", "'single'", "“curly”", "«fr»",
        "👍", "🚌🏫", "👨‍👩‍👧", "مرحبا", "שלום", "你好", "Ünïcödé", "naïve café", "<@U0CLERK>", "<#C0CYP|cyp-scrutiny>",
        "<https://example.org|a link>", "<https://example.org>", "<!here>", "*bold*", "_italic_", "`code`", "> quoted",
        "payload", "payload=", "token", "command", "text", "team_id", "response_url", "trigger_id", "ssl_check=1",
        "type", "event", "challenge", "{", "}", "{\"json\": true}", "[]", "\\", "\\n", "\t", "  spaces  ", "?", "!!!",
        "null", "None", "undefined", "0", "-1", "DROP TABLE chunks;", "' OR 1=1 --", "committee:", "after:", "before:",
        "after:2023", "before:tomorrow", 'committee:"Children', "NEAR", "AND", "OR", "NOT", "*", "\"", "\u200b",
        "\u202e",
    ]  # fmt: skip
    starts = ["what did we decide about", "", "tell me about", "was anything said on", "promises about"]
    texts = [f"{start} {fragment}".strip() for start, fragment in itertools.product(starts, fragments)]
    generator = random.Random(4)
    texts += [" ".join(generator.sample(fragments, 4)) for _ in range(60)]
    texts += ["what did we decide about school transport? " * 93, "x" * 4000, "🚌" * 1000]
    return [text for text in texts if text.strip()]


def test_any_text_a_person_can_type_gets_an_answer_or_a_sentence(bot, stand_in):
    texts = odd_texts()
    assert len(texts) > 400
    for number, text in enumerate(texts):
        status, body = bot.command(text, stand_in.response_url(f"odd-{number}"))
        assert status == 200, (text, body)
        acknowledged = json.loads(body)["text"] if body.startswith("{") else body
        assert acknowledged, text
        if acknowledged.startswith("Searching the minutes"):
            answer = stand_in.wait_for(f"/response/odd-{number}")
            assert answer.params.get("text") and not answer.params["text"].startswith("Sorry, something"), text


def test_any_text_in_a_mention_gets_an_answer_in_its_thread(bot, stand_in):
    for text in odd_texts()[::6]:
        event = mention(text)
        assert bot.event(event)[0] == 200
        answer = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
        assert answer.params.get("text"), text
        assert not answer.params["text"].startswith("Sorry, something went wrong"), text


def test_the_health_check_reports_the_index_and_no_secret_is_stored(bot, bot_index, stand_in):
    event = mention("what did we decide about youth service funding?")
    bot.event(event)
    stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
    with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/healthz", timeout=10) as response:
        report = json.loads(response.read())
    store = Store(bot_index)
    assert report == {"status": "ok", "generation": store.generation, "passages": store.chunk_count}
    stored = json.dumps(list(store.db["answers"].rows) + list(store.db["posts"].rows))
    assert store.db["answers"].count and BOT_TOKEN not in stored and SIGNING_SECRET not in stored

    def health(**settings: str) -> subprocess.CompletedProcess:
        environment = {**environment_without_settings(), "MINUTEBOOK_INDEX": str(bot_index), **settings}
        command = [sys.executable, "-m", "bot", "health"]
        return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)

    slack = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    served = health(**slack, PORT=str(bot.port))
    assert served.returncode == 0 and json.loads(served.stdout) == report, "Docker's HEALTHCHECK asks /healthz"
    down = health(**slack, PORT=str(bot.port + 1))
    assert down.returncode == 1 and "is minutebook serve running?" in down.stderr and "Traceback" not in down.stderr
    chat = health()
    assert chat.returncode == 0 and json.loads(chat.stdout)["passages"] == store.chunk_count, "no HTTP: the index"


def test_minutes_ingested_while_the_bot_answers_are_answerable_at_once(full_index, tmp_path):
    index = copy_index(full_index, tmp_path / "index")
    stand_in = SlackStandIn()
    bot = Bot(index, stand_in, tmp_path / "bot.log")
    try:
        ingest = subprocess.Popen(
            [sys.executable, "-m", "bot", "ingest", str(LATER), "--index", str(index)],
            cwd=ROOT,
            env=environment_without_settings(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        asked = 0
        while ingest.poll() is None or asked == 0:
            event = mention("what did we decide about school transport?")
            bot.event(event)
            answer = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
            assert "Home to School Transport" in message_text(answer.params)
            asked += 1
        assert ingest.wait() == 0, ingest.stdout.read()
        event = mention("how many families have visited the family hubs?")
        bot.event(event)
        answer = stand_in.wait_for("chat.postMessage", in_thread(event["ts"]))
        assert "3,410 families" in message_text(answer.params), "the new meeting is answered without a restart"
    finally:
        log = bot.stop()
        stand_in.close()
    assert "database is locked" not in log and "Traceback" not in log


def test_stopping_the_bot_finishes_the_answer_in_flight_and_exits_cleanly(bot_index, tmp_path):
    stand_in = SlackStandIn()
    bot = Bot(copy_index(bot_index, tmp_path / "index"), stand_in, tmp_path / "bot.log", MINUTEBOOK_LOG_QUESTIONS="0")
    event = mention("what did we decide about flood defences?")
    try:
        with stand_in.holding("chat.postMessage", in_thread(event["ts"])):
            bot.event(event)
            stand_in.wait_for("reactions.add", lambda params: params.get("timestamp") == event["ts"])
            bot.process.send_signal(signal.SIGTERM)
        assert bot.process.wait(timeout=30) == 0
        assert len(posts_in_thread(stand_in, event["ts"])) == 1, "the answer in flight was sent before it stopped"
    finally:
        log = bot.stop()
        stand_in.close()
    assert "Minutebook stopped: every answer in flight was sent." in log
    [answered] = [line for line in log.splitlines() if " answer=" in line]
    assert f"channel={CHANNEL_ID} user=U0COUNCILLOR from=minutes found=" in answered and "seconds=" in answered
    assert "flood" not in log.lower(), "MINUTEBOOK_LOG_QUESTIONS=0 keeps the question out of the log"
