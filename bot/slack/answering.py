"""The bot's side of the index: asks the one search function and remembers what it answered."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
import threading
import time
from dataclasses import dataclass

from index.conversation import Turn, first_turn, follow_on, leans_on_the_last
from index.embed import Embedder
from index.register import RegisterAnswer, RegisterEntry, answer_from_register, answer_question, read_register
from index.search import PASSAGES, Answer, Passage, whole_item
from index.store import Store

from ..answer_log import AnswerLog
from ..channels import ChannelCommittees, scoped
from ..config import Clock
from ..watches import Watch, Watches

MENTION = re.compile(r"<[@#!][^>]*>")
PERSON_MENTION = re.compile(r"<(?:@[UW]|!subteam\^|!here|!channel|!everyone)[^>]*>")
TO_PEOPLE = re.compile(r"\b(?:any|every|some)(?:one|body)\b|\b(?:you all|y'all|folks|guys|team|colleagues)\b", re.I)
ASKING = re.compile(
    r"^(?:(?:and|so|ok|okay|then|also|but|please)\W+)*(?:what|which|who|whom|whose|when|where|why|how|did|do|does|"
    r"was|were|is|are|has|have|had|can|could|would|will|should|show|tell|list|give|find|search|more|any)\b",
    re.IGNORECASE,
)
LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<((?:https?|mailto):[^>]*)>")
EXAMPLE_QUESTIONS = 4
# A direct message that cannot stand alone, sent this soon after an answer in the DM, follows it up; in a thread,
# any reply does.
FOLLOW_UP_WINDOW = dt.timedelta(minutes=30)
logger = logging.getLogger(__name__)


def question_from_slack(text: str) -> str:
    """A question as typed in Slack, without the bot's @-mention, links reduced to their words, entities decoded."""
    text = MENTION.sub(" ", text or "")
    text = LINK.sub(lambda match: match.group(1) or match.group(2), text)
    return " ".join(html.unescape(text).split())


def addressed_to_bot(text: str) -> bool:
    """Whether a reply without a mention, in a thread Minutebook answered, is for Minutebook: it asks something
    (ends with "?", or opens with a question or a request such as "what", "did", "show me", "more") and is not for
    someone else (it mentions a person or a group, or asks "anyone"). Thanks, remarks and talk between colleagues in
    the thread are left alone."""
    if PERSON_MENTION.search(text or "") or TO_PEOPLE.search(text or ""):
        return False
    question = question_from_slack(text)
    return question.endswith("?") or bool(ASKING.match(question))


@dataclass(frozen=True)
class SavedAnswer:
    """An answer the bot kept; `scope` is the committee of the channel it was asked in, when that limited it, and
    `follows` the question it followed up in its thread."""

    id: int
    answer: Answer | RegisterAnswer
    scope: str | None = None
    follows: str | None = None


