"""The assistant pane, end to end: the real bot against a stand-in Slack that also keeps the bot's messages, as
bolt's default thread context store needs (it reads the viewed channel back with conversations.replies)."""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest

from bot.slack.blocks import PROMPT_TITLE_LIMIT, shorten
from bot.slack.listeners.assistant import GREETING, NOT_VIEWED_HERE, SEARCHING
from index.store import Store
from tests.bot.conftest import CLERK, Bot
from tests.bot.standin import BOT_USER_ID, TEAM_ID, SlackStandIn
from tests.bot.test_slack import message_text, ts, words
from tests.conftest import ENVIRONMENT_COMMITTEE

ASKER = "U0COUNCILLOR"
CHATS = itertools.count(1)


class PaneSlack(SlackStandIn):
    """The stand-in, and what Slack keeps for the assistant pane: every message the bot posts in a thread, with its
    metadata (changed by chat.update), read back with conversations.replies after the thread's root.
    Threads in `unreadable` answer conversations.replies with an error."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: dict[tuple[str, str], list[dict]] = {}
        self.unreadable: set[str] = set()
        self.kept = threading.Lock()

    def reply(self, method: str, params: dict) -> dict:
        if method == "conversations.replies":
            return self.replies(params["channel"], params["ts"], int(params.get("limit", 1000)))
        answer = super().reply(method, params)
        with self.kept:
            if method == "chat.postMessage" and answer["ok"] and params.get("thread_ts"):
                message = {"type": "message", "user": BOT_USER_ID, "bot_id": "B0MINUTEBOOK", "ts": answer["ts"]}
                message.update({key: params[key] for key in ("text", "blocks", "metadata") if params.get(key)})
                self.threads.setdefault((params["channel"], params["thread_ts"]), []).append(message)
            if method == "chat.update":
                for message in self.threads_of(params["channel"]):
                    if message["ts"] == params["ts"]:
                        message.update({key: params[key] for key in ("text", "blocks", "metadata") if key in params})
        return answer

    def threads_of(self, channel: str) -> list[dict]:
        return [message for (where, _), messages in self.threads.items() if where == channel for message in messages]

    def replies(self, channel: str, thread_ts: str, limit: int) -> dict:
        if thread_ts in self.unreadable:
            return {"ok": False, "error": "thread_not_found"}
        root = {"type": "message", "subtype": "assistant_app_thread", "user": ASKER, "text": "Chat", "ts": thread_ts}
        with self.kept:
            messages = [root, *(dict(message) for message in self.threads.get((channel, thread_ts), []))]
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}


@pytest.fixture(scope="module")
def stand_in():
    """This module's bot talks to a Slack that keeps its messages (the `bot` fixture takes this one)."""
    server = PaneSlack()
    yield server
    server.close()


def new_chat() -> str:
    """The thread of a new chat in the pane: its root message's timestamp, never the same twice."""
    return f"{int(time.time())}.{next(CHATS):06d}"


def assistant_thread(dm: str, thread_ts: str, viewed: str | None) -> dict:
    context = {"team_id": TEAM_ID, "enterprise_id": None}
    if viewed:
        context["channel_id"] = viewed
    return {"user_id": ASKER, "context": context, "channel_id": dm, "thread_ts": thread_ts}


def chat_started(dm: str, thread_ts: str, viewed: str | None) -> dict:
    return {
        "type": "assistant_thread_started",
        "assistant_thread": assistant_thread(dm, thread_ts, viewed),
        "event_ts": ts(),
    }


def context_changed(dm: str, thread_ts: str, viewed: str) -> dict:
    return {
        "type": "assistant_thread_context_changed",
        "assistant_thread": assistant_thread(dm, thread_ts, viewed),
        "event_ts": ts(),
    }


