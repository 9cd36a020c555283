"""Messages the bot posts of itself, watch alerts and digests (the `posts` table), each under a key that says what
it is ("digest:C0123:2026-12-07"). A post is claimed before it is sent, so that two runs at once, a restart or a
second scheduler never send it twice; one whose sending failed is given up, so that the next run sends it."""

from __future__ import annotations

import sqlite_utils

from index.dates import utc_timestamp

SENDING, SENT = "sending", "sent"


class Posts:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def claim(self, key: str, kind: str, channel_id: str) -> bool:
        """Whether this run may send the post `key`: False when it was sent, or another run is sending it."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO posts (key, kind, channel_id, state, posted_at) VALUES (?, ?, ?, ?, ?)",
            [key, kind, channel_id, SENDING, utc_timestamp()],
        )
        return cursor.rowcount == 1

    def sent(self, key: str, ts: str | None) -> None:
        self.db.execute(
            "UPDATE posts SET state = ?, ts = ?, posted_at = ? WHERE key = ?", [SENT, ts, utc_timestamp(), key]
        )

    def give_up(self, key: str) -> None:
        self.db.execute("DELETE FROM posts WHERE key = ? AND state = ?", [key, SENDING])

    def was_sent(self, key: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM posts WHERE key = ? AND state = ?", [key, SENT]).fetchall())
