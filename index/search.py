"""The one search path: hybrid retrieval over the store, used by the CLI, the bot and the evaluation.

Keyword search (BM25 over SQLite FTS5, Porter-stemmed) and vector search (FAISS,
cosine) each find candidates; their scores, scaled to 0..1, are added with weights.
The minutes' structure then adjusts them (neighbouring matches within an agenda
item, decisions for "what did we decide", the period a question names, the latest
meetings for "now", procedural items lower), and passages that mostly repeat a better
one are left out. Every choice here was measured: docs/retrieval.md.

Whether the minutes answer the question at all is judged on the passages' cosine
similarity to the question, with a lower bar when most of the question's words
appear in the passage.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

import faiss
import numpy as np

from .dates import MONTH_NAMES, MONTHS, find_date
from .embed import Embedder
from .filters import Filters
from .glossary import Expansion, expand
from .passages import ChunkFacts
from .store import Store

Method = Literal["hybrid", "keyword", "dense"]
PASSAGES = 5
CANDIDATES = 200
CANDIDATES_PER_PASSAGE = 4
STEM_LETTERS = 5
KEYWORD_WEIGHT = 0.7
GLOSSARY_WEIGHT = 1.0
NEIGHBOUR_WEIGHT = 0.25
NEIGHBOUR_REACH = 3
FAVOUR = 0.35
OVERLAP_LIMIT = 0.3
LEAD_IN = dt.timedelta(days=92)
RELEVANCE_THRESHOLD = 0.3
KEYWORD_SUPPORTED_THRESHOLD = 0.12
MAX_QUERY_TERMS = 40
DECISION_QUESTION = re.compile(
    r"\b(decid\w*|decision\w*|resol\w*|agree\w*|approv\w*|vote\w*|adopt\w*|accept\w*|reject\w*|refus\w*|"
    r"go(?:ing)?\s+ahead|t(?:ake|ook)\s+on)\b",
    re.IGNORECASE,
)
LATEST_QUESTION = re.compile(r"\b(now|currently|current|latest|so far|to date|these days|at present)\b", re.I)
PROCEDURE_QUESTION = re.compile(
    r"\b(apolog\w*|absen\w*|substitut\w*|subbed|declar\w*|interests?|previous minutes|last minutes|next meeting)\b",
    re.IGNORECASE,
)
MONTH_YEAR = re.compile(rf"\b(?P<month>{MONTH_NAMES})\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
SEASON_YEAR = re.compile(
    r"\b(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE
)
YEAR = re.compile(r"\b((?:19|20)\d\d)\b(?![/-]\d)")
# A written filter's value: in straight or curly quotes, or bare (`{bare}` says how far a bare value runs).
FILTER_VALUE = r"(?:\"(?P<quoted>[^\"]*)\"|“(?P<curly>[^”]*)”|(?P<bare>{bare}))"
WRITTEN_FILTER = re.compile(
    r"\b(?P<name>committee|after|before):\s*" + FILTER_VALUE.format(bare=r"[^\s\"“]+"), re.IGNORECASE
)
TERM = re.compile(r"\w+(?:['’]\w+)?")
STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below between both
    but by can could did do does doing done down during each few for from further had has have having he her here
    hers him his how i if in into is it its itself just me more most my no nor not of off on once only or other our
    ours out over own same she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you your
    yours us any anything tell me please know did does say said think thought discussed discuss discussion
    summarise summarize""".split()
)


class QuestionError(ValueError):
    """A question that cannot be searched; the message says what to ask instead."""


@dataclass(frozen=True)
class Passage:
    """A verbatim passage of the minutes with everything needed to cite it."""

    chunk_id: int
    text: str
    document: str
    url: str | None
    committee: str | None
    date: dt.date | None
    item: str | None
    item_number: str | None
    kind: str
    speakers: str | None
    score: float
    similarity: float
    council: str | None = None
    ocr: bool = False
    page: int | None = None  # the PDF page the passage starts on

    def to_record(self) -> dict:
        """Every field, JSON-ready, so that a saved answer can be shown again."""
        return {**asdict(self), "date": self.date.isoformat() if self.date else None}

    @classmethod
    def from_record(cls, record: dict) -> Passage:
        return cls(**{**record, "date": dt.date.fromisoformat(record["date"]) if record["date"] else None})

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "document": self.document,
            "council": self.council,
            "committee": self.committee,
            "date": self.date.isoformat() if self.date else None,
            "item": self.item,
            "page": self.page,
            "ocr": self.ocr,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class Answer:
    """The passages for a question; when `answered` is false they are only the nearest, not an answer."""

    question: str
    passages: list[Passage]
    answered: bool
    filters: Filters = field(default_factory=Filters)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [passage.to_json() for passage in self.passages],
        }


