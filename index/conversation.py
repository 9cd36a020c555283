"""Follow-up questions: a question asked after an answer, read with the question before it.

People ask on from an answer: "and the year before?", "what did they decide in the end?", "who is responsible?",
"show me more". Such a question names no subject of its own, so the one before it gives the subject; the committee and
period of the first question hold until a question names others. A question with a subject of its own is searched as
asked, within the same committee and period. Slack's threads and the terminal's chat both read questions this way.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

from .dates import MONTH_NAMES
from .filters import Filters
from .register import RegisterAnswer
from .search import STOPWORDS, TERM, Answer, mentioned_period, written_filters

# "show me more", "any more?", "anything else?", "more please": the next passages for the same question
MORE = re.compile(
    r"^(?:(?:and|ok|okay|so|then|please)\W+)*(?:(?:show|give|tell)\s+(?:me\s+|us\s+)?(?:some\s+)?more\b|"
    r"(?:any|some)\s*(?:thing|one)?\s+(?:more|else)\b|what\s+else\b|more\b)",
    re.IGNORECASE,
)
# "the year before", "a year later", "the previous year", "the following month"
SHIFT = re.compile(
    r"\b(?:the|a)\s+(?P<unit>year|month)\s+(?P<direction>before|earlier|prior|after|later)\b|"
    r"\b(?P<direction2>previous|prior|preceding|next|following)\s+(?P<unit2>year|month)\b",
    re.IGNORECASE,
)
BACKWARD = {"before", "earlier", "prior", "previous", "preceding"}
# A period said in words, with its preposition: "in March 2023", "on 12 March 2024", "during summer 2022", "in 2019"
PERIOD_WORDS = re.compile(
    rf"\b(?:(?:in|during|on|at|from|for|of)\s+)?(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
    rf"(?:(?:{MONTH_NAMES})\.?,?\s+|(?:spring|summer|autumn|fall|winter)\s+(?:of\s+)?)?(?:19|20)\d\d\b",
    re.IGNORECASE,
)
# What a follow-up asks about its subject, which is no subject of its own
ASPECT_WORDS = frozenset(
    """decide decided decides deciding decision decisions resolve resolved resolution agree agreed agreement approve
    approved vote voted outcome result end ended finally final conclude concluded happen happened happening
    responsible responsibility lead leading owner owns charge due deadline when promise promised promises commit
    committed commitment update updates progress said say says saying discuss discussed discussion mention mentioned
    cost costs costing pay paid spend spent money budget much many long next then later earlier before after year
    years month months previous following prior preceding show tell give find more else detail details whole item
    explain why reason reasons status happen go went going""".split()
)
# Words that point back at the subject before: "what did they decide about it?"
ANAPHORA = re.compile(r"\b(?:it|its|they|them|their|that|this|those|these|he|she|his|her)\b", re.IGNORECASE)
LEADING_AND = re.compile(r"^(?:and|so|also|then|but|ok|okay)\b[\s,]*", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    """A question as it is searched: `question` the text searched, `topic` its subject without period words,
    `filters` the committee and period it is limited to, `skip` how many of its passages were shown before ("show
    me more"), `follows` the question it follows up, and `anchor` the date of the first passage its answer showed
    (what "the year before" counts from when no period was named)."""

    question: str
    topic: str
    filters: Filters = Filters()
    skip: int = 0
    follows: str | None = None
    anchor: dt.date | None = None

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """The meeting dates this turn is about: its filters' range, else the period its question names."""
        if self.filters.after and self.filters.before:
            return self.filters.after, self.filters.before
        return mentioned_period(self.question)


def first_turn(question: str) -> Turn:
    """A question that follows nothing: searched as asked, within the committee and dates it writes."""
    rest, written = written_filters(question)
    return Turn(question=rest, topic=topic_of(rest), filters=written)


def answered(turn: Turn, answer: Answer | RegisterAnswer) -> tuple[Turn, int]:
    """`turn` as the next question reads it once answered: as searched, anchored at its first passage's date, with
    how many passages were shown."""
    if isinstance(answer, RegisterAnswer):
        return replace(turn, question=answer.question), len(answer.entries)
    anchor = next((passage.date for passage in answer.passages if passage.date), None)
    return replace(turn, question=answer.question, anchor=anchor), len(answer.passages)


def topic_of(question: str) -> str:
    """The question without its period words and a leading "and": what it is about."""
    words = " ".join(LEADING_AND.sub("", PERIOD_WORDS.sub(" ", SHIFT.sub(" ", question))).split())
    return re.sub(r"\s+(?=[?!.,;:])", "", words).rstrip("?!. ")


def follow_on(previous: Turn, text: str, shown: int) -> Turn:
    """`text` read as the question after `previous`, whose answer showed `shown` passages."""
    text, written = written_filters(text)
    own = own_terms(text)
    if MORE.match(text) and not own:
        return replace(previous, skip=previous.skip + shown, follows=previous.question)
    period = _period(previous, text)
    filters = previous.filters.merged(written)
    if period is not None and not (written.after or written.before):
        filters = replace(filters, after=period[0], before=period[1])
    subject = topic_of(text)
    # "who is responsible" asks something of the subject before; "what about" asks nothing
    asks = any(term not in STOPWORDS for term in TERM.findall(subject.lower()))
    if not own:
        topic = previous.topic
        question = f"{subject} — {previous.topic}" if asks else previous.topic
    elif ANAPHORA.search(text):
        topic = question = f"{subject} — {previous.topic}"
    else:
        topic = question = subject
    return Turn(question=question, topic=topic, filters=filters, follows=previous.question)


def leans_on_the_last(text: str) -> bool:
    """Whether a question cannot stand alone: it asks for more, names no subject of its own, or points back ("was
    the playground part of it?"). In a direct message, only such a question follows the answer before it."""
    rest, _ = written_filters(text)
    return bool(MORE.match(rest) or not own_terms(rest) or ANAPHORA.search(rest))


def own_terms(text: str) -> list[str]:
    """The words of a follow-up that name a subject: not stopwords, period words, or words asking about a subject."""
    words = TERM.findall(PERIOD_WORDS.sub(" ", SHIFT.sub(" ", text)).lower())
    return [word for word in words if word not in STOPWORDS and word not in ASPECT_WORDS and not word.isdigit()]


def _period(previous: Turn, text: str) -> tuple[dt.date, dt.date] | None:
    """The period a follow-up is about: one it names, one a year or month away from the previous question's ("the
    year before"), else the previous question's own."""
    named = mentioned_period(text)
    if named:
        return named
    shift = SHIFT.search(text)
    if shift is None:
        return previous.period
    unit = (shift.group("unit") or shift.group("unit2")).lower()
    back = (shift.group("direction") or shift.group("direction2")).lower() in BACKWARD
    base = previous.period or (_whole(previous.anchor, unit) if previous.anchor else None)
    if base is None:
        return None
    return _moved(base, unit, -1 if back else 1)


def _whole(day: dt.date, unit: str) -> tuple[dt.date, dt.date]:
    """The calendar year or month that holds `day`."""
    if unit == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _moved(period: tuple[dt.date, dt.date], unit: str, step: int) -> tuple[dt.date, dt.date]:
    """The whole years (or months) that `period` spans, moved by as many as it spans: "the year before" 2019 is
    2018, and the month after 12 March 2024 is April 2024."""
    start, end = _whole(period[0], unit)[0], _whole(period[1], unit)[1]
    if unit == "year":
        span = end.year - start.year + 1
        return start.replace(year=start.year + step * span), end.replace(year=end.year + step * span)
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    first, last = _add_months(start, step * span), _add_months(end.replace(day=1), step * span)
    return first, _whole(last, unit)[1]


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