def asked_in_pane(dm: str, thread_ts: str, text: str) -> dict:
    """A question typed in a chat of the pane, as Slack sends it (message.im, in the chat's thread)."""
    sent = ts()
    return {
        "type": "message",
        "user": ASKER,
        "text": text,
        "blocks": [
            {
                "type": "rich_text",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ],
        "ts": sent,
        "thread_ts": thread_ts,
        "parent_user_id": BOT_USER_ID,
        "channel": dm,
        "channel_type": "im",
        "team": TEAM_ID,
        "event_ts": sent,
        "assistant_thread": {"action_token": f"{sent}.1234.abcdef"},
    }


def in_chat(dm: str, thread_ts: str):
    return lambda params: params.get("channel") == dm and params.get("thread_ts") == thread_ts


def in_status(dm: str, thread_ts: str):
    return lambda params: params.get("channel_id") == dm and params.get("thread_ts") == thread_ts


def answer_in(stand_in, dm: str, thread_ts: str, after: dict | None = None) -> dict:
    """The bot's first message in the chat that is not its greeting (nor the answer `after`)."""
    return stand_in.wait_for(
        "chat.postMessage",
        lambda params: in_chat(dm, thread_ts)(params) and params.get("text") != GREETING and params is not after,
    ).params


def started(bot, stand_in, dm: str, viewed: str | None) -> str:
    """A new chat in the pane, greeted by the bot."""
    thread_ts = new_chat()
    bot.event(chat_started(dm, thread_ts, viewed))
    stand_in.wait_for("assistant.threads.setSuggestedPrompts", in_status(dm, thread_ts))
    return thread_ts


def test_a_new_chat_is_greeted_and_offered_questions_about_the_latest_agenda_items(bot, bot_index, stand_in):
    dm, viewed = "D0PANEPROMPTS", "C0VIEWED"
    thread_ts = new_chat()
    assert bot.event(chat_started(dm, thread_ts, viewed))[0] == 200
    suggested = stand_in.wait_for("assistant.threads.setSuggestedPrompts", in_status(dm, thread_ts)).params
    prompts = suggested["prompts"]
    assert 1 < len(prompts) <= 4 and suggested["title"] == "Try asking"
    assert all(prompt["title"] and len(prompt["title"]) <= PROMPT_TITLE_LIMIT for prompt in prompts)
    # The samples' register has promises long overdue, so the first prompt asks about them.
    assert prompts[0] == {"title": "Overdue promises", "message": "Which updates did we promise, and are any overdue?"}
    latest_items = Store(bot_index).passages.latest_item_titles(len(prompts) - 1)
    assert latest_items
    for prompt, item in zip(prompts[1:], latest_items, strict=True):
        assert prompt == {"title": shorten(item, PROMPT_TITLE_LIMIT), "message": f"What was said about {item}?"}
    greeting = stand_in.wait_for("chat.postMessage", in_chat(dm, thread_ts)).params
    assert greeting["text"] == GREETING
    assert greeting["metadata"] == {
        "event_type": "assistant_thread_context",
        "event_payload": {"channel_id": viewed, "team_id": TEAM_ID, "enterprise_id": None},
    }


def test_a_question_in_the_pane_is_answered_in_its_chat_with_quotes_and_citations(bot, stand_in):
    dm = "D0PANEASK"
    thread_ts = started(bot, stand_in, dm, "C0VIEWED")
    event = asked_in_pane(dm, thread_ts, "What is the cost per passenger journey on Moorlink?")
    assert bot.event(event)[0] == 200
    status = stand_in.wait_for("assistant.threads.setStatus", in_status(dm, thread_ts))
    assert status.params["status"] == SEARCHING == "Searching the minutes…"
    reply = answer_in(stand_in, dm, thread_ts)
    shown = words(message_text(reply))
    assert "The cost per passenger journey was £17.40" in shown
    quotes = [block for block in reply["blocks"] if block["type"] == "section" and block["text"]["text"][:2] == "> "]
    citations = [block["elements"][0]["text"] for block in reply["blocks"] if block["type"] == "context"]
    assert quotes and any(ENVIRONMENT_COMMITTEE in citation and " · " in citation for citation in citations)
    assert reply["unfurl_links"] is False
    assert "This channel asks about" not in shown
    answered_at = next(index for index, call in enumerate(stand_in.calls) if call.params is reply)
    assert stand_in.calls.index(status) < answered_at
    assert not [call for call in stand_in.of("reactions.add") if call.params.get("timestamp") == event["ts"]]


def test_a_promise_question_in_the_pane_is_answered_from_the_register(bot, stand_in):
    dm = "D0PANEPROMISES"
    thread_ts = started(bot, stand_in, dm, "C0VIEWED")
    bot.event(asked_in_pane(dm, thread_ts, "Which updates did we promise, and are any overdue?"))
    shown = words(message_text(answer_in(stand_in, dm, thread_ts)))
    assert "from the register" in shown and "Overdue" in shown
    assert "That the usage figures for the Moorbus be reported to the next meeting." not in shown  # followed up


def test_the_viewed_channel_scopes_the_answer_when_it_is_tied_to_a_committee(bot, stand_in):
    tied, untied, dm = "C0PANEENVIRONMENT", "C0PANEUNTIED", "D0PANESCOPE"
    stand_in.members[tied] = [CLERK]
    status, body = bot.command('channel committee:"environment"', stand_in.response_url("tie-pane"), channel_id=tied)
    assert status == 200 and "now tied to the Environment and Transport Committee" in json.loads(body)["text"]
    try:
        thread_ts = started(bot, stand_in, dm, tied)
        question = asked_in_pane(dm, thread_ts, "what did we decide about youth service funding?")
        bot.event(question)
        scoped = answer_in(stand_in, dm, thread_ts)
        shown = message_text(scoped)
        assert "This channel asks about the *Environment and Transport Committee*" in shown
        assert "Children and Young People" not in shown

        # The person moves to a channel tied to nothing: bolt keeps the new context in the greeting's metadata.
        bot.event(context_changed(dm, thread_ts, untied))
        stand_in.wait_for(
            "chat.update",
            lambda params: (params.get("metadata") or {}).get("event_payload", {}).get("channel_id") == untied,
        )
        bot.event(asked_in_pane(dm, thread_ts, "what did we decide about youth service funding?"))
        shown = message_text(answer_in(stand_in, dm, thread_ts, after=scoped))
        assert "This channel asks about" not in shown and "Youth Service Funding" in shown
    finally:
        bot.command("channel none", stand_in.response_url("untie-pane"), channel_id=tied)


def test_a_plain_direct_message_is_still_answered_in_the_dm(bot, stand_in):
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0PLAINDM",
        "user": ASKER,
        "text": "What is the cost per passenger journey on Moorlink?",
        "ts": ts(),
        "event_ts": ts(),
    }
    bot.event(event)
    reply = stand_in.wait_for("chat.postMessage", lambda params: params.get("channel") == "D0PLAINDM")
    assert "The cost per passenger journey was £17.40" in words(message_text(reply.params))
    assert reply.params.get("thread_ts") is None
    reactions = stand_in.of("reactions.add")
    assert any(call.params.get("timestamp") == event["ts"] for call in reactions)
    assert not [call for call in stand_in.of("assistant.threads.setStatus") if call.params["channel_id"] == "D0PLAINDM"]


