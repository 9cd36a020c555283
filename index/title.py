"""The title block of minutes: which council, which body met, and when, as the minutes state them.

Title blocks come in many shapes: the council's name, then the committee on its own line, then "MINUTES of a
meeting of the Cabinet held in the Council Chamber, Sessions House, Maidstone on Thursday, 30 January 2025.";
"MINUTES OF THE SOULDERN PARISH COUNCIL MEETING / HELD IN THE VILLAGE HALL / ON 10th April 2024"; "Minutes of the
Ordinary Meeting held on …"; "At a Meeting of Cabinet held in …"; "Cabinet – 12 March 2024". The body that met is
the committee; when the whole council meets, the committee is the council itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .dates import WEEKDAYS, meeting_date
from .document import Meeting

COMMITTEE_WORDS = re.compile(
    r"\b(Committee|Sub-Committee|Subcommittee|Cabinet|Board|Panel|Forum|Commission|Executive|Partnership|Assembly|"
    r"Scrutiny|Working\s+Group|Task\s+Group)\b",
    re.IGNORECASE,
)
COUNCIL_KINDS = r"(?:(?:County|District|Borough|City|Parish|Town|Community|Village|Metropolitan\s+Borough|Unitary)\s+)?"
COUNCIL_END = re.compile(rf"\b{COUNCIL_KINDS}Council\b", re.IGNORECASE)
NAME_STOPS = {
    "minutes", "minute", "of", "the", "meeting", "a", "an", "held", "at", "for", "draft", "notes", "annual", "ordinary",
    "extraordinary", "extra-ordinary", "special", "full", "chair", "chairman", "clerk", "to", "by", "from", "and",
    "with", "on", "in", "our", "this", "that", "said", "agreed", "contact", "emergency", "regular", "adjourned",
}  # fmt: skip
NAME_JOINERS = {"&", "and", "with", "upon", "on", "under", "in", "le", "next", "the", "-"}
MEETING_KINDS = {
    "ordinary", "extraordinary", "extra-ordinary", "annual", "special", "monthly", "full", "general", "additional",
    "reconvened", "emergency", "virtual", "remote", "regular", "statutory", "council", "parish", "town", "the",
}  # fmt: skip
BODY_OF = re.compile(
    r"\b(?:minutes|notes|at)\s+(?:of\s+|for\s+)?(?:an?\s+|the\s+)?(?:(?P<kind>[\w-]+(?:\s+[\w-]+)?)\s+)?meeting\s+of\s+"
    r"(?:the\s+)?(?P<body>.+?)(?=\s*[,.(;]|\s+\d|\s+(?:held|on|at|in|via|which|commencing|dated|convened|taking|"
    rf"starting|{WEEKDAYS})\b|\s*$)",
    re.IGNORECASE,
)
X_MEETING = re.compile(r"\b(?:minutes|notes)\s+(?:of|for)\s+(?:an?\s+|the\s+)?(?P<body>.+?)\s+meeting\b", re.IGNORECASE)
MINUTES_OF_BODY = re.compile(
    r"\b(?:minutes|notes)\s+of\s+(?:the\s+)?(?P<body>[^,.]+?)\s+(?:held|on|at|dated)\b", re.IGNORECASE
)
HEADER_HINT = re.compile(
    r"^(?:[\W\d]*\s*)?(?:(?:Agenda\s+and\s+)?(?:Draft\s+|Printed\s+|Confirmed\s+|Unapproved\s+|Approved\s+)?"
    r"(?:Minutes|Notes)\b|At\s+an?\s+(?:[\w-]+\s+)?meeting\b|Meeting\s*:)|\bheld\s+(?:on|at|in|via|remotely)\b",
    re.IGNORECASE,
)
MINUTES_LINE = re.compile(r"^(?:(?:draft|printed|confirmed|unapproved|approved)\s+)?(?:minutes|notes)\b", re.IGNORECASE)
KIND_LINE = re.compile(
    r"^(?:the\s+)?(?:annual|extra-?ordinary|ordinary|special|full|planning|general|monthly|regular)"
    r"(?:\s+(?:parish|town|general))?(?:\s+council)?\s+meeting(?:$|\s+(?!of\b)(?=.*\d))",
    re.IGNORECASE,
)
KIND_IN_NAME = re.compile(
    r"\b(?:regular|special|ordinary|extra-?ordinary|adjourned|reconvened|rescheduled)\s+(?=(?:[\w-]+\s+)?"
    r"(?:Board|Council|Committee|Commission)\b)",
    re.IGNORECASE,
)
MUNICIPALITY = re.compile(  # "City of Alameda", "Town of Crete", "City of Des Moines": one name, two after a particle
    r"(?:City|Town|Township|Village|County|Borough|Municipality)\s+of\s+(?:(?:Des|Los|Las|San|Santa|St\.?|Saint|New|"
    r"Fort|Port|Lake|Grand|Great|Little|North|South|East|West|Upper|Lower|Mount|El|La|Le)\s+)?[A-Z][\w'’.-]*"
)
ELECTORS_LINE = re.compile(r"\bannual\s+(?:parish|town|village|community)\s+meeting$", re.IGNORECASE)
ELECTORS_MEETING = re.compile(r"^(?:annual\s+)?(?:parish|town|village|community)$", re.IGNORECASE)
GENERIC_COUNCIL = re.compile(r"\b(?:Parish|Town|Community|City|District|Borough|County)\s+Council\b", re.IGNORECASE)
MEETING_LINE = re.compile(
    r"^Meeting:\s*(?P<meeting>.+?)(?:\s*\((?:Agenda\s+)?Item\s+(?P<number>[\w.]+)\))?$", re.IGNORECASE
)
APPROVAL = re.compile(
    r"^the\s+minutes\b|\b(?:were|was|be)\s+(?:agreed|approved|confirmed|signed|accepted|adopted)\b", re.IGNORECASE
)
FIELD_LINE = re.compile(r"^(?:date|time|place|venue|location|meeting)\s*:", re.IGNORECASE)
ATTENDANCE = re.compile(
    r"^(?:present|members\s+present|councillors\s+present|attendees|attendance|in\s+attendance|also\s+present|"
    r"apologies|officers|voting\s+members|cabinet\s+members|members|chair(?:man)?\s*:|councillors?\s*:)\b",
    re.IGNORECASE,
)
SMALL_WORDS = {"of", "and", "the", "for", "to", "in", "on", "at", "with", "upon", "a", "an", "by", "or", "&"}


@dataclass
class TitleReading:
    """What a title block says: council, committee, date, and its main line (the document's title)."""

    council: str | None = None
    committee: str | None = None
    date: dt.date | None = None
    title: str | None = None
    whole_council: bool = False
    kind_of_council: str | None = None


def title_case(name: str) -> str:
    """A name written in capitals as it would be written in a sentence: "CORPORATE PARENTING PANEL" becomes
    "Corporate Parenting Panel"; names already in mixed case are kept."""
    name = " ".join(name.replace("’", "'").replace("‘", "'").split())
    if any(char.islower() for char in name):
        return name
    words = []
    for position, word in enumerate(name.split()):
        lower = word.lower()
        words.append(
            lower if position and lower in SMALL_WORDS else "-".join(part.capitalize() for part in lower.split("-"))
        )
    return " ".join(words).replace("'S ", "'s ")


def council_names(text: str) -> list[str]:
    """Councils named in `text` ("Kent County Council", "Souldern Parish Council"), in order; "the Council" alone
    names none."""
    found = []
    for match in COUNCIL_END.finditer(text):
        if not match.group().split()[-1][0].isupper():
            continue
        tokens = re.findall(r"[\w'’&.-]+", text[: match.start()])[-6:]
        words: list[str] = []
        for token in reversed(tokens):
            lower = token.lower()
            if token[0].isupper() and lower not in NAME_STOPS:
                words.insert(0, token)
            elif lower in NAME_JOINERS and words:
                words.insert(0, token)
            else:
                break
        while words and words[0].lower() in NAME_JOINERS:
            words.pop(0)
        if words:
            found.append(title_case(" ".join([*words, *match.group().split()])))
    return found


def _council_of(name: str) -> str | None:
    found = council_names(name)
    return found[0] if found else None


def _generic(body: str) -> bool:
    """A body that is the whole council under another name: "Parish Council", "Full Council", "Ordinary"."""
    words = [word.lower() for word in re.findall(r"[\w-]+", body)]
    return bool(words) and all(word in MEETING_KINDS for word in words)


def _tidy(body: str) -> str:
    body = re.sub(r"^(?:the\s+)?", "", body.strip(" -–—,:|"), flags=re.IGNORECASE)
    body = re.sub(r"\s+(?:meeting|minutes)$", "", body, flags=re.IGNORECASE)
    return title_case(_without_meeting_kind(body).strip(" -–—,:|"))


def _without_meeting_kind(name: str) -> str:
    """A body's name without the kind of meeting it held, which is no part of the name: "Crete Township Special
    Board of Trustees (usafest)" is the Crete Township Board of Trustees, "Regular City Council" the City Council."""
    name = KIND_IN_NAME.sub("", name)
    return re.sub(r"\s*\([^)]*\)$", "", name).strip()


def _body_in(text: str) -> tuple[str, bool] | None:
    """(the body a title sentence names, whether it is the whole council)."""
    for pattern in (BODY_OF, X_MEETING, MINUTES_OF_BODY):
        match = pattern.search(text)
        if match:
            body = _tidy(match.group("body"))
            kind = (match.groupdict().get("kind") or "").lower()
            if pattern is MINUTES_OF_BODY and not COMMITTEE_WORDS.search(body) and not COUNCIL_END.search(body):
                continue
            if not body or re.search(r"\d|\bheld\b|\bresolved\b", body, re.IGNORECASE):
                continue
            if pattern is X_MEETING and ELECTORS_MEETING.match(body):  # the electors' meeting, not the council's
                return f"{body} Meeting", False
            if _generic(body):
                return body, True
            if COUNCIL_END.search(body) and COUNCIL_END.search(body).end() == len(body):
                return body, not COMMITTEE_WORDS.search(body) or "annual" in kind
            if pattern is X_MEETING and not COMMITTEE_WORDS.search(body):
                return f"{body} Meeting", False
            return body, False
    return None


def _of_council(body: str) -> tuple[str, str | None]:
    """ "Finance Committee of Melksham Without Parish Council" is the Finance Committee, of that council; "Civil
    Service Board of the City of Alameda" and "City of Alameda Historical Advisory Board" are that city's board."""
    match = re.match(
        rf"^(?P<body>.+?\b{COMMITTEE_WORDS.pattern})\s+of\s+(?:the\s+)?(?P<council>.+)$", body, re.IGNORECASE
    )
    if match and COUNCIL_END.search(match.group("council")):
        return match.group("body"), _council_of(match.group("council"))
    if match and MUNICIPALITY.fullmatch(match.group("council")):
        return match.group("body"), match.group("council")
    leading = MUNICIPALITY.match(body)
    if leading and COMMITTEE_WORDS.search(body[leading.end() :]):
        return body[leading.end() :].strip(), leading.group()
    return body, _council_of(body)


def named_body_line(line: str) -> str | None:
    """A short line naming a body: "CABINET", "Audit Committee - 10 February 2026", "Cabinet – 12 March 2024",
    "CRETE ANNUAL TOWN MEETING" (the electors' meeting)."""
    electors = ELECTORS_LINE.search(line)
    if electors and len(line.split()) <= 6:
        return title_case(electors.group())
    if len(line.split()) > 12 or line.endswith(".") or not COMMITTEE_WORDS.search(line):
        return None
    parts = re.split(r"\s+[-–—|,]\s+|\s+(?=\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4})", line)
    name = next((part for part in parts if COMMITTEE_WORDS.search(part)), parts[0])
    name = re.sub(
        r"^(?:#+\s*)?(?:(?:draft|printed|confirmed)\s+)?minutes\s*(?:of\s+(?:the\s+)?)?[-–—:]?\s*", "", name, flags=re.I
    )
    name = re.sub(r"^(?:the\s+)?\d{1,3}(?:st|nd|rd|th)\s+meeting\s+of\s+(?:the\s+)?", "", name, flags=re.I)
    name = re.sub(rf"\s+(?:{WEEKDAYS})$", "", name, flags=re.I)
    name = _without_meeting_kind(re.sub(r"\s*(?:minutes|meeting)$", "", name, flags=re.I))
    return title_case(name) if COMMITTEE_WORDS.search(name) and len(name.split()) <= 10 else None


def _meeting_part(line: str) -> str:
    """What ModernGov's "Meeting: 10/10/2023 - Cabinet (Item 6)" line says of the meeting: "10/10/2023 - Cabinet"."""
    match = MEETING_LINE.match(line)
    return match.group("meeting") if match else line


def is_title_line(line: str) -> bool:
    """Whether a line of the preamble belongs to a title block (not a sentence approving earlier minutes)."""
    if APPROVAL.search(line):
        return False
    words = len(line.split())
    return bool(
        HEADER_HINT.search(line)
        and words <= 40
        or words <= 12
        and re.search(r"\bminutes\b", line, re.IGNORECASE)
        or KIND_LINE.match(line)
        or FIELD_LINE.match(line)
        or named_body_line(line)
        or words <= 8
        and COUNCIL_END.search(line)
        and council_names(line)
        or words <= 8
        and meeting_date(line)
    )


def read_title(lines: list[str]) -> TitleReading:
    """Council, committee, date and title from the lines of one title block."""
    reading = TitleReading()
    joined = " ".join(lines)
    reading.date = meeting_date(joined)
    body = _body_in(joined)
    named_lines = [name for name in map(named_body_line, map(_meeting_part, lines)) if name]
    council_lines = [line for line in lines if len(line.split()) <= 8 and not HEADER_HINT.search(line)]
    reading.council = next((name for line in council_lines for name in council_names(line)), None)
    if named_lines and (body is None or body[1] or not COMMITTEE_WORDS.search(body[0])):
        reading.committee, council = _of_council(named_lines[0])
        reading.council = reading.council or council
    elif body is not None and not body[1]:
        reading.committee, council = _of_council(body[0])
        reading.council = reading.council or council
    elif body is not None or any(KIND_LINE.match(line) for line in lines):
        reading.whole_council = True
        generic = body[0] if body else ""
        reading.council = reading.council or _council_of(generic)
    reading.title = next((line for line in lines if HEADER_HINT.search(line)), lines[0] if lines else None)
    if reading.committee is None and not reading.whole_council:
        reading.whole_council = any(MINUTES_LINE.match(line) for line in lines)
    kind = GENERIC_COUNCIL.search(joined)
    reading.kind_of_council = title_case(kind.group()) if kind else None
    return reading


def meeting_from(reading: TitleReading, fallback_council: str | None) -> Meeting:
    council = reading.council or fallback_council
    committee = reading.committee or (council or reading.kind_of_council if reading.whole_council else None)
    return Meeting(
        council=council,
        committee=committee,
        date=reading.date,
        date_source="text" if reading.date else None,
        committee_from_text=bool(committee),
    )
