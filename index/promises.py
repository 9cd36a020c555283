"""The register of decisions and commitments, read from the Document model at ingest.

Rule-based and explainable: a decision is a resolution of a "Resolved" block (one entry per
numbered or lettered resolution); a commitment is a sentence in which someone undertakes
something (an update, a report back, a briefing, a document to circulate, a review); hopes
and visions are kept apart as aspirations. Each entry keeps its verbatim text and offsets,
who is bound when the text says, and a due date when one follows from the text and the
meeting date, with the phrase it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

from .chunk import sentence_spans
from .dates import MONTH_NAMES
from .document import Document, Meeting, Paragraph
from .structure import find_speakers

DELIVERABLE_VERBS = (
    r"circulated|provided|reported|brought|arranged|shared|sent|published|presented|held|reviewed|submitted|"
    r"made available|distributed|delivered|phased|rolled out|introduced|considered|updated|re-?tendered|issued|"
    r"contacted|written|organised|organized|scheduled|run|offered|extended|revisited|added"
)
ACTION_VERBS = (
    r"provide|circulate|report|arrange|bring|write|share|send|publish|present|hold|review|consider|contact|"
    r"return|update|look into|investigate|raise|meet|visit|organise|organize|confirm|check|explore|discuss|"
    r"pursue|seek|ensure|follow up|feed back|come back|set up|establish|produce|prepare|include"
)
COMMITMENT = re.compile(
    rf"\bundert(?:ook|akes)\b|\bundertake\s+to\b|\b(?:would|will)\s+be\s+undertaken\b"
    rf"|\b(?:agreed|promised|committed|pledged|offered|undertook)\s+to\s+(?:{ACTION_VERBS})\b"
    rf"|\b(?:would|will|shall)\s+(?:now\s+|also\s+|then\s+)?be\s+(?:{DELIVERABLE_VERBS})\b"
    rf"|\b(?:would|will|shall)\s+(?:now\s+|also\s+)?(?:{ACTION_VERBS})\b"
    rf"|\bto\s+be\s+(?:{DELIVERABLE_VERBS})\b"
    rf"|\breport(?:ing)?\s+back\b"
    rf"|\b(?:had|has|have)\s+been\s+commissioned\b"
    rf"|\bwould\s+take\s+place\b",
    re.IGNORECASE,
)
ASPIRATION = re.compile(
    r"\b(?:it\s+was\s+hoped|hoped\s+(?:that|to)|hopes?\s+that|(?:long[- ]term\s+)?vision\s+(?:would|was|is)|"
    r"aspiration|ambition|aim(?:ed)?\s+(?:was\s+)?to|would\s+like\s+to|it\s+was\s+anticipated|anticipated\s+that|"
    r"aspired|(?:the\s+)?target\s+(?:was|is|would\s+be))\b",
    re.IGNORECASE,
)
QUESTION = re.compile(
    r"\b(?:asked|queried|enquired|inquired|wondered|questioned)\b[^.]*?\b(?:whether|if|how|when|why|what)\b"
)
SCHEDULE = re.compile(r"\bnext\s+meeting\b[^.]*\b(?:would|will|shall)\s+be\s+held\b", re.IGNORECASE)
REFUSAL = re.compile(r"\b(?:would|will|could|can|shall)\s+not\b|\bcannot\b|\bunable\b|\bno\s+longer\b|\bwithout\b")
OPINION = re.compile(r"\b(?:felt|believed|thought|argued|suggested|considered|warned|feared|worried)\s+that\b")
ENUMERATOR = re.compile(r"(?:^|(?<=\s))(?:\((?:[ivx]{1,5}|[a-z]|\d{1,2})\)|[•●▪·])\s")
DECISION_CUE = re.compile(
    r"\b(?:RESOLVED|DECIDED|AGREED|CARRIED)\b|\b[Rr]esolved\s*(?:that|to|:|,|–|-)"
    r"|\b(?:[Ii]t|[Tt]his|[Ww]hich)\s+was\s+(?:\w+\s+)?(?:unanimously\s+)?(?:resolved|agreed|decided)\b"
    r"|\b(?:[Cc]ouncil|[Cc]ommittee|Cabinet|[Pp]anel|[Bb]oard|[Mm]embers|PC|[Cc]ouncillors|[Mm]eeting)\s+"
    r"(?:(?:then|also|therefore|formally|duly)\s+)?(?:unanimously\s+)?(?:resolved|agreed|decided|approved|voted)\b"
    r"|\b(?:[Mm]otion|[Pp]roposal|[Rr]ecommendation|[Aa]mendment|[Rr]esolution)\s+(?:was\s+)?(?:\w+\s+){0,6}?"
    r"(?:carried|passed|agreed|approved)\b"
    r"|\band\s+(?:unanimously\s+)?(?:agreed|resolved|carried)\b|\bwere\s+(?:unanimously\s+)?(?:agreed|approved|adopted)\b"
    r"|\b[Cc]arried\s+(?:unanimously|by\b|\d|nem)|\b(?:unanimously|all)\s+(?:agreed|approved|in\s+favour)\b"
)
NOT_A_DECISION = re.compile(
    r"\b(?:amendment|motion|proposal|recommendation)\b[^.]{0,80}\b(?:lost|fell|defeated|not\s+carried|rejected|"
    r"withdrawn|not\s+agreed)\b|\bwas\s+(?:lost|defeated)\b",
    re.IGNORECASE,
)
OUTCOME_ONLY = re.compile(
    r"^(?:(?:the\s+)?(?:motion|proposal|amendment|recommendation|resolution)\s+was\s+(?:put\s+to\s+the\s+vote\s+and\s+"
    r"(?:was\s+)?)?(?:declared\s+)?|(?:this|which)\s+was\s+(?:\w+\s+)?)?(?:carried|agreed|passed|approved|resolved)\b"
    r"[^.]{0,60}\.?$|^(?:motion\s+)?carried\b[^.]{0,40}\.?$|^all\s+in\s+favour\b[^.]{0,30}\.?$"
    r"|^(?:it\s+was\s+)?proposed\s+by\b[^.]{0,80}\bseconded\b[^.]{0,60}?(?:and\s+)?(?:unanimously\s+)?"
    r"(?:agreed|approved|resolved|carried)\.?$",
    re.IGNORECASE,
)
VOTE_RECORD = re.compile(
    r"\b(?:recorded\s+vote|put\s+to\s+the\s+vote|voted\s+(?:for|against)|votes?\s+(?:for|against))\b", re.IGNORECASE
)
MOTION_TEXT = re.compile(r"\b(?:motion|moved|proposed|proposal|recommendations?)\b", re.IGNORECASE)
ENUMERATED = re.compile(r"^\s*(?:\(\w{1,4}\)|\d{1,2}[.)])\s*")
ACTION_OWNER = re.compile(
    r"(?:^|[-–:.]\s*|\bACTION\s*:\s*)(?P<who>[A-Z]{2,3}(?:/[A-Z]{2,3})?|Clerk|[Tt]he\s+Clerk)\s+to\s+[a-z]"
)
SAME_WORDS = 0.8
PLAIN_WORDS = {
    "resolved",
    "that",
    "the",
    "be",
    "and",
    "of",
    "to",
    "a",
    "it",
    "was",
    "proposed",
    "seconded",
    "by",
    "motion",
    "carried",
    "agreed",
    "unanimously",
    "moved",
    "following",
    "council",
    "committee",
}
DECISION_OWNER = re.compile(
    r"\b[Tt]hat\s+(?P<who>the\s+[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|for|and|of))*?)\s+"
    r"(?:be\s+asked|be\s+requested|be\s+invited|write|writes|provide|report|bring)\b"
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24, "a": 1, "an": 1,
}  # fmt: skip
AMOUNT = r"(?P<amount>\d{1,2}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
SEASON_END = {"spring": (5, 31), "summer": (8, 31), "autumn": (11, 30), "fall": (11, 30), "winter": (2, 28)}
DATE_WORDS = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTH_NAMES})\.?\s+\d{{4}}"
PERIOD = (
    rf"\b(?:in|within|after|(?<!for\s)over)\s+(?:the\s+next\s+)?(?:\d{{1,2}}\s*(?:-|–|to)\s*)?{AMOUNT}"
    r"[\s-]+(?P<unit>weeks?|months?|years?)(?:['’]s?\s+time)?\b"
)
DUE_RULES: list[tuple[str, re.Pattern]] = [
    ("explicit", re.compile(rf"\b(?:by|before|until|no\s+later\s+than)\s+(?P<date>{DATE_WORDS})\b", re.I)),
    ("next", re.compile(r"\b(?:at|to|for|by|before)\s+(?:the|its)\s+next\s+(?:meeting|committee)\b", re.I)),
    ("period", re.compile(PERIOD, re.I)),
    ("following", re.compile(r"\b(?:the\s+following|next)\s+(?P<unit>week|month|year)\b", re.I)),
    (
        "end of",
        re.compile(
            rf"\b(?:by|before|at)\s+the\s+end\s+of\s+(?:the\s+)?(?P<what>month|year|(?:{MONTH_NAMES})(?:\s+\d{{4}})?)\b",
            re.I,
        ),
    ),
    ("christmas", re.compile(r"\b(?:by|before)\s+(?:the\s+)?Christmas(?:\s+recess)?\b", re.I)),
    ("month", re.compile(rf"\b(?:in|by|before|during)\s+(?P<month>{MONTH_NAMES})\s+(?P<year>\d{{4}})\b", re.I)),
    (
        "season",
        re.compile(
            r"\b(?:in|by|before|during)?\s*(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<year>\d{4})\b",
            re.I,
        ),
    ),
    ("early", re.compile(r"\b(?P<when>early|later|late)\s+(?:in\s+)?(?P<year>\d{4})\b", re.I)),
    ("year", re.compile(r"\b(?:in|during|by)\s+(?P<year>20\d\d)\b(?![/-])", re.I)),
]


@dataclass(frozen=True)
class Entry:
    """One decision, commitment or aspiration: document.text[start:end], in the item at `item_index`."""

    kind: str
    item_index: int
    start: int
    end: int
    owner: str | None
    due: dt.date | None
    due_phrase: str | None
    due_at_next_meeting: bool
    promise: bool


def due_date(text: str, meeting: dt.date | None) -> tuple[dt.date | None, str | None, bool]:
    """(due date, the phrase it comes from, whether it is "the next meeting") for a promise made at `meeting`."""
    for rule, pattern in DUE_RULES:
        match = pattern.search(text)
        if not match:
            continue
        phrase = match.group(0).strip()
        if rule == "next":
            return None, phrase, True
        if meeting is None and rule not in {"explicit", "month", "season", "early", "year"}:
            return None, phrase, False
        return _resolve(rule, match, meeting), phrase, False
    return None, None, False


def _resolve(rule: str, match: re.Match, meeting: dt.date | None) -> dt.date | None:
    if rule == "explicit":
        return date_parser.parse(match.group("date"), dayfirst=True).date()
    if rule == "period":
        amount = match.group("amount").lower()
        count = int(amount) if amount.isdigit() else NUMBER_WORDS[amount]
        unit = match.group("unit").lower().rstrip("s")
        return meeting + relativedelta(**{f"{unit}s": count})
    if rule == "following":
        return meeting + relativedelta(**{f"{match.group('unit').lower()}s": 1})
    if rule == "end of":
        what = match.group("what").lower()
        if what == "year":
            return dt.date(meeting.year, 12, 31)
        if what == "month":
            return meeting + relativedelta(day=31)
        parsed = date_parser.parse(what, default=dt.datetime(meeting.year, 1, 1)).date()
        if parsed < meeting and not re.search(r"\d{4}", what):
            parsed = parsed.replace(year=parsed.year + 1)
        return parsed + relativedelta(day=31)
    if rule == "christmas":
        christmas = dt.date(meeting.year, 12, 24)
        return christmas if christmas >= meeting else christmas.replace(year=meeting.year + 1)
    year = int(match.group("year"))
    if rule == "month":
        return date_parser.parse(f"1 {match.group('month')} {year}").date() + relativedelta(day=31)
    if rule == "season":
        month, day = SEASON_END[match.group("season").lower()]
        return dt.date(year + (month == 2), month, day)
    if rule == "early":
        return dt.date(year, 3, 31) if match.group("when").lower() == "early" else dt.date(year, 12, 31)
    return dt.date(year, 12, 31)


def _resolutions(document: Document, paragraph: Paragraph) -> list[tuple[int, int]]:
    """A decision paragraph split at its enumerators: "(i) That … (ii) That …" are two resolutions."""
    text = document.text[paragraph.start : paragraph.end]
    cuts = [match.start() for match in ENUMERATOR.finditer(text)]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    spans = []
    for begin, finish in zip(cuts, [*cuts[1:], len(text)], strict=True):
        piece = text[begin:finish]
        stripped = piece.rstrip(" ;,\n")
        if re.search(r"\w", stripped) and not re.fullmatch(
            r"[\s*_]*(?:\(\w{1,4}\)\s*)?(?:RESOLVED|Resolved|AGREED|Agreed)\s*(?:that)?\s*[:–-]?[\s*_]*(?:That)?\s*[:–-]?\s*",
            stripped,
        ):
            spans.append((paragraph.start + begin, paragraph.start + begin + len(stripped)))
    return spans


def _owner(text: str, sentence_start: int, cue: int, paragraph_start: int) -> str | None:
    """Who undertakes: the last person or role named before the undertaking, in the sentence or before it in the
    paragraph ("… The Head of Service welcomed the suggestion. She also undertook to …")."""
    named = find_speakers(text[sentence_start : sentence_start + cue]) or find_speakers(
        text[paragraph_start:sentence_start]
    )
    return named[-1] if named else None


def classify(sentence: str) -> tuple[str | None, int]:
    """("decision" | "commitment" | "aspiration" | None, where the cue starts) for one sentence of discussion.

    A decision is the meeting's ("it was agreed", "RESOLVED to", "proposed by …, seconded by … and unanimously
    agreed", "the motion was carried"), never an amendment or motion that was lost; "XX to contact …" in a parish
    clerk's shorthand is a commitment."""
    decision = DECISION_CUE.search(sentence)
    if decision and not NOT_A_DECISION.search(sentence) and not QUESTION.search(sentence[: decision.end()]):
        return "decision", decision.start()
    aspiration = ASPIRATION.search(sentence)
    if aspiration:
        return "aspiration", aspiration.start()
    action = ACTION_OWNER.search(sentence)
    commitment = COMMITMENT.search(sentence)
    if action and (commitment is None or action.start() < commitment.start()):
        return "commitment", action.start("who")
    if not commitment:
        return None, 0
    cue = commitment.group(0).lower()
    if not cue.startswith("undert") and (
        QUESTION.search(sentence[: commitment.end()])
        or REFUSAL.search(sentence[max(0, commitment.start() - 12) : commitment.end() + 12])
        or OPINION.search(sentence[: commitment.start()])
        or SCHEDULE.search(sentence)
    ):
        return None, 0
    return "commitment", commitment.start()


