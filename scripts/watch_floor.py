"""How precise watch alerts are: which new passages a watch would post, on the sample minutes.

    python scripts/watch_floor.py

The sample minutes (examples/) are ingested into a scratch index and taken as new to a watch that has seen
nothing; each topic below is searched as a watch searches it. A passage counts as on topic when its agenda item is
one of the topic's items, labelled by hand. Printed: for the search's own floor (what decides whether a question
is answered) and for the watch's stricter rule (`bot.follow_through.about`), how many passages each would post,
how many of them are on topic, and how many of the on-topic passages found it would post.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.follow_through import WATCH_CANDIDATES, about  # noqa: E402
from index.embed import ModelChoice, load_embedder  # noqa: E402
from index.filters import Filters  # noqa: E402
from index.pipeline import ingest  # noqa: E402
from index.search import KEYWORD_SUPPORTED_THRESHOLD, RELEVANCE_THRESHOLD, content_terms, search, term_coverage  # noqa: E402
from index.store import Store  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CYP = "Children and Young People's Overview and Scrutiny Committee"
# Each topic, and (parts of) the titles of the agenda items that are about it.
TOPICS = {
    "school transport": ["Home to School Transport"],
    "taxi routes": ["Home to School Transport"],
    "minibuses": ["Home to School Transport"],
    "foster carers": ["Foster Carer"],
    "fostering allowance": ["Foster Carer"],
    "SEND assessments": ["SEND Assessment"],
    "EHC plans": ["SEND Assessment"],
    "youth service": ["Youth Service"],
    "Moorbus": ["Youth Service"],
    "mental health": ["Mental Health"],
    "family hubs": ["Family Hubs"],
    "childcare": ["Early Years Childcare"],
    "Signs of Safety": ["Signs of Safety"],
    "potholes": ["Pothole"],
    "electric vehicle charging": ["Electric Vehicle Charging"],
    "flood defences": ["Flood Defences"],
    "Lower Brandling": ["Flood Defences"],
    "recycling centres": ["Household Waste Recycling"],
    "bus services": ["Route 47 Bus Service", "Moorlink"],
    "demand responsive transport": ["Moorlink"],
}


def search_floor(passage, terms) -> bool:
    return passage.similarity >= RELEVANCE_THRESHOLD or (
        passage.similarity >= KEYWORD_SUPPORTED_THRESHOLD and term_coverage(terms, passage.text) >= 0.5
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = Store(directory, create=True)
        ingest([str(EXAMPLES / "minutes"), str(EXAMPLES / "later")], store, ModelChoice())
        ingest([str(EXAMPLES / "agenda-items")], store, ModelChoice(), committee=CYP, date=dt.date(2023, 10, 10))
        embedder = load_embedder()
        rules = {"search's answer floor": search_floor, "watch rule": about}
        posted = {name: 0 for name in rules}
        on_topic = {name: 0 for name in rules}
        found_on_topic = 0
        for topic, items in TOPICS.items():
            answer = search(store, embedder, topic, k=WATCH_CANDIDATES, filters=Filters(added_after=0))
            terms = content_terms(answer.question)
            for passage in answer.passages:
                relevant = any(item.lower() in (passage.item or "").lower() for item in items)
                found_on_topic += relevant
                for name, rule in rules.items():
                    if rule(passage, terms):
                        posted[name] += 1
                        on_topic[name] += relevant
        print(f"{len(TOPICS)} topics; {found_on_topic} on-topic passages among the {WATCH_CANDIDATES} found for each")
        for name in rules:
            print(
                f"{name:24} posts {posted[name]:4}, on topic {on_topic[name]:4} "
                f"(precision {on_topic[name] / max(posted[name], 1):.2f}, recall {on_topic[name] / found_on_topic:.2f})"
            )


if __name__ == "__main__":
    main()
