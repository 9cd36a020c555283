"""How `last-landed/` was built: by the last landed version (ac74baa) itself, from three of its sample minutes, with
the bot's rows written by that version's own classes (README.md). Not a test, and not for today's code: run it from a
checkout of ac74baa put ahead of today's code,

    HF_HUB_OFFLINE=1 PYTHONPATH=/tmp/mb-old python tests/data/upgrade/build_last_landed.py

and it leaves the index in /tmp/minutebook-upgrade-fixture/index."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bot
from bot.answer_log import AnswerLog
from bot.channels import ChannelCommittees
from bot.config import Settings
from bot.follow_through import FollowThrough
from bot.posts import Posts
from bot.slack.answering import Answerer
from bot.watches import Watches
from index.embed import load_embedder
from index.store import Store

OLD = Path(bot.__file__).resolve().parent.parent
FOLDER = Path("/tmp/minutebook-upgrade-fixture")
MINUTES, INDEX = FOLDER / "minutes", FOLDER / "index"
FIRST = ["2023-03-14-minutes.txt", "2023-06-20-printed-minutes.html"]  # then the watch starts, then:
THEN = ["2024-06-11-minutes.pdf"]
CHANNEL, CLERK, COUNCILLOR = "C0ENVIRONMENT", "U0CLERK", "U0COUNCILLOR"
ENVIRONMENT = "Environment and Transport Committee"
THREAD = "1733486400.000100"


class Slack:
    """Stands in for Slack's WebClient: keeps what was posted and answers with a message's `ts`, as Slack does."""

    def __init__(self) -> None:
        self.posted: list[dict] = []

    def chat_postMessage(self, **message) -> dict:  # noqa: N802 (Slack's name)
        self.posted.append(message)
        return {"ok": True, "ts": f"1733487000.{len(self.posted):06d}"}


def ingest(*names: str) -> None:
    """The old version's own `minutebook ingest`, run from its checkout (so that `python -m bot` is that version)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "MINUTEBOOK_"))}
    command = [sys.executable, "-m", "bot", "ingest", *(str(MINUTES / name) for name in names), "--index", str(INDEX)]
    print(subprocess.run(command, cwd=OLD, env=environment, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    shutil.rmtree(FOLDER, ignore_errors=True)
    MINUTES.mkdir(parents=True)
    for name in FIRST + THEN:
        shutil.copyfile(next((OLD / "examples" / "minutes").rglob(name)), MINUTES / name)

    ingest(*FIRST)
    # A clerk ties the environment committee's channel to it and watches a topic there; what is indexed already is
    # not news to the watch.
    store = Store(INDEX)
    ChannelCommittees(store.db).tie(CHANNEL, ENVIRONMENT, CLERK)
    Watches(store.db).add("Lower Brandling flood defences", None, CHANNEL, CLERK, store.generation)
    store.db.close()

    # The next minutes are news: the watch posts the passages about its topic (claimed in `posts`, then sent), and
    # remembers them in `watch_seen`.
    ingest(*THEN)
    store, embedder, slack = Store(INDEX), load_embedder(), Slack()
    settings = Settings("xoxb-unused", "unused", None, "https://slack.com/api/", frozenset(), True)
    posted = FollowThrough(store, slack, settings, lambda: embedder).run_watches()
    assert posted.sent == 1 and len(slack.posted) == 1, posted

    # A councillor asks in the channel (so about its committee), follows up in the thread, and rates the answer.
    answerer = Answerer(store, embedder)
    first = answerer.ask("how much has the Lower Brandling flood scheme gone up by?", COUNCILLOR, CHANNEL, THREAD)
    answerer.ask("who is responsible?", COUNCILLOR, CHANNEL, THREAD)
    AnswerLog(store.db).rate(first.id, COUNCILLOR, True)
    assert Posts(store.db).was_sent(f"watch:1:{store.generation}")
    for table in ("_migrations", "channel_committees", "watches", "watch_seen", "posts", "answers", "feedback"):
        print(table, json.dumps(list(store.db[table].rows), ensure_ascii=False)[:300])
    store.db.close()  # the last connection: SQLite folds the write-ahead log into the database and removes it

    loaded = [module.__file__ for name, module in sys.modules.items() if name.split(".")[0] in {"index", "bot"}]
    assert all(str(file).startswith(str(OLD)) for file in loaded if file), "today's code was loaded"


if __name__ == "__main__":
    main()
