"""Watched topics (the `watches` table): a channel, or a person in a direct message, told when the minutes say
something new about a topic. `watch_seen` remembers the passages each watch has posted, by a hash of their text,
so that minutes taken out and ingested again are not news."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from index.dates import utc_timestamp
from index.search import Passage


@dataclass(frozen=True)
class Watch:
    """A topic followed in `channel_id` (a channel, or a person's direct messages with the bot), limited to
    `committee` when it was set with one; `last_generation` is the index generation its last run saw."""

    id: int
    topic: str
    committee: str | None
    channel_id: str
    user_id: str
    created_at: str
    last_generation: int


@dataclass(frozen=True)
class WatchAlert:
    """The passages new since a watch last ran that are about its topic, best first, and the committee that limited
    the search (the watch's own, or its channel's)."""

    watch: Watch
    passages: list[Passage]
    committee: str | None


def passage_key(text: str) -> str:
    """A passage's identity for a watch: its words, however they were spaced."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class Watches:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, topic: str, committee: str | None, channel_id: str, user_id: str, generation: int) -> Watch:
        """Start watching from `generation`: what is already indexed is not news."""
        record = {
            "topic": topic,
            "committee": committee,
            "channel_id": channel_id,
            "user_id": user_id,
            "created_at": utc_timestamp(),
            "last_generation": generation,
        }
        watch_id = self.db["watches"].insert(record).last_pk
        return Watch(id=watch_id, **record)

    def all(self) -> list[Watch]:
        return [Watch(**row) for row in self.db.query("SELECT * FROM watches ORDER BY id")]

    def in_channel(self, channel_id: str) -> list[Watch]:
        return [
            Watch(**row)
            for row in self.db.query("SELECT * FROM watches WHERE channel_id = ? ORDER BY id", [channel_id])
        ]

    def remove(self, watch_id: int, channel_id: str) -> Watch | None:
        """Stop the watch `watch_id` if it posts to `channel_id`; returns it, or None when there is no such watch."""
        found = [watch for watch in self.in_channel(channel_id) if watch.id == watch_id]
        if found:
            with self.db.atomic():
                self.db.execute("DELETE FROM watch_seen WHERE watch_id = ?", [watch_id])
                self.db.execute("DELETE FROM watches WHERE id = ?", [watch_id])
        return found[0] if found else None

    def ran(self, watch_id: int, generation: int) -> None:
        self.db.execute("UPDATE watches SET last_generation = ? WHERE id = ?", [generation, watch_id])

    def unseen(self, watch_id: int, keys: Iterable[str]) -> set[str]:
        """Of these passage keys, the ones the watch has not posted."""
        keys = set(keys)
        seen = {
            row[0]
            for row in self.db.execute(
                "SELECT passage FROM watch_seen WHERE watch_id = ? AND passage IN (SELECT value FROM json_each(?))",
                [watch_id, json.dumps(sorted(keys))],
            ).fetchall()
        }
        return keys - seen

    def saw(self, watch_id: int, keys: Iterable[str]) -> None:
        self.db["watch_seen"].insert_all(
            ({"watch_id": watch_id, "passage": key} for key in keys), pk=("watch_id", "passage"), ignore=True
        )

    def unsaw(self, watch_id: int, keys: Iterable[str]) -> None:
        """Forget that these passages were posted (their post failed), so that the next run posts them."""
        self.db.conn.executemany(
            "DELETE FROM watch_seen WHERE watch_id = ? AND passage = ?", [(watch_id, key) for key in keys]
        )
