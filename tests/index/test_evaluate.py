"""The evaluation harness: its metrics and label comparisons on hand-made cases, then small real runs."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from index.embed import ModelChoice
from index.evaluate import (
    EvaluationDataMissing,
    FileReading,
    Label,
    ReadingReport,
    RealMetrics,
    SourceText,
    evaluate,
    evaluate_reading,
    evaluate_real_minutes,
    format_reading_report,
    format_real_report,
    format_report,
    inside,
    item_key,
    items_matched,
    judge,
    load_labels,
    load_queries,
    name_key,
    tally,
)
from tests.conftest import QMSUM, READING, REAL_MINUTES


def test_passages_are_located_verbatim_modulo_whitespace():
    source = SourceText("Chair: Welcome.\n\nMs Smith:   The budget\nis £3m.\n")
    assert source.locate("The budget is £3m.") == (29, 47)
    assert source.text[29:47] == "The budget\nis £3m."
    assert source.locate("The budget is £4m.") is None
    assert source.locate("   ") is None


def test_characters_inside_a_union_of_spans():
    assert inside([(0, 10), (5, 20)], 15, 30) == 5
    assert inside([(0, 10), (20, 30)], 5, 25) == 10
    assert inside([], 0, 10) == 0


def test_missing_data_is_one_clear_sentence(tmp_path):
    with pytest.raises(Exception, match="The QMSum evaluation data is not at"):
        load_queries(tmp_path, "all")


@pytest.fixture
def two_meetings(tmp_path):
    if not (QMSUM / "queries.jsonl").exists():
        pytest.skip("../shared/eval/qmsum is not beside this checkout")
    data = tmp_path / "qmsum"
    for meeting, split in (("covid_2", "val"), ("education_10", "val")):
        (data / "docs" / split).mkdir(parents=True, exist_ok=True)
        shutil.copy(QMSUM / "docs" / split / f"{meeting}.txt", data / "docs" / split / f"{meeting}.txt")
    lines = [
        line
        for line in (QMSUM / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["meeting"] in {"covid_2", "education_10"}
    ]
    (data / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def test_a_small_real_run(two_meetings, embedder):
    report = evaluate(two_meetings, "val", ModelChoice())
    assert set(report.corpus) == set(report.scoped) == {"keyword", "dense", "hybrid"}
    for metrics in [*report.corpus.values(), *report.scoped.values()]:
        assert metrics.queries > 10
        assert metrics.unfaithful == 0
        assert 0 <= metrics.hit_at_1 <= metrics.hit_at_3 <= metrics.hit_at_5 <= 1
        assert metrics.latency_p50_ms <= metrics.latency_p95_ms
    assert report.corpus["hybrid"].hit_at_5 >= 0.6
    assert report.scoped["hybrid"].hit_at_5 >= report.corpus["hybrid"].hit_at_5
    table = format_report(report)
    assert "Minutebook" in table and "BM25 alone" in table and "Scoped to the query's meeting" in table
    print(table)


def linked_subset(source: Path, target: Path, names: tuple[str, ...], wanted: Callable[[str], bool]) -> Path:
    """A folder of links to the files of an evaluation set that `wanted` keeps, with their lines of its JSON-lines
    files `names`."""
    if not (source / names[0]).exists():
        pytest.skip(f"../shared/eval/{source.name} is not beside this checkout")
    files = set()
    target.mkdir(parents=True)
    for name in names:
        lines = [
            line
            for line in (source / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and wanted(json.loads(line)["file"])
        ]
        files.update(json.loads(line)["file"] for line in lines)
        (target / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for file in files:
        (target / file).parent.mkdir(parents=True, exist_ok=True)
        (target / file).symlink_to(source / file)
    return target


@pytest.fixture
def real_minutes_asked(tmp_path):
    """The real minutes that the questions are about, in a folder of their own."""
    return linked_subset(REAL_MINUTES, tmp_path / "real-minutes", ("questions.jsonl",), lambda file: True)


def test_real_minutes_dropped_in_as_a_folder_with_no_flags(real_minutes_asked, embedder):
    report = evaluate_real_minutes(real_minutes_asked, ModelChoice())
    print(format_real_report(report))
    assert report.skipped == []
    assert report.dates_from_text == report.dates_right == report.files
    minutebook = report.methods["hybrid"]
    assert minutebook.hit_at_3 >= 24 and minutebook.hit_at_1 >= 15
    assert minutebook.citation_right >= 0.9 * minutebook.hit_at_3
    assert minutebook.hit_at_3 > report.methods["keyword"].hit_at_3


def test_names_are_compared_with_labels_aside_from_case_spacing_and_a_leading_the():
    assert name_key("The  Civil Service\nBoard") == name_key("civil service board") == "civil service board"
    assert name_key("Burton-Cum-Walden Parish Council") == name_key("Burton-cum-Walden Parish Council")
    assert name_key("Regular City Council") != name_key("Alameda City Council")
    assert name_key(None) is None


def test_item_titles_are_compared_aside_from_case_spacing_and_trailing_punctuation():
    assert item_key("APPROVAL OF MINUTES:") == item_key("Approval of  minutes") == "approval of minutes"
    assert item_key("Roll Call –") == item_key("Roll Call.") == "roll call"
    assert item_key("1. Apologies") != item_key("Apologies")


def test_labelled_items_matched_among_the_first_three_read_in_any_order():
    labelled = ["ROLL CALL", "AGENDA CHANGES", "CONSENT CALENDAR"]
    assert items_matched(["Agenda changes", "Roll call:", "Oral communications", "Consent calendar"], labelled) == 2
    assert items_matched([], labelled) == 0


def test_a_reading_is_judged_against_its_label():
    label = Label("a/1.pdf", "City of Alameda", "Civil Service Board", "2022-10-05", ["CALL TO ORDER", "ROLL CALL"])
    items = ["Call to Order:", "Roll Call"]
    right = judge(
        FileReading("a/1.pdf", True, "city of alameda", "The Civil Service Board", "2022-10-05", items), label
    )
    assert (right.date_right, right.committee_right, right.council_right, right.items_right) == (True,) * 4
    items = ["Roll Call", "Call to Order", "Special Presentation"]
    committee = "Civil Service Board of the City of Alameda"
    wrong = judge(FileReading("a/1.pdf", True, None, committee, "2023-01-04", items), label)
    assert (wrong.date_right, wrong.committee_right, wrong.council_right, wrong.items_right) == (False,) * 4
    assert wrong.items_matched == 2
    unnamed = judge(FileReading("a/1.pdf", True), Label("a/1.pdf", None, "Board", "2022-10-05", []))
    assert unnamed.council_right is None and unnamed.items_right
    skipped = judge(FileReading("a/1.pdf", False), Label("a/1.pdf", "City of Alameda", "Board", "2022-10-05", []))
    assert (skipped.council_right, skipped.items_right) == (False, False)


def test_reading_figures_per_council_and_the_wrong_readings_listed():
    labels = {
        "alameda/1.pdf": Label("alameda/1.pdf", "City of Alameda", "Civil Service Board", "2022-10-05", ["ROLL CALL"]),
        "govan/2.md": Label("govan/2.md", None, "Govan Community Council", "2024-03-04", ["PRESENT", "MINUTES"]),
    }
    readings = [
        judge(FileReading("alameda/1.pdf", True, None, "Civil Service Board", "2023-01-04", ["Roll call"]), label)
        if file.startswith("alameda")
        else judge(FileReading(file, False), label)
        for file, label in labels.items()
    ]
    figures = tally(readings, labels)
    assert (figures.files, figures.read, figures.dates_right, figures.committees_right) == (2, 1, 0, 1)
    assert (figures.councils_labelled, figures.councils_right) == (1, 0)
    assert (figures.items_right, figures.items_matched, figures.items_labelled) == (1, 1, 3)
    asked = RealMetrics(questions=2, hit_at_1=1, hit_at_3=2, citation_right=1, misses=[], wrong_citations=["Q → x"])
    figures.methods = dict.fromkeys(("keyword", "dense", "hybrid"), asked)
    report = ReadingReport(
        skipped=[("govan/2.md", "the file is empty")],
        ocr_pages=0,
        chunks=3,
        ingest_seconds=1.0,
        councils={"alameda": figures},
        overall=figures,
        files=readings,
        labels=labels,
    )
    table = format_reading_report(report)
    print(table)
    assert "skipped govan/2.md: the file is empty" in table
    assert "alameda/1.pdf: date '2023-01-04' → '2022-10-05'; council None → 'City of Alameda'" in table
    assert "govan/2.md:" not in table.split("Read wrong")[1]
    assert json.loads(json.dumps(report.to_json()))["overall"]["dates_right"] == 0


def test_missing_reading_labels_are_one_clear_sentence(tmp_path):
    with pytest.raises(EvaluationDataMissing, match=r"The reading evaluation data is not at .* \(no labels.jsonl\)"):
        load_labels(tmp_path)


@pytest.fixture
def reading_text_files(tmp_path):
    """The plain-text and Markdown minutes of the reading set, with their labels and questions."""
    return linked_subset(
        READING,
        tmp_path / "reading",
        ("labels.jsonl", "questions.jsonl"),
        lambda file: file.startswith(("portland/", "london-ontario/")),
    )


def test_reading_set_dropped_in_with_no_flags_is_reported_per_council(reading_text_files, embedder):
    report = evaluate_reading(reading_text_files, ModelChoice())
    table = format_reading_report(report)
    print(table)
    assert report.skipped == []
    assert list(report.councils) == ["london-ontario", "portland"]
    assert (report.councils["portland"].files, report.overall.files, report.overall.read) == (1, 4, 4)
    assert report.overall.methods["hybrid"].questions == 4
    assert sum(figures.dates_right for figures in report.councils.values()) == report.overall.dates_right
    portland = next(reading for reading in report.files if reading.file == "portland/2011-1-19raw.txt")
    assert portland.date_right, "the date in the text, not the one in the file name"
    assert "portland" in table and "overall" in table
