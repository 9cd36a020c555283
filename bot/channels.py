"""Slack channels tied to a committee (the `channel_committees` table): a committee's own channel asks about its
meetings unless a question says otherwise."""

from __future__ import annotations

import re

import sqlite_utils

from index.dates import utc_timestamp
from index.filters import Filters

ACROSS_COMMITTEES = re.compile(r"\s*\b(?:across|in|from|of)\s+(?:all|every)\s+(?:the\s+)?committees?\b", re.IGNORECASE)


class ChannelCommittees:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def committee_of(self, channel_id: str | None) -> str | None:
        rows = self.db.execute(
            "SELECT committee FROM channel_committees WHERE channel_id = ?", [channel_id or ""]
        ).fetchall()
        return rows[0][0] if rows else None

    def tied(self) -> list[tuple[str, str]]:
        """Every channel tied to a committee, with its committee."""
        rows = self.db.execute("SELECT channel_id, committee FROM channel_committees ORDER BY channel_id")
        return [(channel_id, committee) for channel_id, committee in rows]

    def tie(self, channel_id: str, committee: str, user_id: str) -> None:
        self.db["channel_committees"].upsert(
            {"channel_id": channel_id, "committee": committee, "set_by": user_id, "set_at": utc_timestamp()},
            pk="channel_id",
        )

    def untie(self, channel_id: str) -> bool:
        """Untie a channel; whether it was tied."""
        tied = self.committee_of(channel_id) is not None
        self.db.execute("DELETE FROM channel_committees WHERE channel_id = ?", [channel_id])
        return tied


def scoped(question: str, committee: str | None) -> tuple[str, Filters, str | None]:
    """The question to search, the filters a channel's committee adds, and that committee when it applies: not when
    the question names a committee itself (`committee:`) or asks "across all committees" (taken out of it)."""
    across = ACROSS_COMMITTEES.search(question)
    if across:
        return " ".join(ACROSS_COMMITTEES.sub("", question).split()), Filters(), None
    if committee is None or re.search(r"\bcommittee:", question, re.IGNORECASE):
        return question, Filters(), None
    return question, Filters(committee=committee), committee
