"""The digest of what is due: a committee's open and overdue register entries that fall due by its next meeting.

The next meeting is the first one a synced ModernGov site lists after the day (the
`meeting_calendar`); a committee whose site is not synced looks a number of days ahead.
Overdue entries come first, longest overdue first, then open ones by due date: the
"Outstanding actions" report a clerk would otherwise compile by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .dates import in_words
from .filters import Filters
from .register import RegisterEntry, read_register
from .store import Store

DIGEST_DAYS = 28
DUE_STATUSES = ("overdue", "open")


@dataclass(frozen=True)
class Digest:
    """What `committee` has due as of `as_of`: entries due on or before `until`, which is the committee's
    `next_meeting` when a synced site lists one, else `as_of` plus a number of days."""

    committee: str
    as_of: dt.date
    until: dt.date
    next_meeting: dt.date | None
    entries: list[RegisterEntry]

    def horizon(self) -> str:
        """Up to when, in words: "before its next meeting on 14 January 2027", or "by 31 December 2026"."""
        if self.next_meeting:
            return f"before its next meeting on {in_words(self.next_meeting)}"
        return f"by {in_words(self.until)}"

    def to_json(self) -> dict:
        return {
            "committee": self.committee,
            "as_of": self.as_of.isoformat(),
            "until": self.until.isoformat(),
            "next_meeting": self.next_meeting.isoformat() if self.next_meeting else None,
            "entries": [entry.to_json() for entry in self.entries],
        }


def digest(store: Store, committee: str, as_of: dt.date, days: int = DIGEST_DAYS) -> Digest:
    """The digest of one committee, named exactly as the index names it."""
    next_meeting = store.calendar.next_meeting(committee, as_of)
    until = next_meeting or as_of + dt.timedelta(days=days)
    entries = [
        entry
        for entry in read_register(store, as_of, Filters(committee=committee))
        if entry.committee == committee and entry.status in DUE_STATUSES and entry.due and entry.due <= until
    ]
    return Digest(committee, as_of, until, next_meeting, entries)
