"""What a search or a register reading is limited to, written once as SQL for every query that needs it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .dates import in_words


@dataclass(frozen=True)
class Filters:
    """Limits a search to a committee (any part of its name or its council's, any case), a date range (both ends
    included), and a document (any part of its path); to passages holding register entries; and to passages that
    entered the index after a generation (`added_after`, what a watch has not seen)."""

    committee: str | None = None
    after: dt.date | None = None
    before: dt.date | None = None
    document: str | None = None
    register: bool = False
    added_after: int | None = None

    def __bool__(self) -> bool:
        limits = (self.committee, self.after, self.before, self.document, self.register)
        return any(limits) or self.added_after is not None

    def describe(self) -> str:
        """The filters as a person would say them: committee “Cabinet” · on or after 1 January 2019."""
        parts = []
        if self.committee:
            parts.append(f"committee “{self.committee}”")
        if self.after:
            parts.append(f"on or after {in_words(self.after)}")
        if self.before:
            parts.append(f"on or before {in_words(self.before)}")
        if self.document:
            parts.append(f"document “{self.document}”")
        return " · ".join(parts)

    def to_record(self) -> dict:
        return {
            "committee": self.committee,
            "after": self.after.isoformat() if self.after else None,
            "before": self.before.isoformat() if self.before else None,
            "document": self.document,
        }

    @classmethod
    def from_record(cls, record: dict) -> Filters:
        dates = {key: dt.date.fromisoformat(record[key]) if record.get(key) else None for key in ("after", "before")}
        return cls(committee=record.get("committee"), document=record.get("document"), **dates)

    def merged(self, other: Filters) -> Filters:
        """These filters, with any that `other` sets taking their place."""
        return Filters(
            committee=other.committee or self.committee,
            after=other.after or self.after,
            before=other.before or self.before,
            document=other.document or self.document,
            register=other.register or self.register,
            added_after=self.added_after if other.added_after is None else other.added_after,
        )

    def sql(self) -> tuple[str, dict[str, str]]:
        """A WHERE clause over `meetings m`, `documents d` (and `chunks c` for `register` and `added_after`), and its
        parameters."""
        clauses, params = ["1 = 1"], {}
        if self.committee:
            clauses.append("(m.committee LIKE :committee ESCAPE '\\' OR m.council LIKE :committee ESCAPE '\\')")
            params["committee"] = f"%{like_escape(self.committee)}%"
        if self.after:
            clauses.append("m.date >= :after")
            params["after"] = self.after.isoformat()
        if self.before:
            clauses.append("m.date <= :before")
            params["before"] = self.before.isoformat()
        if self.document:
            clauses.append("d.path LIKE :document ESCAPE '\\'")
            params["document"] = f"%{like_escape(self.document)}%"
        if self.register:
            clauses.append(
                "EXISTS (SELECT 1 FROM register r WHERE r.document_id = c.document_id "
                "AND r.char_start < c.char_end AND r.char_end > c.char_start)"
            )
        if self.added_after is not None:
            clauses.append("c.first_generation > :added_after")
            params["added_after"] = self.added_after
        return " AND ".join(clauses), params


def like_escape(text: str) -> str:
    """`text` matched literally by LIKE … ESCAPE '\\': its % and _ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