def extract(document: Document) -> list[Entry]:
    """Every decision, commitment and aspiration of a document, in order."""
    entries: list[Entry] = []
    for item_index, item in enumerate(document.items):
        meeting = document.meeting_of(item)
        decided: list[tuple[Entry, bool]] = []
        outcomes: list[tuple[int, int]] = []
        for position, paragraph in enumerate(item.paragraphs):
            resolved = paragraph.kind == "decision"
            spans = (
                [(start, end, "decision", 0, False) for start, end in _resolutions(document, paragraph)]
                if resolved
                else _sentences(document, paragraph)
            )
            for start, end, kind, at, outcome in spans:
                text = document.text[start:end]
                if kind == "decision" and outcome:
                    outcomes.append((_motion_start(document, item.paragraphs[:position], start), end))
                elif kind == "decision":
                    if not NOT_A_DECISION.search(text):
                        entry = _decision(document, item_index, start, end, meeting)
                        _keep_one(document, decided, entry, resolved or _is_resolution(document, entry))
                else:
                    entries.append(_undertaking(document, item_index, paragraph, start, end, kind, at, meeting))
        if not decided:
            for start, end in outcomes:
                _keep_one(document, decided, _decision(document, item_index, start, end, meeting), False)
        entries.extend(entry for entry, _ in decided)
    return sorted(entries, key=lambda entry: (entry.item_index, entry.start))