def written_filters(question: str) -> tuple[str, Filters]:
    """Filters written in the question — committee:"Children and Young People", after:2019-01-01, before:2020 —
    taken out of it, so that the rest is what is searched."""
    found: dict[str, str] = {}

    def take(match: re.Match) -> str:
        found[match.group("name").lower()] = filter_value(match)
        return " "

    rest = " ".join(WRITTEN_FILTER.sub(take, question).split())
    if found and not TERM.search(rest):
        raise QuestionError(
            "Add a question to the filters, for example: committee:Cabinet what did we decide about parking?"
        )
    return rest, Filters(
        committee=found.get("committee") or None,
        after=_written_date(found.get("after"), "after", start=True),
        before=_written_date(found.get("before"), "before", start=False),
    )


def filter_value(match: re.Match) -> str:
    """The value a `FILTER_VALUE` matched, its spaces tidied; quotes with nothing in them give ""."""
    return " ".join(next(part for part in match.group("quoted", "curly", "bare") if part is not None).split())


def _written_date(value: str | None, name: str, start: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        if re.fullmatch(r"\d{4}", value):
            return dt.date(int(value), 1, 1) if start else dt.date(int(value), 12, 31)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QuestionError(f"'{name}:{value}' is not a date: write it as {name}:YYYY-MM-DD or {name}:YYYY.") from None


def content_terms(question: str) -> list[str]:
    """The question's words that carry meaning: lower case, no stopwords (unless that leaves nothing)."""
    terms = list(dict.fromkeys(term.lower() for term in TERM.findall(question)))
    return ([term for term in terms if term not in STOPWORDS] or terms)[:MAX_QUERY_TERMS]


def adjacent_pairs(question: str) -> list[str]:
    """Pairs of meaningful words that stand next to each other in the question ("summer jobs", "school meals"),
    searched as phrases as well as words, so that passages with the pair itself gain over those with its words
    apart."""
    words = [term.lower() for term in TERM.findall(question)]
    pairs = [f"{first} {second}" for first, second in itertools.pairwise(words) if not {first, second} & STOPWORDS]
    return list(dict.fromkeys(pairs))[:MAX_QUERY_TERMS]


def term_coverage(terms: list[str], text: str) -> float:
    """Share of the question's terms found in a passage, comparing word stems crudely by their first letters."""
    if not terms:
        return 0.0
    words = {word.lower()[:STEM_LETTERS] for word in TERM.findall(text)}
    return sum(term[:STEM_LETTERS] in words for term in terms) / len(terms)


def mentioned_period(question: str) -> tuple[dt.date, dt.date] | None:
    """The meeting dates a question points at: "in March 2023", "summer 2023", "in 2024", "on 12 March 2024"."""
    day = find_date(question)
    if day:
        return day, day
    month = MONTH_YEAR.search(question)
    if month:
        year, number = int(month.group("year")), MONTHS[month.group("month").lower()]
        return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])
    season = SEASON_YEAR.search(question)
    if season:
        year = int(season.group("year"))
        first, last = SEASONS[season.group("season").lower()]
        end_year = year + 1 if last < first else year
        return dt.date(year, first, 1), dt.date(end_year, last, calendar.monthrange(end_year, last)[1])
    year = YEAR.search(question)
    if year:
        return dt.date(int(year.group(1)), 1, 1), dt.date(int(year.group(1)), 12, 31)
    return None


