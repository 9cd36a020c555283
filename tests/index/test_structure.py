"""The document model read from minutes' layout: header, items, decisions, speakers, boilerplate."""

import datetime as dt

import pytest

from index.dates import find_date
from index.parse import parse_bytes
from index.structure import find_speakers
from index.title import is_title_line, read_title
from tests.conftest import EXAMPLES, SEED_DATE, SEED_ITEM


def parse_text(text: str, **fallbacks):
    return parse_bytes(text.encode("utf-8"), "minutes.txt", **fallbacks)


def paragraphs(document):
    return [
        (item.title, document.paragraph_text(paragraph), paragraph.kind)
        for item in document.items
        for paragraph in item.paragraphs
    ]


def test_seed_item_title_decision_and_boilerplate(seed_path):
    document = parse_bytes(seed_path.read_bytes(), str(seed_path), committee="CYP Scrutiny", date=SEED_DATE)
    assert [item.title for item in document.items] == [SEED_ITEM]
    texts = [text for _, text, _ in paragraphs(document)]
    assert texts[0].startswith("The Committee considered a report")
    assert not any("Supporting documents" in text or text.strip() in {"Minutes:", "Resolved"} for text in texts)
    decisions = [text for _, text, kind in paragraphs(document) if kind == "decision"]
    assert decisions == ["That the report and presentation be noted and an update to be provided in 12 months."]
    assert document.committee == "CYP Scrutiny" and document.date == SEED_DATE
    for item in document.items:
        for paragraph in item.paragraphs:
            assert document.text[paragraph.start : paragraph.end] in seed_path.read_text(encoding="utf-8")


def test_seed_speakers(seed_path):
    document = parse_bytes(seed_path.read_bytes(), str(seed_path))
    speakers = {name for item in document.items for paragraph in item.paragraphs for name in paragraph.speakers}
    assert {"Councillor Bainbridge", "Councillor Jewell", "Councillor Hall", "The Strategic Manager"} <= speakers


WHOLE_MEETING = """\
Cabinet – 12 March 2024

Minutes of the meeting held at County Hall on Tuesday 12 March 2024 at 10.00 am

Present: Councillor A Shah (Leader) in the Chair; Councillors B Ellis and C Moreno.

1 Apologies for Absence

Apologies were received from Councillor D Price.

2 Library Opening Hours

The Head of Culture reported that opening hours at 14 branch libraries would change from 1 May.

Councillor Ellis asked whether Saturday opening would be kept.

RESOLVED that:

(i) the revised opening hours be approved;

(ii) a review be reported back to Cabinet in six months.

3 Pothole Repair Backlog

The Highways Manager said the backlog stood at 4,120 defects.
"""


def test_whole_meeting_header_items_and_numbered_resolutions():
    document = parse_text(WHOLE_MEETING)
    assert document.committee == "Cabinet"
    assert (document.date, document.meeting.date_source) == (dt.date(2024, 3, 12), "text")
    assert [(item.number, item.title) for item in document.items] == [
        (None, None),
        ("1", "Apologies for Absence"),
        ("2", "Library Opening Hours"),
        ("3", "Pothole Repair Backlog"),
    ]
    library = document.items[2]
    kinds = [(document.paragraph_text(p)[:12], p.kind) for p in library.paragraphs]
    assert kinds == [
        ("The Head of ", "text"),
        ("Councillor E", "text"),
        ("(i) the revi", "decision"),
        ("(ii) a revie", "decision"),
    ]
    assert document.items[3].paragraphs[0].kind == "text"


def test_minutes_of_the_meeting_of_names_the_committee():
    text = (
        "MINUTES of the meeting of the Environment and Transport Committee held on 20 June 2023\n\n"
        "5. Bus Route Consultation\n\nThe consultation closed with 812 responses.\n"
    )
    document = parse_text(text)
    assert document.committee == "Environment and Transport Committee"
    assert document.date == dt.date(2023, 6, 20)
    assert document.items[0].title == "Bus Route Consultation"


def test_committee_and_date_given_by_a_person_override_the_document():
    document = parse_text(
        "Agenda item\n\nFlood Defences\n\nMinutes:\n\nWork began in May.\n",
        committee="Cabinet",
        date=dt.date(2024, 1, 2),
    )
    assert (document.committee, document.date, document.meeting.date_source) == (
        "Cabinet",
        dt.date(2024, 1, 2),
        "option",
    )
    assert parse_text("Agenda item\n\nFlood Defences\n\nMinutes:\n\nWork began in May.\n").committee is None
    stated = parse_text(WHOLE_MEETING, committee="Scrutiny Board", date=dt.date(2024, 3, 13))
    assert (stated.committee, stated.date, stated.meeting.date_source) == (
        "Scrutiny Board",
        dt.date(2024, 3, 13),
        "option",
    )


def test_dates_in_the_forms_minutes_use():
    assert find_date("Tuesday, 14th March 2023") == dt.date(2023, 3, 14)
    assert find_date("March 14, 2023") == dt.date(2023, 3, 14)
    assert find_date("held on 14/03/2023") == dt.date(2023, 3, 14)
    assert find_date("2023-03-14") == dt.date(2023, 3, 14)
    assert find_date("31 February 2023") is None
    assert find_date("no date here") is None


def test_committee_lines():
    assert read_title(["Audit Committee - 10 February 2026"]).committee == "Audit Committee"
    assert (
        read_title(["Minutes of the Planning Sub-Committee held on 3 May 2022"]).committee == "Planning Sub-Committee"
    )
    assert not is_title_line("The consultation closed with 812 responses from the Committee and others in the area.")


def test_transcript_speaker_prefix():
    assert find_speakers("Hon. Andrew Scheer (Leader of the Opposition): Thank you, Mr. Chair.")[0] == (
        "Hon. Andrew Scheer (Leader of the Opposition)"
    )
    assert find_speakers("Present: Councillors A, B and C.") == ()


OPENING = ["Apologies for Absence", "Declarations of Interest"]


@pytest.mark.parametrize(
    ("name", "procedural"),
    [
        ("cyp-scrutiny/2023-03-14-minutes.txt", [*OPENING, "Minutes"]),
        ("environment/2023-06-20-printed-minutes.html", [*OPENING, "Minutes of the Previous Meeting"]),
        ("cyp-scrutiny/2024-11-19-minutes.docx", [*OPENING, "Minutes"]),
        ("environment/2024-06-11-minutes.pdf", [*OPENING, "Minutes", "Date of Next Meeting"]),
        ("environment/2025-02-04-minutes.md", [*OPENING, "Minutes", "Date of Next Meeting"]),
    ],
)
def test_procedural_items_are_marked_alike_in_every_format(name, procedural):
    document = parse_bytes((EXAMPLES / name).read_bytes(), name)
    assert [item.title for item in document.items if item.procedural] == procedural
    assert len(document.items) > len(procedural)
