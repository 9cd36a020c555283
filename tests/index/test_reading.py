"""Minutes as councils really publish them: title blocks, dates, items, decisions and page furniture.

The layouts come from two places: tests/data/layouts/ holds fictional minutes set out the way county ModernGov
"printed minutes", parish PDFs, Word files and village web posts are (built into PDF and Word by tests/layouts.py);
../shared/eval/real-minutes holds real parish minutes, read here when it is beside the checkout.
"""

import datetime as dt
import re

import pytest

from index.dates import date_in_file_name, date_without_year, find_date, meeting_date
from index.parse import parse_bytes
from index.promises import extract
from index.title import read_title
from tests import layouts
from tests.conftest import SOULDERN as REAL


def titles(document):
    return [(item.number, item.title) for item in document.items if item.title]


def paragraph_texts(document):
    return [" ".join(document.paragraph_text(p).split()) for item in document.items for p in item.paragraphs]


def read_as(document):
    meeting = document.meeting
    return meeting.council, meeting.committee, meeting.date, meeting.date_source


def decisions(document):
    return [" ".join(document.text[e.start : e.end].split()) for e in extract(document) if e.kind == "decision"]


def test_county_printed_minutes():
    document = parse_bytes(
        layouts.pdf("northfield-cabinet.txt", footer="{page}"), "Printed minutes 30th-Jan-2025 10.00 Cabinet.pdf"
    )
    meeting = document.meeting
    assert (meeting.council, meeting.committee, meeting.date, meeting.date_source) == (
        "Northfield County Council",
        "Cabinet",
        dt.date(2025, 1, 30),
        "text",
    )
    assert titles(document) == [
        ("84", "Apologies"),
        ("85", "Declarations of Interest"),
        ("86", "Minutes of the Meeting held on 9 January 2025"),
        ("87", "Cabinet Member Updates"),
        ("88", "Proposed Revision of Rates Payable and Charges Levied by Northfield County Council for Adult Social "
               "Care Services"),
        ("89", "Highways Term Maintenance Contract"),
    ]  # fmt: skip
    texts = paragraph_texts(document)
    assert not any(re.fullmatch(r"\(Item \d\)|\d|UNRESTRICTED ITEMS", text) for text in texts)
    assert "1. Mr Aldous, Leader of the Council, provided an update on the following:" in texts
    assert [item.title for item in document.items if item.procedural] == [
        "Apologies",
        "Declarations of Interest",
        "Minutes of the Meeting held on 9 January 2025",
    ]
    assert decisions(document)[1:] == [
        "(a) the increase of 6.2 per cent in charges for in-house residential and day care from 7 April 2025 be "
        "agreed; and",
        "(b) a report on the take-up of the Shared Lives scheme be brought to Cabinet in October 2025.",
        "(3) RESOLVED that the procurement of a seven year highways term maintenance contract be approved and that "
        "authority to award the contract be delegated to the Corporate Director of Growth, Environment and Transport "
        "in consultation with the Cabinet Member for Highways and Transport.",
    ]


def test_panel_minutes_with_numbers_alone_on_their_lines_and_other_meetings_dates():
    document = parse_bytes(
        layouts.pdf("northfield-cpp.txt", header="Corporate Parenting Panel - 10 December 2024"),
        "CPP Minutes 10.12.24.pdf",
    )
    assert (document.council, document.committee, document.date) == (
        "Northfield County Council",
        "Corporate Parenting Panel",
        dt.date(2024, 12, 10),
    )
    assert titles(document) == [
        ("23", "Apologies and Substitutes"),
        ("24", "Minutes of the meeting held on 8 October 2024"),
        ("25", "Verbal Update by the Cabinet Member for Integrated Children's Services"),
        ("26", "Care Leavers' Local Offer"),
        ("27", "Date of the next meeting"),
    ]
    assert not any("Corporate Parenting Panel - 10 December" in text for text in paragraph_texts(document))


def test_full_council_a_lost_amendment_is_not_a_decision_and_a_repeated_motion_is_one():
    document = parse_bytes(layouts.pdf("northfield-council.txt"), "Printed minutes 13th-Feb-2025 County Council.pdf")
    assert (document.council, document.committee) == ("Northfield County Council", "Northfield County Council")
    found = decisions(document)
    assert len(found) == 3
    assert not any("amendment" in decision or "vote" in decision for decision in found)
    assert found[1].startswith("(5) RESOLVED that this Council calls on the Cabinet to protect the 17 supported")


