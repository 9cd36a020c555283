"""The bot's own tables, as a migration set of their own beside the index's (index/migrations.py): answers and
their feedback, channels tied to committees, watches and what they have seen, and the messages posted unasked.

Indexes made before 7 December 2026 had these tables from the index's migrations m002, m008, m009 and m010; they
are recorded as this set's first four, and nothing is made twice."""

from __future__ import annotations

import sqlite_utils

from index.migrations import Schema

BOT = Schema("minutebook-bot")
migration = BOT.migration
# The index migrations that made the bot's tables before, and the migration of this set that makes each now.
ADOPTED = {
    "m002_answers_feedback_urls": "b001_answers_feedback",
    "m008_channel_committees": "b002_channel_committees",
    "m009_follow_through": "b003_watches_posts",
    "m010_answer_threads": "b004_answer_threads",
}


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Bring the bot's tables up to date; refuse a database that a newer version wrote."""
    return BOT.apply(db, adopted=ADOPTED)


@migration
def b001_answers_feedback(db: sqlite_utils.Database) -> None:
    """Answers the bot gave (so that they can be shared and rated), and feedback on them."""
    db["answers"].create(
        {
            "id": int,
            "created_at": str,
            "question": str,
            "filters": str,
            "answered": int,
            "passages": str,
            "user_id": str,
            "channel_id": str,
        },
        pk="id",
    )
    db["feedback"].create(
        {"id": int, "created_at": str, "answer_id": int, "user_id": str, "helpful": int},
        pk="id",
        foreign_keys=[("answer_id", "answers", "id")],
    )
    db["feedback"].create_index(["answer_id"])


@migration
def b002_channel_committees(db: sqlite_utils.Database) -> None:
    """Slack channels tied to a committee: questions asked there are about that committee's meetings."""
    db["channel_committees"].create(
        {"channel_id": str, "committee": str, "set_by": str, "set_at": str}, pk="channel_id"
    )


@migration
def b003_watches_posts(db: sqlite_utils.Database) -> None:
    """What the bot says without being asked. `watches`: topics a channel or person follows. `watch_seen`: passages
    (by a hash of their text) a watch has already posted. `posts`: every message the bot posted of itself, by a
    key that says what it was, so that it is never posted twice."""
    db["watches"].create(
        {
            "id": int,
            "topic": str,
            "committee": str,
            "channel_id": str,
            "user_id": str,
            "created_at": str,
            "last_generation": int,
        },
        pk="id",
    )
    db["watch_seen"].create(
        {"watch_id": int, "passage": str}, pk=("watch_id", "passage"), foreign_keys=[("watch_id", "watches", "id")]
    )
    db["posts"].create(
        {"key": str, "kind": str, "channel_id": str, "state": str, "ts": str, "posted_at": str}, pk="key"
    )


@migration
def b004_answer_threads(db: sqlite_utils.Database) -> None:
    """Conversations: the Slack thread each answer was posted in, the subject of its question, the committee and
    period the question itself set (a channel's committee aside) and how many of its passages earlier answers had
    shown, so that a follow-up in the thread ("and the year before?", "show me more") is read with the question
    before it."""
    db["answers"].add_column("thread_ts", str)
    db["answers"].add_column("topic", str)
    db["answers"].add_column("turn_filters", str)
    db["answers"].add_column("skipped", int, not_null_default=0)
    db["answers"].create_index(["channel_id", "thread_ts"])
