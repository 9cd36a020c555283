"""Watches, the record of posts and their messages, without Slack or the model: a watch remembers what it posted,
a post is claimed once, and alerts and digests fit Slack's limits and cite every passage."""

import datetime as dt

import pytest

from bot.config import open_index
from bot.follow_through import WATCH_SIMILARITY, about
from bot.posts import Posts
from bot.slack.blocks import BLOCK_LIMIT, WATCH_SHOWN, digest_message, watch_message
from bot.watches import Watch, WatchAlert, Watches, passage_key
from index.digest import Digest
from index.search import content_terms
from index.store import Store
from tests.bot.test_blocks import passage, texts
from tests.conftest import TODAY


@pytest.fixture
def store(tmp_path) -> Store:
    return open_index(tmp_path, create=True)


def test_a_watch_is_kept_with_who_set_it_where_and_removed_only_where_it_posts(store):
    watches = Watches(store.db)
    watch = watches.add("school transport", None, "C0CYP", "U0CLERK", generation=7)
    watches.add("potholes", "Environment", "U0CLERK", "U0CLERK", generation=7)
    assert watches.in_channel("C0CYP") == [watch]
    assert (watch.user_id, watch.last_generation, watch.created_at[:4]) == ("U0CLERK", 7, str(dt.date.today().year))
    assert watches.remove(watch.id, "C0ELSEWHERE") is None
    assert watches.remove(watch.id, "C0CYP") == watch
    assert [each.topic for each in watches.all()] == ["potholes"]


def test_a_watch_remembers_the_passages_it_posted_and_forgets_those_whose_post_failed(store):
    watches = Watches(store.db)
    watch = watches.add("school transport", None, "C0CYP", "U0CLERK", generation=0)
    first, second = passage_key("The routes were let."), passage_key("The  routes\nwere let.")
    assert first == second, "spacing does not make a passage new"
    watches.saw(watch.id, [first])
    assert watches.unseen(watch.id, [first, passage_key("Four minibuses arrive in April.")]) == {
        passage_key("Four minibuses arrive in April.")
    }
    watches.unsaw(watch.id, [first])
    assert watches.unseen(watch.id, [first]) == {first}


def test_a_post_is_claimed_once_and_given_up_only_while_it_is_being_sent(store):
    posts, other_process = Posts(store.db), Posts(open_index(store.directory).db)
    assert posts.claim("digest:C0CYP:2026-12-07", "digest", "C0CYP")
    assert not other_process.claim("digest:C0CYP:2026-12-07", "digest", "C0CYP")
    posts.give_up("digest:C0CYP:2026-12-07")
    assert other_process.claim("digest:C0CYP:2026-12-07", "digest", "C0CYP")
    other_process.sent("digest:C0CYP:2026-12-07", "1700000000.000100")
    posts.give_up("digest:C0CYP:2026-12-07")
    assert posts.was_sent("digest:C0CYP:2026-12-07")
    assert not posts.claim("digest:C0CYP:2026-12-07", "digest", "C0CYP")


def test_a_watch_posts_only_passages_close_to_its_topic_that_name_it():
    terms = content_terms("school transport")
    on_topic = passage("All 42 routes had now been let.", item="Home to School Transport", similarity=0.59)
    assert about(on_topic, terms), "the agenda item's title names the topic"
    assert not about(passage("Families visited the hubs.", item="Family Hubs", similarity=0.55), terms)
    weak = passage("Home to school transport was mentioned.", similarity=WATCH_SIMILARITY - 0.01)
    assert not about(weak, terms)


def alert(count: int, committee: str | None = "Children and Young People's Overview and Scrutiny Committee"):
    watch = Watch(3, "school transport", None, "C0CYP", "U0CLERK", "2026-12-01T09:00:00Z", 40)
    passages = [
        passage(f"Route {n} was let to a new operator.", item="Home to School Transport", rank=n,
                date=dt.date(2025, 1, 21) if n % 2 else dt.date(2024, 11, 19))
        for n in range(count)
    ]  # fmt: skip
    return WatchAlert(watch, passages, committee)


def test_an_alert_quotes_at_most_five_passages_by_meeting_and_says_how_to_see_the_rest():
    message = watch_message(alert(8), TODAY)
    shown = texts(message)
    assert shown[0].startswith(
        "*New about “school transport”* in the minutes of the Children and Young People's Overview and Scrutiny "
        "Committee: 8 passages since the last ingest."
    )
    quotes = [text for text in shown if text.startswith(">")]
    assert len(quotes) == WATCH_SHOWN
    citations = [text for text in shown if "·" in text and not text.startswith(">")]
    assert [citation.split(" · ")[1].split(" (")[0] for citation in citations] == [
        "21 January 2025",
        "19 November 2024",
    ]
    footer = shown[-1]
    assert '…and 3 more: `/minutes school transport committee:"Children' in footer
    assert "after:2024-11-19`" in footer and "`/minutes unwatch 3` stops it" in footer
    assert len(message["blocks"]) <= BLOCK_LIMIT and message["text"].startswith("New about “school transport”")


def test_an_alert_with_few_passages_has_no_more_line():
    footer = texts(watch_message(alert(2, committee=None), TODAY))[-1]
    assert "more" not in footer and footer.startswith("Watch 3, set by <@U0CLERK>")


def test_a_digest_with_nothing_due_says_so_in_a_sentence():
    empty = Digest("Planning Committee", TODAY, dt.date(2026, 12, 10), dt.date(2026, 12, 10), [])
    assert digest_message(empty)["text"] == (
        "Nothing in the register of the Planning Committee is overdue or falls due before its next meeting on "
        "10 December 2026."
    )