def test_parish_pdf_with_page_furniture_and_lettered_paragraphs():
    document = parse_bytes(
        layouts.pdf("hadley-parish.txt", footer="P a g e | {page}", watermark=True),
        "minutes_2019-07-02_.pdf",
    )
    assert (document.committee, document.date, document.meeting.date_source) == (
        "Little Hadley Parish Council",
        dt.date(2019, 7, 2),
        "text",
    )
    assert [number for number, _ in titles(document)] == ["1", "2", "3", "4", "5", "6", "7"]
    assert titles(document)[3] == ("4", "Playing field")
    texts = paragraph_texts(document)
    assert not any(text in {"DRAFT", "P a g e | 1"} for text in texts)
    assert any(text.startswith("a) Play equipment inspection") for text in texts)
    assert "Proposed by Cllr Hall, seconded by Cllr Moss and unanimously agreed that the minutes be signed as a true " \
        "record." in decisions(document)  # fmt: skip


def test_word_file_of_a_parish_annual_meeting():
    document = parse_bytes(layouts.docx("ashcombe-annual.txt"), "Ashcombe annual meeting.docx")
    assert (document.committee, document.date) == ("Ashcombe Parish Council", dt.date(2024, 5, 15))
    assert titles(document)[:2] == [("24/45", "Election of Chair"), ("24/46", "Election of Vice-Chair")]
    found = decisions(document)
    assert "It was proposed by Cllr Varley and seconded by Cllr Lowe that the quote of £2,850 from Stour Valley " \
        "Groundworks be accepted. Motion carried." in found  # fmt: skip
    assert "The council agreed to buy a second speed detection device at a cost of £1,180." in found
    entries = extract(document)
    assert not any("next meeting will be held" in document.text[e.start : e.end] for e in entries)


def test_a_village_web_post_in_markdown():
    document = parse_bytes((layouts.LAYOUTS / "bramley-post.md").read_bytes(), "bramley-post.md")
    assert (document.date, document.meeting.date_source) == (dt.date(2020, 8, 12), "text")
    assert titles(document)[:3] == [
        ("128/20", "Apologies for Absence"),
        ("129/20", "Declarations of Interest"),
        ("130/20", "Minutes of the Previous Meeting"),
    ]
    assert ("132/20", "Footpath 14") in titles(document)
    assert decisions(document) == [
        "• That the minutes of the meeting held on 8 July 2020 be approved as a true record and signed by the Chair.",
        "• That the Council raises no objection to the application.",
        "• That the Clerk writes to the planning officer asking for a condition that two parking spaces are kept.",
    ]


@pytest.mark.parametrize(
    ("lines", "council", "committee", "date"),
    [
        (
            ["KENT COUNTY COUNCIL", "CABINET", "MINUTES of a meeting of the Cabinet held in the Council Chamber, "
             "Sessions House, County Hall, Maidstone on Thursday, 30 January 2025."],
            "Kent County Council", "Cabinet", dt.date(2025, 1, 30),
        ),
        (
            ["MINUTES OF THE SOULDERN PARISH COUNCIL MEETING", "HELD IN THE VILLAGE HALL", "ON 10thApril2024"],
            "Souldern Parish Council", "Souldern Parish Council", dt.date(2024, 4, 10),
        ),
        (
            ["MINUTES OF THE SOULDERN PARISH COUNCIL PLANNING MEETING", "HELD IN THE VILLAGE HALL",
             "ON 25th APRIL 2019"],
            "Souldern Parish Council", "Souldern Parish Council Planning Meeting", dt.date(2019, 4, 25),
        ),
        (
            ["MAIDSTONE BOROUGH COUNCIL", "PLANNING COMMITTEE", "MINUTES OF THE MEETING HELD ON 22 MAY 2018"],
            "Maidstone Borough Council", "Planning Committee", dt.date(2018, 5, 22),
        ),
        (
            ["Cabinet", "At a Meeting of Cabinet held in the Council Chamber, County Hall, Durham on Wednesday 15 "
             "January 2025 at 9.30 am"],
            None, "Cabinet", dt.date(2025, 1, 15),
        ),
        (
            ["Hagworthingham Parish Council", "Minutes of the meeting of the Parish Council held on Monday 1 July 2024 "
             "commencing at 7.30 p.m."],
            "Hagworthingham Parish Council", "Hagworthingham Parish Council", dt.date(2024, 7, 1),
        ),
        (
            ["BILSBY & FARLESTHORPE PARISH COUNCIL", "DRAFT MINUTES OF THE ANNUAL MEETING OF THE PARISH COUNCIL",
             "HELD ON 7 MAY 2024 IMMEDIATELY FOLLOWING THE ANNUAL PARISH MEETING"],
            "Bilsby & Farlesthorpe Parish Council", "Bilsby & Farlesthorpe Parish Council", dt.date(2024, 5, 7),
        ),
        (
            ["Minutes of the Ordinary Meeting held on Wednesday 12 August 2020 at 7.30pm"],
            None, None, dt.date(2020, 8, 12),
        ),
        (
            ["MINUTES of the Finance Committee of Melksham Without Parish Council held on Monday 22 nd May 2017"],
            "Melksham Without Parish Council", "Finance Committee", dt.date(2017, 5, 22),
        ),
        (
            ["BURTON-CUM-WALDEN PARISH COUNCIL", "MINUTES OF THE ANNUAL PARISH MEETING HELD ON",
             "TUESDAY 25 APRIL 2023"],
            "Burton-Cum-Walden Parish Council", "Annual Parish Meeting", dt.date(2023, 4, 25),
        ),
        (
            ["Crete Township Regular Board of Trustees Meeting", "October 9, 2024"],
            None, "Crete Township Board of Trustees", dt.date(2024, 10, 9),
        ),
        (
            ["GOVAN COMMUNITY COUNCIL", "GENERAL MEETING MONDAY 4 MARCH 2O24"],
            "Govan Community Council", "Govan Community Council", dt.date(2024, 3, 4),
        ),
    ],
)  # fmt: skip
def test_title_blocks_as_they_come(lines, council, committee, date):
    reading = read_title(lines)
    assert (reading.council, reading.committee or (reading.council if reading.whole_council else None)) == (
        council,
        committee,
    )
    assert reading.date == date