class Answerer:
    """Search and storage for every listener; one lock, since the store and model are shared by worker threads."""

    def __init__(
        self, store: Store, embedder: Embedder, clock: Clock, k: int = PASSAGES, log_questions: bool = True
    ) -> None:
        self.store = store
        self.clock = clock
        self.log_questions = log_questions
        self.embedder = embedder
        self.k = k
        self.log = AnswerLog(store.db)
        self.channels = ChannelCommittees(store.db)
        self.watches = Watches(store.db)
        self.lock = threading.Lock()

    def ask(
        self,
        question: str,
        user_id: str,
        channel_id: str | None,
        thread_ts: str | None = None,
        viewed: str | None = None,
    ) -> SavedAnswer:
        """Answer a question as the terminal does (from the register when it asks about promises), read with the
        question answered before it in the same thread (`thread_ts`; in a direct message (D…) without one, the DM's
        own conversation, for FOLLOW_UP_WINDOW), within the committee of the channel (or the `viewed` one), and
        remember the answer so that it can be shared, rated and followed up."""
        started = time.perf_counter()
        with self.lock:
            question, scope_filters, scope = scoped(question, self.channels.committee_of(viewed or channel_id))
            since = (dt.datetime.now(dt.UTC) - FOLLOW_UP_WINDOW).isoformat(timespec="seconds")
            # Any question in a thread follows the one before it. In a direct message's own conversation, only one
            # that cannot stand alone does; a slash command's private answer starts no conversation.
            in_conversation = bool(thread_ts) or ((channel_id or "").startswith("D") and leans_on_the_last(question))
            previous = self.log.last_turn(channel_id, thread_ts, since) if channel_id and in_conversation else None
            turn = follow_on(previous[0], question, previous[1]) if previous else first_turn(question)
            answer = answer_question(
                self.store,
                self.embedder,
                turn.question,
                self.clock.today(),
                k=self.k,
                filters=scope_filters.merged(turn.filters),
                skip=turn.skip,
            )
            return self._kept(answer, turn, user_id, channel_id, thread_ts, scope, started)

    def ask_register(self, topic: str, user_id: str, channel_id: str | None) -> SavedAnswer:
        """The register's entries about `topic` (all of them when it is empty), remembered like any answer."""
        started = time.perf_counter()
        with self.lock:
            topic, filters, scope = scoped(topic, self.channels.committee_of(channel_id))
            answer = answer_from_register(self.store, self.embedder, topic, self.clock.today(), filters)
            return self._kept(answer, first_turn(topic), user_id, channel_id, None, scope, started)

    def _kept(
        self,
        answer: Answer | RegisterAnswer,
        turn: Turn,
        user_id: str,
        channel_id: str | None,
        thread_ts: str | None,
        scope: str | None,
        started: float,
    ) -> SavedAnswer:
        """Save the answer, and log it as one line: its id, where and for whom, how long it took, what it found
        (and the question, unless MINUTEBOOK_LOG_QUESTIONS=0 keeps questions out of the log)."""
        if isinstance(answer, RegisterAnswer):
            records, answered = [entry.to_json() for entry in answer.entries], bool(answer.entries)
        else:
            records, answered = [passage.to_record() for passage in answer.passages], answer.answered
        answer_id = self.log.save(answer, turn, answered, records, user_id, channel_id, thread_ts)
        question = f" question={json.dumps(answer.question, ensure_ascii=False)}" if self.log_questions else ""
        logger.info(
            "answer=%d channel=%s user=%s from=%s found=%d answered=%s seconds=%.3f%s",
            answer_id,
            channel_id,
            user_id,
            "register" if isinstance(answer, RegisterAnswer) else "minutes",
            len(records),
            "yes" if answered else "no",
            time.perf_counter() - started,
            question,
        )
        return SavedAnswer(answer_id, answer, scope, turn.follows)

    def saved(self, answer_id: int) -> SavedAnswer | None:
        with self.lock:
            row = self.log.saved(answer_id)
        if row is None:
            return None
        answer = Answer(
            question=row["question"],
            passages=[Passage.from_record(record) for record in row["passages"]],
            answered=bool(row["answered"]),
            filters=row["filters"],
        )
        return SavedAnswer(answer_id, answer)

    def answered_in(self, channel_id: str, thread_ts: str) -> bool:
        """Whether Minutebook has answered in this thread, where replies without a mention may be questions."""
        with self.lock:
            return self.log.answered_in(channel_id, thread_ts)

    def whole_item(self, chunk_id: int) -> Passage | None:
        with self.lock:
            return whole_item(self.store, chunk_id)

    def record_feedback(self, answer_id: int, user_id: str, helpful: bool) -> bool:
        with self.lock:
            if self.log.saved(answer_id) is None:
                return False
            self.log.rate(answer_id, user_id, helpful)
        return True

    def channel_committee(self, channel_id: str) -> str | None:
        with self.lock:
            return self.channels.committee_of(channel_id)

    def tie_channel(self, channel_id: str, committee: str | None, user_id: str) -> list[str]:
        """Tie a channel to the one indexed committee `committee` names (untie it when None); returns the committees
        it names, so that the caller can say when there are none or several and nothing was changed."""
        with self.lock:
            if committee is None:
                self.channels.untie(channel_id)
                return []
            named = self.store.passages.committees_named(committee)
            exact = [name for name in named if name.casefold() == committee.casefold()]
            named = exact or named
            if len(named) == 1:
                self.channels.tie(channel_id, named[0], user_id)
            return named

    def watch(self, topic: str, committee: str | None, place: str, user_id: str) -> Watch:
        """Watch `topic` for `place` (a channel, or a person's direct messages) from now on."""
        with self.lock:
            return self.watches.add(topic, committee, place, user_id, self.store.generation)

    def watches_in(self, place: str) -> list[Watch]:
        with self.lock:
            return self.watches.in_channel(place)

    def unwatch(self, watch_id: int, place: str) -> Watch | None:
        with self.lock:
            return self.watches.remove(watch_id, place)

    def committees_named(self, words: str) -> list[str]:
        with self.lock:
            return self.store.passages.committees_named(words)

    def health(self) -> dict:
        """What /healthz reports: the index's generation and how many passages it holds; raises when the index
        cannot be read."""
        with self.lock:
            return {"generation": self.store.generation, "passages": self.store.chunk_count}

    def status(self) -> dict:
        with self.lock:
            return self.store.status()

    def example_questions(self, count: int = EXAMPLE_QUESTIONS) -> list[str]:
        """Questions built from the agenda items of the latest meetings, so that the examples match what is indexed."""
        with self.lock:
            titles = self.store.passages.latest_item_titles(count)
        templates = ["What did we decide about {}?", "What was said about {}?", "Which updates were promised on {}?"]
        return [templates[index % len(templates)].format(title) for index, title in enumerate(titles)]

    def latest_agenda_items(self, count: int) -> list[str]:
        """Titles of the latest meetings' agenda items, for prompts whose short title is the item itself."""
        with self.lock:
            return self.store.passages.latest_item_titles(count)

    def open_commitments(self) -> list[RegisterEntry]:
        """The register's overdue and open entries as of today, most urgent first: a prompt about promises is worth
        offering only when there are some."""
        with self.lock:
            entries = read_register(self.store, self.clock.today())
        return [entry for entry in entries if entry.status in {"overdue", "open"}]
