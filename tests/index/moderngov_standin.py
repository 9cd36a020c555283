"""A stand-in ModernGov site on 127.0.0.1: the web service's GetCommittees, GetMeetings and GetMeeting answered in
the format of the real responses, over kept-alive HTTP/1.1 connections as real sites do, and the troubles real sites
have (a 500, a 429 or 503 with Retry-After, an answer that never comes, the service switched off).

Run it on its own to try `ingest.py --moderngov` by hand: python -m tests.index.moderngov_standin [PORT]
"""

from __future__ import annotations

import datetime as dt
import math
import socket
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.conftest import SHARED

REAL_MEETING = SHARED / "fixtures" / "moderngov" / "getmeeting-audit-committee-2026-02-10.xml"
SERVICE = "/mgWebService.asmx/"
OFF_PAGE = (
    b"<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body>Not found</body></html>"
)
COUNCIL_PAGE = (
    b"<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>Bins, parking, libraries.</p></body></html>"
)


@dataclass(frozen=True)
class Request:
    """A request as the stand-in saw it: `arrived` is the wall-clock time, as Retry-After's HTTP-date form is."""

    path: str
    arrived: float


@dataclass
class AgendaItem:
    number: str
    title: str
    minutes: str
    restricted: bool = False


def committees_xml(committees: list[tuple[str, str, bool]]) -> bytes:
    """GetCommittees: (id, title, expired) each."""
    root = ET.Element("committees")
    ET.SubElement(root, "committeescount").text = f" {len(committees)}"
    for committee_id, title, expired in committees:
        element = ET.SubElement(root, "committee")
        for tag, value in [
            ("committeeid", committee_id),
            ("committeetitle", title),
            ("committeedeleted", "False"),
            ("committeeexpired", str(expired)),
            ("committeecategory", "Governance and Decision Making Committees"),
        ]:
            ET.SubElement(element, tag).text = value
    return _document(root)


def meetings_xml(committee_id: str, title: str, meetings: list[tuple[str, dt.date, str]]) -> bytes:
    """GetMeetings for one committee: (meeting id, date, status) each."""
    root = ET.Element("getmeetings")
    ET.SubElement(root, "meetingscount").text = f" {len(meetings)}"
    ET.SubElement(root, "committeescount").text = " 1"
    committee = ET.SubElement(root, "committee")
    ET.SubElement(committee, "committeeid").text = committee_id
    ET.SubElement(committee, "committeetitle").text = title
    ET.SubElement(committee, "committeemeetingcount").text = f" {len(meetings)}"
    listed = ET.SubElement(committee, "committeemeetings")
    for meeting_id, date, status in meetings:
        element = ET.SubElement(listed, "meeting")
        for tag, value in [
            ("meetingid", meeting_id),
            ("meetingdate", f"{date:%d/%m/%Y}"),
            ("meetingstatus", status),
            ("meetingtime", "10.00 am"),
            ("iswebcast", "False"),
        ]:
            ET.SubElement(element, tag).text = value
    return _document(root)


def meeting_xml(meeting_id: str, date: dt.date, items: list[AgendaItem], published: bool = True) -> bytes:
    """GetMeeting, with the elements of the real response that say what is published, restricted and minuted."""
    day = f"{date:%d/%m/%Y}"
    root = ET.Element("meeting")
    for tag, value in [
        ("meetingid", meeting_id),
        ("meetingdate", day),
        ("meetingstatus", "Confirmed"),
        ("isdisplayallowed", "True"),
        ("meetingtime", "10.00 am"),
        ("agendapublished", "True"),
        ("minutepublished", str(published)),
    ]:
        ET.SubElement(root, tag).text = value
    agenda = ET.SubElement(root, "agendaitems")
    for position, item in enumerate(items, start=1):
        element = ET.SubElement(agenda, "agendaitem")
        for tag, value in [
            ("agendaitemid", f"{meeting_id}{position:02d}"),
            ("agendaitemtitle", item.title),
            ("agendatext", f'<div class="WordSection1"><p class="MsoNormal">{item.title}</p></div>'),
            ("agendaitemnumber", str(position)),
            ("fulldisplaynumberformat", f"{item.number}."),
            ("minutesnonemptyhtmlbody", item.minutes if published else ""),
            ("isminutepublished", str(published)),
            ("isrestricted", str(item.restricted)),
            ("isdisplayallowed", "True"),
            ("meetingdate", day),
            ("minutesitemnumber", item.number),
        ]:
            ET.SubElement(element, tag).text = value
    return _document(root)