def test_dates_as_minutes_write_them():
    assert find_date("ON10thApril2024") == dt.date(2024, 4, 10)
    assert find_date("Thursday, 30th January, 2025") == dt.date(2025, 1, 30)
    assert find_date("on Thursday 30 January 2025.") == dt.date(2025, 1, 30)
    assert find_date("ON 15* January 2019") == dt.date(2019, 1, 15)
    assert meeting_date("The minutes of the last meeting held on 3 May 2024 were approved. 4 June 2024") == dt.date(
        2024, 6, 4
    )
    assert meeting_date("the next meeting will be held on 9 July 2024") is None


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("2024-01-25 SPC minutes.pdf", dt.date(2024, 1, 25)),
        ("minutes_2019-07-02_.pdf", dt.date(2019, 7, 2)),
        ("CPP Minutes 10.12.24.pdf", dt.date(2024, 12, 10)),
        ("Printed minutes 30th-Jan-2025 10.00 Cabinet.pdf", dt.date(2025, 1, 30)),
        ("Parish-Council-Minutes-25-July-2022.pdf", dt.date(2022, 7, 25)),
        ("notes.pdf", None),
    ],
)
def test_dates_in_file_names(name, date):
    assert date_in_file_name(name) == date


def test_a_date_from_the_file_name_is_used_and_said_to_be(tmp_path):
    text = "Planning Committee\n\n1. Tree Preservation Order\n\nThe order was confirmed.\n"
    document = parse_bytes(text.encode(), "minutes/2024-01-25 Planning.txt")
    assert (document.date, document.meeting.date_source) == (dt.date(2024, 1, 25), "file name")
    fronted = parse_bytes(f"---\ndate: 2024-02-01\n---\n{text}".encode(), "minutes/planning.md")
    assert (fronted.date, fronted.meeting.date_source) == (dt.date(2024, 2, 1), "front matter")


def real_file(name: str) -> bytes:
    path = REAL / name
    if not path.exists():
        pytest.skip("../shared/eval/real-minutes is not beside this checkout")
    return path.read_bytes()


def test_real_parish_minutes_items_addendum_and_page_furniture():
    document = parse_bytes(real_file("2023-08-31 SPC minutes.pdf"), "2023-08-31 SPC minutes.pdf")
    assert (document.committee, document.date, document.meeting.date_source) == (
        "Souldern Parish Council",
        dt.date(2023, 8, 31),
        "text",
    )
    numbered = [(number, title) for number, title in titles(document) if number]
    assert numbered[5:] == [
        ("08.23.06", "Playground Update"),
        ("08.23.07", "Village Upkeep update"),
        ("08.23.08", "Village Hall Trust Deed"),
        ("08.23.09", "EV charging points"),
        ("08.23.10", "Planning"),
        ("08.23.11", "Finance"),
    ]
    assert [title for number, title in titles(document) if not number] == [
        "Date of next meetings",
        "Other matters",
        "Action List Summary",
        "Playground Costs August 2023",
    ]
    assert not any("Westfield Farm Cottage" in text for text in paragraph_texts(document))


