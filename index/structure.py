"""Turn a format's blocks into the one Document model.

Every parser only extracts text and marks headings; this module is the single place
that knows how minutes are laid out: the title block with committee and date,
agenda items (numbered, or after ModernGov's "Agenda item" label), "Resolved"
decisions, speakers, and boilerplate that is not a passage.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from .document import Block, Document, Item, Paragraph

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
DATE_PATTERNS = [
    re.compile(
        rf"\b{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{MONTH_NAMES})\.?,?\s+(?P<year>(?:19|20)\d\d)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b{_WEEKDAY}(?P<month>{MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
    re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>(?:19|20)\d\d)\b"),
]

COMMITTEE_WORDS = re.compile(
    r"\b(Committee|Sub-Committee|Cabinet|Board|Panel|Forum|Commission|Executive|Partnership|Assembly)\b"
)
COUNCIL_WORD = re.compile(r"\bCouncil\b", re.IGNORECASE)
MINUTES_OF = re.compile(
    r"^(?:Draft\s+|Confirmed\s+)?Minutes\s+of\s+(?:the\s+)?(?:(?:\w+\s+)?meeting\s+of\s+(?:the\s+)?)?(?P<committee>.+?)"
    r"\s+(?:held|on|at|dated)\b",
    re.IGNORECASE,
)
HEADER_HINT = re.compile(
    r"^(?:Agenda\s+and\s+)?(?:Draft\s+|Printed\s+|Confirmed\s+)?Minutes\b|^Meeting\s*:|\bheld\s+(?:on|at)\b",
    re.IGNORECASE,
)
MEETING_LINE = re.compile(
    r"^Meeting:\s*(?P<meeting>.+?)(?:\s*\((?:Agenda\s+)?Item\s+(?P<number>[\w.]+)\))?$", re.IGNORECASE
)
NUMBERED_HEADING = re.compile(
    r"^(?:#{1,6}\s*)?(?:(?:Agenda\s+)?Item\s+|Minute\s+(?:No\.?\s*)?)?"
    r"(?P<number>\d{1,3}[a-z]?|[A-Z]{1,4}\s?\d{1,3}(?:/\d{2,4})*|\d{1,3}/\d{2,4})[.):]?\s+(?:[-–—]\s+)?"
    r"(?P<title>[A-Z0-9‘'\"(].*)$"
)
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+)$")
LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*[:\-–]?$")
DECISION_LABELS = {
    "resolved",
    "resolution",
    "resolutions",
    "agreed",
    "decision",
    "decisions",
    "it was resolved",
    "resolved that",
    "decision taken",
    "recommendation agreed",
}
SKIPPED_LABELS = {"agenda item", "minutes", "minute", "discussion", "notes", "present", "also present", "in attendance"}
BOILERPLATE_LABELS = {"supporting documents", "background papers", "attachments", "documents"}
PAGE_FURNITURE = re.compile(r"^(?:Page\s+\d+(?:\s+of\s+\d+)?|\d{1,3}|-\s*\d{1,3}\s*-)$", re.IGNORECASE)
PROCEDURAL_TITLE = re.compile(
    r"\bapologies\b"
    r"|\b(?:declarations?|disclosures?)\s+of\s+(?:[\w'’-]+\s+){0,3}interests?\b"
    r"|^(?:(?:approval|confirmation|signing)\s+of\s+(?:the\s+)?|to\s+(?:approve|confirm|sign)\s+(?:the\s+)?)?minutes"
    r"(?:\s+of\s+(?:the\s+)?(?:previous|last|meeting\s+held)\b.*|\s*[-–—:,]?\s*(?:(?:held\s+)?on\s+)?\d.*)?$"
    r"|\bdates?\s+(?:and\s+times?\s+)?of\s+(?:the\s+)?(?:next|future)\s+meetings?\b",
    re.IGNORECASE,
)

DECISION_START = re.compile(
    r"^(?:RESOLVED|Resolved|AGREED|DECISION|Decision)\b"
    r"|^(?:It\s+was|The\s+(?:Committee|Cabinet|Board|Panel|Sub-Committee|Council)|Cabinet|Members)\s+"
    r"(?:RESOLVED|resolved|AGREED|agreed|unanimously\s+(?:resolved|agreed))\b"
)
DECISION_CONTINUATION = re.compile(r"^(?:\(?[ivx]{1,4}\)|\(?[a-z]\)|\d{1,2}[.)]|That\b|that\b)")

_SPEECH_VERBS = (
    r"said|asked|queried|commented|confirmed|explained|noted|stated|reported|advised|added|replied|"
    r"informed|highlighted|welcomed|expressed|raised|suggested|undertook|requested|responded|"
    r"clarified|acknowledged|agreed|emphasised|emphasized|outlined|questioned|sought|proposed|seconded|"
    r"presented|introduced|thanked|praised|assured|indicated|felt|believed|accepted|remarked"
)
_PERSON = (
    r"(?:Councillors?|Cllrs?\.?|County\s+Councillor|Mr|Mrs|Ms|Miss|Dr|Professor|Prof\.?|Sir|Dame)\.?"
    r"\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
)
_ROLE = (
    r"[Tt]he\s+(?:(?:Deputy|Vice|Assistant|Acting|Interim|Corporate|Chief|Executive|Strategic|Senior|Lead|"
    r"Principal|Service|Programme|Project|Finance|Section\s+151)[\s-])*"
    r"(?:Chair(?:man|woman|person)?|Leader|Mayor|Clerk|Director|Manager|Officer|Executive|Head|Member|"
    r"Solicitor|Auditor|Treasurer|Portfolio\s+Holder|Cabinet\s+Member|Lead\s+Member)"
    r"(?:\s+(?:of|for)\s+[A-Z][\w'’&-]*(?:,?\s+(?:and\s+|&\s+)?[A-Z][\w'’-]*){0,5})?"
)
SPEAKER_ACTS = re.compile(
    rf"(?P<who>{_PERSON}|{_ROLE})(?:,[^,.]{{1,60}},)?\s+(?:also\s+|then\s+)?(?:{_SPEECH_VERBS})\b"
)
SPEAKER_ASKS = re.compile(
    rf"\b(?:question|questions|query|queries|comments?)\s+(?:from|by)\s+(?P<who>{_PERSON}|{_ROLE})"
)
SPEAKER_PREFIX = re.compile(r"^(?P<who>[A-Z][^:\n]{1,100}?):\s+\S")
NOT_SPEAKERS = {
    "present",
    "apologies",
    "apologies for absence",
    "also present",
    "in attendance",
    "officers",
    "note",
    "resolved",
    "agreed",
    "decision",
    "reason",
    "reasons",
    "action",
    "minutes",
    "meeting",
    "recommendation",
    "recommendations",
    "purpose",
    "date",
    "time",
    "venue",
    "members",
    "substitute members",
    "declarations of interest",
}


def find_date(text: str) -> dt.date | None:
    """The first calendar date written in `text`, in the forms UK minutes use."""
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            month = match.group("month")
            month_number = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
            try:
                return dt.date(int(match.group("year")), month_number, int(match.group("day")))
            except ValueError:
                continue
    return None


def _strip_dates(text: str) -> str:
    for pattern in DATE_PATTERNS:
        text = pattern.sub("", text)
    return text


def find_committee(text: str) -> str | None:
    """The committee a header line names: "Minutes of the X held on", "X – 12 March 2024", or a line naming a body."""
    found = _committee_in(text)
    return found[0] if found else None


def _committee_in(text: str) -> tuple[str, int] | None:
    """(committee, strength): 2 for a named committee, cabinet, board…; 1 for a line that only names a council."""
    text = " ".join(text.split())
    match = MINUTES_OF.search(text)
    if match and COMMITTEE_WORDS.search(match.group("committee")):
        return _tidy_committee(match.group("committee")), 2
    if len(text.split()) > 14 or text.endswith("."):
        return None
    strength = 2 if COMMITTEE_WORDS.search(text) else 1 if COUNCIL_WORD.search(text) else 0
    if not strength:
        return None
    for pattern in DATE_PATTERNS:
        date = pattern.search(text)
        if date:
            before, after = text[: date.start()], text[date.end() :]
            text = before if COMMITTEE_WORDS.search(before) or COUNCIL_WORD.search(before) else after
            break
    name = _tidy_committee(text)
    return (name, strength) if name else None


def _tidy_committee(name: str) -> str:
    name = name.replace("’", "'").replace("‘", "'")
    name = re.sub(r"^#+\s*", "", name)
    name = re.sub(r"^(?:Draft\s+|Confirmed\s+)?Minutes\s+(?:of\s+(?:the\s+)?)?", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s+(?:Minutes|Meeting)\s*$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^(?:the\s+)?meeting\s+of\s+(?:the\s+)?", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*(?:[-–—,:|]\s*|\bon\s*|\bheld\s*)*$", "", name.strip())
    name = re.sub(r"^\s*[-–—,:|]\s*", "", name)
    return " ".join(name.split())


def _stronger(current: tuple[str, int] | None, candidate: tuple[str, int] | None) -> tuple[str, int] | None:
    if candidate and (current is None or candidate[1] > current[1]):
        return candidate
    return current


def find_speakers(text: str) -> tuple[str, ...]:
    """Who speaks or asks in a paragraph, in order of appearance, as the minutes name them."""
    found: list[tuple[int, str]] = []
    prefix = SPEAKER_PREFIX.match(text)
    if prefix and len(prefix.group("who").split()) <= 12 and prefix.group("who").lower() not in NOT_SPEAKERS:
        found.append((0, prefix.group("who").strip()))
    for pattern in (SPEAKER_ACTS, SPEAKER_ASKS):
        for match in pattern.finditer(text):
            who = match.group("who")
            if who[:4] == "the ":
                who = "The " + who[4:]
            found.append((match.start("who"), who))
    speakers: list[str] = []
    for _, who in sorted(found):
        if who not in speakers:
            speakers.append(who)
    return tuple(speakers)


def is_procedural(title: str | None) -> bool:
    """Whether an agenda item's title names procedure: apologies, declarations of interest, approving the last
    minutes, the date of the next meeting. The one rule for every format."""
    return bool(title and PROCEDURAL_TITLE.search(" ".join(title.split()).rstrip(".:")))


def _label(text: str) -> str | None:
    match = LABEL.match(text.strip())
    return match.group("label").strip().lower() if match else None


def _numbered_heading(text: str) -> tuple[str, str] | None:
    line = text.strip()
    match = NUMBERED_HEADING.match(line)
    if not match:
        return None
    title = match.group("title").strip()
    if (
        len(title) > 150
        or len(title.split()) > 18
        or title[-1] in ".;,"
        or re.match(r"(?:That|that)\b", title)
        or re.match(r"\d", title)
        and not re.match(r"\d{4}\b", title)
    ):
        return None
    return match.group("number"), title


def _shouting_heading(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 12 and text.upper() == text and any(c.isalpha() for c in text) and text[-1] not in ".;,"


def looks_like_heading(text: str) -> bool:
    """Whether one line of plain text reads as a heading rather than a line of wrapped prose."""
    line = text.strip()
    words = len(line.split())
    return bool(
        _numbered_heading(line)
        or MARKDOWN_HEADING.match(line)
        or _shouting_heading(line)
        or (find_date(line) and (words <= 6 or find_committee(line)))
        or (re.match(r"(?:Draft\s+)?Minutes\b|Meeting\s*:", line) and words <= 25)
    )


def build_document(
    path: str,
    format: str,
    text: str,
    blocks: Iterable[Block],
    committee: str | None = None,
    date: dt.date | None = None,
) -> Document:
    """Read the layout of minutes from `blocks` of `text`; `committee` and `date` are fallbacks."""
    document = Document(path=path, format=format, text=text)
    found_committee: tuple[str, int] | None = None
    found_date: dt.date | None = None
    item: Item | None = None
    expecting_title = False
    in_boilerplate = False
    in_decision = False
    decision_from_label = False

    def start_item(number: str | None, title: str | None) -> Item:
        new = Item(number=number, title=title, procedural=is_procedural(title))
        document.items.append(new)
        return new

    for block in blocks:
        raw = text[block.start : block.end]
        line = " ".join(raw.split())
        if not line or PAGE_FURNITURE.match(line):
            continue
        label = _label(line)
        markdown = MARKDOWN_HEADING.match(line)
        heading_text = markdown.group("title").strip() if markdown else line
        is_heading = block.heading or bool(markdown)

        if label == "agenda item":
            expecting_title = True
            in_boilerplate = False
            continue
        if expecting_title:
            numbered = _numbered_heading(heading_text)
            number, title = numbered if numbered else (None, heading_text)
            item = start_item(number, title)
            expecting_title = in_decision = decision_from_label = False
            continue
        if label in BOILERPLATE_LABELS:
            in_boilerplate = True
            continue
        if label in DECISION_LABELS:
            in_decision = decision_from_label = True
            in_boilerplate = False
            continue
        if label in SKIPPED_LABELS:
            continue

        meeting = MEETING_LINE.match(line)
        if meeting and (find_date(line) or _committee_in(meeting.group("meeting"))):
            found_date = found_date or find_date(line)
            found_committee = _stronger(found_committee, _committee_in(meeting.group("meeting")))
            if item is not None and item.number is None:
                item.number = meeting.group("number")
            continue
        numbered = _numbered_heading(heading_text)
        if (
            not document.items
            and not numbered
            and len(line.split()) <= 30
            and (is_heading or HEADER_HINT.search(line) or line[-1] not in ".?!")
        ):
            header_committee = _committee_in(heading_text)
            header_date = find_date(line)
            if header_committee or header_date or HEADER_HINT.search(line):
                stronger = _stronger(found_committee, header_committee)
                if stronger is not found_committee or not document.title:
                    document.title = heading_text
                found_committee = stronger
                found_date = found_date or header_date
                continue
        if numbered or is_heading or _shouting_heading(line):
            number, title = numbered if numbered else (None, heading_text)
            item = start_item(number, title)
            in_boilerplate = in_decision = decision_from_label = False
            continue
        if in_boilerplate:
            continue

        if DECISION_START.match(line):
            in_decision = True
            decision_from_label = False
        elif in_decision and not decision_from_label and not DECISION_CONTINUATION.match(line):
            in_decision = False
        if item is None:
            item = start_item(None, None)
        start = block.start + (len(raw) - len(raw.lstrip()))
        end = block.end - (len(raw) - len(raw.rstrip()))
        item.paragraphs.append(
            Paragraph(start=start, end=end, kind="decision" if in_decision else "text", speakers=find_speakers(line))
        )

    document.items = [each for each in document.items if each.paragraphs]
    document.committee = found_committee[0] if found_committee else committee and _tidy_committee(committee)
    document.date = found_date or date
    return document
