"""Evaluation through the one search function: retrieval on real committee meetings (QMSum), and real minutes
dropped in with no flags (real-minutes, reading) — what was read from them, and how their questions are answered.

For QMSum, a returned passage is located in its document as an exact substring once runs of
whitespace are collapsed (not found: a miss, counted as unfaithful). It is a hit for a
query when it comes from the query's meeting and at least half of its characters fall
inside the union of the query's relevant character spans.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .embed import Embedder, ModelChoice
from .filters import Filters
from .pipeline import IngestReport, ingest
from .search import Method, search
from .store import Store

METHODS: tuple[Method, ...] = ("keyword", "dense", "hybrid")
METHOD_NAMES = {"keyword": "BM25 alone", "dense": "dense alone", "hybrid": "Minutebook"}
RANKS = 10
WHITESPACE = re.compile(r"\s+")


class EvaluationDataMissing(Exception):
    """The QMSum folder is not there; the message says where it was looked for."""


@dataclass(frozen=True)
class Query:
    meeting: str
    split: str
    text: str
    spans: tuple[tuple[int, int], ...]


@dataclass
class Metrics:
    queries: int = 0
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    hit_at_5: float = 0.0
    mrr_at_10: float = 0.0
    precision_at_5: float = 0.0
    unfaithful: int = 0
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0


@dataclass
class Report:
    split: str
    backend: str
    chunks: int
    ingest_seconds: float
    chunks_per_second: float
    corpus: dict[str, Metrics] = field(default_factory=dict)
    scoped: dict[str, Metrics] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            **{key: value for key, value in asdict(self).items() if key not in {"corpus", "scoped"}},
            "corpus": {name: asdict(metrics) for name, metrics in self.corpus.items()},
            "scoped": {name: asdict(metrics) for name, metrics in self.scoped.items()},
        }


class SourceText:
    """A document with its whitespace collapsed, and the way back to the original character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        pieces, self.origins = [], []
        for match in re.finditer(r"\S+", text):
            if pieces:
                pieces.append(" ")
                self.origins.append(match.start() - 1)
            pieces.append(match.group())
            self.origins.extend(range(match.start(), match.end()))
        self.collapsed = "".join(pieces)

    def locate(self, passage: str) -> tuple[int, int] | None:
        """Where `passage` stands in the original text, or None when it is not there verbatim."""
        needle = WHITESPACE.sub(" ", passage).strip()
        found = self.collapsed.find(needle) if needle else -1
        if found < 0:
            return None
        return self.origins[found], self.origins[found + len(needle) - 1] + 1


def load_queries(data: Path, split: str) -> list[Query]:
    path = data / "queries.jsonl"
    if not path.exists():
        raise EvaluationDataMissing(
            f"The QMSum evaluation data is not at {data} (no queries.jsonl): put ../shared beside the folder "
            f"you run Minutebook in, or pass --data."
        )
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if split in {"all", record["split"]}:
            queries.append(
                Query(
                    record["meeting"],
                    record["split"],
                    record["query"],
                    tuple(map(tuple, record["relevant_char_spans"])),
                )
            )
    return queries


def meeting_documents(data: Path) -> list[Path]:
    """Every meeting of train and val, so that retrieval is corpus-wide."""
    return sorted((data / "docs").glob("*/*.txt"))


def inside(spans: Iterable[tuple[int, int]], start: int, end: int) -> int:
    """How many characters of [start, end) fall inside the union of `spans`."""
    merged: list[list[int]] = []
    for span_start, span_end in sorted(spans):
        if merged and span_start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span_end)
        else:
            merged.append([span_start, span_end])
    return sum(max(0, min(end, span_end) - max(start, span_start)) for span_start, span_end in merged)