def test_bots_messages_in_a_chat_are_not_questions(bot, stand_in):
    dm = "D0PANEBOTS"
    thread_ts = started(bot, stand_in, dm, None)
    own = {**asked_in_pane(dm, thread_ts, "Here is what I found."), "user": BOT_USER_ID, "bot_id": "B0MINUTEBOOK"}
    other = {**asked_in_pane(dm, thread_ts, "Reminder: committee at 10"), "user": "U0OTHERBOT", "bot_id": "B0OTHER"}
    for event in (own, other):
        event.pop("assistant_thread")
        assert bot.event(event)[0] == 200
    bot.event(asked_in_pane(dm, thread_ts, "How much does a Moorlink journey cost per passenger?"))
    answer_in(stand_in, dm, thread_ts)
    answers = [call for call in stand_in.of("chat.postMessage") if in_chat(dm, thread_ts)(call.params)]
    assert len(answers) == 2  # the greeting and the one answer


def test_questions_in_the_pane_get_a_sentence_not_silence(bot, stand_in):
    dm = "D0PANESENTENCES"
    thread_ts = started(bot, stand_in, dm, "C0VIEWED")
    bot.event(asked_in_pane(dm, thread_ts, "??? !!!"))
    assert "no words to search for" in answer_in(stand_in, dm, thread_ts)["text"]

    unreadable = started(bot, stand_in, dm, "C0VIEWED")
    stand_in.unreadable.add(unreadable)
    bot.event(asked_in_pane(dm, unreadable, "what did we decide about flood defences?"))
    assert answer_in(stand_in, dm, unreadable)["text"].startswith("Sorry, something went wrong")


def test_a_chat_from_another_workspace_is_ignored(bot, stand_in):
    dm = "D0PANEELSEWHERE"
    elsewhere = new_chat()
    assert bot.event(chat_started(dm, elsewhere, "C0VIEWED"), team_id="T0ELSEWHERE")[0] == 200
    started(bot, stand_in, dm, "C0VIEWED")
    assert not [
        call for call in stand_in.of("assistant.threads.setSuggestedPrompts") if in_status(dm, elsewhere)(call.params)
    ]


def test_allowed_channels_apply_to_the_channel_viewed_from_the_pane(bot_index, tmp_path):
    stand_in = PaneSlack()
    limited = Bot(bot_index, stand_in, tmp_path / "limited.log", MINUTEBOOK_ALLOWED_CHANNELS="C0ALLOWED")
    dm = "D0PANELIMITED"
    question = "What is the cost per passenger journey on Moorlink?"
    try:
        elsewhere = started(limited, stand_in, dm, "C0OTHER")
        limited.event(asked_in_pane(dm, elsewhere, question))
        assert answer_in(stand_in, dm, elsewhere)["text"] == NOT_VIEWED_HERE
        for viewed in ("C0ALLOWED", None):
            thread_ts = started(limited, stand_in, dm, viewed)
            limited.event(asked_in_pane(dm, thread_ts, question))
            shown = words(message_text(answer_in(stand_in, dm, thread_ts)))
            assert "The cost per passenger journey was £17.40" in shown
    finally:
        limited.stop()
        stand_in.close()


def test_a_follow_up_in_the_assistant_pane_keeps_its_chats_subject(bot, stand_in):
    dm = "D0PANEFOLLOW"
    thread_ts = started(bot, stand_in, dm, "C0VIEWEDFOLLOW")
    bot.event(asked_in_pane(dm, thread_ts, "what was reported about the Moorlink trial?"))
    first = answer_in(stand_in, dm, thread_ts)
    bot.event(asked_in_pane(dm, thread_ts, "and what did they decide?"))
    decided = words(message_text(answer_in(stand_in, dm, thread_ts, after=first)))
    assert "that Cabinet be recommended to continue the Moorlink service until March 2026" in decided
    assert "Following on from “what was reported about the Moorlink trial?”" in decided