def _rerank(scores: dict[int, float], facts: dict[int, ChunkFacts], question: str) -> dict[int, float]:
    """Adjust fused scores with what the minutes' structure tells: a passage amid other matching passages of its
    agenda item gains; decisions gain when the question asks what was decided; meetings in a period the question
    names gain, and the meetings of the three months before it half as much (an event named by its month, "the
    May 2023 election", is discussed before it); recent meetings gain for "now" and "so far"; procedural items
    (apologies, declarations) lose."""
    at = {(fact.item_id, fact.position): chunk_id for chunk_id, fact in facts.items()}
    period = mentioned_period(question)
    start, end = (day.isoformat() for day in period) if period else ("", "")
    lead_in = (period[0] - LEAD_IN).isoformat() if period else ""
    wants_decision = bool(DECISION_QUESTION.search(question))
    wants_latest = bool(LATEST_QUESTION.search(question)) and not period
    dates = sorted(fact.date for fact in facts.values() if fact.date)
    oldest, newest = (dt.date.fromisoformat(dates[0]), dt.date.fromisoformat(dates[-1])) if dates else (None, None)
    about_procedure = bool(PROCEDURE_QUESTION.search(question))
    adjusted = {}
    for chunk_id, score in scores.items():
        fact = facts[chunk_id]
        nearby = [
            scores[at[fact.item_id, fact.position + step]]
            for step in range(-NEIGHBOUR_REACH, NEIGHBOUR_REACH + 1)
            if step and (fact.item_id, fact.position + step) in at
        ]
        score += NEIGHBOUR_WEIGHT * max(nearby, default=0.0)
        score += FAVOUR * (wants_decision and fact.kind == "decision")
        if period and fact.date:
            score += FAVOUR * (start <= fact.date <= end) + FAVOUR / 2 * (lead_in <= fact.date < start)
        score -= FAVOUR * (fact.procedural and not about_procedure)
        if wants_latest and fact.date and newest > oldest:
            score += FAVOUR * (dt.date.fromisoformat(fact.date) - oldest).days / (newest - oldest).days
        adjusted[chunk_id] = score
    return adjusted


def _distinct(ranked: list[int], facts: dict[int, ChunkFacts], k: int) -> list[int]:
    """The best `k`, leaving out a passage that mostly repeats a better one (overlapping windows of one item)."""
    kept: list[int] = []
    for chunk_id in ranked:
        if len(kept) == k:
            break
        fact = facts.get(chunk_id)
        if fact is not None and any(
            facts[other].document_id == fact.document_id
            and min(fact.end, facts[other].end) - max(fact.start, facts[other].start)
            > OVERLAP_LIMIT * (fact.end - fact.start)
            for other in kept
        ):
            continue
        kept.append(chunk_id)
    return kept


def passage_from(chunk_id: int, row: dict, score: float = 0.0, similarity: float = 0.0) -> Passage:
    """A passage as the store's row of it gives it, with the scores that ranked it."""
    return Passage(
        chunk_id=chunk_id,
        text=row["text"],
        document=row["document"],
        url=row["url"],
        committee=row["committee"],
        date=dt.date.fromisoformat(row["date"]) if row["date"] else None,
        item=row["item"],
        item_number=row["item_number"],
        kind=row["kind"],
        speakers=row["speakers"],
        score=score,
        similarity=similarity,
        council=row["council"],
        ocr=bool(row["ocr"]),
        page=page_of(row["page_starts"], row["char_start"]),
    )


def whole_item(store: Store, chunk_id: int) -> Passage | None:
    """The agenda item a passage belongs to, whole and verbatim, cited as a passage ("Show the whole item")."""
    row = store.passages.item_of(chunk_id)
    return passage_from(chunk_id, row) if row else None


def page_of(page_starts: str | None, position: int) -> int | None:
    """The page (from 1) of a PDF on which the character at `position` of its text is, from the document's page
    starts as stored (JSON); None for other formats, and documents indexed before pages were kept."""
    if not page_starts:
        return None
    return max(1, bisect.bisect_right(json.loads(page_starts), position))


def _normalised(ranking: list[tuple[int, float]]) -> dict[int, float]:
    """Scores scaled to 0..1 within one ranking, so that BM25 and cosine can be added."""
    if not ranking:
        return {}
    low, high = min(score for _, score in ranking), max(score for _, score in ranking)
    return {chunk_id: (score - low) / (high - low) if high > low else 1.0 for chunk_id, score in ranking}


def _dense(store: Store, query: np.ndarray, limit: int, filters: Filters) -> list[tuple[int, float]]:
    index = store.vectors()
    if index.ntotal == 0:
        return []
    params = None
    if filters:
        allowed = store.passages.allowed(filters)
        if len(allowed) == 0:
            return []
        selector = faiss.IDSelectorBatch(allowed)
        if isinstance(index, faiss.IndexIVF):
            # Probe more clusters the fewer chunks the filters allow, so that as many of them are compared.
            share = len(allowed) / index.ntotal
            probes = min(index.nlist, int(np.ceil(index.nprobe / share)))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=probes)
        else:
            params = faiss.SearchParameters(sel=selector)
        limit = min(limit, len(allowed))
    faiss.omp_set_num_threads(1)  # one question at a time: threads cost more to wake than they save
    scores, ids = index.search(query.reshape(1, -1), min(limit, index.ntotal), params=params)
    return [(int(chunk_id), float(score)) for chunk_id, score in zip(ids[0], scores[0], strict=True) if chunk_id >= 0]