def score(
    store: Store,
    embedder: Embedder,
    queries: list[Query],
    documents: dict[str, SourceText],
    method: Method,
    scoped: bool,
) -> Metrics:
    metrics = Metrics(queries=len(queries))
    latencies = []
    for query in queries:
        filters = Filters(document=f"/{query.meeting}.txt") if scoped else None
        started = time.perf_counter()
        answer = search(store, embedder, query.text, k=RANKS, filters=filters, method=method)
        latencies.append(time.perf_counter() - started)
        hits = []
        for passage in answer.passages:
            meeting = Path(passage.document).stem
            located = documents[meeting].locate(passage.text) if meeting in documents else None
            if located is None:
                metrics.unfaithful += 1
                hits.append(False)
                continue
            start, end = located
            hits.append(meeting == query.meeting and inside(query.spans, start, end) >= 0.5 * (end - start))
        first = hits.index(True) if True in hits else None
        if first is not None:
            metrics.hit_at_1 += first < 1
            metrics.hit_at_3 += first < 3
            metrics.hit_at_5 += first < 5
            metrics.mrr_at_10 += 1 / (first + 1)
        metrics.precision_at_5 += sum(hits[:5]) / 5
    count = max(1, len(queries))
    for name in ("hit_at_1", "hit_at_3", "hit_at_5", "mrr_at_10", "precision_at_5"):
        setattr(metrics, name, round(getattr(metrics, name) / count, 4))
    metrics.latency_p50_ms = round(statistics.median(latencies) * 1000, 2)
    metrics.latency_p95_ms = round(percentile(latencies, 0.95) * 1000, 2)
    return metrics


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@contextmanager
def fresh_index(
    paths: list[str], model: ModelChoice, index_dir: Path | None
) -> Iterator[tuple[Store, Embedder, IngestReport]]:
    """`paths` ingested with no flags into a fresh index (or `index_dir`), as a new user would, with its model
    loaded and its caches warm; the scratch index is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="minutebook-eval-") as scratch:
        store = Store(index_dir or scratch, create=True)
        ingested = ingest(paths, store, model)
        embedder = model.load(store.directory)
        search(store, embedder, "warm up the caches")
        yield store, embedder, ingested


def evaluate(data: Path, split: str, model: ModelChoice, index_dir: Path | None = None) -> Report:
    """Ingest every meeting into a fresh index (or `index_dir`), ask the split's queries, score each method."""
    queries = load_queries(data, split)
    documents = {path.stem: SourceText(path.read_text(encoding="utf-8")) for path in meeting_documents(data)}
    paths = [str(path) for path in meeting_documents(data)]
    with fresh_index(paths, model, index_dir) as (store, embedder, ingested):
        report = Report(
            split=split,
            backend=model.backend,
            chunks=store.chunk_count,
            ingest_seconds=round(ingested.seconds, 1),
            chunks_per_second=round(ingested.chunks / ingested.seconds, 1) if ingested.chunks else 0.0,
        )
        for method in METHODS:
            report.corpus[method] = score(store, embedder, queries, documents, method, scoped=False)
        for method in METHODS:
            report.scoped[method] = score(store, embedder, queries, documents, method, scoped=True)
    return report


def format_report(report: Report) -> str:
    header = (
        f"{'':14} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'MRR@10':>7} {'P@5':>6} {'unfaithful':>10} "
        f"{'p50 ms':>7} {'p95 ms':>7}"
    )

    def table(title: str, rows: dict[str, Metrics]) -> list[str]:
        lines = [title, header]
        for method, metrics in rows.items():
            lines.append(
                f"{METHOD_NAMES[method]:14} {metrics.hit_at_1:6.3f} {metrics.hit_at_3:6.3f} {metrics.hit_at_5:6.3f} "
                f"{metrics.mrr_at_10:7.3f} {metrics.precision_at_5:6.3f} {metrics.unfaithful:10d} "
                f"{metrics.latency_p50_ms:7.1f} {metrics.latency_p95_ms:7.1f}"
            )
        return lines

    queries = next(iter(report.corpus.values())).queries if report.corpus else 0
    lines = [
        f"QMSum committee meetings, split {report.split}: {queries} queries over {report.chunks} chunks "
        f"(ingest with {report.backend}: {report.ingest_seconds:.1f} s, {report.chunks_per_second:.1f} chunks/s)",
        "",
        *table("Corpus-wide", report.corpus),
        "",
        *table("Scoped to the query's meeting", report.scoped),
    ]
    return "\n".join(lines)


