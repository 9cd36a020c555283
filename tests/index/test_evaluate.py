"""The evaluation harness: its metric on hand-made cases, then a small real run on two QMSum meetings."""

import json
import shutil

import pytest

from index.embed import DEFAULT_MODEL
from index.evaluate import (
    DEFAULT_DATA,
    REAL_MINUTES,
    SourceText,
    evaluate,
    evaluate_real_minutes,
    format_real_report,
    format_report,
    inside,
    load_queries,
)


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
    if not (DEFAULT_DATA / "queries.jsonl").exists():
        pytest.skip("../shared/eval/qmsum is not beside this checkout")
    data = tmp_path / "qmsum"
    for meeting, split in (("covid_2", "val"), ("education_10", "val")):
        (data / "docs" / split).mkdir(parents=True, exist_ok=True)
        shutil.copy(DEFAULT_DATA / "docs" / split / f"{meeting}.txt", data / "docs" / split / f"{meeting}.txt")
    lines = [
        line
        for line in (DEFAULT_DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["meeting"] in {"covid_2", "education_10"}
    ]
    (data / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def test_a_small_real_run(two_meetings, embedder):
    report = evaluate(two_meetings, "val", DEFAULT_MODEL)
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


@pytest.fixture
def real_minutes_asked(tmp_path):
    """The real minutes that the questions are about, in a folder of their own."""
    if not (REAL_MINUTES / "questions.jsonl").exists():
        pytest.skip("../shared/eval/real-minutes is not beside this checkout")
    data = tmp_path / "real-minutes"
    lines = (REAL_MINUTES / "questions.jsonl").read_text(encoding="utf-8")
    for file in {json.loads(line)["file"] for line in lines.splitlines()}:
        (data / file).parent.mkdir(parents=True, exist_ok=True)
        (data / file).symlink_to(REAL_MINUTES / file)
    (data / "questions.jsonl").write_text(lines, encoding="utf-8")
    return data


def test_real_minutes_dropped_in_as_a_folder_with_no_flags(real_minutes_asked, embedder):
    report = evaluate_real_minutes(real_minutes_asked, DEFAULT_MODEL)
    print(format_real_report(report))
    assert report.skipped == []
    assert report.dates_from_text == report.dates_right == report.files
    minutebook = report.methods["hybrid"]
    assert minutebook.hit_at_3 >= 24 and minutebook.hit_at_1 >= 15
    assert minutebook.citation_right >= 0.9 * minutebook.hit_at_3
    assert minutebook.hit_at_3 > report.methods["keyword"].hit_at_3
