"""The /minutes slash command: a subcommand from the table below, else a question answered only to the asker,
with a button to share it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from logging import Logger

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from index.search import FILTER_VALUE, TERM, filter_value, written_filters

from ...config import Settings
from .. import blocks
from ..answering import Answerer, question_from_slack
from .replies import NOT_HERE, answer_or_apology, delivered, reply_to

COMMITTEE_GIVEN = re.compile(r"^committee:\s*" + FILTER_VALUE.format(bare=".+") + "$", re.IGNORECASE)
TIE_HOW = 'Tie it with /minutes channel committee:"NAME"; untie it with /minutes channel none.'
MEMBERS_PAGE = 1000
ACK_QUESTION_LIMIT = 200


@dataclass(frozen=True)
class Request:
    """What a subcommand is given: the text after its word, who typed it where, and the means to answer."""

    answerer: Answerer
    text: str
    user_id: str
    channel_id: str | None
    client: WebClient


@dataclass(frozen=True)
class Subcommand:
    """A first word that makes `/minutes` do something other than answer a question.

    `run` returns the message for the asker. A subcommand that `searches` is answered after the acknowledgement and
    only where Minutebook may answer; the others are answered in the acknowledgement itself. One that does not
    `takes_text` is a question when words follow it ("status of the library project?")."""

    run: Callable[[Request], dict]
    takes_text: bool = False
    searches: bool = False


def _promises(request: Request) -> dict:
    saved = request.answerer.ask_register(request.text, request.user_id, request.channel_id)
    return blocks.saved_answer_message(saved, request.answerer.clock.today())


def _channel(request: Request) -> dict:
    """`channel` shows the committee a channel is tied to; `channel committee:"NAME"` ties it, `channel none`
    unties it. Only a member of the channel may change it, and the change is announced there."""
    answerer, channel_id, text = request.answerer, request.channel_id or "", request.text
    if not text:
        committee = answerer.channel_committee(channel_id)
        if committee is None:
            return blocks.plain_message(f"This channel is not tied to a committee. {TIE_HOW}")
        return blocks.plain_message(f"This channel is tied to the {committee}: questions here are about its meetings.")
    if not channel_id.startswith(("C", "G")):
        return blocks.plain_message("Only a channel can be tied to a committee, not a direct message.")
    refusal = _not_a_member(request)
    if refusal:
        return blocks.plain_message(refusal)
    given = COMMITTEE_GIVEN.match(text)
    wanted = filter_value(given) if given else text
    if wanted.lower() == "none":
        answerer.tie_channel(channel_id, None, request.user_id)
        done = "This channel is no longer tied to a committee."
        announcement = (
            f"<@{request.user_id}> untied this channel from its committee: questions here search every committee."
        )
    else:
        named = answerer.tie_channel(channel_id, wanted, request.user_id)
        if not named:
            return blocks.plain_message(f"No committee in the minutes matches “{wanted}”: /minutes status lists them.")
        if len(named) > 1:
            return blocks.plain_message(
                f"“{wanted}” matches {len(named)} committees ({'; '.join(named)}): give more of the name."
            )
        done = f"This channel is now tied to the {named[0]}."
        announcement = (
            f"<@{request.user_id}> tied this channel to the {blocks.escape(named[0])}: questions asked here are about "
            "its meetings, unless they name another committee or ask across all committees."
        )
    try:
        request.client.chat_postMessage(channel=channel_id, text=announcement)
    except SlackApiError as error:
        failure = error.response.get("error")
        done += f" I could not announce it in the channel ({failure}): invite me with /invite @Minutebook."
    return blocks.plain_message(done)


def _not_a_member(request: Request) -> str | None:
    """Why the person may not change the channel's committee, or None when they are one of its members."""
    cursor = None
    try:
        while True:
            page = request.client.conversations_members(channel=request.channel_id, cursor=cursor, limit=MEMBERS_PAGE)
            if request.user_id in page["members"]:
                return None
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return "Only the channel's members may tie it to a committee."
    except SlackApiError as error:
        return (
            f"I can't see who is in this channel ({error.response.get('error')}): invite me with /invite @Minutebook, "
            "then try again."
        )


def _place(request: Request) -> str:
    """Where a watch set here posts: the channel, or in a direct message the person (their messages with the bot)."""
    channel_id = request.channel_id or ""
    return channel_id if channel_id.startswith(("C", "G")) else request.user_id


