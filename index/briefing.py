"""A briefing before a meeting: for each item of its agenda, what the committee decided and promised on the subject
before, and the passages of earlier minutes that say most about it, each quoted with its citation.

The agenda comes from a synced ModernGov site (GetMeeting of a meeting to come lists its items) or from an agenda
file read by the one parser. Procedural items (apologies, declarations, the last minutes, the next meeting's date)
and standing items that name no subject (public participation, the clerk's report, other matters) are left out.
Only meetings before the one briefed are searched, and only the committee's own when it is known.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .document import Document, item_label
from .embed import Embedder
from .filters import Filters
from .moderngov import Site, meeting_page
from .register import RegisterEntry, register_about
from .search import Passage, content_terms, search, term_coverage
from .store import Store
from .structure import is_procedural

BRIEF_DAYS = 7  # a briefing is posted this many days before the meeting, or fewer
PASSAGES_PER_ITEM = 3
ENTRIES_PER_ITEM = 3
# Search this many passages for an item, to find its passages from as many earlier items as are shown.
SEARCHED_PER_ITEM = 24
# A passage or register entry is about an agenda item when it (or its item's title) holds at least this share of
# the words of the item's subject.
SUBJECT_COVERAGE = 0.5
COMMITMENT_STATUSES = ("overdue", "open")
# Words agendas add to a subject ("Playground update", "Environmental matters"): a passage holding only them (an
# "Updates" item) is not about the subject.
AGENDA_FILLER = re.compile(
    r"\b(?:updates?|reports?|review|progress|matters|issues|items?|to\s+(?:note|receive|consider))\b", re.IGNORECASE
)
STANDING_ITEM = re.compile(
    r"^(?:public\s+(?:participation|questions?|forum|speaking)|questions?\s+from\s+(?:the\s+)?public|"
    r"(?:any\s+)?other\s+(?:matters|business)|a\.?o\.?b\.?|for\s+(?:the\s+)?next\s+agenda|items?\s+for\s+"
    r"(?:the\s+)?next\s+agenda|updates?|correspondence|clerk'?s?\s+report.*|chair(?:man)?'?s?\s+"
    r"(?:announcements|report)|announcements|welcome(?:\s+and\s+introductions)?|introductions)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AgendaEntry:
    """An item of the agenda to brief: its number and title as the agenda prints them."""

    number: str | None
    title: str

    @property
    def label(self) -> str:
        return item_label(self.number, self.title)


@dataclass(frozen=True)
class ItemBriefing:
    """What the committee's earlier meetings hold on one agenda item."""

    item: AgendaEntry
    decisions: list[RegisterEntry]
    commitments: list[RegisterEntry]
    passages: list[Passage]

    def to_json(self) -> dict:
        return {
            "number": self.item.number,
            "title": self.item.title,
            "decisions": [entry.to_json() for entry in self.decisions],
            "commitments": [entry.to_json() for entry in self.commitments],
            "passages": [passage.to_json() for passage in self.passages],
        }


@dataclass(frozen=True)
class Briefing:
    """A meeting's briefing: `source` is where its agenda came from (a meeting page or a file); `left_out` the
    procedural and standing items not briefed."""

    committee: str | None
    meeting: dt.date | None
    source: str
    items: list[ItemBriefing]
    left_out: list[AgendaEntry] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "committee": self.committee,
            "meeting": self.meeting.isoformat() if self.meeting else None,
            "source": self.source,
            "items": [item.to_json() for item in self.items],
            "left_out": [item.label for item in self.left_out],
        }


def substantive(item: AgendaEntry) -> bool:
    """Whether an agenda item has a subject worth a briefing: not procedure, not a standing item."""
    title = " ".join(item.title.split()).rstrip(".:")
    return not is_procedural(title) and not STANDING_ITEM.match(title)


def subject_of(title: str) -> str:
    """An agenda item's subject: its title without the words agendas add to one, unless they are all it has."""
    subject = " ".join(AGENDA_FILLER.sub(" ", title).split()).strip(" -–:,")
    return subject if content_terms(subject) else title


