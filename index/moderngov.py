"""Sync minutes from a council's ModernGov site, through its public web service (`mgWebService.asmx`).

One Document per meeting: its source and URL are the meeting's public page, its items the agenda items whose
minutes are published. Restricted items are left out and never stored. A re-run re-embeds only meetings whose
minutes changed (a hash of each item's minutes), and takes out meetings whose minutes were withdrawn.
"""

from __future__ import annotations

import bisect
import datetime as dt
import email.utils
import hashlib
import http.client
import json
import re
import socket
import ssl
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import requests

from .dates import in_words, utc_timestamp
from .document import Document, Item, item_label, join_runs
from .document import Meeting as MeetingRecord
from .embed import ModelChoice
from .parse import html
from .pipeline import PIPELINE_VERSION, Indexer
from .progress import Progress, Unseen
from .store import Store
from .structure import build_document, is_procedural

SERVICE = "mgWebService.asmx"
DATE_FORMAT = "%d/%m/%Y"
FORMAT = "moderngov"
HEADERS = {"User-Agent": "Minutebook (committee minutes search)", "Accept": "text/xml, application/xml"}
# The longest a site's Retry-After makes a sync wait before asking again: a site that asks for longer is asked sooner,
# and the sync gives up when it has run out of tries, rather than sit silent for hours.
MAX_RETRY_AFTER = 60.0
# How far past `until` a sync reads the meetings list, so that a digest knows each committee's next meeting.
CALENDAR_AHEAD = dt.timedelta(days=366)
# How far back a sync looks unless told otherwise: minutes are published, and corrected, weeks after a meeting.
LOOK_BACK = dt.timedelta(days=365)


class ModernGovError(Exception):
    """A site that cannot be synced (now); the message says why, in one sentence, for a person."""


@dataclass(frozen=True)
class Committee:
    id: str
    title: str
    expired: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class Listed:
    """A meeting as GetMeetings lists it, before its agenda and minutes are fetched."""

    id: str
    date: dt.date
    status: str


@dataclass(frozen=True)
class AgendaItem:
    id: str
    number: str | None
    title: str
    minutes: str
    restricted: bool

    @property
    def heading(self) -> str:
        return item_label(self.number, self.title)


@dataclass(frozen=True)
class Meeting:
    id: str
    date: dt.date
    published: bool
    items: tuple[AgendaItem, ...]

    @property
    def public_items(self) -> list[AgendaItem]:
        """Agenda items whose minutes anyone may read: the only ones Minutebook stores."""
        if not self.published:
            return []
        return [item for item in self.items if item.minutes.strip() and not item.restricted]

    @property
    def restricted(self) -> int:
        return sum(item.restricted for item in self.items) if self.published else 0


def site_url(url: str) -> str:
    """The address the web service hangs off, from what a person pastes: the site, a page of it, or the service."""
    given = url.strip()
    parts = urllib.parse.urlsplit(given if "://" in given else f"https://{given}")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ModernGovError(
            f"'{url}' is not a web address: give the ModernGov site's, such as https://democracy.example.gov.uk."
        )
    path = re.split(rf"/{re.escape(SERVICE)}", parts.path, flags=re.IGNORECASE)[0]
    path = re.sub(r"/[^/]*\.aspx$", "", path, flags=re.IGNORECASE).rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))


def meeting_page(site: str, committee_id: str, meeting_id: str = "") -> str:
    """A meeting's public page on its site; without a meeting id, what every page of the committee's meetings starts
    with."""
    return f"{site_url(site)}/ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}"


