"""The bot's side of the index: asks the one search function and remembers what it answered."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from dataclasses import dataclass

from index.embed import Embedder
from index.register import RegisterEntry, answer_from_register
from index.search import Answer, Passage, search
from index.store import Store

MENTION = re.compile(r"<[@#!][^>]*>")
LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<((?:https?|mailto):[^>]*)>")


def question_from_slack(text: str) -> str:
    """A question as typed in Slack, without the bot's @-mention, links reduced to their words, entities decoded."""
    text = MENTION.sub(" ", text or "")
    text = LINK.sub(lambda match: match.group(1) or match.group(2), text)
    return " ".join(html.unescape(text).split())


@dataclass(frozen=True)
class SavedAnswer:
    id: int
    answer: Answer


class Answerer:
    """Search and storage for every listener; one lock, since the store and model are shared by worker threads."""

    def __init__(self, store: Store, embedder: Embedder, k: int = 5) -> None:
        self.store = store
        self.embedder = embedder
        self.k = k
        self.lock = threading.Lock()

    def ask(self, question: str, user_id: str, channel_id: str | None) -> SavedAnswer:
        with self.lock:
            answer = search(self.store, self.embedder, question, k=self.k)
            answer_id = self.store.save_answer(
                answer.question,
                answer.filters,
                answer.answered,
                [passage.to_record() for passage in answer.passages],
                user_id,
                channel_id,
            )
        return SavedAnswer(answer_id, answer)

    def ask_register(self, question: str, user_id: str, channel_id: str | None) -> tuple[int, list[RegisterEntry]]:
        """Promises and decisions for a question about them, remembered like any answer so that it can be rated."""
        with self.lock:
            entries, filters = answer_from_register(self.store, self.embedder, question, today())
            answer_id = self.store.save_answer(
                question, filters, bool(entries), [entry.to_json() for entry in entries], user_id, channel_id
            )
        return answer_id, entries

    def saved(self, answer_id: int) -> SavedAnswer | None:
        with self.lock:
            row = self.store.saved_answer(answer_id)
        if row is None:
            return None
        answer = Answer(
            question=row["question"],
            passages=[Passage.from_record(record) for record in row["passages"]],
            answered=bool(row["answered"]),
            filters=row["filters"],
        )
        return SavedAnswer(answer_id, answer)

    def record_feedback(self, answer_id: int, user_id: str, helpful: bool) -> bool:
        with self.lock:
            if self.store.saved_answer(answer_id) is None:
                return False
            self.store.save_feedback(answer_id, user_id, helpful)
        return True

    def status(self) -> dict:
        with self.lock:
            return self.store.status()

    def example_questions(self, count: int = 4) -> list[str]:
        """Questions built from the agenda items of the latest meetings, so that the examples match what is indexed."""
        with self.lock:
            rows = list(
                self.store.db.query(
                    "SELECT DISTINCT i.title FROM items i JOIN meetings m ON m.id = i.meeting_id "
                    "WHERE i.title IS NOT NULL AND i.title NOT LIKE '%apolog%' AND i.title NOT LIKE '%declaration%' "
                    "AND i.title NOT LIKE 'minutes%' AND i.title NOT LIKE '%date of%' ORDER BY m.date DESC LIMIT ?",
                    [count],
                )
            )
        templates = ["What did we decide about {}?", "What was said about {}?", "Which updates were promised on {}?"]
        return [templates[index % len(templates)].format(row["title"]) for index, row in enumerate(rows)]


def today() -> dt.date:
    return dt.date.today()