def _watch(request: Request) -> dict:
    """`watch TOPIC [committee:"NAME"]`: after every ingest or sync, post here the new passages about TOPIC. The
    watch is announced in the channel, which also shows that the bot may post there."""
    topic, written = written_filters(request.text)
    if written.after or written.before:
        return blocks.plain_message(
            'A watch looks at minutes as they arrive: give a topic, and committee:"NAME" if you like, without after: '
            "or before:."
        )
    if not TERM.search(topic):
        return blocks.plain_message('Say what to watch: /minutes watch school transport committee:"Planning".')
    answerer, place = request.answerer, _place(request)
    watch = answerer.watch(topic, written.committee, place, request.user_id)
    scope = written.committee and f" in the minutes of committees matching “{written.committee}”"
    if not scope and place == request.channel_id:
        tied = answerer.channel_committee(place)
        scope = tied and f" in the minutes of the {tied}"
    scope = scope or ""
    if place == request.channel_id:
        try:
            request.client.chat_postMessage(
                channel=place,
                text=f"<@{request.user_id}> set watch {watch.id} here: new passages about “{blocks.escape(topic)}”"
                f"{blocks.escape(scope)} will be posted after each ingest of the minutes.",
            )
        except SlackApiError as error:
            answerer.unwatch(watch.id, place)
            return blocks.plain_message(
                f"I can't post in this channel ({error.response.get('error')}), so I set no watch: invite me with "
                "/invite @Minutebook, then try again."
            )
    where = "here" if place == request.channel_id else "in your direct messages with me"
    note = ""
    if written.committee and not answerer.committees_named(written.committee):
        note = f" No committee in the minutes matches “{written.committee}” yet: its minutes are watched once ingested."
    return blocks.plain_message(
        f"Watch {watch.id}: I'll post new passages about “{topic}”{scope} {where} after each ingest.{note} "
        f"/minutes watches lists the watches {where}; /minutes unwatch {watch.id} stops this one."
    )


def _watches(request: Request) -> dict:
    place = _place(request)
    where = "here" if place == request.channel_id else "in your direct messages"
    return blocks.watches_message(request.answerer.watches_in(place), where)


def _unwatch(request: Request) -> dict:
    place = _place(request)
    number = request.text.lstrip("#")
    if not number.isdigit():
        return blocks.plain_message("Give the watch's number: /minutes unwatch 3 (/minutes watches lists them).")
    watch = request.answerer.unwatch(int(number), place)
    if watch is None:
        return blocks.plain_message(f"There is no watch {number} here: /minutes watches lists the watches here.")
    if place == request.channel_id:
        with contextlib.suppress(SlackApiError):  # the watch is stopped whether or not the channel hears of it
            request.client.chat_postMessage(
                channel=place, text=f"<@{request.user_id}> stopped watch {watch.id} (“{blocks.escape(watch.topic)}”)."
            )
    return blocks.plain_message(f"Watch {watch.id} (“{watch.topic}”) is stopped.")


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand(lambda request: blocks.help_message()),
    "status": Subcommand(lambda request: blocks.status_message(request.answerer.status())),
    "promises": Subcommand(_promises, takes_text=True, searches=True),
    "channel": Subcommand(_channel, takes_text=True),
    "watch": Subcommand(_watch, takes_text=True, searches=True),
    "watches": Subcommand(_watches),
    "unwatch": Subcommand(_unwatch, takes_text=True),
}


def subcommand_of(text: str) -> tuple[Subcommand | None, str]:
    """The subcommand `text` starts with, and the text after it; (None, text) for a question."""
    if not text:
        return SUBCOMMANDS["help"], ""
    word, _, rest = text.partition(" ")
    subcommand = SUBCOMMANDS.get(word.lower().strip("?!.:"))
    if subcommand is None or (rest.strip() and not subcommand.takes_text):
        return None, text
    return subcommand, rest.strip()


def register(app: App, answerer: Answerer, settings: Settings) -> None:
    @app.command("/minutes")
    def on_minutes(ack: Ack, command: dict, respond: Respond, client: WebClient, logger: Logger) -> None:
        text = question_from_slack(command.get("text", ""))
        subcommand, rest = subcommand_of(text)
        user_id, channel_id = command["user_id"], command.get("channel_id")
        request = Request(answerer, rest, user_id, channel_id, client)
        if subcommand and not subcommand.searches:
            ack(**subcommand.run(request))
            return
        if not settings.channel_allowed(channel_id, command.get("channel_name")):
            ack(text=NOT_HERE)
            return
        ack(text=f"Searching the minutes for “{blocks.shorten(text, ACK_QUESTION_LIMIT)}”…")

        def answer() -> dict:
            if subcommand:
                return subcommand.run(request)
            return reply_to(answerer, text, user_id, channel_id, shareable=True)

        message = answer_or_apology(answer, logger, "/minutes")
        delivered(
            lambda: respond(response_type="ephemeral", replace_original=True, **message),
            logger,
            f"/minutes {command.get('trigger_id')} ({user_id})",
        )
