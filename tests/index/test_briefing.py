"""Briefings before a meeting: each substantive agenda item with the committee's earlier decisions, open
commitments and passages on it, from meetings before the one briefed; measured on labelled real agenda items."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from index.briefing import AgendaEntry, brief, substantive
from index.embed import ModelChoice
from index.evaluate import item_key
from index.parse import parse_bytes
from index.pipeline import ingest
from index.store import Store
from tests.conftest import DATA, REAL_MINUTES, ROOT

AGENDA = ROOT / "examples" / "agendas" / "environment-2025-06-10-agenda.txt"
LABELS = DATA / "briefing-labels.jsonl"
SOULDERN = "Souldern Parish Council"


@pytest.mark.parametrize(
    ("title", "briefed"),
    [
        ("Apologies for Absence", False),
        ("Declarations of Interest", False),
        ("Minutes of the meeting held on 4 February 2025", False),
        ("Date of Next Meeting", False),
        ("Public participation", False),
        ("Clerks Report and Actions from previous meeting", False),
        ("Other matters", False),
        ("For next Agenda", False),
        ("Playground update", True),
        ("Moorlink Demand Responsive Transport – Extension to Ashby Moor", True),
        ("Finance", True),
    ],
)
def test_procedural_and_standing_items_are_left_out(title, briefed):
    assert substantive(AgendaEntry("4", title)) is briefed


def test_a_briefing_from_an_agenda_file_quotes_earlier_decisions_promises_and_passages(sample_index, embedder):
    agenda_file = parse_bytes(AGENDA.read_bytes(), str(AGENDA))
    assert (agenda_file.committee, agenda_file.date) == ("Environment and Transport Committee", dt.date(2025, 6, 10))
    agenda = [AgendaEntry(item.number, item.title) for item in agenda_file.items if item.title]
    briefing = brief(
        Store(sample_index), embedder, agenda, agenda_file.committee, agenda_file.date, dt.date(2025, 6, 1), "agenda"
    )
    titles = [briefed.item.title for briefed in briefing.items]
    assert titles == [
        "Moorlink Demand Responsive Transport – Extension to Ashby Moor",
        "Electric Vehicle Charging Points – Concession Contract Award",
        "Household Waste Recycling Centre Opening Hours – Summer Trial",
        "Flood Defences at Lower Brandling – Progress",
    ]
    assert "3. Minutes of the meeting held on 4 February 2025" in [item.label for item in briefing.left_out]
    moorlink = briefing.items[0]
    assert any("continue the Moorlink service until March 2026" in entry.text for entry in moorlink.decisions)
    assert any("extending the Moorlink zone to Ashby Moor" in entry.text for entry in moorlink.commitments)
    floods = briefing.items[3]
    assert any("contribution of £650,000 towards the Lower Brandling" in entry.text for entry in floods.decisions)
    assert any("140 leaky dams had been installed" in passage.text for passage in floods.passages)
    shown = [each.date for briefed in briefing.items for each in [*briefed.passages, *briefed.decisions]]
    assert shown and all(date < dt.date(2025, 6, 10) for date in shown), "only meetings before the one briefed"
    assert json.loads(json.dumps(briefing.to_json()))["items"][0]["commitments"][0]["status"] == "open"


@pytest.fixture(scope="module")
def souldern_index(tmp_path_factory, embedder):
    """The Souldern minutes that have a text layer (the scans are left out: OCR is not what is measured here)."""
    if not REAL_MINUTES.exists():
        pytest.skip("../shared/eval/real-minutes is not beside this checkout")
    store = Store(tmp_path_factory.mktemp("souldern"), create=True)
    ingest([str(path) for path in sorted(REAL_MINUTES.rglob("*.pdf"))], store, ModelChoice(embedder.name), ocr="never")
    return store


def test_briefings_surface_the_earlier_items_labelled_for_real_agenda_items(souldern_index, embedder):
    """25 items of Souldern's agendas, each labelled with the (up to three) latest earlier items on its subject.
    Recall: labelled items the briefing shows, by their passages or register entries. Precision, strictly: shown
    items whose title is a labelled item's (the passages of the clerk's report or of "Updates" that name the subject
    count as wrong here)."""
    found = expected_count = shown_count = titled = 0
    for label in map(json.loads, LABELS.read_text(encoding="utf-8").splitlines()):
        meeting = dt.date.fromisoformat(label["meeting"])
        [briefed] = brief(
            souldern_index, embedder, [AgendaEntry(None, label["item"])], SOULDERN, meeting, meeting, label["agenda"]
        ).items
        shown = {
            (each.date.isoformat(), item_key(each.item or ""))
            for each in [*briefed.passages, *briefed.decisions, *briefed.commitments]
        }
        expected = {(each["date"], item_key(each["item"])) for each in label["expected"]}
        found += len(shown & expected)
        expected_count += len(expected)
        shown_count += len(shown)
        titled += sum(title in {title for _, title in expected} for _, title in shown)
    recall, precision = found / expected_count, titled / shown_count
    figures = f"recall {found}/{expected_count} = {recall:.2f}, precision {titled}/{shown_count} = {precision:.2f}"
    print(f"briefing: {figures}")
    assert recall >= 0.8 and precision >= 0.4