def _decision(document: Document, item_index: int, start: int, end: int, meeting: Meeting) -> Entry:
    text = document.text[start:end]
    due, phrase, next_meeting = due_date(text, meeting.date)
    owner = DECISION_OWNER.search(text)
    return Entry(
        "decision",
        item_index,
        start,
        end,
        " ".join(owner.group("who").split()) if owner else meeting.committee or "the Committee",
        due,
        phrase,
        next_meeting,
        promise=bool(phrase or COMMITMENT.search(text) or ACTION_OWNER.search(text)),
    )


def _undertaking(
    document: Document,
    item_index: int,
    paragraph: Paragraph,
    start: int,
    end: int,
    kind: str,
    at: int,
    meeting: Meeting,
) -> Entry:
    """A commitment or an aspiration, with who is bound and when it is due."""
    text = document.text[start:end]
    due, phrase, next_meeting = due_date(text, meeting.date) if kind == "commitment" else (None, None, False)
    action = ACTION_OWNER.search(text)
    owner = action.group("who") if action and kind == "commitment" else None
    return Entry(
        kind,
        item_index,
        start,
        end,
        owner or _owner(document.text, start, at, paragraph.start),
        due,
        phrase,
        next_meeting,
        promise=kind == "commitment",
    )


def _motion_start(document: Document, earlier: list[Paragraph], start: int) -> int:
    """Where the motion an outcome ("The motion was carried.") decided begins: the nearest paragraph before it
    that moves or proposes something and was not lost."""
    for paragraph in reversed(earlier):
        text = document.text[paragraph.start : paragraph.end]
        if NOT_A_DECISION.search(text):
            continue
        if MOTION_TEXT.search(text):
            return paragraph.start
    return start


