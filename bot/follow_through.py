"""What the bot says without being asked: new passages about watched topics, digests of what is due, and briefings
before meetings.

The bot's scheduler, `minutebook sync`, `minutebook digest --post` and `minutebook ingest` (when Slack is set up)
all run these through `FollowThrough`; every post is claimed in the `posts` table first, so whichever of them runs,
and however often, each alert and each digest reaches its channel once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from index.briefing import BRIEF_DAYS, Briefing, MeetingToCome, agenda_to_come, brief, meetings_to_come
from index.digest import DIGEST_DAYS, Digest, digest
from index.embed import Embedder
from index.filters import Filters
from index.moderngov import ModernGovError, sync_recorded
from index.search import Passage, QuestionError, content_terms, search, term_coverage
from index.store import Store

from .channels import ChannelCommittees, scoped
from .config import Jobs, Settings, model_choice, open_index
from .posts import Posts
from .schedule import Scheduler
from .watches import Watch, WatchAlert, Watches, passage_key

WATCH_CANDIDATES = 50
# A watch speaks unasked, so it posts only passages clearly about its topic: close in meaning and naming it (every
# word of it, in the passage or its agenda item's title). On the sample minutes, 20 topics, 83% of what this posts
# is on topic, against 33% for the search's answer floor (scripts/watch_floor.py, docs/retrieval.md).
WATCH_SIMILARITY = 0.35
WATCH_WORDS = 1.0
WATCH_CHECK_SECONDS = 60
logger = logging.getLogger(__name__)
News = WatchAlert | Digest | Briefing


class PostFailed(Exception):
    """A message that could not be posted; its text says why (the chat service's reason, or the connection's)."""


class Poster(Protocol):
    """Where follow-through's news goes: `post` sends it to a channel and returns the message's id, or raises
    `PostFailed`. The Slack layer gives one (bot.slack.poster)."""

    def post(self, channel_id: str, news: News, today: dt.date) -> str | None: ...


@dataclass
class Posted:
    """What a round of posting did: messages sent, messages sent before (not sent again), and the channels where
    sending failed, with Slack's reason."""

    sent: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self, noun: str) -> str:
        parts = [f"{self.sent} {noun}{'s' * (self.sent != 1)} posted"]
        if self.already:
            parts.append(f"{self.already} already posted before")
        if self.failed:
            parts.append(f"{len(self.failed)} could not be posted ({'; '.join(self.failed)})")
        return ", ".join(parts)


