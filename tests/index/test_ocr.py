"""Scanned minutes: pages without a text layer are read by Tesseract, quoted verbatim of the OCR text and cited as
read by OCR; without Tesseract, one sentence says how to get it."""

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest

from bot.render import OCR_NOTE, citation
from index.embed import ModelChoice
from index.parse import ParseError, parse_bytes
from index.parse.pdf import tesseract_available
from index.pipeline import ingest
from index.search import search
from index.store import Store
from tests.conftest import ENVIRONMENT_COMMITTEE, EXAMPLES, ROOT, SOULDERN, environment_without_settings

needs_tesseract = pytest.mark.skipif(
    not tesseract_available(), reason="Tesseract is not installed (apt-get install tesseract-ocr; .ci/run installs it)"
)
SAMPLE_PDF = EXAMPLES / "environment" / "2024-06-11-minutes.pdf"


def scanned(pdf: bytes, pages: list[int], dpi: int = 200) -> bytes:
    """An image-only PDF of some pages of a PDF, as a scanner makes one: no text layer at all."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        images = [document[page].render(scale=dpi / 72, grayscale=True).to_pil() for page in pages]
    finally:
        document.close()
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()


@needs_tesseract
def test_a_scanned_page_is_read_by_ocr_and_cited_as_such(tmp_path, embedder):
    scan = scanned(SAMPLE_PDF.read_bytes(), [0])
    document = parse_bytes(scan, "scan.pdf")
    assert document.ocr_pages == 1
    assert (document.committee, document.date, document.meeting.date_source) == (
        ENVIRONMENT_COMMITTEE,
        dt.date(2024, 6, 11),
        "text",
    )
    assert ("1", "Apologies for Absence") in [(item.number, item.title) for item in document.items]
    assert all(paragraph.ocr for item in document.items for paragraph in item.paragraphs)

    (tmp_path / "scan.pdf").write_bytes(scan)
    store = Store(tmp_path / "index", create=True)
    report = ingest([str(tmp_path / "scan.pdf")], store, ModelChoice())
    assert report.readings[0].ocr_pages == 1
    answer = search(store, embedder, "Who sent apologies for absence?", k=1)
    passage = answer.passages[0]
    assert passage.ocr and "Delacroix" in passage.text
    assert passage.text in store.db.execute("SELECT text FROM documents").fetchone()[0]
    assert citation(passage).endswith(OCR_NOTE)


@needs_tesseract
def test_a_real_scan_is_dated_and_named_from_its_printed_title():
    path = SOULDERN / "2020-08-27 SPC minutes.pdf"
    if not path.exists():
        pytest.skip("../shared/eval/real-minutes is not beside this checkout")
    document = parse_bytes(path.read_bytes(), path.name)
    assert document.ocr_pages == 2
    assert (document.date, document.meeting.date_source) == (dt.date(2020, 8, 27), "text")
    assert document.committee == "Souldern Parish Council Planning Meeting"


def title_as_a_picture_above_text() -> bytes:
    """A PDF whose title block is a picture (as when it is drawn as outlines) above minutes with a text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    title = io.BytesIO()
    canvas = Canvas(title, pagesize=(595, 120))
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(72, 80, "MINUTES OF THE ASHCOMBE PARISH COUNCIL MEETING")
    canvas.drawString(72, 56, "HELD IN THE MEMORIAL HALL ON 14th March 2024")
    canvas.save()
    picture = pypdfium2.PdfDocument(title.getvalue())[0].render(scale=300 / 72).to_pil()
    minutes = io.BytesIO()
    canvas = Canvas(minutes, pagesize=(595, 842))
    canvas.drawImage(ImageReader(picture), 0, 722, width=595, height=120)
    y = 680
    for font, text in [
        ("Helvetica-Bold", "03.24.01 Apologies"),
        ("Helvetica", "Apologies had been received from Cllr Varley."),
        ("Helvetica-Bold", "03.24.02 Village Green Drainage"),
        ("Helvetica", "The drain at the south end of the green will be relaid in April."),
    ]:
        canvas.setFont(font, 11)
        canvas.drawString(72, y, text)
        y -= 20
    canvas.save()
    return minutes.getvalue()


@needs_tesseract
def test_a_title_the_text_layer_lacks_is_read_by_ocr_for_the_date_and_committee():
    document = parse_bytes(title_as_a_picture_above_text(), "minutes.pdf")
    assert (document.committee, document.date, document.meeting.date_source) == (
        "Ashcombe Parish Council",
        dt.date(2024, 3, 14),
        "text",
    )
    assert document.ocr_pages == 0 and "ASHCOMBE" not in document.text
    assert parse_bytes(title_as_a_picture_above_text(), "minutes.pdf", ocr="never").date is None


def test_without_tesseract_a_scan_is_skipped_with_how_to_get_it(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(scanned(SAMPLE_PDF.read_bytes(), [0], dpi=72))
    environment = environment_without_settings()
    environment["PATH"] = str(Path(sys.executable).parent)
    result = subprocess.run(
        [sys.executable, "ingest.py", str(tmp_path / "scan.pdf"), "--index", str(tmp_path / "index")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Skipped {tmp_path / 'scan.pdf'}: it has no text layer (a scanned PDF): install Tesseract to read it by "
        "OCR (Debian/Ubuntu: apt-get install tesseract-ocr; macOS: brew install tesseract), then ingest it again"
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_ocr_never_says_how_to_read_a_scan():
    with pytest.raises(ParseError, match="ingest it with --ocr auto to read it by OCR"):
        parse_bytes(scanned(SAMPLE_PDF.read_bytes(), [0], dpi=72), "scan.pdf", ocr="never")