def _sentences(document: Document, paragraph: Paragraph) -> list[tuple[int, int, str, int, bool]]:
    """(start, end, kind, cue, outcome) of each sentence of discussion that is a register entry. An outcome alone
    ("The motion was carried.") takes the sentence before it, which says what was carried; first in its paragraph,
    or a record of the vote, it is marked as an outcome, which counts only where no resolution says more."""
    found: list[tuple[int, int, str, int, bool]] = []
    previous: tuple[int, int] | None = None
    for start, end in sentence_spans(document.text, paragraph.start, paragraph.end):
        sentence = ENUMERATED.sub("", " ".join(document.text[start:end].split()))
        kind, at = classify(sentence)
        outcome = kind == "decision" and bool(OUTCOME_ONLY.match(sentence) or VOTE_RECORD.search(sentence))
        if outcome and previous and OUTCOME_ONLY.match(sentence):
            if found and found[-1][0] == previous[0]:
                found.pop()
            found.append((previous[0], end, "decision", 0, False))
        elif kind is not None:
            found.append((start, end, kind, at, outcome))
        previous = (start, end)
    return found


def _words(document: Document, entry: Entry) -> set[str]:
    words = re.findall(r"[a-z0-9£]+", document.text[entry.start : entry.end].lower())
    return {word for word in words if word not in PLAIN_WORDS}


def _is_resolution(document: Document, entry: Entry) -> bool:
    return bool(re.search(r"\bRESOLVED\b|\b[Rr]esolved\b", document.text[entry.start : entry.end]))


def _keep_one(document: Document, decided: list[tuple[Entry, bool]], entry: Entry, resolution: bool) -> None:
    """Add `entry` to an item's decisions unless it repeats one already there (a resolution restating the motion
    before it, or the sentence the resolution records): of the two, the resolution is kept."""
    mine = _words(document, entry)
    for position, (earlier, earlier_resolution) in enumerate(decided):
        theirs = _words(document, earlier)
        if min(len(mine), len(theirs)) >= 4 and len(mine & theirs) / min(len(mine), len(theirs)) >= SAME_WORDS:
            if resolution and not earlier_resolution:
                decided[position] = (entry, resolution)
            return
    decided.append((entry, resolution))