def test_real_minutes_whose_text_pdfminer_runs_together_are_read_with_spaces():
    document = parse_bytes(real_file("2023-02-23 SPC minutes.pdf"), "2023-02-23 SPC minutes.pdf")
    assert "MINUTES OF THE SOULDERN PARISH COUNCIL PLANNING MEETING" in document.text
    assert (document.committee, document.date) == ("Souldern Parish Council Planning Meeting", dt.date(2023, 2, 23))
    assert not any("P a g e" in text or "S o u l d e r n" in text for text in paragraph_texts(document))


def test_real_file_with_two_meetings():
    document = parse_bytes(real_file("2019-05-23 SPC minutes.pdf"), "2019-05-23 SPC minutes.pdf")
    assert [meeting.date for meeting in document.meetings] == [dt.date(2018, 5, 24), dt.date(2019, 5, 23)]
    clerks = next(item for item in document.items if item.title and item.title.startswith("Clerks Report"))
    assert document.meeting_of(clerks).date == dt.date(2019, 5, 23)
    assert document.meeting_of(document.items[1]).date == dt.date(2018, 5, 24)


def test_every_real_text_layer_file_is_dated_as_its_name_says():
    if not REAL.exists():
        pytest.skip("../shared/eval/real-minutes is not beside this checkout")
    for path in sorted(REAL.glob("*.pdf")):
        document = parse_bytes(path.read_bytes(), path.name, ocr="never") if _has_text(path) else None
        if document is None:
            continue
        assert document.meetings[-1].date.isoformat() == path.name[:10], path.name
        if document.meeting.date_source == "text":
            assert document.committee.startswith("Souldern Parish Council"), path.name
            assert document.council == "Souldern Parish Council"


def _has_text(path) -> bool:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return any(page.get_textpage().get_text_range().strip() for page in pdf)
    finally:
        pdf.close()


def test_a_whole_meeting_pasted_as_one_paragraph_after_a_running_minute_number():
    document = parse_bytes((layouts.LAYOUTS / "westcote-post.md").read_bytes(), "westcote-post.md")
    assert read_as(document) == ("Westcote Parish Council", "Westcote Parish Council", dt.date(2019, 11, 4), "text")
    assert titles(document)[:5] == [
        ("1430/12/2019", "APOLOGIES FOR ABSENCE"),
        ("1431/12/2019", "DECLARATIONS OF INTEREST"),
        ("1432/12/2019", "MINUTES OF THE MEETING HELD ON 7TH OCTOBER 2019"),
        ("1433/12/2019", "INTERNAL AUDIT"),
        ("1434/12/2019", "CO-OPTION"),
    ]
    assert len(document.meetings) == 1
    assert "Cllr Y Daniels sent apologies, which were accepted." in paragraph_texts(document)


def test_a_title_block_inside_one_long_paragraph_after_page_furniture():
    document = parse_bytes((layouts.LAYOUTS / "ashdown-post.md").read_bytes(), "ashdown-post.md")
    # not the post's date (2 October), nor "the next meeting" in the parenthesis before the date
    assert read_as(document) == ("Ashdown Parish Council", "Ashdown Parish Council", dt.date(2020, 9, 9), "text")
    assert ("58/20", "Speed watch") in titles(document)
    # a minute that is all heading line is still text to search
    assert any(text.startswith("55/20 Apologies for absence were received") for text in paragraph_texts(document))


def test_a_panel_confirming_its_previous_minutes_is_one_meeting():
    source = (layouts.LAYOUTS / "kingsmead-panel.txt").read_bytes()
    one_line = source.replace(b"2024\n(Item 3)\nRESOLVED", b"2024 (Item 3) RESOLVED")
    for data in (source, one_line):
        document = parse_bytes(data, "kingsmead-panel.txt")
        assert [(m.council, m.committee, m.date) for m in document.meetings] == [
            ("Kingsmead County Council", "Corporate Parenting Panel", dt.date(2024, 9, 24))
        ]
        assert {document.meeting_of(item).date for item in document.items} == {dt.date(2024, 9, 24)}
    assert titles(parse_bytes(source, "kingsmead-panel.txt")) == [
        ("1", "Apologies and Substitutes"),
        ("3", "Minutes of the meeting held on 30 July 2024"),
        ("4", "Unaccompanied Asylum Seeking Children"),
        ("5", "Fostering Recruitment"),
    ]


