"""Each format's parser, real encodings, and files that cannot be read."""

import datetime as dt
import io

import pypdfium2
import pytest

from index.parse import ParseError, parse_bytes
from tests.conftest import EXAMPLES


def items(document):
    return [
        (
            item.number,
            item.title,
            [document.paragraph_text(p) for p in item.paragraphs],
            [p.kind for p in item.paragraphs],
        )
        for item in document.items
    ]


MINUTES = (
    "Agenda item\n\nHome to School Transport\n\nMinutes:\n\n"
    "Costs rose to £4.2m “this year”.\n\nResolved\n\nThat the report be noted.\n"
)


@pytest.mark.parametrize(
    "data",
    [
        MINUTES.encode("utf-8"),
        b"\xef\xbb\xbf" + MINUTES.encode("utf-8"),
        MINUTES.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252 with CRLF"],
)
def test_text_encodings(data):
    document = parse_bytes(data, "item.txt")
    assert items(document) == [
        (
            None,
            "Home to School Transport",
            ["Costs rose to £4.2m “this year”.", "That the report be noted."],
            ["text", "decision"],
        )
    ]
    assert not document.text.startswith("\ufeff")


def test_markdown_headings():
    text = "# Cabinet – 9 July 2024\n\n## 4. Electric Vehicle Charging\n\nCabinet approved 120 new charge points.\n"
    document = parse_bytes(text.encode(), "cabinet.md")
    assert (document.committee, document.date) == ("Cabinet", dt.date(2024, 7, 9))
    assert items(document) == [
        ("4", "Electric Vehicle Charging", ["Cabinet approved 120 new charge points."], ["text"])
    ]


MODERNGOV_PAGE = """<!DOCTYPE html><html><head><title>Agenda item - Flood Defences</title>
<script>var x = "not minutes";</script></head><body>
<nav><ul><li>Home</li><li>Councillors</li></ul></nav>
<div id="mgContent">
<h1 class="mgMainTitleTxt">Environment and Transport Committee - 20 June 2023</h1>
<h2 class="mgSubTitleTxt">Agenda item</h2>
<h2 class="mgSubTitleTxt">7. Flood Defences at Riverside</h2>
<h3>Minutes:</h3>
<p>The Flood Risk Manager reported that the <b>£2.3m</b> scheme
   was on schedule.</p>
<p>Councillor Okafor asked about the pumping station.<br><br>The Manager undertook to circulate the timetable.</p>
<h3>Resolved</h3><p>That the report be noted.</p>
<h3>Supporting documents:</h3><ul><li>Flood report, item 7 PDF 300 KB</li></ul>
</div><footer>Copyright Eastmoor Council</footer></body></html>"""


def test_moderngov_agenda_item_page():
    document = parse_bytes(MODERNGOV_PAGE.encode(), "item.html")
    assert (document.committee, document.date) == ("Environment and Transport Committee", dt.date(2023, 6, 20))
    assert items(document) == [
        (
            "7",
            "Flood Defences at Riverside",
            [
                "The Flood Risk Manager reported that the £2.3m scheme was on schedule.",
                "Councillor Okafor asked about the pumping station.",
                "The Manager undertook to circulate the timetable.",
                "That the report be noted.",
            ],
            ["text", "text", "text", "decision"],
        )
    ]
    assert (
        "not minutes" not in document.text and "Copyright" not in document.text and "Councillors" not in document.text
    )


def test_ordinary_web_page_uses_main():
    page = (
        b"<html><body><header>Site</header><main><h1>Parking review</h1>"
        b"<p>Charges stay at \xc2\xa31.</p></main></body></html>"
    )
    document = parse_bytes(page, "page.htm")
    assert items(document) == [(None, "Parking review", ["Charges stay at £1."], ["text"])]


def test_docx_heading_styles():
    docx = pytest.importorskip("docx")
    word = docx.Document()
    word.add_heading("Audit Committee – 10 February 2026", level=1)
    word.add_heading("3. Internal Audit Progress", level=2)
    word.add_paragraph("Eleven of the 14 planned audits were complete.")
    word.add_paragraph("Resolved")
    word.add_paragraph("That the progress report be noted.")
    buffer = io.BytesIO()
    word.save(buffer)
    document = parse_bytes(buffer.getvalue(), "audit.docx")
    assert (document.committee, document.date) == ("Audit Committee", dt.date(2026, 2, 10))
    assert items(document) == [
        (
            "3",
            "Internal Audit Progress",
            ["Eleven of the 14 planned audits were complete.", "That the progress report be noted."],
            ["text", "decision"],
        )
    ]


def test_multi_page_pdf_with_bold_headings_and_footers():
    canvas_module = pytest.importorskip("reportlab.pdfgen.canvas")
    buffer = io.BytesIO()
    canvas = canvas_module.Canvas(buffer)
    lines = [
        ("Helvetica-Bold", "Cabinet - 9 July 2024"),
        ("Helvetica-Bold", "4. Electric Vehicle Charging"),
        ("Helvetica", "Cabinet approved 120 new charge points across the county."),
    ]
    for page, content in enumerate(
        [
            lines,
            [
                ("Helvetica-Bold", "5. Library Opening Hours"),
                ("Helvetica", "Saturday opening will continue at all branches."),
            ],
        ],
        start=1,
    ):
        y = 780
        for font, text in content:
            canvas.setFont(font, 12)
            canvas.drawString(72, y, text)
            y -= 40
        canvas.setFont("Helvetica", 9)
        canvas.drawString(280, 40, f"Page {page} of 2")
        canvas.showPage()
    canvas.save()
    document = parse_bytes(buffer.getvalue(), "cabinet.pdf")
    assert (document.committee, document.date) == ("Cabinet", dt.date(2024, 7, 9))
    assert items(document) == [
        ("4", "Electric Vehicle Charging", ["Cabinet approved 120 new charge points across the county."], ["text"]),
        ("5", "Library Opening Hours", ["Saturday opening will continue at all branches."], ["text"]),
    ]
    assert "Page 1" not in document.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n \n", "empty"),
        ("junk.txt", bytes(range(256)) * 8, "binary"),
        ("broken.pdf", b"%PDF-1.4\n this is not really a pdf", "could not read it as pdf"),
        ("broken.docx", b"PK\x03\x04 not a zip", "could not read it as docx"),
        ("minutes.xlsx", b"data", "unknown format"),
        ("README", b"text", "unknown format"),
    ],
)
def test_unreadable_files_give_a_reason(name, data, reason):
    with pytest.raises(ParseError, match=reason):
        parse_bytes(data, name)


def test_a_pdf_keeps_where_each_of_its_pages_starts_in_the_text():
    data = (EXAMPLES / "environment" / "2024-06-11-minutes.pdf").read_bytes()
    document = parse_bytes(data, "2024-06-11-minutes.pdf")
    pdf = pypdfium2.PdfDocument(data)
    assert len(document.page_starts) == len(pdf) == 4
    for number, start in enumerate(document.page_starts):
        first_line = next(line.strip() for line in pdf[number].get_textpage().get_text_range().splitlines() if line)
        assert document.text[start:].startswith(first_line)
    assert parse_bytes(b"Minutes of the Cabinet\n\n1. Apologies\n\nNone.", "cabinet.txt").page_starts == []