def search(
    store: Store,
    embedder: Embedder,
    question: str,
    k: int = PASSAGES,
    filters: Filters | None = None,
    method: Method = "hybrid",
    glossary: bool = True,
    skip: int = 0,
) -> Answer:
    """The top `k` passages for `question`, best first, within `filters`, after the `skip` best ("show me more").

    `method` "keyword" or "dense" ranks by one retriever alone: the baselines of the evaluation. `glossary` False
    searches the question's own words only, to measure what the glossary adds."""
    question, written = written_filters(question)
    filters = (filters or Filters()).merged(written)
    if not TERM.search(question):
        raise QuestionError(
            "That question has no words to search for: ask in words, for example "
            "'what did we decide about school transport?'"
        )
    if k < 1:
        raise QuestionError("Ask for at least one passage (k must be 1 or more).")
    added = expand(question) if glossary and method == "hybrid" else Expansion()
    query = embedder.encode_question(question)
    with store.reading():
        passages, answered = _retrieve(store, query, question, k, filters, method, added, skip)
    return Answer(question=question, passages=passages, answered=answered, filters=filters)


def _glossary_terms(store: Store, added: Expansion) -> list[str]:
    """The glossary's terms worth searching: the minutes' words for what the question says in everyday words, and the
    other terms for a concept whose term in the question is in no passage ("UASC" where the minutes write it out).
    Other spellings of a term the minutes do use are left out: searched as well, they only moved other passages up
    (docs/retrieval.md)."""
    terms = dict.fromkeys(added.translations)
    for concept in added.variants:
        if not any(store.keywords.frequencies(concept.named).values()):
            terms.update(dict.fromkeys(concept.others))
    return list(terms)


def _retrieve(
    store: Store,
    query: np.ndarray,
    question: str,
    k: int,
    filters: Filters,
    method: Method,
    added: Expansion,
    skip: int = 0,
) -> tuple[list[Passage], bool]:
    """The top `k` passages after the `skip` best, and whether they answer the question."""
    wanted = skip + k
    pool = max(CANDIDATES, CANDIDATES_PER_PASSAGE * wanted)
    dense = _dense(store, query, pool, filters) if method != "keyword" else []
    searched = content_terms(question) + (adjacent_pairs(question) if method == "hybrid" else [])
    keyword = store.keywords.search(searched, pool, filters) if method != "dense" else []

    if method == "hybrid":
        glossary_terms = _glossary_terms(store, added)
        glossary = store.keywords.search(glossary_terms, pool, filters) if glossary_terms else []
        dense_scores, keyword_scores, glossary_scores = _normalised(dense), _normalised(keyword), _normalised(glossary)
        fused = {
            chunk_id: (1 - KEYWORD_WEIGHT) * dense_scores.get(chunk_id, 0.0)
            + KEYWORD_WEIGHT
            * (keyword_scores.get(chunk_id, 0.0) + GLOSSARY_WEIGHT * glossary_scores.get(chunk_id, 0.0))
            for chunk_id in dense_scores.keys() | keyword_scores.keys() | glossary_scores.keys()
        }
        facts = store.passages.facts(list(fused))
        fused = _rerank(fused, facts, question)
    else:
        fused = dict(dense or keyword)
        facts = store.passages.facts(
            sorted(fused, key=fused.__getitem__, reverse=True)[: CANDIDATES_PER_PASSAGE * wanted]
        )
    ranked = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))
    top = _distinct(ranked, facts, wanted)[skip:]

    similarity = dict(dense)
    missing = [chunk_id for chunk_id in top if chunk_id not in similarity]
    if missing:
        vectors = store.vectors().reconstruct_batch(np.array(missing, dtype=np.int64))
        similarity.update(zip(missing, (vectors @ query).tolist(), strict=True))

    rows = store.passages.rows(top)
    passages = [
        passage_from(chunk_id, rows[chunk_id], fused[chunk_id], float(similarity[chunk_id]))
        for chunk_id in top
        if chunk_id in rows
    ]
    terms = content_terms(question)
    answered = any(
        passage.similarity >= RELEVANCE_THRESHOLD
        or (passage.similarity >= KEYWORD_SUPPORTED_THRESHOLD and term_coverage(terms, passage.text) >= 0.5)
        for passage in passages
    )
    return passages, answered