REAL_RANKS = 3
ITEMS_LABELLED = 3
TRAILING_PUNCTUATION = " :–-."
READING_LEGEND = (
    "date, committee, council, items: files whose first meeting was read as labelled (council: of those whose label",
    "names one; items: the first three titled items). items matched: labelled items among the first three read.",
    "hit@3, hit@1, citation (right, of the hits): Minutebook on the council's questions; then BM25 and dense alone.",
)


@dataclass
class RealQuestion:
    file: str
    question: str
    answer_words: list[str]
    committee: str
    date: str
    item_words: list[str]
    kind: str = ""


@dataclass
class RealMetrics:
    questions: int = 0
    hit_at_1: int = 0
    hit_at_3: int = 0
    citation_right: int = 0
    misses: list[str] = field(default_factory=list)
    wrong_citations: list[str] = field(default_factory=list)


@dataclass
class RealReport:
    """Real minutes ingested as a person drops them in, with no flags: what was read, and how the answers rank."""

    files: int
    skipped: list[tuple[str, str]]
    dates_from_text: int
    dates_right: int
    dated_documents: int
    committees_from_text: int
    ocr_pages: int
    chunks: int
    ingest_seconds: float
    methods: dict[str, RealMetrics] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            **{key: value for key, value in asdict(self).items() if key != "methods"},
            "methods": {name: asdict(metrics) for name, metrics in self.methods.items()},
        }


def _records(data: Path, name: str, set_name: str) -> list[dict]:
    """The JSON lines of `data/name`; a missing file is one sentence saying where the set was looked for."""
    path = data / name
    if not path.exists():
        raise EvaluationDataMissing(
            f"The {set_name} evaluation data is not at {data} (no {name}): put ../shared beside the folder "
            f"you run Minutebook in, or pass --data."
        )
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_real_questions(data: Path, set_name: str = "real-minutes") -> list[RealQuestion]:
    fields = RealQuestion.__dataclass_fields__
    return [
        RealQuestion(**{key: value for key, value in record.items() if key in fields})
        for record in _records(data, "questions.jsonl", set_name)
    ]


