"""The meetings synced ModernGov sites list, past and to come, and how each committee's sync went: what says when a
committee meets next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlite_utils

from . import follow_up


class Calendar:
    """The `meeting_calendar` and `sources` tables."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save_source(self, record: dict) -> None:
        """Record how a sync of one ModernGov committee went (see the `sources` table)."""
        self.db["sources"].upsert(record, pk=("site", "committee_id"))

    def sources(self) -> list[dict]:
        """The ModernGov committees synced into this index, with when and how much."""
        return list(self.db.query("SELECT * FROM sources ORDER BY site, committee"))

    def save(
        self,
        site: str,
        committee_id: str,
        committee: str,
        meetings: Iterable[tuple[str, dt.date, str]],
        since: dt.date,
        until: dt.date,
    ) -> None:
        """Record the meetings (id, date, status) a ModernGov site lists for a committee from `since` to `until`,
        in place of those it listed before for those days, and work out again when its entries fall due."""
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM meeting_calendar WHERE site = ? AND committee_id = ? AND date BETWEEN ? AND ?",
                [site, committee_id, since.isoformat(), until.isoformat()],
            )
            self.db["meeting_calendar"].upsert_all(
                (
                    {
                        "site": site,
                        "meeting_id": meeting_id,
                        "committee_id": committee_id,
                        "committee": committee,
                        "date": date.isoformat(),
                        "status": status,
                    }
                    for meeting_id, date, status in meetings
                ),
                pk=("site", "meeting_id"),
            )
            follow_up.resolve(self.db, [committee])

    def next_meeting(self, committee: str, after: dt.date) -> dt.date | None:
        """The committee's first meeting after `after` that a synced ModernGov site lists and has not cancelled."""
        rows = self.db.execute(
            f"SELECT MIN(date) FROM meeting_calendar WHERE committee = ? AND date > ? AND {follow_up.HELD}",
            [committee, after.isoformat()],
        ).fetchall()
        return dt.date.fromisoformat(rows[0][0]) if rows[0][0] else None

    def meetings_after(self, after: dt.date, committees: list[str] | None = None) -> list[dict]:
        """The meetings synced ModernGov sites list after `after` and have not cancelled, soonest first, with their
        site, committee and ids; those of `committees` only, when given."""
        wanted = f"AND committee IN ({', '.join('?' for _ in committees)})" if committees is not None else ""
        rows = self.db.execute_returning_dicts(
            "SELECT site, committee_id, meeting_id, committee, date FROM meeting_calendar "
            f"WHERE date > ? AND {follow_up.HELD} {wanted} ORDER BY date, committee",
            [after.isoformat(), *(committees or [])],
        )
        return [{**row, "date": dt.date.fromisoformat(row["date"])} for row in rows]
