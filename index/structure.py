"""Turn a format's blocks into the one Document model.

Every parser only extracts text and marks lines (headings, larger type, where a paragraph continues); this module
is the single place that knows how minutes are laid out, the same way for every format:

- the title block (council, committee, date: `index.title`), and a second one where a file holds two meetings;
- agenda items: numbered as ModernGov prints them ("84.  Apologies" then "(Item 1)"; the number alone on a line;
  numbers that continue across meetings; titles over two lines), as parishes number them ("04.24.03 Title",
  "128/20 Title" inline in a long paragraph, "Item 5:"), or headings without numbers ("Other matters"); numbered
  and lettered paragraphs inside a minute stay paragraphs;
- paragraphs, "Resolved" decisions and who spoke; page furniture and boilerplate are never items or passages.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .dates import (
    MONTH_NAMES,
    date_in_file_name,
    date_in_front_matter,
    date_without_year,
    dates_in,
    find_date,
    meeting_date,
)
from .document import Block, Document, Extracted, Item, Meeting, Paragraph
from .title import (
    ATTENDANCE,
    HEADER_HINT,
    MEETING_LINE,
    TitleReading,
    council_names,
    is_title_line,
    meeting_from,
    named_body_line,
    read_title,
    title_case,
)

PAGE_FURNITURE = re.compile(
    r"^(?:Page\s*\|?\s*\d+(?:\s+of\s+\d+)?|\d{1,3}\s*\|\s*P\s?a\s?g\s?e|P\s?a\s?g\s?e\s*\|\s*\d+|\d{1,3}|[-–]\s*\d{1,3}\s*[-–])$",
    re.IGNORECASE,
)
LOOSE_FURNITURE = re.compile(
    r"^(?:D\s?R\s?A\s?F\s?T|Chairman'?s\s+initials\b.*|.*[.…_]{8,}.*|(?:\S\s){6,}\S)$", re.IGNORECASE
)
BANNER = re.compile(
    r"^(?:PART\s+(?:1|2|I|II|ONE|TWO|A|B)\b.*|(?:UN)?RESTRICTED\s+ITEMS?|EXEMPT\s+ITEMS?|OPEN\s+SESSION|"
    r"(?:COUNCILLOR|MR|MRS|MS)\s+[A-Z .'-]+\s+IN\s+THE\s+CHAIR)$"
)
AGENDA_REFERENCE = re.compile(r"^\(?\s*(?:Agenda\s+)?Item\.?\s*(?:No\.?\s*)?\d{1,3}[a-z]?\s*\)?\.?$", re.IGNORECASE)
SIGNATURE = re.compile(
    r"^(?:Signed\b.*?)?\b(?:Chair|Chairman|Chairperson|Mayor),?\s+(?P<council>.*Council)$", re.IGNORECASE
)
EMPHASIS = re.compile(r"\*\*|__|^#{1,6}\s*|^>\s*(?:\[![\w-]+\][-+]?\s*)?")  # "> [!abstract]- Present:", a call-out
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")

STRONG_NUMBER = re.compile(
    r"^(?P<number>\d{1,3}\s?\.{1,2}\s?\d{1,2}\.\d{1,3}"  # parish MM.YY.NN: 04.24.03 (and its typos 11..23.05)
    r"|\d{3,5}/\d{1,2}/(?:\d{4}|\d{2})"  # running minute number / month / year: 1430/12/2019
    r"|(?:[A-Z]{1,4}\s?)?\d{1,5}[a-z]?\s?/\s?(?:\d{4}|\d{2})(?:-\d{1,2})?"  # 128/20, CB 08/115, 41a/19, 2024/05-1
    r")(?![\d/(])\.?(?=\s|$)"
)
WORD_NUMBER = re.compile(
    r"^(?:(?:Agenda\s+)?Item|Minute)\s+(?:No\.?\s*)?(?P<number>(?=[\w./-]*\d)[\dA-Z][\w./-]{0,11}?)\s*[.:)–-]?(?=\s|$)",
    re.IGNORECASE,
)
PLAIN_NUMBER = re.compile(r"^(?P<number>\d{1,5}[a-z]?)(?:\.(?!\d)|:|(?=\s))(?=\s|$)")
INLINE_ITEM = re.compile(
    r"(?:^|(?<=[.!?:;”\"')]\s)|(?<=\s{2}))(?=(?:\d{1,2}\.\d{1,2}\.\d{1,3}|\d{3,5}/\d{1,2}/(?:\d{4}|\d{2})|"
    r"\d{1,5}[a-z]?/(?:\d{4}|\d{2}))(?![\d/(])\.?\s+[A-Z])"
)
INLINE_RESOLVED = re.compile(r"(?<=\s)(?=RESOLVED\b)|(?<=[.!?]\s)(?=(?:Present|PRESENT|In\s+attendance|Apologies)\s*:)")
TITLE_END = re.compile(
    r"\s*(?:\s[-–—]\s|(?<=[a-z])[-–—]\s(?=[A-Z])|:\s|\.\s(?=[A-Z])|\s{3,}|\t|\s\|\s)|\s*(?:\s[-–—]|:|\.)$"
)
SENTENCE_STARTERS = re.compile(
    r"\s(?=(?:The|It|There|This|These|Members|Councillors?|Cllrs?|Mr|Mrs|Ms|Dr|Apologies|RESOLVED|Resolved|No|All|"
    r"Following|Having|Further|An?)\s)"
)
CAPITALS_THEN_SENTENCE = re.compile(  # "CO-OPTION Two residents had applied …": a title in capitals, then its minute
    r"^(?P<title>[A-Z][A-Z0-9&'’/,-]*(?:\s+[A-Z0-9&'’/,()-]+)*?)\s"
    r"(?=(?:The|It|There|This|These|Members|Councillors?|Cllrs?|Mr|Mrs|Ms|Dr|No|All|An?)\s|[A-Z][a-z]+\s+[a-z])"
)
PLANNING_REFERENCE = re.compile(r"\s(?=\d{2}/\d{4,5}/[A-Z]{1,5}\b)")
ACTION_ROW = re.compile(r"^[A-Z]{2,3}(?:/[A-Z]{2,3})?\s+(?:to|will|would|has|had|is|was)\b")
ACTION_CODE = re.compile(rf"^(?:{MONTH_NAMES})\s?\d{{2}}(?:\.\d{{1,2}})?\b", re.IGNORECASE)
SPEECH_IN_TITLE = re.compile(
    r"\b(?:said|reported|provided|asked|explained|informed|advised|presented|introduced|confirmed|stated|thanked|"
    r"moved|seconded|noted|received|considered|welcomed|updated)\b"
)
NOT_A_TITLE = re.compile(rf"^(?:{MONTH_NAMES})\b\.?(?:\s+\d|$)|£\s?\d|@", re.IGNORECASE)
FINITE_VERB = re.compile(r"\b(?:was|were|had|has|have|will|would|is|are)\b", re.IGNORECASE)
DOTTED = re.compile(r"^\d{1,3}\.{1,2}\d{1,2}\.\d{1,3}$")
CONNECTOR_END = re.compile(r"(?:\b(?:of|and|for|the|to|in|on|with|by|at|from|or|a|an)|[,&–—-])$", re.IGNORECASE)
LIST_START = re.compile(r"^(?:[•●▪◦·*–-]\s|\(?[ivx]{1,5}\)\s|\(?[a-z]\)\s|[a-z]\.\s|\(\d{1,2}\)\s|\d{1,2}\)\s)")
SECTION_HEADING = re.compile(
    r"^(?:other\s+matters|any\s+other\s+business|a\.?o\.?b\.?|matters\s+arising|correspondence|"
    r"dates?\s+(?:and\s+times?\s+)?of\s+(?:the\s+)?next\s+meetings?|next\s+meetings?|(?:items\s+)?for\s+(?:the\s+)?next\s+agenda|"
    r"action\s+list(?:\s+summary)?|summary\s+of\s+actions|public\s+(?:participation|forum|question\s+time|questions)|"
    r"open\s+forum|chair(?:man)?'?s\s+(?:announcements|report)|clerk'?s\s+report|urgent\s+business|"
    r"exclusion\s+of\s+(?:the\s+)?(?:press\s+and\s+)?public|closure(?:\s+of\s+(?:the\s+)?meeting)?|addendum|appendix)"
    r"(?=\s*(?:[:–—-]|$))",
    re.IGNORECASE,
)
NEW_MEETING = re.compile(
    r"^(?:(?:draft|unapproved|confirmed)\s+)?(?:minutes|notes)\s+of\s+(?:the|an?)\s+(?:[\w'’&-]+\s+){0,6}?meeting\b"
    r"|^at\s+an?\s+(?:[\w-]+\s+)?meeting\s+of\b",
    re.IGNORECASE,
)
FIRST_ITEM = re.compile(r"^(?:item\s+)?0?1(?:\.|:|\)|\s)\s*[A-Za-z]", re.IGNORECASE)  # "1. Fire Station"
LATER_AGENDA_LINE = re.compile(r"^(?:Agenda\s+)?Item\s+\d{1,3}[A-Za-z]?$", re.IGNORECASE)
CONFIRMATION = re.compile(  # "Minutes of the meeting held on 30 July 2024 (Item 3) RESOLVED that the minutes …"
    r"^(?:(?:draft|unapproved|confirmed)\s+)?minutes\s+of\s+the\s+(?:previous\s+|last\s+)?meeting\s+(?:held\s+)?on\b"
    r"|\bRESOLVED\b|\(\s*(?:Agenda\s+)?Item\s+\w+\s*\)|\b(?:true|correct|accurate)\s+record\b"
    r"|\b(?:were|was|be|being)\s+(?:agreed|approved|confirmed|signed|accepted|adopted)\b",
    re.IGNORECASE,
)
LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*[:\-–]?$")
DECISION_LABELS = {
    "resolved", "resolution", "resolutions", "agreed", "decision", "decisions", "it was resolved", "resolved that",
    "decision taken", "decision made", "recommendation agreed", "recommended", "resolved to recommend",
}  # fmt: skip
SKIPPED_LABELS = {"agenda item", "minutes", "minute", "discussion", "notes", "present", "also present", "in attendance"}
BOILERPLATE_LABELS = {"supporting documents", "background papers", "attachments", "documents", "additional documents"}
KNOWN_LABELS = DECISION_LABELS | SKIPPED_LABELS | BOILERPLATE_LABELS
# A title block starts within the first lines; a council named further down is one the minutes talk about.
TITLE_BLOCK_REACH = 15
TITLE_LINE_WORDS = 40  # longer, a line is a paragraph of the minutes (or a speech), not part of a title block
TITLE_RUN_IN_WORDS = 12  # the words that open a paragraph and can be a title run into it
RUN_IN_TITLE = re.compile(r"\b(?:minutes|meeting)\b", re.IGNORECASE)
PROCEDURAL_TITLE = re.compile(
    r"\bapologies\b"
    r"|\b(?:declarations?|disclosures?)\s+of\s+(?:[\w'’-]+\s+){0,3}interests?\b"
    r"|^(?:(?:approval|confirmation|signing|adoption)\s+of\s+(?:the\s+)?|to\s+(?:approve|confirm|sign|receive|agree|"
    r"accept|adopt)\s+(?:the\s+)?)?minutes"
    r"(?:\s+of\s+(?:the\s+)?(?:previous|last|meeting\s+held)\b.*|\s*[-–—:,]?\s*(?:(?:held\s+)?on\s+)?\d.*)?$"
    r"|\bdates?\s+(?:and\s+times?\s+)?of\s+(?:the\s+)?(?:next|future)\s+meetings?\b"
    r"|^(?:action\s+list\s+summary|summary\s+of\s+actions)$",
    re.IGNORECASE,
)
DECISION_START = re.compile(
    r"^(?:\(\w{1,4}\)\s*|\d{1,2}\.\s+)?(?:It\s+was\s+)?(?:RESOLVED|Resolved|resolved|AGREED|DECISION|Decision|DECIDED|"
    r"RECOMMENDED)\b"
    r"|^(?:The\s+)?(?:Committee|Cabinet|Board|Panel|Sub-Committee|Council|PC|Parish\s+Council|Town\s+Council|Members)"
    r"\s+(?:unanimously\s+)?(?:RESOLVED|resolved|AGREED|agreed)\b"
)
DECISION_CONTINUATION = re.compile(r"^(?:\(?[ivx]{1,4}\)|\(?[a-z]\)|\d{1,2}[.)]|[•●▪·*–-]\s|That\b|that\b)")

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
    "present", "apologies", "apologies for absence", "also present", "in attendance", "officers", "note", "resolved",
    "agreed", "decision", "reason", "reasons", "action", "minutes", "meeting", "recommendation", "recommendations",
    "purpose", "date", "time", "venue", "members", "substitute members", "declarations of interest",
}  # fmt: skip
MAX_TITLE_WORDS = 12
MAX_STYLED_TITLE_WORDS = 25
MAX_TITLE_LINES = 3
STANDING_ITEM_WORDS = 3
MAX_TITLE_CHARACTERS = 300
INLINE_SPLIT_WORDS = 40
SENTENCE_TITLE_WORDS = 5


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", ":", ";", ".)", ".”", '."'))


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


@dataclass
class Line:
    """One line of the document: where it stands in the text, and its words as they are matched (emphasis marks
    and runs of spaces taken out)."""

    start: int
    end: int
    text: str
    heading: bool = False
    prominent: bool = False
    continues: bool = False
    ocr: bool = False


@dataclass
class Heading:
    """An agenda item's heading found on a line: its number and title, and where the text after the title starts
    (a title and its minute can share a line: "08.23.06 Playground Update – AS had circulated …")."""

    number: str | None
    title: str
    body_start: int | None = None
    title_lines: int = 1
    strong: bool = False
    weight: float = 0.0
    ordinal: int = 0


def _plain(text: str) -> str:
    """A line's words as they are matched: Markdown emphasis and escapes ("1\\. Apologies") and HTML entities
    ("1.&nbsp;&nbsp;Consent") that web posts carry taken out."""
    text = MARKDOWN_ESCAPE.sub(r"\1", html.unescape(EMPHASIS.sub("", text)))
    return " ".join(text.removesuffix("\\").split())


def _lines(text: str, blocks: Iterable[Block]) -> list[Line]:
    """Every line of every block, page furniture and empty lines left out; long lines holding several inline
    items or a RESOLVED are cut where those begin."""
    lines: list[Line] = []
    for block in blocks:
        first = True
        for match in re.finditer(r"[^\n]+", text[block.start : block.end]):
            start = block.start + match.start() + len(match.group()) - len(match.group().lstrip())
            end = block.start + match.end() - (len(match.group()) - len(match.group().rstrip()))
            plain = _plain(text[start:end])
            if not plain or PAGE_FURNITURE.match(plain) or LOOSE_FURNITURE.match(plain) or BANNER.match(plain):
                continue
            line = Line(start, end, plain, block.heading, block.prominent, block.continues or not first, block.ocr)
            lines.extend(_split_inline(text, line))
            first = False
    return lines


def _split_inline(text: str, line: Line) -> list[Line]:
    """A long line (a whole meeting pasted as one paragraph) cut before each inline item number ("128/20 Title")
    and each RESOLVED."""
    if len(line.text.split()) < INLINE_SPLIT_WORDS:
        return [line]
    raw = text[line.start : line.end]
    items = [match.start() for match in INLINE_ITEM.finditer(raw) if match.start()]
    cuts = sorted({*(items if len(items) >= 2 else []), *(match.start() for match in INLINE_RESOLVED.finditer(raw))})
    if not cuts:
        return [line]
    pieces = []
    for begin, finish in zip([0, *cuts], [*cuts, len(raw)], strict=True):
        piece = raw[begin:finish]
        start = line.start + begin + len(piece) - len(piece.lstrip())
        end = line.start + finish - (len(piece) - len(piece.rstrip()))
        if end > start:
            continues = line.continues if begin == 0 else False
            pieces.append(Line(start, end, _plain(text[start:end]), line.heading, line.prominent, continues, line.ocr))
    return pieces


def _label(text: str) -> str | None:
    match = LABEL.match(text.strip())
    return match.group("label").strip().lower() if match else None


def _joins_title(separator: re.Match, rest: str) -> bool:
    """A dash before a few words that end the line joins two parts of one title ("Environmental issues - tree
    planting"); before a sentence it starts the minute ("Playground Update – AS had circulated …")."""
    after = rest[separator.end() :].strip()
    dash = separator.group().strip()[:1] in "-–—"
    return dash and 0 < len(after.split()) < 5 and not ends_sentence(after)


def _title_and_body(rest: str) -> tuple[str, int | None, bool] | None:
    """(title, where the text after it starts, whether the title ended with a colon) for what follows an item's
    number; None when it does not read as a title."""
    match = next((found for found in TITLE_END.finditer(rest) if not _joins_title(found, rest)), None)
    title, body_at = (rest[: match.start()], match.end()) if match else (rest, None)
    if len(title.split()) > MAX_TITLE_WORDS:
        starter = SENTENCE_STARTERS.search(title)
        if starter is not None:
            title, body_at = title[: starter.start()], starter.end()
        elif len(title.split()) > MAX_STYLED_TITLE_WORDS:
            return None
    capitals = CAPITALS_THEN_SENTENCE.match(title)
    if capitals:
        title, body_at = capitals.group("title"), capitals.end("title") + 1
    reference = PLANNING_REFERENCE.search(title)
    if reference and reference.start() > 0:
        title, body_at = title[: reference.start()], reference.end()
    title = title.strip(" .*_")
    colon = bool(match and match.group().strip().startswith(":"))
    if body_at is not None and body_at >= len(rest.rstrip()):
        body_at = None
    if not title or not re.match(r"[A-Z0-9‘'\"“(]", title) or not re.search(r"[A-Za-z]{3}", title):
        return None
    if re.match(r"\(\s*(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*\)", title) or re.match(r"(?:That|that)\b", title):
        return None
    if ACTION_CODE.match(title) or ACTION_ROW.match(title) or NOT_A_TITLE.search(title):
        return None
    return title, body_at, colon


def _numbered(line: Line, text: str) -> Heading | None:
    """The item heading a line starts with, if any: its number, title, and how strong a sign of an item it is."""
    content = line.text
    if next(dates_in(content[:30]), (None,))[0] == 0:
        return None
    for pattern, strong in ((STRONG_NUMBER, True), (WORD_NUMBER, True), (PLAIN_NUMBER, False)):
        match = pattern.match(content)
        if not match:
            continue
        number = re.sub(r"\s+", "", match.group("number")).rstrip(".")
        if strong and re.fullmatch(r"(?:19|20)\d\d/\d\d", number):
            return None
        rest = content[match.end() :].lstrip(" .:)–-|")
        if not rest:
            return Heading(number, "", strong=strong, ordinal=_ordinal(number), weight=2.0)
        found = _title_and_body(rest)
        if found is None:
            return None
        title, body_at, colon = found
        words = len(title.split())
        limit = MAX_STYLED_TITLE_WORDS if line.heading or line.prominent else MAX_TITLE_WORDS
        if words > limit or ACTION_ROW.match(title):
            return None
        body_start = _offset_of(text, line, content[match.end() :].lstrip(" .:)–-|"), body_at)
        heading = Heading(number, title, body_start=body_start, strong=strong, ordinal=_ordinal(number))
        heading.weight = _weight(line, heading, words, colon)
        return heading
    return None


def _offset_of(text: str, line: Line, rest: str, body_at: int | None) -> int | None:
    """Where, in the document's text, the part of `rest` from `body_at` begins."""
    if body_at is None:
        return None
    tail = rest[body_at:].split()
    if not tail:
        return None
    found = text.find(tail[0], line.start, line.end)
    while found != -1:
        if " ".join(text[found : line.end].split()).startswith(" ".join(tail[:3])):
            return found
        found = text.find(tail[0], found + 1, line.end)
    return None


def _ordinal(number: str) -> int:
    """The running number that orders items: 84 of "84", 3 of "04.24.03", 128 of "128/20", 115 of "CB08/115"."""
    parts = [int(part) for part in re.findall(r"\d+", number)]
    if not parts:
        return 0
    if "/" in number:
        first, second = parts[0], parts[1] if len(parts) > 1 else 0
        return second if re.match(r"[A-Z]", number) or len(str(first)) <= 2 < len(str(second)) else first
    return parts[-1]


def _weight(line: Line, heading: Heading, words: int, colon: bool) -> float:
    """How much a numbered line reads as an item heading rather than a numbered paragraph."""
    weight = 1.0
    weight += 1.0 if line.heading or line.prominent else 0.0
    weight += 0.5 if not line.continues else 0.0
    weight += 0.5 if words <= 6 else -1.0 if words > MAX_TITLE_WORDS else 0.0
    weight -= 1.0 if "," in heading.title else 0.0
    weight -= 2.0 if SPEECH_IN_TITLE.search(heading.title) else 0.0
    weight -= 1.5 if colon and heading.body_start is None else 0.0
    weight += 0.5 if heading.body_start is None else 0.0
    return weight


def _chosen_plain(candidates: list[tuple[int, Heading]], lines: list[Line]) -> set[int]:
    """Which plain-numbered lines are items: the run of rising numbers that reads most like headings (a
    weighted longest increasing sequence), so that the "1." and "2." of paragraphs inside item 87 stay
    paragraphs."""
    best: list[float] = []
    back: list[int] = []
    for position, (index, heading) in enumerate(candidates):
        weight = heading.weight + (2.0 if _followed_by_reference(lines, index, heading) else 0.0)
        if lines[index].continues and index and not ends_sentence(lines[index - 1].text) and not heading.strong:
            weight -= 1.5
        score, previous = weight, -1
        for earlier in range(position):
            if candidates[earlier][1].ordinal < heading.ordinal:
                gap = min(heading.ordinal - candidates[earlier][1].ordinal - 1, 5) * 0.2
                if best[earlier] + weight - gap > score:
                    score, previous = best[earlier] + weight - gap, earlier
        best.append(score)
        back.append(previous)
    if not best or max(best) <= 0:
        return set()
    chosen, position = set(), max(range(len(best)), key=best.__getitem__)
    while position != -1:
        chosen.add(candidates[position][0])
        position = back[position]
    return chosen


def _followed_by_reference(lines: list[Line], index: int, heading: Heading) -> bool:
    """ModernGov's printed minutes put "(Item 1)" on its own line after the heading."""
    reach = 1 + (not heading.title) + 1
    return any(AGENDA_REFERENCE.match(line.text) for line in lines[index + 1 : index + 1 + reach])


def _complete_title(lines: list[Line], index: int, heading: Heading, headings: dict[int, Heading]) -> None:
    """A title over two or three lines: up to "(Item 5)" when ModernGov prints that below it, else one more line
    when the title plainly runs on (it ends in "of", "and", "for" … or the next line starts in lower case)."""
    if heading.body_start is not None:
        return
    first = index + heading.title_lines
    run = list(range(first, min(first + MAX_TITLE_LINES, len(lines))))
    for end in run:
        if AGENDA_REFERENCE.match(lines[end].text):
            between = [lines[each].text for each in range(first, end)]
            if (
                between
                and all(_title_like(text) for text in between)
                and not any(each in headings for each in range(first, end))
            ):
                heading.title = " ".join([heading.title, *between]).strip()
                heading.title_lines += len(between)
            return
        if not _title_like(lines[end].text):
            break
    following = first
    if following >= len(lines) or following in headings:
        return
    line = lines[following]
    words = len(line.text.split())
    if (
        words > MAX_TITLE_WORDS
        or ends_sentence(line.text)
        or AGENDA_REFERENCE.match(line.text)
        or LIST_START.match(line.text)
        or DECISION_START.match(line.text)
        or len(heading.title.split()) + words > MAX_STYLED_TITLE_WORDS
    ):
        return
    referenced = following + 1 < len(lines) and AGENDA_REFERENCE.match(lines[following + 1].text)
    if referenced or CONNECTOR_END.search(heading.title) or line.text[:1].islower():
        heading.title = f"{heading.title} {line.text.rstrip(' .:')}"
        heading.title_lines += 1


def _capitals_label(text: str) -> bool:
    """A line in capitals ending in a colon that is no known label ("PRESENT:", "RESOLVED:"): a heading."""
    content = text.rstrip(" :")
    return (
        text.endswith(":")
        and content.upper() == content
        and bool(re.search(r"[A-Z]{3}", content))
        and (_label(content) not in KNOWN_LABELS)
    )


def _reference_below(lines: list[Line], index: int) -> str | None:
    """The item number of ModernGov's "(Item 4)" on the line below, if it is there."""
    below = lines[index + 1].text if index + 1 < len(lines) else ""
    return re.search(r"\d{1,3}[a-z]?", below).group() if AGENDA_REFERENCE.match(below) else None


def _title_like(text: str) -> bool:
    return (
        len(text.split()) <= MAX_TITLE_WORDS
        and not ends_sentence(text)
        and not LIST_START.match(text)
        and not DECISION_START.match(text)
        and not AGENDA_REFERENCE.match(text)
    )


def _headings(lines: list[Line], text: str, meeting_starts: list[int]) -> dict[int, Heading]:
    """The numbered item headings, by line index. Plain numbers are chosen meeting by meeting, since each meeting
    of a file can number its items from 1."""
    found: dict[int, Heading] = {}
    plain: list[list[tuple[int, Heading]]] = [[] for _ in range(len(meeting_starts) + 1)]
    for index, line in enumerate(lines):
        heading = _numbered(line, text)
        if heading is None or not heading.title and not _title_below(lines, index, heading):
            continue
        if heading.strong:
            found[index] = heading
        else:
            plain[sum(start <= index for start in meeting_starts)].append((index, heading))
    found = _without_stray_references(found, lines)
    for candidates in plain:
        for index in _chosen_plain(candidates, lines):
            found[index] = dict(candidates)[index]
    for index in sorted(found):
        _complete_title(lines, index, found[index], found)
    return found


def _without_later_agenda(found: dict[int, Heading], lines: list[Line]) -> dict[int, Heading]:
    """Minutes sent on to a later meeting carry its date and item number above their title ("November 18, 2015" /
    "Item 4B"): that item number is no item of these minutes."""
    first = min(found, default=None)
    if (
        first is not None
        and 0 < first < 6
        and LATER_AGENDA_LINE.match(lines[first].text)
        and find_date(lines[first - 1].text)
    ):
        return {index: heading for index, heading in found.items() if index != first}
    return found


def _without_stray_references(found: dict[int, Heading], lines: list[Line]) -> dict[int, Heading]:
    """Parish numbers "MM.YY.NN" carry the meeting's month: one with another month's prefix is usually an action
    carried forward in the clerk's table ("09.19.07 An evening to be arranged …"), unless it is set like the
    items (bold), or is a standing item whose stale number was copied ("05.18.10 Finance")."""
    prefixes = {
        index: heading.number.rsplit(".", 1)[0] for index, heading in found.items() if DOTTED.match(heading.number)
    }
    if not prefixes:
        return found
    usual = Counter(prefixes.values()).most_common(1)[0][0]
    styled = [lines[index].heading for index, prefix in prefixes.items() if prefix == usual]
    items_bold = sum(styled) > len(styled) / 2
    return {
        index: heading
        for index, heading in found.items()
        if prefixes.get(index, usual) == usual
        or (items_bold and lines[index].heading)
        or len(heading.title.split()) <= STANDING_ITEM_WORDS
        and not next(dates_in(heading.number.replace(".", "/"), short_years=True), None)
    }


def _title_below(lines: list[Line], index: int, heading: Heading) -> bool:
    """A number alone on its line takes the next line as its title, when that reads as one."""
    if index + 1 >= len(lines) or _label(lines[index + 1].text) in KNOWN_LABELS or _numbered(lines[index + 1], ""):
        return False
    below = lines[index + 1]
    found = _title_and_body(below.text)
    limit = MAX_STYLED_TITLE_WORDS if below.heading or below.prominent else MAX_TITLE_WORDS
    if found is None or found[1] is not None or len(found[0].split()) > limit or FINITE_VERB.search(found[0]):
        return False
    heading.title, heading.title_lines = found[0], 2
    heading.weight += 1.0 if lines[index + 1].heading or lines[index + 1].prominent else 0.0
    return True


def _meeting_starts(lines: list[Line]) -> list[int]:
    """Lines that may open a second meeting's title block: "MINUTES OF THE … MEETING" with a date close below, or
    with items numbered from 1 again close below ("Minutes of the October General Meeting", held straight after the
    AGM on the same day)."""
    return [
        index
        for index, line in enumerate(lines)
        if index > 0
        and not line.continues
        and NEW_MEETING.match(line.text)
        and not CONFIRMATION.search(" ".join(each.text for each in lines[index : index + 2]))
        and (
            meeting_date(" ".join(each.text for each in lines[index : index + 4]))
            or any(FIRST_ITEM.match(each.text) for each in lines[index + 1 : index + 4])
        )
    ]


def _unnumbered(line: Line, text: str, numbered_items: bool, referenced: str | None = None) -> Heading | None:
    """A heading without a number that starts an item: a recognised section ("Other matters", "Date of next
    meetings"), text set larger than the body, a title that ModernGov's "(Item 4)" follows, or — in minutes without
    numbered items — a bold or capitalised line, or a title in capitals that runs into its minute ("MINUTES OF THE
    OCTOBER MEETING These were moved …": Word's list numbers are not in the text)."""
    capitals = CAPITALS_THEN_SENTENCE.match(line.text)
    if not numbered_items and not line.continues and capitals and 1 < len(capitals["title"].split()) <= MAX_TITLE_WORDS:
        return Heading(None, capitals["title"], body_start=_offset_of(text, line, line.text, capitals.end("title") + 1))
    content = line.text.rstrip(" :")
    section = SECTION_HEADING.match(content)
    if section and not line.continues:
        rest = content[section.end() :].lstrip(" :–—-")
        return Heading(None, title_case(content[: section.end()]).strip(), body_start=None if not rest else -1)
    words = len(content.split())
    if words > MAX_TITLE_WORDS or line.text.endswith((".", ";", ",")) or LIST_START.match(line.text):
        return None
    if not numbered_items and not line.continues and _capitals_label(line.text):  # "APPROVAL OF MINUTES:", "REPORTS:"
        return Heading(None, content)
    if ends_sentence(line.text) and not line.prominent:
        return None
    if not re.search(r"[A-Za-z]{3}", content) or content[:1].islower() or ACTION_CODE.match(content):
        return None
    shouting = 2 <= words and content.upper() == content and line.text[-1:] not in ".;,"
    if line.prominent and not line.continues or referenced is not None and _title_like(content):
        return Heading(referenced, content)
    if not numbered_items and not line.continues and (line.heading or shouting):
        return Heading(None, content)
    return None


@dataclass
class _Reader:
    """The state of reading one document's lines into items and paragraphs."""

    document: Document
    item: Item | None = None
    paragraph: Paragraph | None = None
    in_decision: bool = False
    decision_from_label: bool = False
    in_boilerplate: bool = False
    expecting_title: bool = False
    meeting: int = 0
    readings: list[TitleReading] = field(default_factory=list)
    heading_lines: dict[int, Line] = field(default_factory=dict)

    def start_item(self, number: str | None, title: str | None) -> None:
        """Start an item; a numbered heading that repeats the title of the item just begun (ModernGov prints the
        title, then "6 Title" in its item table) numbers it instead."""
        if (
            self.item is not None
            and not self.item.paragraphs
            and title
            and (self.item.title or "").casefold() == title.casefold()
        ):
            self.item.number = self.item.number or number
            return
        self.item = Item(number=number, title=title, procedural=is_procedural(title), meeting=self.meeting)
        self.document.items.append(self.item)
        self.paragraph = None
        self.in_decision = self.decision_from_label = self.in_boilerplate = False

    def add(self, line: Line, start: int | None = None, new_paragraph: bool = False) -> None:
        """Add a line (from `start` when its first part is a title) to the current paragraph or a new one."""
        start = line.start if start is None else start
        text = line.text if start == line.start else _plain(self.document.text[start : line.end])
        joins = self.paragraph is not None and line.continues and not new_paragraph and not LIST_START.match(text)
        if joins and DECISION_START.match(text) and self.paragraph.kind != "decision":
            joins = False
        if joins:
            self.paragraph.end = line.end
            self.paragraph.ocr = self.paragraph.ocr or line.ocr
            return
        if DECISION_START.match(text):
            self.in_decision, self.decision_from_label = True, False
        elif self.in_decision and not self.decision_from_label and not DECISION_CONTINUATION.match(text):
            self.in_decision = False
        if self.item is None:
            self.start_item(None, None)
        self.paragraph = Paragraph(
            start=start, end=line.end, kind="decision" if self.in_decision else "text", ocr=line.ocr
        )
        self.item.paragraphs.append(self.paragraph)


def _title_block(lines: list[Line], end: int) -> tuple[int, int]:
    """(first, last + 1) line indexes of the title block among lines[:end]: the first run of title lines near the top,
    up to the attendance list."""
    first = next(
        (
            index
            for index in range(min(end, TITLE_BLOCK_REACH))
            if is_title_line(lines[index].text) and _label(lines[index].text) not in KNOWN_LABELS
        ),
        None,
    )
    if first is None:
        return 0, 0
    last = first
    opening = lines[first].text
    while last + 1 < end:
        line = lines[last + 1].text
        if ATTENDANCE.match(line) or len(line.split()) > TITLE_LINE_WORDS:
            break
        continuing = not ends_sentence(lines[last].text) and len(line.split()) <= 14 and not ends_sentence(opening)
        if not (is_title_line(line) or continuing):
            break
        last += 1
    return first, last + 1


def title_of_page(texts: list[str]) -> TitleReading:
    """What the title block among a page's lines of text says."""
    lines = [Line(0, 0, plain) for plain in map(_plain, texts) if plain]
    start, end = _title_block(lines, len(lines))
    return read_title([line.text for line in lines[start:end]])


def complete_title(document: Document, reading: TitleReading) -> None:
    """Fill in the first meeting's date, committee and council from a title the text layer lacked (one drawn as
    outlines, read by OCR): what the minutes print, so its date counts as read from the text."""
    meeting, read = document.meeting, meeting_from(reading, document.meeting.council)
    if read.date and meeting.date_source not in ("text", "option"):
        meeting.date, meeting.date_source = read.date, "text"
    if read.committee and not meeting.committee_from_text and meeting.committee is None:
        meeting.committee, meeting.committee_from_text = read.committee, True
    meeting.council = meeting.council or read.council


def build_document(
    path: str,
    format: str,
    extracted: Extracted,
    committee: str | None = None,
    date: dt.date | None = None,
) -> Document:
    """Read the layout of minutes from the extracted text and blocks. `committee` and `date`, when given, are what
    a person said the minutes are: they override what the text says."""
    text = extracted.text
    document = Document(
        path=path, format=format, text=text, ocr_pages=extracted.ocr_pages, page_starts=extracted.page_starts
    )
    document.unread_pages = extracted.unread_pages
    lines = _lines(text, extracted.blocks)
    headings = _without_later_agenda(_headings(lines, text, _meeting_starts(lines)), lines)
    numbered_items = bool(headings)
    labelled = (index for index, line in enumerate(lines) if _label(line.text) in KNOWN_LABELS)
    first_item = min(headings, default=next(labelled, len(lines)))
    block_start, block_end = _title_block(lines, first_item)
    title_lines = set(range(block_start, block_end))
    reader = _Reader(document)
    opening = read_title([lines[index].text for index in range(block_start, block_end)])
    # the line after the title block says whether its date is this meeting's ("November 18, 2015" / "Item 4B")
    opening.date = meeting_date(" ".join(line.text for line in lines[block_start : block_end + 1]))
    if opening.date is None:
        opening.date = meeting_date(" ".join(line.text for line in lines[:first_item]))
    if opening.date is None:
        opening.date = date_without_year(
            " ".join(line.text for line in lines[block_start:block_end]), extracted.written
        )
    reader.readings.append(opening)
    document.title = _title_text(lines[block_start:block_end]) or opening.title
    skip_until = -1
    for index, line in enumerate(lines):
        if index < skip_until or index in title_lines:
            continue
        content = line.text
        label = _label(content)
        if AGENDA_REFERENCE.match(content):
            continue
        if label == "agenda item":
            reader.expecting_title = line.prominent or not numbered_items
            reader.in_boilerplate = False
            continue
        if reader.expecting_title:
            numbered = _numbered(line, text)
            if numbered is not None and numbered.title:
                reader.start_item(numbered.number, numbered.title)
            else:
                reader.start_item(None, content)
            reader.expecting_title = False
            continue
        if label in BOILERPLATE_LABELS:
            reader.in_boilerplate = True
            continue
        if label in DECISION_LABELS or re.fullmatch(r"(?:RESOLVED|Resolved)\s*(?:that|to)?\s*[:–-]?", content):
            reader.in_decision = reader.decision_from_label = True
            reader.in_boilerplate = False
            reader.paragraph = None
            continue
        if label in SKIPPED_LABELS:
            continue
        meeting_line = MEETING_LINE.match(content)
        if meeting_line and (find_date(content) or named_body_line(meeting_line.group("meeting"))):
            reading = reader.readings[reader.meeting]
            reading.date = reading.date or find_date(content)
            reading.committee = reading.committee or named_body_line(meeting_line.group("meeting"))
            if reader.item is not None and reader.item.number is None:
                reader.item.number = meeting_line.group("number")
            continue
        heading = headings.get(index)
        starts_meeting = not line.continues and not reader.in_boilerplate and NEW_MEETING.match(content)
        if heading is None and index > first_item and starts_meeting:
            skip_until = _second_meeting(lines, index, reader)
            if skip_until > index:
                continue
        if heading is None and not reader.in_boilerplate and (index > first_item or not numbered_items):
            heading = _unnumbered(line, text, numbered_items, _reference_below(lines, index))
        if heading is not None:
            reader.start_item(heading.number, heading.title)
            reader.heading_lines.setdefault(id(reader.item), line)
            skip_until = index + heading.title_lines
            if heading.body_start is not None:
                body_start = heading.body_start if heading.body_start >= 0 else _after_title(text, line, heading)
                if body_start is not None:
                    reader.add(line, body_start, new_paragraph=True)
            continue
        if reader.in_boilerplate:
            continue
        reader.add(line)
    _keep_sentence_titles(reader)
    document.items = [each for each in document.items if each.paragraphs]
    if not document.items:
        _read_as_one_item(reader, lines)
    for item in document.items:
        for paragraph in item.paragraphs:
            paragraph.speakers = find_speakers(_plain(document.paragraph_text(paragraph)))
    # a long line is a paragraph: only a title run into its opening words ("1429/12/2019 MINUTES OF THE WESTCOTE
    # PARISH COUNCIL MEETING HELD AT …") names the council, not a council the minutes (or a speaker) talk about
    opening_lines = lines[: min(first_item, max(block_end, TITLE_BLOCK_REACH))]
    preamble = " ".join([extracted.front_matter.get("title", ""), *filter(None, map(_title_words, opening_lines))])
    signed_for = (
        next(iter(council_names(" ".join(extracted.running_lines))), None)
        or next(iter(council_names(preamble)), None)
        or _signed_for(lines)
    )
    document.meetings = _meetings(reader.readings, extracted, path, signed_for, committee, date)
    return document


def _keep_sentence_titles(reader: _Reader) -> None:
    """An item whose whole minute is its heading line ("55/20 Apologies for absence were received from Cllr G Lowe.")
    keeps that line as its paragraph, so its words are searchable."""
    for item in reader.document.items:
        line = reader.heading_lines.get(id(item))
        if not item.paragraphs and line is not None and len((item.title or "").split()) >= SENTENCE_TITLE_WORDS:
            item.paragraphs.append(Paragraph(line.start, line.end, ocr=line.ocr))


def _read_as_one_item(reader: _Reader, lines: list[Line]) -> None:
    """Minutes whose layout gave no item with text (all of it taken for a title block or furniture of a layout not
    known here) are still indexed: every line, as one item of the document, so no text is ever dropped."""
    reader.item = reader.paragraph = None
    reader.meeting = 0
    for line in lines:
        reader.add(line)


def _title_text(block: list[Line]) -> str | None:
    """The document's title: its title block from the "Minutes of …" line on, in one line."""
    start = next((index for index, line in enumerate(block) if HEADER_HINT.search(line.text)), 0)
    joined = " ".join(line.text for line in block[start:])
    return joined[:MAX_TITLE_CHARACTERS] or None


def _title_words(line: Line) -> str | None:
    """The words of a line before the first item that can name the council: all of a short line, the opening words
    of a paragraph when they are a title run into it."""
    words = line.text.split()
    if len(words) <= TITLE_LINE_WORDS:
        return line.text
    opening = " ".join(words[:TITLE_RUN_IN_WORDS])
    return opening if RUN_IN_TITLE.search(opening) else None


def _signed_for(lines: list[Line]) -> str | None:
    """The council the chair signs for ("Chair, Souldern Parish Council"): whose minutes these are when the title
    block does not say."""
    for line in reversed(lines):
        match = SIGNATURE.match(line.text)
        if match and council_names(match.group("council")):
            return council_names(match.group("council"))[0]
    return None


def _after_title(text: str, line: Line, heading: Heading) -> int | None:
    """Where the text after a section heading's title starts on its line ("Date of next meetings : It was …")."""
    raw = text[line.start : line.end]
    match = re.search(r"[:–—-]\s*", raw)
    return line.start + match.end() if match and match.end() < len(raw) else None


def _second_meeting(lines: list[Line], index: int, reader: _Reader) -> int:
    """When a line opens the title block of another meeting in the same file (annual meeting minutes followed by
    the ordinary meeting's), start that meeting and return the line after its title block; else `index`."""
    end = index + 1
    while end < len(lines) and end - index < 5 and not ATTENDANCE.match(lines[end].text):
        if not is_title_line(lines[end].text) and ends_sentence(lines[end - 1].text):
            break
        end += 1
    opening = [line.text for line in lines[index:end]]
    if CONFIRMATION.search(" ".join(opening)):
        return index
    reading = read_title(opening)
    named = reading.committee or reading.council
    current = reader.readings[reader.meeting]
    if not reading.date or not named or reading.date == current.date:
        return index
    reader.readings.append(reading)
    reader.meeting = len(reader.readings) - 1
    reader.item = None
    reader.paragraph = None
    return end


def _meetings(
    readings: list[TitleReading],
    extracted: Extracted,
    path: str,
    signed_for: str | None,
    committee: str | None,
    date: dt.date | None,
) -> list[Meeting]:
    """The meetings a document records, each dated from its title block, else (the first) from the file's name,
    else its front matter; `committee` and `date` given by a person override them."""
    council = next((reading.council for reading in readings if reading.council), None) or signed_for

    meetings = [meeting_from(reading, council) for reading in readings]
    first = meetings[0]
    if first.date is None:
        named = date_in_file_name(path)
        fronted = date_in_front_matter(extracted.front_matter)
        first.date, first.date_source = (
            (named, "file name") if named else (fronted, "front matter" if fronted else None)
        )
    if first.committee is None and extracted.front_matter.get("committee"):
        first.committee = extracted.front_matter["committee"]
    if first.committee is None and extracted.front_matter.get("title"):
        fronted_title = read_title([extracted.front_matter["title"]])
        first.committee = fronted_title.committee
        first.council = first.council or fronted_title.council
    for meeting in meetings:
        if date is not None:
            meeting.date, meeting.date_source = date, "option"
        if committee:
            meeting.committee, meeting.committee_from_text = " ".join(committee.split()), False
        if meeting.council is None and meeting.committee:
            found = council_names(meeting.committee)
            meeting.council = found[0] if found else None
        if meeting.committee is None:  # no other body is named: the council itself met
            meeting.committee = meeting.council
    return meetings