def agenda_of(document: Document) -> list[AgendaEntry]:
    """The titled items of an agenda read by the one parser, in order."""
    return [AgendaEntry(item.number, item.title) for item in document.items if item.title]


def brief(
    store: Store,
    embedder: Embedder,
    agenda: list[AgendaEntry],
    committee: str | None,
    meeting: dt.date | None,
    as_of: dt.date,
    source: str,
) -> Briefing:
    """Brief each substantive item of `agenda` from the committee's meetings before `meeting`."""
    earlier = Filters(committee=committee, before=meeting - dt.timedelta(days=1) if meeting else None)
    briefed, left_out = [], []
    for item in agenda:
        if substantive(item):
            briefed.append(brief_item(store, embedder, item, earlier, as_of))
        else:
            left_out.append(item)
    return Briefing(committee, meeting, source, briefed, left_out)


def brief_item(store: Store, embedder: Embedder, item: AgendaEntry, earlier: Filters, as_of: dt.date) -> ItemBriefing:
    """The register's entries about the item (decisions; open and overdue commitments) and the most relevant
    passage of each of the earlier agenda items that answer it best."""
    terms = content_terms(subject_of(item.title))
    entries = [
        entry
        for entry in register_about(store, embedder, item.title, as_of, earlier)
        if term_coverage(terms, f"{entry.item or ''}\n{entry.text}") >= SUBJECT_COVERAGE
    ]
    firm = [entry for entry in entries if entry.kind != "aspiration"]  # hopes are neither decisions nor promises
    decisions = [entry for entry in firm if entry.status not in COMMITMENT_STATUSES][:ENTRIES_PER_ITEM]
    commitments = [entry for entry in firm if entry.status in COMMITMENT_STATUSES][:ENTRIES_PER_ITEM]
    quoted = [entry.text for entry in decisions + commitments]
    answer = search(store, embedder, item.title, k=SEARCHED_PER_ITEM, filters=earlier)
    # the earlier items of the same subject by their titles first ("Playground Update" for "Playground update"), then
    # other items' passages that name it (the clerk's report, "Updates"); one passage of each item, the best that
    # says more than the entries quoted
    ranked = sorted(
        answer.passages if answer.answered else [],
        key=lambda passage: term_coverage(terms, passage.item or "") < SUBJECT_COVERAGE,
    )
    passages: dict[tuple, Passage] = {}
    for passage in ranked:
        about = term_coverage(terms, f"{passage.item or ''}\n{passage.text}") >= SUBJECT_COVERAGE
        if about and _adds_to(passage.text, quoted):
            passages.setdefault((passage.document, passage.date, passage.item_number, passage.item), passage)
    return ItemBriefing(item, decisions, commitments, list(passages.values())[:PASSAGES_PER_ITEM])


def _adds_to(text: str, quoted: list[str]) -> bool:
    """Whether a passage says more than the register entries already quoted: at least half of its words are not
    theirs (a decision's passage that is only its resolutions adds nothing)."""
    rest = text
    for entry in quoted:
        rest = rest.replace(entry, " ")
    return len(rest.split()) >= len(text.split()) / 2


@dataclass(frozen=True)
class MeetingToCome:
    """A meeting a synced ModernGov site lists after today: its agenda is there before its minutes."""

    site: str
    committee_id: str
    meeting_id: str
    committee: str
    date: dt.date

    @property
    def page(self) -> str:
        """The meeting's public page, where its agenda is."""
        return meeting_page(self.site, self.committee_id, self.meeting_id)


def meetings_to_come(store: Store, after: dt.date, committees: list[str] | None = None) -> list[MeetingToCome]:
    """The meetings synced ModernGov sites list after `after`, not cancelled, soonest first; only those of
    `committees` (named exactly as the index names them) when given."""
    return [MeetingToCome(**row) for row in store.calendar.meetings_after(after, committees)]


def agenda_to_come(meeting: MeetingToCome) -> list[AgendaEntry]:
    """The agenda a ModernGov site publishes for a meeting to come (GetMeeting); restricted items are left out."""
    items = Site(meeting.site).meeting(meeting.meeting_id).items
    return [AgendaEntry(item.number, item.title) for item in items if not item.restricted]
