"""Load benchmark: a burst of questions at the real bot's HTTP endpoint, all at once, and how long each waits.

    python scripts/bench_slack.py [--questions 50] [--index DIR]

The bot runs as in production (`minutebook serve --http` on a loopback port) against the stand-in Slack Web API
of the tests, on the sample minutes (ingested into a scratch index unless --index is given). Mentions, direct
messages and /minutes commands, mixed, are sent at once, each correctly signed; printed are the time to
acknowledge each request (Slack's limit is 3 s) and the time until its answer reached Slack, as p50/p95/max, and
whether every question was answered exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.embed import ModelChoice  # noqa: E402
from index.pipeline import ingest  # noqa: E402
from index.store import Store  # noqa: E402
from tests.bot.conftest import Bot, new_event_id  # noqa: E402
from tests.bot.standin import Call, SlackStandIn  # noqa: E402
from tests.bot.test_slack import mention  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
QUESTIONS = [
    "what did we decide about school transport?",
    "what was said about foster carers?",
    "how much will the flood defences at Lower Brandling cost?",
    "what is overdue?",
    "how many potholes were repaired?",
]


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
        "max": round(ordered[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--index", type=Path)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        index = arguments.index or Path(scratch) / "index"
        if arguments.index is None:
            ingest([str(EXAMPLES / "minutes")], Store(index, create=True), ModelChoice())
        stand_in = SlackStandIn()
        bot = Bot(index, stand_in, Path(scratch) / "bot.log")
        try:
            report = burst(bot, stand_in, arguments.questions)
        finally:
            bot.stop()
            stand_in.close()
    print(json.dumps(report))


def burst(bot: Bot, stand_in: SlackStandIn, count: int) -> dict:
    """Send `count` questions at once and wait for every answer."""
    sent: dict[int, tuple[float, float, int]] = {}
    answered_where: dict[int, tuple[str, str]] = {}
    start = threading.Barrier(count)

    def ask(number: int) -> None:
        question = QUESTIONS[number % len(QUESTIONS)]
        start.wait()
        began = time.monotonic()
        if number % 3 == 0:
            event = mention(question)
            answered_where[number] = ("thread_ts", event["ts"])
            status = bot.event(event, event_id=new_event_id())[0]
        elif number % 3 == 1:
            channel = f"D0LOAD{number:04d}"
            event = {"type": "message", "channel_type": "im", "channel": channel, "user": f"U0LOAD{number:04d}",
                     "text": question, "ts": f"{time.time():.6f}"}  # fmt: skip
            answered_where[number] = ("channel", channel)
            status = bot.event(event)[0]
        else:
            answered_where[number] = ("response", f"load-{number}")
            status = bot.command(question, stand_in.response_url(f"load-{number}"))[0]
        sent[number] = (began, time.monotonic(), status)

    threads = [threading.Thread(target=ask, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def answers(number: int) -> list[Call]:
        kind, key = answered_where[number]
        if kind == "response":
            return stand_in.of(f"/response/{key}")
        return [call for call in stand_in.of("chat.postMessage") if call.params.get(kind) == key]

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not all(answers(number) for number in sent):
        time.sleep(0.1)
    acknowledged = [done - began for began, done, _ in sent.values()]
    waited = [answers(number)[0].at - began for number, (began, _, _) in sent.items() if answers(number)]
    return {
        "questions": count,
        "acknowledged_200": sum(status == 200 for _, _, status in sent.values()),
        "ack_seconds": percentiles(acknowledged),
        "answer_seconds": percentiles(waited),
        "answered_once": sum(len(answers(number)) == 1 for number in sent),
    }


if __name__ == "__main__":
    main()
