"""Dates as minutes, their file names and their questions write them: "Thursday, 30th January, 2025",
"10thApril2024", "14/03/2023", "2024-01-25", "30th-Jan-2025", "CPP Minutes 10.12.24" (day first, as in the UK)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import PurePath

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
WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_ORDINAL = r"(?:\s?(?:st|nd|rd|th)\b|(?:st|nd|rd|th)|[*\"°”'’])?"  # OCR reads a raised "th" as * or "
WRITTEN_DATES = [
    re.compile(
        rf"(?<![\d£$])(?P<day>\d{{1,2}}){_ORDINAL}[\s,.-]*(?:of\s+)?(?P<month>{MONTH_NAMES})(?![a-z])\.?[\s,.-]*"
        r"(?P<year>(?:19|2[0O])[\dO]\d)(?!\d)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<month>{MONTH_NAMES})(?![a-z])\.?\s*(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>(?:19|2[0O])[\dO]\d)(?!\d)",
        re.IGNORECASE,
    ),
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)(?!\d)"),
    re.compile(r"(?<![\d/.])(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>(?:19|20)\d\d)(?![\d/.])"),
]
SHORT_YEAR = re.compile(r"(?<![\d/.])(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d\d)(?![\d/.])")
COMPACT_ISO = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<month>[01]\d)(?P<day>[0-3]\d)(?!\d)")
NOT_THIS_MEETING = re.compile(
    r"\b(?:to\s+be\s+(?:confirmed|approved|signed|ratified)|(?:confirmed|approved|ratified|signed|uploaded|published|"
    r"posted|updated|circulated)\s+on|next\s+meeting|future\s+meetings?|previous\s+meeting|last\s+meeting|"
    r"the\s+minutes\s+of)\b",
    re.IGNORECASE,
)

LATER_AGENDA = re.compile(r"\W{0,3}(?:agenda\s+)?item\s+(?:no\.?\s*)?\d{1,3}[a-z]?\b", re.IGNORECASE)
YEARLESS = re.compile(
    rf"\b(?:(?P<weekday>{WEEKDAYS}),?\s+)?(?P<day>\d{{1,2}}){_ORDINAL}"
    rf"\s+(?:of\s+)?(?P<month>{MONTH_NAMES})\b(?![.,]?\s*\d)",
    re.IGNORECASE,
)
YEARLESS_REACH = 7  # a weekday and a date meet again within seven years


def _date(match: re.Match, short_year: bool = False) -> dt.date | None:
    month = match.group("month")
    month_number = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
    year = int(match.group("year").upper().replace("O", "0")) + (2000 if short_year else 0)  # "2O24", as typed
    try:
        return dt.date(year, month_number, int(match.group("day")))
    except ValueError:
        return None


def dates_in(text: str, short_years: bool = False) -> Iterator[tuple[int, dt.date]]:
    """Every calendar date written in `text`, as (position, date), in reading order."""
    for start, _, date in _written(text, short_years):
        yield start, date


def _written(text: str, short_years: bool) -> list[tuple[int, int, dt.date]]:
    """(start, end, date) of every calendar date written in `text`, in reading order."""
    found: list[tuple[int, int, dt.date]] = []
    patterns = [(pattern, False) for pattern in WRITTEN_DATES] + ([(SHORT_YEAR, True)] if short_years else [])
    for pattern, short in patterns:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end, _ in found):
                continue
            date = _date(match, short)
            if date:
                found.append((match.start(), match.end(), date))
    return sorted(found)


def find_date(text: str) -> dt.date | None:
    """The first calendar date written in `text`, in the forms UK minutes use."""
    return next((date for _, date in dates_in(text)), None)


def meeting_date(text: str) -> dt.date | None:
    """The first date in a title block or preamble that is not another meeting's: not the previous minutes being
    approved, the next meeting, nor the day the minutes are to be confirmed or were posted. A parenthesis closed
    before the date ("Draft (until approved at the next meeting) Minutes of … held on 9 September") is not about it,
    nor is a date with an agenda item after it: the later meeting the minutes went to ("November 18, 2015 Item 4B")."""
    for position, end, date in _written(text, short_years=True):
        sentence_start = max(
            text.rfind(". ", 0, position), text.rfind("\n", 0, position), text.rfind(")", 0, position), 0
        )
        before = text[max(sentence_start, position - 80) : position]
        if not NOT_THIS_MEETING.search(before) and not LATER_AGENDA.match(text, end):
            return date
    return None


def date_without_year(text: str, written: dt.date | None) -> dt.date | None:
    """A date printed without its year ("MONDAY 6 NOVEMBER"), in the year that puts it on its weekday closest to
    when the file was written; None when the file does not say when that was."""
    match = YEARLESS.search(text)
    if match is None or written is None:
        return None
    candidates = []
    for year in range(written.year - YEARLESS_REACH, written.year + 2):
        try:
            candidate = dt.date(year, MONTHS[match["month"].lower()], int(match["day"]))
        except ValueError:
            continue
        if not match["weekday"] or candidate.strftime("%A").lower() == match["weekday"].lower():
            candidates.append(candidate)
    return min(candidates, key=lambda candidate: abs(candidate - written), default=None)


def date_in_file_name(path: str) -> dt.date | None:
    """The meeting date a file's name gives: "2024-01-25 SPC minutes.pdf", "minutes_2019-07-02_.pdf",
    "CPP Minutes 10.12.24.pdf" (day first), "Printed minutes 30th-Jan-2025 10.00 Cabinet.pdf"."""
    stem = PurePath(path).stem
    for pattern in (WRITTEN_DATES[2], COMPACT_ISO):
        for match in pattern.finditer(stem):
            date = _date(match)
            if date:
                return date
    spaced = re.sub(r"[_]+", " ", stem)
    return next((date for _, date in dates_in(spaced, short_years=True)), None)


def date_in_front_matter(fields: dict[str, str]) -> dt.date | None:
    """A date in a web post's front matter (`date: 2020-08-14`): when it was posted, so the last resort."""
    for key in ("meeting_date", "meeting-date", "date", "published", "created"):
        if fields.get(key):
            found = find_date(fields[key]) or _iso_prefix(fields[key])
            if found:
                return found
    return None


def _iso_prefix(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def in_words(date: dt.date) -> str:
    """A date as minutes and citations write it: "12 March 2024"."""
    return f"{date.day} {date:%B %Y}"


def utc_timestamp() -> str:
    """Now, as the index records when something happened: ISO 8601 in UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def offset_changes(zone: dt.tzinfo, start: dt.datetime, years: int = 30) -> list[tuple[dt.datetime, int]]:
    """The UTC offset of `zone` in minutes at `start` (in UTC), then each change of it in the `years` after, to the
    minute: what lets SQL tell the day where the council is."""

    def offset(moment: dt.datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)

    changes = [(start, offset(start))]
    day, end = start, start + dt.timedelta(days=365 * years)
    while day < end:
        following = day + dt.timedelta(days=1)
        if offset(following) != changes[-1][1]:
            before, after = day, following
            while after - before > dt.timedelta(minutes=1):
                middle = before + (after - before) / 2
                before, after = (before, middle) if offset(middle) != changes[-1][1] else (middle, after)
            changes.append((after.replace(second=0, microsecond=0), offset(after)))
        day = following
    return changes