def test_a_confirmation_of_earlier_minutes_never_names_a_body():
    line = "Minutes of the meeting held on 30 July 2024 (Item 3) RESOLVED that the minutes of the Meeting"
    reading = read_title([line])
    assert reading.committee is None


def test_minutes_with_no_layout_known_here_are_indexed_whole():
    text = (
        "Notes from the village hall\n\nThe group met at the hall and talked about the new boiler, which is on order."
        "\n\n"
        "Mrs Hale will write to the diocese about the churchyard wall.\n"
    )
    document = parse_bytes(text.encode(), "notes.txt")
    indexed = " ".join(paragraph_texts(document))
    assert "the new boiler, which is on order." in indexed
    assert "write to the diocese about the churchyard wall." in indexed


def test_a_council_spoken_of_in_a_transcript_is_not_whose_meeting_it_is():
    # every passage is embedded with its committee: a body named in passing would be stamped on the whole meeting
    speech = (
        "Suzy Davies AM: Thank you. I can see that your figure to the Higher Education Funding Council for Wales was "
        "a little bit down on last year's letter, not that there has been a remit letter yet, but an indication. Are "
        "you releasing that money earlier so that they can use it more swiftly, or does that not matter?"
    )
    text = f"Meeting: education_19\n\n{speech}\n\nKirsty Williams AM: It does matter, and we are.\n"
    document = parse_bytes(text.encode(), "education_19.txt")
    assert (document.meeting.council, document.meeting.committee) == (None, None)
    assert "Higher Education Funding Council for Wales" in " ".join(paragraph_texts(document))


def test_an_agm_then_the_general_meeting_held_straight_after_both_have_their_items():
    # a community council's web post: the AGM's items, then "Minutes of the October General Meeting" numbered from 1
    # again, with no date of its own (held the same evening)
    text = (
        "**PINEFIELD COMMUNITY COUNCIL**  \n**MINUTES OF ANNUAL GENERAL MEETING**  \n**MONDAY 6 OCTOBER 2025**\n\n"
        "**1\\. Report from the outgoing Chair**  \nThe Chair reported ten monthly meetings.\n\n"
        "**2\\. Report from the outgoing Treasurer**  \nThe balance for the year was £2,932.47.\n\n"
        "The AGM was concluded.\n\n**Minutes of the October General Meeting**\n\n"
        "The General Meeting was held directly after the AGM.\n\n"
        "**1\\. Fire Station**  \nA letter about the fire station tender will be sent.\n\n"
        "**2\\. Active Travel**  \nA new proposal was presented for the cycle lane.\n"
    )
    document = parse_bytes(text.encode(), "2025-10-06-agm-and-general-meeting.md")
    titled = [(item.number, item.title) for item in document.items if item.title]
    assert titled == [
        ("1", "Report from the outgoing Chair"),
        ("2", "Report from the outgoing Treasurer"),
        ("1", "Fire Station"),
        ("2", "Active Travel"),
    ]
    assert {(meeting.committee, meeting.date) for meeting in document.meetings} == {
        ("Pinefield Community Council", dt.date(2025, 10, 6))
    }


def test_a_date_printed_without_its_year_takes_the_year_the_file_was_written():
    # Monday 6 November fell in 2023 and 2017: the Word file was created in November 2023
    assert date_without_year("GENERAL MEETING MONDAY 6 NOVEMBER", dt.date(2023, 11, 6)) == dt.date(2023, 11, 6)
    assert date_without_year("GENERAL MEETING MONDAY 6 NOVEMBER", dt.date(2024, 1, 20)) == dt.date(2023, 11, 6)
    assert date_without_year("GENERAL MEETING MONDAY 6 NOVEMBER", None) is None
    assert date_without_year("MEETING ON 4 MARCH 2024", dt.date(2024, 3, 5)) is None  # it has its year


def test_a_later_meetings_date_and_item_above_the_title_are_not_the_meetings():
    text = (
        "Transportation Commission\n\nNovember 18, 2015\n\nItem 4B\n\nTransportation Commission Meeting Minutes\n\n"
        "Wednesday July 22, 2015\n\n1. Roll Call\n\nRoll was called.\n\n2. Agenda Changes\n\nNone.\n"
    )
    document = parse_bytes(text.encode(), "minutes.txt")
    assert (document.committee, document.date) == ("Transportation Commission", dt.date(2015, 7, 22))
    assert titles(document) == [("1", "Roll Call"), ("2", "Agenda Changes")]
