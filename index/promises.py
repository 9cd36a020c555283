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
from .document import Document, Paragraph
from .structure import MONTH_NAMES, find_speakers

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
SCHEDULE = re.compile(r"\bnext\s+meeting\b[^.]*\bwould\s+be\s+held\b", re.IGNORECASE)
REFUSAL = re.compile(r"\b(?:would|will|could|can|shall)\s+not\b|\bcannot\b|\bunable\b|\bno\s+longer\b|\bwithout\b")
OPINION = re.compile(r"\b(?:felt|believed|thought|argued|suggested|considered|warned|feared|worried)\s+that\b")
ENUMERATOR = re.compile(r"(?:^|(?<=\s))\((?:[ivx]{1,5}|[a-z]|\d{1,2})\)\s")
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
            r"\s*(?:RESOLVED|Resolved|AGREED|Agreed)\s*(?:that)?\s*[:–-]?\s*", stripped
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
    """("commitment" | "aspiration" | None, where the cue starts) for one sentence of discussion."""
    aspiration = ASPIRATION.search(sentence)
    if aspiration:
        return "aspiration", aspiration.start()
    commitment = COMMITMENT.search(sentence)
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
    committee = document.committee
    for item_index, item in enumerate(document.items):
        for paragraph in item.paragraphs:
            if paragraph.kind == "decision":
                for start, end in _resolutions(document, paragraph):
                    text = document.text[start:end]
                    due, phrase, next_meeting = due_date(text, document.date)
                    owner = DECISION_OWNER.search(text)
                    entries.append(
                        Entry(
                            "decision",
                            item_index,
                            start,
                            end,
                            " ".join(owner.group("who").split()) if owner else committee or "the Committee",
                            due,
                            phrase,
                            next_meeting,
                            promise=bool(phrase or COMMITMENT.search(text)),
                        )
                    )
                continue
            for start, end in sentence_spans(document.text, paragraph.start, paragraph.end):
                sentence = document.text[start:end]
                kind, at = classify(sentence)
                if kind is None:
                    continue
                due, phrase, next_meeting = (
                    due_date(sentence, document.date) if kind == "commitment" else (None, None, False)
                )
                entries.append(
                    Entry(
                        kind,
                        item_index,
                        start,
                        end,
                        _owner(document.text, start, at, paragraph.start),
                        due,
                        phrase,
                        next_meeting,
                        promise=kind == "commitment",
                    )
                )
    return entries
