"""What the bot answered and how people rated it: the `answers` and `feedback` tables, kept beside the index.

The index's store knows minutes; this log knows conversations. It shares the index's
database (one file to back up and browse) and its connection.
"""

from __future__ import annotations

import json

import sqlite_utils

from index.dates import utc_timestamp
from index.filters import Filters


class AnswerLog:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(
        self,
        question: str,
        filters: Filters,
        answered: bool,
        passages: list[dict],
        user_id: str,
        channel_id: str | None,
    ) -> int:
        """Keep an answer the bot gave, so that it can be shared to the channel and rated later."""
        return (
            self.db["answers"]
            .insert(
                {
                    "created_at": utc_timestamp(),
                    "question": question,
                    "filters": json.dumps(filters.to_record()),
                    "answered": int(answered),
                    "passages": json.dumps(passages, ensure_ascii=False),
                    "user_id": user_id,
                    "channel_id": channel_id,
                }
            )
            .last_pk
        )

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
