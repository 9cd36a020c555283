"""Conversations with the real bot against the stand-in Slack: follow-ups in the thread Minutebook answered are read
with the question before them, without a new mention; talk between people in the thread is left alone."""

from __future__ import annotations

import json

from tests.bot.conftest import CHANNEL_ID
from tests.bot.standin import BOT_USER_ID
from tests.bot.test_slack import mention, message_text, posts_in_thread, ts, words
from tests.conftest import ENVIRONMENT_COMMITTEE

COUNCILLOR = "U0COUNCILLOR"
COLLEAGUE = "U0COLLEAGUE"
IN_2025 = "on or after 1 January 2025 · on or before 31 December 2025"
IN_2024 = "on or after 1 January 2024 · on or before 31 December 2024"
DECISION = "that Cabinet be recommended to continue the Moorlink service until March 2026"


def reply(text: str, thread_ts: str, user: str = COUNCILLOR, channel: str = CHANNEL_ID) -> dict:
    """A message in a channel thread, as Slack sends it to a bot subscribed to message.channels."""
    sent = ts()
    return {
        "type": "message",
        "channel_type": "channel",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": sent,
        "thread_ts": thread_ts,
        "event_ts": sent,
    }


def next_answer(stand_in, thread_ts: str, seen: list[dict]) -> dict:
    """The bot's next message in the thread, after the ones in `seen`."""
    call = stand_in.wait_for(
        "chat.postMessage",
        lambda params: params.get("thread_ts") == thread_ts and all(params is not earlier for earlier in seen),
    )
    seen.append(call.params)
    return call.params


def quotes(message: dict) -> set[str]:
    """The quoted passages of an answer."""
    return {
        block["text"]["text"].removeprefix("*Decision*\n")
        for block in message["blocks"]
        if block.get("type") == "section" and block["text"]["text"].removeprefix("*Decision*\n").startswith(">")
    }


def reacted_to(stand_in, message_ts: str) -> bool:
    return any(call.params.get("timestamp") == message_ts for call in stand_in.of("reactions.add"))


def test_a_thread_of_three_turns_keeps_the_first_questions_committee_and_period(bot, stand_in):
    first = mention(f'committee:"{ENVIRONMENT_COMMITTEE}" what was reported about the Moorlink trial in 2025?')
    thread, seen = first["ts"], []
    bot.event(first)
    opening = message_text(next_answer(stand_in, thread, seen))
    assert "Moorlink" in opening and f"committee “{ENVIRONMENT_COMMITTEE}”" in opening

    # No mention: a question in the thread Minutebook answered is for it, and keeps the committee and the year.
    bot.event(reply("and what did they decide in the end?", thread))
    decided = words(message_text(next_answer(stand_in, thread, seen)))
    assert DECISION in decided
    assert "Following on from “what was reported about the Moorlink trial in 2025?”" in decided
    assert f"committee “{ENVIRONMENT_COMMITTEE}” · {IN_2025}" in decided

    # The third turn moves the period a year back: the same subject, the same committee, 2024's meetings only.
    bot.event(reply("And the year before?", thread))
    earlier = words(message_text(next_answer(stand_in, thread, seen)))
    assert f"committee “{ENVIRONMENT_COMMITTEE}” · {IN_2024}" in earlier
    assert "4 February 2025" not in earlier and DECISION not in earlier


def test_chatter_in_the_thread_gets_no_reply(bot, stand_in):
    first = mention("what did we decide about the household waste recycling centre opening hours?")
    thread, seen = first["ts"], []
    bot.event(first)
    next_answer(stand_in, thread, seen)
    chatter = [
        reply("Thanks, that is really useful.", thread),
        reply(f"<@{COLLEAGUE}> can you pick this up with the depot?", thread),
        reply("Does anyone know when the new hours start?", thread, user=COLLEAGUE),
        reply("I'll raise it at group on Monday", thread, user=COLLEAGUE),
    ]
    for message in chatter:
        bot.event(message)
    # A question after the chatter is answered; its answer arriving shows the chatter before it was read and left.
    bot.event(reply("show me more", thread))
    more = words(message_text(next_answer(stand_in, thread, seen)))
    assert "Following on from" in more
    assert len(posts_in_thread(stand_in, thread)) == 2
    assert not any(reacted_to(stand_in, message["ts"]) for message in chatter)