def _collapsed(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def _answers(passage, question: RealQuestion, data: Path) -> bool:
    same_file = Path(passage.document).resolve() == (data / question.file).resolve()
    text = _collapsed(passage.text)
    return same_file and all(words in text for words in question.answer_words)


def _citation_right(passage, question: RealQuestion) -> bool:
    """As the data set judges it: committee contains, date equal, item title contains every item word."""
    return (
        question.committee.casefold() in (passage.committee or "").casefold()
        and passage.date is not None
        and passage.date.isoformat() == question.date
        and all(word.casefold() in (passage.item or "").casefold() for word in question.item_words)
    )


def score_real(
    store: Store, embedder: Embedder, questions: list[RealQuestion], data: Path, method: Method
) -> RealMetrics:
    metrics = RealMetrics(questions=len(questions))
    for question in questions:
        answer = search(store, embedder, question.question, k=REAL_RANKS, method=method)
        rank = next((rank for rank, passage in enumerate(answer.passages) if _answers(passage, question, data)), None)
        if rank is None:
            metrics.misses.append(question.question)
            continue
        metrics.hit_at_1 += rank == 0
        metrics.hit_at_3 += 1
        if _citation_right(answer.passages[rank], question):
            metrics.citation_right += 1
        else:
            passage = answer.passages[rank]
            metrics.wrong_citations.append(
                f"{question.question} → {passage.committee} · {passage.date} · {passage.item}"
            )
    return metrics


def evaluate_real_minutes(data: Path, model: ModelChoice, index_dir: Path | None = None) -> RealReport:
    """Ingest every file of the real-minutes set into a fresh index with no flags, as a new user would, and ask
    its questions through the one search function."""
    questions = load_real_questions(data)
    files = sorted(str(path) for path in data.rglob("*.pdf"))
    with fresh_index(files, model, index_dir) as (store, embedder, ingested):
        documents = store.documents.readings()
        dated = [row for row in documents if row["dates"]]
        report = RealReport(
            files=len(files),
            skipped=ingested.failed,
            dates_from_text=sum(row["date_source"] == "text" for row in documents),
            dates_right=sum(Path(row["path"]).name[:10] in row["dates"].split(",") for row in dated),
            dated_documents=len(dated),
            committees_from_text=sum(bool(row["committee_from_text"]) for row in documents),
            ocr_pages=sum(row["ocr_pages"] or 0 for row in documents),
            chunks=store.chunk_count,
            ingest_seconds=round(ingested.seconds, 1),
        )
        for method in METHODS:
            report.methods[method] = score_real(store, embedder, questions, data, method)
    return report


def _question_lines(methods: dict[str, RealMetrics]) -> list[str]:
    """The questions Minutebook missed and the hits it cited wrongly, for a developer to look into."""
    hybrid = methods.get("hybrid")
    if not hybrid:
        return []
    return [
        "Not in the top 3:",
        *(f"  {question}" for question in hybrid.misses),
        "Citation wrong:",
        *(f"  {wrong}" for wrong in hybrid.wrong_citations),
    ]


def format_real_report(report: RealReport) -> str:
    lines = [
        f"Real minutes: {report.files} files, {len(report.skipped)} skipped; {report.ocr_pages} pages read by OCR; "
        f"{report.chunks} chunks (ingest {report.ingest_seconds:.1f} s)",
        f"Meeting dates read from the text: {report.dates_from_text} of {report.files}; "
        f"a meeting dated as the file name: {report.dates_right} of {report.dated_documents} dated; "
        f"committee read from the text: {report.committees_from_text} of {report.files}",
        *(f"  skipped {path}: {reason}" for path, reason in report.skipped),
        "",
        f"{'':14} {'questions':>9} {'hit@1':>6} {'hit@3':>6} {'citation right (of hits)':>25}",
    ]
    for method, metrics in report.methods.items():
        lines.append(
            f"{METHOD_NAMES[method]:14} {metrics.questions:9d} {metrics.hit_at_1:6d} {metrics.hit_at_3:6d} "
            f"{metrics.citation_right:>17d} of {metrics.hit_at_3}"
        )
    return "\n".join([*lines, "", *_question_lines(report.methods)])


@dataclass(frozen=True)
class Label:
    """How a person reads one file of the reading set: its council (None when never named), the body that met,
    the meeting date, and its first agenda items as printed."""

    file: str
    council: str | None
    committee: str
    date: str
    items: list[str]


@dataclass
class FileReading:
    """What Minutebook read from one labelled file (its first meeting), beside the label."""

    file: str
    read: bool
    council: str | None = None
    committee: str | None = None
    date: str | None = None
    items: list[str] = field(default_factory=list)
    date_right: bool = False
    committee_right: bool = False
    council_right: bool | None = None
    items_right: bool = False
    items_matched: int = 0


@dataclass
class ReadingFigures:
    """Counts over the files of one council, or of the whole set."""

    files: int = 0
    read: int = 0
    dates_right: int = 0
    committees_right: int = 0
    councils_labelled: int = 0
    councils_right: int = 0
    items_right: int = 0
    items_labelled: int = 0
    items_matched: int = 0
    methods: dict[str, RealMetrics] = field(default_factory=dict)


@dataclass
class ReadingReport:
    """The reading set ingested with no flags: per council (its folder) and overall, what was read against the
    labels and how the questions are answered."""

    skipped: list[tuple[str, str]]
    ocr_pages: int
    chunks: int
    ingest_seconds: float
    councils: dict[str, ReadingFigures] = field(default_factory=dict)
    overall: ReadingFigures = field(default_factory=ReadingFigures)
    files: list[FileReading] = field(default_factory=list)
    labels: dict[str, Label] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def load_labels(data: Path) -> list[Label]:
    fields = Label.__dataclass_fields__
    return [
        Label(**{key: value for key, value in record.items() if key in fields})
        for record in _records(data, "labels.jsonl", "reading")
    ]


def name_key(name: str | None) -> str | None:
    """A council's or committee's name as compared with a label: case, runs of whitespace and a leading "The " aside."""
    if name is None:
        return None
    collapsed = _collapsed(name).casefold()
    return collapsed.removeprefix("the ")


def item_key(title: str) -> str:
    """An item title as compared with a label: case, runs of whitespace and trailing ":", "–", "-", "." aside."""
    return _collapsed(title).casefold().rstrip(TRAILING_PUNCTUATION)


def items_matched(read: list[str], labelled: list[str]) -> int:
    """How many labelled items are among the first items read, in any order, so that partial progress shows."""
    first = {item_key(title) for title in read[:ITEMS_LABELLED]}
    return sum(item_key(title) in first for title in labelled)


def judge(reading: FileReading, label: Label) -> FileReading:
    """`reading` with each of its readings marked right or wrong against `label`; a file not read is all wrong."""
    if not reading.read:
        reading.council_right = None if label.council is None else False
        return reading
    reading.date_right = reading.date == label.date
    reading.committee_right = name_key(reading.committee) == name_key(label.committee)
    reading.council_right = None if label.council is None else name_key(reading.council) == name_key(label.council)
    reading.items_right = [item_key(title) for title in reading.items[:ITEMS_LABELLED]] == [
        item_key(title) for title in label.items
    ]
    reading.items_matched = items_matched(reading.items, label.items)
    return reading


def stored_readings(store: Store, data: Path) -> dict[str, FileReading]:
    """Each stored document's first meeting (council, committee, date) and the titles of that meeting's items in
    document order, untitled preamble left out, by its path relative to `data`."""
    readings = {}
    for row in store.db.query(
        "SELECT d.id, d.path, d.meeting_id, m.council, m.committee, m.date FROM documents d "
        "LEFT JOIN meetings m ON m.id = d.meeting_id"
    ):
        titles = store.db.query(
            "SELECT title FROM items WHERE document_id = ? AND meeting_id IS ? AND title IS NOT NULL ORDER BY position",
            [row["id"], row["meeting_id"]],
        )
        file = Path(os.path.relpath(row["path"], data)).as_posix()
        readings[file] = FileReading(
            file, True, row["council"], row["committee"], row["date"], [title["title"] for title in titles]
        )
    return readings


def tally(readings: list[FileReading], labels: dict[str, Label]) -> ReadingFigures:
    """The reading counts of some files."""
    return ReadingFigures(
        files=len(readings),
        read=sum(reading.read for reading in readings),
        dates_right=sum(reading.date_right for reading in readings),
        committees_right=sum(reading.committee_right for reading in readings),
        councils_labelled=sum(labels[reading.file].council is not None for reading in readings),
        councils_right=sum(bool(reading.council_right) for reading in readings),
        items_right=sum(reading.items_right for reading in readings),
        items_labelled=sum(len(labels[reading.file].items) for reading in readings),
        items_matched=sum(reading.items_matched for reading in readings),
    )


def council_of(file: str) -> str:
    """The council a file of the reading set belongs to: its folder."""
    return file.split("/", 1)[0]


def evaluate_reading(data: Path, model: ModelChoice, index_dir: Path | None = None) -> ReadingReport:
    """Ingest every labelled file of the reading set into a fresh index with no flags, as a new user would; compare
    what was read with the labels and ask the questions through the one search function, per council and overall."""
    labels = {label.file: label for label in load_labels(data)}
    questions = load_real_questions(data, "reading")
    with fresh_index([str(data / file) for file in labels], model, index_dir) as (store, embedder, ingested):
        stored = stored_readings(store, data)
        readings = [judge(stored.get(file, FileReading(file, read=False)), label) for file, label in labels.items()]
        report = ReadingReport(
            skipped=ingested.failed,
            ocr_pages=sum(row["ocr_pages"] or 0 for row in store.documents.readings()),
            chunks=store.chunk_count,
            ingest_seconds=round(ingested.seconds, 1),
            files=readings,
            labels=labels,
        )
        groups = {"": readings} | {
            council: [reading for reading in readings if council_of(reading.file) == council]
            for council in sorted({council_of(file) for file in labels})
        }
        for council, members in groups.items():
            figures = tally(members, labels)
            asked = [question for question in questions if not council or council_of(question.file) == council]
            for method in METHODS:
                figures.methods[method] = score_real(store, embedder, asked, data, method)
            if council:
                report.councils[council] = figures
            else:
                report.overall = figures
    return report


def _fraction(count: int, total: int) -> str:
    return f"{count}/{total}"


def format_reading_report(report: ReadingReport) -> str:
    """Per council and overall, what was read right and how the questions rank; then every wrong reading, read
    against the label."""
    overall = report.overall
    lines = [
        f"Reading: {overall.files} files of {len(report.councils)} councils, {len(report.skipped)} skipped; "
        f"{report.ocr_pages} pages read by OCR; {report.chunks} chunks (ingest {report.ingest_seconds:.1f} s)",
        *(f"  skipped {path}: {reason}" for path, reason in report.skipped),
        "",
        f"{'':18} {'read':>5} {'date':>5} {'committee':>9} {'council':>7} {'items':>5} {'items matched':>13} "
        f"{'hit@3':>5} {'hit@1':>5} {'citation':>8} {'BM25 hit@3':>10} {'dense hit@3':>11}",
    ]
    for name, figures in [*report.councils.items(), ("overall", overall)]:
        hybrid, keyword, dense = (figures.methods[method] for method in ("hybrid", "keyword", "dense"))
        lines.append(
            f"{name:18} {_fraction(figures.read, figures.files):>5} {_fraction(figures.dates_right, figures.files):>5} "
            f"{_fraction(figures.committees_right, figures.files):>9} "
            f"{_fraction(figures.councils_right, figures.councils_labelled):>7} "
            f"{_fraction(figures.items_right, figures.files):>5} "
            f"{_fraction(figures.items_matched, figures.items_labelled):>13} "
            f"{_fraction(hybrid.hit_at_3, hybrid.questions):>5} {_fraction(hybrid.hit_at_1, hybrid.questions):>5} "
            f"{_fraction(hybrid.citation_right, hybrid.hit_at_3):>8} "
            f"{_fraction(keyword.hit_at_3, keyword.questions):>10} {_fraction(dense.hit_at_3, dense.questions):>11}"
        )
    lines += [
        "",
        *READING_LEGEND,
        "",
        "Read wrong (read → label):",
    ]
    for reading in report.files:
        label = report.labels[reading.file]
        wrong = [
            f"{what} {read!r} → {labelled!r}"
            for what, right, read, labelled in (
                ("date", reading.date_right, reading.date, label.date),
                ("committee", reading.committee_right, reading.committee, label.committee),
                ("council", reading.council_right is not False, reading.council, label.council),
                ("items", reading.items_right, reading.items[:ITEMS_LABELLED], label.items),
            )
            if not right
        ]
        if reading.read and wrong:
            lines.append(f"  {reading.file}: " + "; ".join(wrong))
    return "\n".join([*lines, "", *_question_lines(overall.methods)])