def retry_after_seconds(header: str | None, now: dt.datetime | None = None) -> float | None:
    """How long a 429 or 503 answer's Retry-After asks a client to wait, in either of its forms (seconds or an
    HTTP-date), at most MAX_RETRY_AFTER; None when there is none or it cannot be read, and the usual pause applies."""
    value = (header or "").strip()
    if re.fullmatch(r"[0-9]+", value):
        return min(float(value), MAX_RETRY_AFTER)
    try:
        until = email.utils.parsedate_to_datetime(value)
    except ValueError:
        return None
    if until.tzinfo is None:  # the obsolete asctime form, which is in GMT like every HTTP-date
        until = until.replace(tzinfo=dt.UTC)
    seconds = (until - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _root_cause(error: BaseException) -> BaseException:
    """The socket, TLS or HTTP error under the layers requests and urllib3 wrap it in: the one a person can act on."""
    while error.__context__ is not None:
        error = error.__context__
    return error


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def _flag(element: ET.Element, tag: str, default: bool) -> bool:
    value = _text(element, tag).lower()
    return value == "true" if value else default


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        raise ModernGovError(f"The web service gave a meeting date Minutebook cannot read: '{text}'.") from None


def parse_committees(root: ET.Element) -> list[Committee]:
    return [
        Committee(
            id=_text(element, "committeeid"),
            title=_text(element, "committeetitle"),
            expired=_flag(element, "committeeexpired", False),
            deleted=_flag(element, "committeedeleted", False),
        )
        for element in root.iter("committee")
        if _text(element, "committeeid")
    ]


def parse_meetings(root: ET.Element) -> list[Listed]:
    return [
        Listed(
            id=_text(element, "meetingid"),
            date=_date(_text(element, "meetingdate")),
            status=_text(element, "meetingstatus"),
        )
        for element in root.iter("meeting")
        if _text(element, "meetingid")
    ]


def parse_meeting(root: ET.Element) -> Meeting:
    items = []
    for element in root.iter("agendaitem"):
        number = _text(element, "fulldisplaynumberformat").rstrip(".") or _text(element, "minutesitemnumber")
        body = element.find("minutesnonemptyhtmlbody")
        published = _flag(element, "isminutepublished", True)
        items.append(
            AgendaItem(
                id=_text(element, "agendaitemid"),
                number=number or None,
                title=_text(element, "agendaitemtitle") or "Untitled item",
                minutes=(body.text or "") if body is not None and published else "",
                restricted=_flag(element, "isrestricted", False) or not _flag(element, "isdisplayallowed", True),
            )
        )
    return Meeting(
        id=_text(root, "meetingid"),
        date=_date(_text(root, "meetingdate")),
        published=_flag(root, "minutepublished", False) and _flag(root, "isdisplayallowed", True),
        items=tuple(items),
    )


class Site:
    """A ModernGov site's public web service, asked politely: one request at a time over one kept-alive connection,
    at least `delay` seconds apart, each given `timeout` seconds, and retried after growing pauses (or as long as the
    server's Retry-After asks) when the server fails or is busy, the connection drops or the answer is late."""

    def __init__(
        self, url: str, timeout: float = 30.0, delay: float = 0.5, retries: int = 3, backoff: float = 2.0
    ) -> None:
        self.url = site_url(url)
        self.timeout = timeout
        self.delay = delay
        self.retries = retries
        self.backoff = backoff
        self._last_request: float | None = None
        self._session = requests.Session()
        self._session.headers.update(HEADERS)

    def committees(self) -> list[Committee]:
        return parse_committees(self._call("GetCommittees", "committees"))

    def meetings(self, committee: Committee, since: dt.date, until: dt.date) -> list[Listed]:
        root = self._call(
            "GetMeetings",
            "getmeetings",
            lCommitteeId=committee.id,
            sFromDate=since.strftime(DATE_FORMAT),
            sToDate=until.strftime(DATE_FORMAT),
        )
        return parse_meetings(root)

    def meeting(self, meeting_id: str) -> Meeting:
        return parse_meeting(self._call("GetMeeting", "meeting", lMeetingId=meeting_id))

    def meeting_page(self, committee_id: str, meeting_id: str = "") -> str:
        return meeting_page(self.url, committee_id, meeting_id)

    def _call(self, method: str, root: str, **params: str) -> ET.Element:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        data = self._fetch(f"{self.url}/{SERVICE}/{method}{query}", method)
        # The standard library's parser is safe with a site's answers: expat 2.4.1 and later refuses entity-expansion
        # bombs, and ElementTree never fetches external entities.
        try:
            element = ET.fromstring(data)
        except ET.ParseError:
            element = None
        if element is None or element.tag != root:
            raise ModernGovError(
                f"{self.url} is not a ModernGov site, or its web service is switched off: "
                f"{method} did not answer with the web service's XML."
            )
        return element

    def _fetch(self, address: str, method: str) -> bytes:
        failure = ""
        asked: float | None = None  # how long the last busy answer's Retry-After asked to wait
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(max(self.backoff * 2 ** (attempt - 1), asked or 0.0))
            self._pause()
            asked = None
            try:
                response = self._session.get(address, timeout=self.timeout)
            except (OSError, http.client.HTTPException) as error:
                reason = _root_cause(error)
                if isinstance(reason, TimeoutError):
                    failure = f"did not answer {method} within {self.timeout:g} s"
                elif isinstance(reason, socket.gaierror | ssl.SSLError):
                    raise ModernGovError(f"Could not reach {self.url} ({reason}): check the address.") from None
                else:
                    failure = f"could not be reached ({reason})"
                continue
            status = response.status_code
            if status < 300:
                return response.content
            if status < 500 and status != 429:
                raise ModernGovError(
                    f"{self.url} is not a ModernGov site, or its web service is switched off: "
                    f"{method} answered {status} {response.reason}."
                )
            failure = f"answered {method} with {status} {response.reason}"
            if status in {429, 503}:
                asked = retry_after_seconds(response.headers.get("Retry-After"))
        raise ModernGovError(f"{self.url} {failure}, {self.retries + 1} times: try again later.")

    def _pause(self) -> None:
        if self._last_request is not None:
            time.sleep(max(0.0, self._last_request + self.delay - time.monotonic()))
        self._last_request = time.monotonic()


def choose_committees(committees: Sequence[Committee], wanted: Sequence[str], site: str) -> list[Committee]:
    """The committees named by id or by name (whole, else any part, any case); every one not deleted if none is."""
    if not wanted:
        return [committee for committee in committees if not committee.deleted]
    chosen: list[Committee] = []
    for name in wanted:
        key = " ".join(name.split()).casefold()
        matches = (
            [committee for committee in committees if committee.id == name.strip()]
            or [committee for committee in committees if committee.title.casefold() == key]
            or [committee for committee in committees if key in committee.title.casefold()]
        )
        if not matches:
            raise ModernGovError(
                f"{site} has no committee '{name}': minutebook ingest --moderngov {site} --list-committees lists them."
            )
        if len(matches) > 1:
            found = ", ".join(f"{committee.title} ({committee.id})" for committee in matches)
            raise ModernGovError(f"'{name}' could be any of {found}: give its id or its whole name.")
        chosen += [committee for committee in matches if committee not in chosen]
    return chosen


def meeting_fingerprint(meeting: Meeting, committee: str, url: str) -> str:
    """A hash over each public item's minutes and what is stored with them: unchanged means nothing to re-embed."""
    items = [
        [item.id, item.number, item.title, hashlib.sha256(item.minutes.encode()).hexdigest()]
        for item in meeting.public_items
    ]
    record = [PIPELINE_VERSION, committee, url, meeting.date.isoformat(), items]
    return hashlib.sha256(json.dumps(record).encode()).hexdigest()


def meeting_document(meeting: Meeting, committee: str, url: str) -> Document | None:
    """The meeting's public minutes as one Document, one item per agenda item; None when it has none.

    Each item's minutes go through the HTML parser and `build_document` like any minutes, laid out as ModernGov's
    own agenda-item pages are ("Agenda item", the item's title, its minutes). The web service, not the layout, says
    which agenda item each paragraph belongs to and what the item is called.
    """
    runs: list[tuple[str, bool, bool]] = []
    sections: list[tuple[int, AgendaItem]] = []
    for item in meeting.public_items:
        minutes = html.extract(item.minutes.encode())
        if not minutes.blocks:
            continue
        runs.append(("Agenda item", False, False))
        sections.append((len(runs), item))
        runs.append((item.heading, True, True))
        runs += [(minutes.text[block.start : block.end], block.heading, block.prominent) for block in minutes.blocks]
    if not sections:
        return None
    extracted = join_runs(runs)
    document = build_document(url, FORMAT, extracted, committee=committee, date=meeting.date)
    starts = [extracted.blocks[index].start for index, _ in sections]
    items = [Item(item.number, item.title, procedural=is_procedural(item.title)) for _, item in sections]
    for read in document.items:
        for paragraph in read.paragraphs:
            items[bisect.bisect_right(starts, paragraph.start) - 1].paragraphs.append(paragraph)
    document.items = [item for item in items if item.paragraphs]
    if not document.items:
        return None
    document.meetings = [
        MeetingRecord(committee=committee, date=meeting.date, date_source="text", committee_from_text=True)
    ]
    document.url = url
    document.title = f"{committee}, {in_words(meeting.date)}"
    return document


@dataclass
class SyncReport:
    """What a sync did, by meeting page URL; `error` says why it stopped early, if it did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    without_minutes: list[str] = field(default_factory=list)
    restricted: int = 0
    chunks: int = 0
    seconds: float = 0.0
    error: str | None = None

    def summary(self) -> str:
        plural = "" if self.restricted == 1 else "s"
        return (
            f"{len(self.added)} meetings added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.without_minutes)} without published minutes; "
            f"{self.restricted} restricted item{plural} left out; {self.chunks} chunks in {self.seconds:.1f} s"
        )


def sync(
    site: Site,
    store: Store,
    model: ModelChoice,
    committees: Sequence[Committee],
    since: dt.date,
    until: dt.date,
    on_removed: Callable[[str, str], None] | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Bring the index up to date with the committees' meetings from `since` to `until`, both included.

    Each meeting is saved as soon as it is done, so a failure part-way stops the sync (see `SyncReport.error`)
    and keeps everything before it; the next run carries on from there. The meetings listed for the year after
    `until` are recorded too (`Store.save_calendar`): they have no minutes yet, but say when each committee meets next.
    """
    progress = progress or Unseen()
    indexer = Indexer(store, model, progress)
    started = time.perf_counter()
    report = SyncReport()
    restricted = {committee.id: 0 for committee in committees}
    finished: set[str] = set()

    def remove(url: str, label: str, reason: str) -> None:
        if not store.documents.remove_source(url):
            report.without_minutes.append(url)
            return
        report.removed.append(url)
        if on_removed:
            on_removed(label, reason)

    def sync_meeting(committee: Committee, listed: Listed) -> None:
        url = site.meeting_page(committee.id, listed.id)
        label = f"{committee.title}, {in_words(listed.date)}"
        if listed.status.casefold() == "cancelled":
            remove(url, label, "the meeting was cancelled")
            return
        meeting = site.meeting(listed.id)
        restricted[committee.id] += meeting.restricted
        fingerprint = meeting_fingerprint(meeting, committee.title, url)
        previous = store.documents.fingerprint(url)
        if fingerprint == previous:
            report.unchanged.append(url)
            return
        document = meeting_document(meeting, committee.title, url)
        if document is None:
            remove(url, label, "its minutes are restricted now" if meeting.restricted else "its minutes are withdrawn")
            return
        report.chunks += indexer.add(document, url, fingerprint)
        (report.updated if previous else report.added).append(url)

    try:
        for committee in committees:
            calendar = site.meetings(committee, since, until + CALENDAR_AHEAD)
            store.calendar.save(
                site.url,
                committee.id,
                committee.title,
                [(each.id, each.date, each.status) for each in calendar],
                since,
                until + CALENDAR_AHEAD,
            )
            listed = [each for each in calendar if each.date <= until]
            progress.planned("meeting", len(listed))
            for each in listed:
                progress.started("meeting", f"{committee.title}, {each.date}")
                sync_meeting(committee, each)
                progress.done("meeting")
            pages = {site.meeting_page(committee.id, each.id) for each in listed}
            for row in store.documents.under(site.meeting_page(committee.id)):
                date = dt.date.fromisoformat(row["date"]) if row["date"] else None
                if row["source"] not in pages and date and since <= date <= until:
                    remove(row["source"], f"{committee.title}, {in_words(date)}", "the site no longer lists it")
            finished.add(committee.id)
    except ModernGovError as error:
        report.error = str(error)
    finally:
        store.sync_vectors()
        report.seconds = time.perf_counter() - started
    report.restricted = sum(restricted.values())
    synced_at = utc_timestamp()
    for committee in committees:
        indexed = store.documents.under(site.meeting_page(committee.id))
        store.calendar.save_source(
            {
                "site": site.url,
                "committee_id": committee.id,
                "committee": committee.title,
                "synced_at": synced_at,
                "since": since.isoformat(),
                "until": until.isoformat(),
                "meetings": len(indexed),
                "items": sum(row["items"] for row in indexed),
                "restricted": restricted[committee.id],
                "error": None if committee.id in finished else report.error,
            }
        )
    return report


def sync_recorded(
    store: Store,
    model: ModelChoice,
    until: dt.date,
    on_removed: Callable[[str, str], None] | None = None,
    progress: Progress | None = None,
) -> list[tuple[str, SyncReport]]:
    """Sync again, for the year up to `until`, every ModernGov committee synced into the index before (the
    `sources` table): what `minutebook sync` and the bot's scheduled sync do. A site that fails is reported in its
    `SyncReport.error`, and the other sites are synced all the same."""
    committee_ids: dict[str, list[str]] = {}
    for source in store.calendar.sources():
        committee_ids.setdefault(source["site"], []).append(source["committee_id"])
    reports = []
    for url, ids in committee_ids.items():
        try:
            site = Site(url)
            committees = choose_committees(site.committees(), ids, site.url)
        except ModernGovError as error:
            reports.append((url, SyncReport(error=str(error))))
            continue
        reports.append((url, sync(site, store, model, committees, until - LOOK_BACK, until, on_removed, progress)))
    return reports
