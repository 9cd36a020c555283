"""What the bot answered and how people rated it: the `answers` and `feedback` tables, kept beside the index.

The index's store knows minutes; this log knows conversations. It shares the index's
database (one file to back up and browse) and its connection.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils

from index.conversation import Turn, topic_of
from index.dates import utc_timestamp
from index.filters import Filters
from index.register import RegisterAnswer
from index.search import Answer


class AnswerLog:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(
        self,
        answer: Answer | RegisterAnswer,
        turn: Turn,
        answered: bool,
        passages: list[dict],
        user_id: str,
        channel_id: str | None,
        thread_ts: str | None = None,
    ) -> int:
        """Keep an answer the bot gave, so that it can be shared to the channel and rated later, and followed up in
        the thread it was posted in (`thread_ts`; None for a direct message's own conversation)."""
        return (
            self.db["answers"]
            .insert(
                {
                    "created_at": utc_timestamp(),
                    "question": answer.question,
                    "filters": json.dumps(answer.filters.to_record()),
                    "answered": int(answered),
                    "passages": json.dumps(passages, ensure_ascii=False),
                    "user_id": user_id,
                    "channel_id": channel_id,
                    "thread_ts": thread_ts,
                    "topic": turn.topic,
                    "turn_filters": json.dumps(turn.filters.to_record()),
                    "skipped": turn.skip,
                }
            )
            .last_pk
        )

    def last_turn(self, channel_id: str, thread_ts: str | None, since: str) -> tuple[Turn, int] | None:
        """The question last answered in a thread (in a direct message's own conversation when `thread_ts` is None,
        and only after `since`), with how many passages its answer showed; None when there is none."""
        thread = "thread_ts = ?" if thread_ts else "thread_ts IS NULL AND created_at > ?"
        rows = self.db.execute(
            "SELECT question, topic, turn_filters, skipped, passages FROM answers "
            f"WHERE channel_id = ? AND {thread} ORDER BY id DESC LIMIT 1",
            [channel_id, thread_ts or since],
        ).fetchall()
        if not rows:
            return None
        question, topic, filters, skipped, passages = rows[0]
        shown = json.loads(passages)
        first_date = next((record["date"] for record in shown if record.get("date")), None)
        turn = Turn(
            question=question,
            topic=topic or topic_of(question),
            filters=Filters.from_record(json.loads(filters)) if filters else Filters(),
            skip=skipped,
            anchor=dt.date.fromisoformat(first_date) if first_date else None,
        )
        return turn, len(shown)

    def answered_in(self, channel_id: str, thread_ts: str) -> bool:
        """Whether Minutebook answered in this thread: only there are replies without a mention read as questions."""
        rows = self.db.execute(
            "SELECT 1 FROM answers WHERE channel_id = ? AND thread_ts = ? LIMIT 1", [channel_id, thread_ts]
        ).fetchall()
        return bool(rows)

    def saved(self, answer_id: int) -> dict | None:
        """A kept answer with its filters and passages read back, or None when there is no such answer."""
        rows = list(self.db.query("SELECT * FROM answers WHERE id = ?", [answer_id]))
        if not rows:
            return None
        row = rows[0]
        return {
            **row,
            "filters": Filters.from_record(json.loads(row["filters"])),
            "passages": json.loads(row["passages"]),
        }

    def rate(self, answer_id: int, user_id: str, helpful: bool) -> None:
        self.db["feedback"].insert(
            {"created_at": utc_timestamp(), "answer_id": answer_id, "user_id": user_id, "helpful": int(helpful)}
        )