class FollowThrough:
    """Watch alerts, digests and briefings for one index, posted by `poster` to the channels `settings` allows.
    `lock` is the one the bot's listeners hold while they use the store; the embedding model is loaded only when a
    watch has something new to search."""

    def __init__(
        self,
        store: Store,
        poster: Poster,
        settings: Settings,
        load_embedder: Callable[[], Embedder],
        lock: threading.Lock | None = None,
    ) -> None:
        self.store = store
        self.poster = poster
        self.settings = settings
        self.load_embedder = load_embedder
        self.lock = lock or threading.Lock()
        self.watches = Watches(store.db)
        self.posts = Posts(store.db)
        self.channels = ChannelCommittees(store.db)
        self._embedder: Embedder | None = None

    def run_watches(self) -> Posted:
        """Post, for each watch, the passages about its topic that entered the index since its last run."""
        posted = Posted()
        with self.lock:
            watches, generation = self.watches.all(), self.store.generation
        for watch in watches:
            if watch.last_generation < generation and self.settings.channel_allowed(watch.channel_id):
                try:
                    self._run_watch(watch, generation, posted)
                except QuestionError as error:
                    logger.warning("Watch %d (“%s”) cannot be searched: %s", watch.id, watch.topic, error)
        return posted

    def alert(self, watch: Watch) -> WatchAlert:
        """The passages new since the watch last ran that are about its topic, searched as its channel would ask."""
        if self._embedder is None:
            self._embedder = self.load_embedder()
        with self.lock:
            if watch.committee:
                topic, filters, committee = watch.topic, Filters(committee=watch.committee), watch.committee
            else:
                topic, filters, committee = scoped(watch.topic, self.channels.committee_of(watch.channel_id))
            new = filters.merged(Filters(added_after=watch.last_generation))
            answer = search(self.store, self._embedder, topic, k=WATCH_CANDIDATES, filters=new)
        terms = content_terms(answer.question)
        return WatchAlert(watch, [passage for passage in answer.passages if about(passage, terms)], committee)

    def _run_watch(self, watch: Watch, generation: int, posted: Posted) -> None:
        alert = self.alert(watch)
        by_key = {passage_key(passage.text): passage for passage in alert.passages}
        key = f"watch:{watch.id}:{generation}"
        with self.lock, self.store.db.atomic():
            fresh = self.watches.unseen(watch.id, by_key)
            self.watches.ran(watch.id, generation)
            if not fresh:
                return
            if not self.posts.claim(key, "watch", watch.channel_id):
                posted.already += 1
                return
            self.watches.saw(watch.id, fresh)
        news = WatchAlert(
            watch, [passage for passage_id, passage in by_key.items() if passage_id in fresh], alert.committee
        )
        if not self._send(key, watch.channel_id, news, self.settings.jobs.clock.today(), posted):
            with self.lock, self.store.db.atomic():
                self.watches.unsaw(watch.id, fresh)
                self.watches.ran(watch.id, watch.last_generation)

    def digests(
        self, as_of: dt.date, days: int = DIGEST_DAYS, committee: str | None = None
    ) -> list[tuple[str, Digest]]:
        """Each channel tied to a committee (one whose name contains `committee`, when given), with that committee's
        digest."""
        with self.lock:
            return [(channel_id, digest(self.store, name, as_of, days)) for channel_id, name in self._tied(committee)]

    def _tied(self, committee: str | None) -> list[tuple[str, str]]:
        """The channels Minutebook may post in that are tied to a committee (one whose name contains `committee`,
        when given), with that committee; the caller holds the lock."""
        wanted = (committee or "").casefold()
        return [
            (channel_id, name)
            for channel_id, name in self.channels.tied()
            if wanted in name.casefold() and self.settings.channel_allowed(channel_id)
        ]

    def post_digests(
        self,
        as_of: dt.date,
        days: int = DIGEST_DAYS,
        before_meeting: int | None = None,
        committee: str | None = None,
    ) -> Posted:
        """Post each tied channel its committee's digest, once for the day `as_of`; with `before_meeting`, only
        when the committee's next meeting is that many days away or fewer, once for that meeting."""
        posted = Posted()
        for channel_id, due in self.digests(as_of, days, committee):
            if before_meeting is None:
                key = f"digest:{channel_id}:{as_of.isoformat()}"
            elif due.next_meeting and (due.next_meeting - as_of).days <= before_meeting:
                key = f"digest:{channel_id}:before:{due.next_meeting.isoformat()}"
            else:
                continue
            with self.lock:
                claimed = self.posts.claim(key, "digest", channel_id)
            if claimed:
                self._send(key, channel_id, due, as_of, posted)
            else:
                posted.already += 1
        return posted

    def post_briefings(self, as_of: dt.date, days: int = BRIEF_DAYS, committee: str | None = None) -> Posted:
        """Post each channel tied to a committee the briefing of the committee's next meeting that a synced ModernGov
        site lists, once for that meeting, when it is `days` away or fewer; the agenda is fetched from the site then.
        A site that cannot be reached is logged and tried again on the next run."""
        posted = Posted()
        with self.lock:
            tied = self._tied(committee)
            coming = meetings_to_come(self.store, as_of, sorted({name for _, name in tied}))
        for channel_id, name in tied:
            meeting = next((each for each in coming if each.committee == name), None)
            if meeting is None or (meeting.date - as_of).days > days:
                continue
            key = f"brief:{channel_id}:{meeting.site}:{meeting.meeting_id}"
            with self.lock:
                claimed = self.posts.claim(key, "briefing", channel_id)
            if not claimed:
                posted.already += 1
                continue
            try:
                briefing = self.briefing(meeting, as_of)
            except ModernGovError as error:
                logger.warning("Could not brief %s (%s): it is tried again on the next run.", key, error)
                with self.lock:
                    self.posts.give_up(key)
                posted.failed.append(f"{channel_id}: {error}")
                continue
            self._send(key, channel_id, briefing, as_of, posted)
        return posted

    def briefing(self, meeting: MeetingToCome, as_of: dt.date) -> Briefing:
        if self._embedder is None:
            self._embedder = self.load_embedder()
        agenda = agenda_to_come(meeting)  # fetched without the lock: the site may be slow
        with self.lock:
            return brief(self.store, self._embedder, agenda, meeting.committee, meeting.date, as_of, meeting.page)

    def _send(self, key: str, channel_id: str, news: News, today: dt.date, posted: Posted) -> bool:
        """Post a claimed message; when it is refused or cannot be sent, log why and give the claim up, so that
        the next run sends it."""
        try:
            message_id = self.poster.post(channel_id, news, today)
        except PostFailed as error:
            logger.warning("Could not post %s to %s (%s): it is tried again on the next run.", key, channel_id, error)
            with self.lock:
                self.posts.give_up(key)
            posted.failed.append(f"{channel_id}: {error}")
            return False
        with self.lock:
            self.posts.sent(key, message_id)
        posted.sent += 1
        return True


def about(passage: Passage, terms: list[str]) -> bool:
    """Whether a new passage is clearly about a watched topic whose content words are `terms`: a watch posts unasked,
    so it wants what a question's answer floor lets by to name the topic too."""
    named = term_coverage(terms, f"{passage.item or ''}\n{passage.text}")
    return passage.similarity >= WATCH_SIMILARITY and named >= WATCH_WORDS


def scheduled(jobs: Jobs, follow: FollowThrough, index_path: str) -> Scheduler:
    """The bot's background jobs: watches run every minute (and once at start, for what changed while it was
    stopped), the ModernGov sync and the digests when `jobs` says."""
    scheduler = Scheduler(jobs.timezone)

    def run_watches() -> None:
        posted = follow.run_watches()
        if posted.sent or posted.failed:
            logger.info("Watch alerts: %s.", posted.summary("message"))

    def sync() -> None:
        # Its own connection and model: a sync takes minutes, and the bot answers meanwhile.
        store = open_index(index_path)
        try:
            for url, report in sync_recorded(store, model_choice(store), jobs.clock.today()):
                logger.info("Synced %s: %s.", url, report.summary())
                if report.error:
                    logger.warning(
                        "The sync of %s stopped early (%s); it carries on at its next run.", url, report.error
                    )
        finally:
            store.db.close()
        run_watches()

    def post_digests() -> None:
        before = jobs.digest.before_meeting if jobs.digest else None
        posted = follow.post_digests(jobs.clock.today(), jobs.digest_days, before_meeting=before)
        logger.info("Digests: %s.", posted.summary("digest"))
        briefed = follow.post_briefings(jobs.clock.today())
        logger.info("Briefings: %s.", briefed.summary("briefing"))

    scheduler.every("watches", WATCH_CHECK_SECONDS, run_watches, at_start=True)
    if jobs.sync:
        scheduler.add("sync", jobs.sync, sync)
    if jobs.digest:
        scheduler.add("digest", jobs.digest, post_digests)
    return scheduler