def test_show_me_more_gives_the_next_passages(bot, stand_in):
    first = mention("what was said about electric vehicle charging points?")
    thread, seen = first["ts"], []
    bot.event(first)
    shown = next_answer(stand_in, thread, seen)
    bot.event(reply("show me more", thread))
    more = next_answer(stand_in, thread, seen)
    first_quotes, more_quotes = quotes(shown), quotes(more)
    assert len(first_quotes) == len(more_quotes) == 5 and not first_quotes & more_quotes


def test_a_reply_in_a_thread_minutebook_did_not_answer_is_left_alone(bot, stand_in):
    thread = ts()
    bot.event(reply("what did we decide about the recycling centre?", thread))
    first = mention("what did we decide about flood defences?")
    bot.event(first)
    stand_in.wait_for("chat.postMessage", lambda params: params.get("thread_ts") == first["ts"])
    assert not posts_in_thread(stand_in, thread)


def test_a_mention_in_the_thread_is_answered_once_as_a_follow_up(bot, stand_in):
    first = mention("what was reported about the Moorlink trial?")
    thread, seen = first["ts"], []
    bot.event(first)
    next_answer(stand_in, thread, seen)
    # Slack sends a mention in a thread twice, as app_mention and as a message: it is answered once.
    text = f"<@{BOT_USER_ID}> who is responsible?"
    again = mention("who is responsible?", thread_ts=thread)
    bot.event(again)
    bot.event({**reply(text, thread), "ts": again["ts"]})
    answered = words(message_text(next_answer(stand_in, thread, seen)))
    assert "Following on from “what was reported about the Moorlink trial?”" in answered
    bot.event(reply("and what did they decide?", thread))
    next_answer(stand_in, thread, seen)
    assert len(posts_in_thread(stand_in, thread)) == 3


def test_a_direct_message_soon_after_an_answer_follows_it_up(bot, stand_in):
    dm = "D0FOLLOWUP"
    question = {"type": "message", "channel_type": "im", "channel": dm, "user": COUNCILLOR}
    bot.event({**question, "text": "what was reported about the Moorlink trial?", "ts": ts(), "event_ts": ts()})
    first = stand_in.wait_for("chat.postMessage", lambda params: params.get("channel") == dm).params
    bot.event({**question, "text": "what did they decide in the end?", "ts": ts(), "event_ts": ts()})
    decided = stand_in.wait_for(
        "chat.postMessage", lambda params: params.get("channel") == dm and params is not first
    ).params
    assert DECISION in words(message_text(decided))
    assert "Following on from “what was reported about the Moorlink trial?”" in words(message_text(decided))


def test_the_whole_item_of_a_quote_opens_verbatim_with_its_citation_and_page(bot, stand_in):
    first = mention("how much LEVI funding was awarded for electric vehicle charging points?")
    bot.event(first)
    answer = stand_in.wait_for("chat.postMessage", lambda params: params.get("thread_ts") == first["ts"]).params
    buttons = [block["accessory"] for block in answer["blocks"] if "accessory" in block]
    assert buttons and all(button["action_id"] == "show_item" for button in buttons)
    cited = words(message_text(answer))
    assert "11 June 2024" in cited and "2024-06-11-minutes.pdf · page 2" in cited

    status, _ = bot.click("show_item", buttons[0]["value"], stand_in.response_url("whole-item"))
    assert status == 200
    opened = stand_in.wait_for("views.open").params
    assert opened["trigger_id"] == "1.2.3"
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    shown = words(json.dumps(view, ensure_ascii=False).replace("\\n", " ").replace("> ", " "))
    assert view["type"] == "modal" and view["title"]["text"].startswith("5. Electric Vehicle")
    # the item from its first sentence to its last, every paragraph of it, as the minutes print it
    assert "The EV Infrastructure Lead, Tom Hendry, presented a report on public charging for electric" in shown
    assert "reliability figures for each council-owned charging site be reported to the Committee early" in shown
    assert "Environment and Transport Committee" in shown and "page 2" in shown