def _document(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


HIGHWAYS = ("201", "Highways and Transport Committee")
AUDIT = ("144", "Audit Committee")
BUS_SHELTERS = (
    '<div class="WordSection1"><p class="MsoNormal">The Head of Highways presented a report on replacing 120 bus '
    "shelters across the county over three years, starting with the 40 shelters in the worst condition on the A614 "
    "corridor.</p><p>Councillor M Okafor asked whether the new shelters would have real-time information displays. "
    "The Head of Highways confirmed that 25 of them would.</p><p><b>RESOLVED:</b></p><p>That the replacement "
    "programme be approved, with a budget of &#163;1.4 million from the Local Transport Fund.</p></div>"
)
DEPOT_SECRET = "sell the Carrow Lane depot to Harbour Estates"
GRITTING_DRAFT = (
    "<p>DRAFT minutes, subject to approval. The Committee noted that 48 gritting routes had been treated on 31 nights "
    "between November and January.</p>"
)
GRITTING_APPROVED = (
    "<p>The Committee noted that 52 gritting routes had been treated on 31 nights between November and January, and "
    "asked for a report on salt stocks at the next meeting.</p>"
)


class ModernGovStandIn:
    """A council's ModernGov site. Under /off/ its web service is switched off (404 pages); under /plain/ it is an
    ordinary council website. `fail_next`, `busy_next` and `stall_next` map a part of a request's path and query to
    how many of the next such requests are answered 500; answered `busy_status` with a Retry-After of `retry_after`
    seconds (as an HTTP-date if `retry_after_date`, none if None); or not answered until the stand-in closes, which is
    later than any client waits. `retry_from` has, for each busy answer, the wall-clock time its Retry-After names."""

    def __init__(self, real_meeting: bytes | None = None, port: int = 0) -> None:
        self.committees = [(*AUDIT, False), (*HIGHWAYS, False), ("312", "Appointments Sub-Committee", True)]
        self.listed: dict[str, list[tuple[str, dt.date, str]]] = {AUDIT[0]: [], HIGHWAYS[0]: []}
        self.meetings: dict[str, bytes] = {}
        if real_meeting is not None:
            self.listed[AUDIT[0]] = [
                ("4966", dt.date(2026, 1, 13), "Cancelled"),
                ("4967", dt.date(2026, 2, 10), "Confirmed"),
            ]
            self.meetings["4967"] = real_meeting
        self.listed[HIGHWAYS[0]] = [
            ("5101", dt.date(2026, 1, 15), "Confirmed"),
            ("5102", dt.date(2026, 2, 12), "Confirmed"),
            ("5103", dt.date(2026, 3, 12), "Confirmed"),
            ("5104", dt.date(2026, 4, 9), "Confirmed"),
        ]
        self.meetings["5101"] = meeting_xml(
            "5101",
            dt.date(2026, 1, 15),
            [
                AgendaItem("1", "Apologies for Absence", "<p>Apologies were received from Councillor R Patel.</p>"),
                AgendaItem(
                    "2",
                    "Declarations of Interest",
                    "<p>Councillor M Okafor declared a personal interest in item 3 as a resident of the A614.</p>",
                ),
                AgendaItem("3", "Bus Shelter Replacement Programme", BUS_SHELTERS),
                AgendaItem("4", "Depot Land Disposal", f"<p>The Committee agreed to {DEPOT_SECRET}.</p>", True),
                AgendaItem("5", "Date of Next Meeting", "<p>The next meeting will be held on 12 February 2026.</p>"),
            ],
        )
        self.meetings["5102"] = meeting_xml(
            "5102", dt.date(2026, 2, 12), [AgendaItem("1", "Winter Gritting Review", GRITTING_DRAFT)]
        )
        self.meetings["5103"] = meeting_xml(
            "5103",
            dt.date(2026, 3, 12),
            [AgendaItem("1", "Pothole Repairs", "<p>3,400 potholes were filled in February 2026.</p>")],
        )
        # a meeting to come: its agenda is published, its minutes are not
        self.meetings["5104"] = meeting_xml(
            "5104",
            dt.date(2026, 4, 9),
            [
                AgendaItem("1", "Apologies for Absence", ""),
                AgendaItem("2", "Bus Shelter Replacement Programme – Progress", ""),
                AgendaItem("3", "Depot Land Disposal – Offers Received", "", True),
                AgendaItem("4", "Date of Next Meeting", ""),
            ],
            published=False,
        )
        self.fail_next: dict[str, int] = {}
        self.busy_next: dict[str, int] = {}
        self.busy_status = 503
        self.retry_after: int | None = 1
        self.retry_after_date = False
        self.retry_from: list[float] = []
        self.stall_next: dict[str, int] = {}
        self.requests: list[Request] = []
        self.connections: list[socket.socket] = []
        self.closing = threading.Event()
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with stand_in.lock:
                    stand_in.connections.append(self.connection)

            def handle(self) -> None:
                try:
                    super().handle()
                except ConnectionError:
                    pass  # the client hung up: it gave up waiting, or has gone

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                with stand_in.lock:
                    stand_in.requests.append(Request(self.path, time.time()))
                    failing = stand_in.take(stand_in.fail_next, self.path)
                    busy = stand_in.take(stand_in.busy_next, self.path)
                    stalling = stand_in.take(stand_in.stall_next, self.path)
                if stalling:
                    stand_in.closing.wait()
                headers = {}
                if failing:
                    status, kind, body = 500, "text/html", b"Server Error"
                elif busy:
                    status, kind, body = stand_in.busy_status, "text/html", b"Busy"
                    headers = stand_in.busy_headers()
                else:
                    status, kind, body = stand_in.answer(self.path)
                self.send_response(status)
                for name, value in {"Content-Type": kind, "Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        """Stop serving, and hang up on every client still connected, so that no request is left waiting."""
        self.closing.set()
        self.server.shutdown()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed
        self.server.server_close()

    def busy_headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        if not self.retry_after_date:
            self.retry_from.append(time.time() + self.retry_after)
            return {"Retry-After": str(self.retry_after)}
        # An HTTP-date names whole seconds: the next one at or after the wait asked for.
        until = math.ceil(time.time() + self.retry_after)
        self.retry_from.append(until)
        return {"Retry-After": format_datetime(dt.datetime.fromtimestamp(until, dt.UTC), usegmt=True)}

    @staticmethod
    def take(counts: dict[str, int], path: str) -> bool:
        for part, count in counts.items():
            if part in path and count:
                counts[part] = count - 1
                return True
        return False

    def requested(self, part: str) -> int:
        return sum(part in request.path for request in self.requests)

    def answer(self, path: str) -> tuple[int, str, bytes]:
        parts = urlsplit(path)
        if parts.path.startswith("/plain/"):
            return 200, "text/html", COUNCIL_PAGE
        if parts.path.startswith("/off/") or not parts.path.startswith(SERVICE):
            return 404, "text/html", OFF_PAGE
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        method = parts.path.removeprefix(SERVICE)
        if method == "GetCommittees":
            return 200, "text/xml", committees_xml(self.committees)
        if method == "GetMeetings":
            since, until = (dt.datetime.strptime(query[key], "%d/%m/%Y").date() for key in ("sFromDate", "sToDate"))
            committee_id = query["lCommitteeId"]
            title = next(title for each, title, _ in self.committees if each == committee_id)
            listed = [each for each in self.listed.get(committee_id, []) if since <= each[1] <= until]
            return 200, "text/xml", meetings_xml(committee_id, title, listed)
        if method == "GetMeeting" and query.get("lMeetingId") in self.meetings:
            return 200, "text/xml", self.meetings[query["lMeetingId"]]
        return 500, "text/html", b"Server Error"


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    site = ModernGovStandIn(REAL_MEETING.read_bytes() if REAL_MEETING.exists() else None, port)
    print(f"A stand-in ModernGov site is answering at {site.url} (Ctrl-C stops it).", flush=True)
    try:
        site.thread.join()
    except KeyboardInterrupt:
        site.close()
