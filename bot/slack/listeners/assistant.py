"""Slack's assistant pane: suggested questions when a chat starts, and questions there answered in their chat,
about the committee of the channel the person is viewing when that channel is tied to one.

Bolt's `Assistant` takes every threaded direct message without a bot id for a message in a chat of the pane (it
looks at nothing else), so a follow-up in an ordinary DM's thread is answered here too, as a DM is: with no viewed
channel, nothing scopes it. Top-level direct messages still reach `events.on_direct_message`, and bots' messages
are never taken for questions.
"""

from __future__ import annotations

from logging import Logger

from slack_bolt import App, Assistant, Say, SetStatus, SetSuggestedPrompts
from slack_bolt.context.get_thread_context import GetThreadContext
from slack_sdk import WebClient

from ...config import Settings
from .. import blocks
from ..answering import Answerer, question_from_slack
from ..errors import SLACK_FAILURES, failure_reason
from .replies import answer_or_apology, delivered, reply_to

SEARCHING = "Searching the minutes…"
PROMPTS_SHOWN = 4  # the most Slack shows in a chat
GREETING = (
    "Ask me about the committee minutes: I reply with the passages that answer your question, quoted word for word, "
    "each with its citation. While you are viewing a channel tied to a committee, I answer about its meetings."
)
NOT_VIEWED_HERE = (
    "Minutebook isn't set up to answer about the channel you are viewing; open another channel, or ask me in a "
    "direct message instead."
)
OVERDUE_PROMPT = blocks.suggested_prompt("Overdue promises", "Which updates did we promise, and are any overdue?")
OPEN_PROMPT = blocks.suggested_prompt("Promised updates", "Which updates did we promise?")
ITEM_QUESTION = "What was said about {}?"


def suggested_prompts(answerer: Answerer) -> list[dict]:
    """Questions that find something: the promises still open (overdue ones when there are some), then the latest
    agenda items, each under its own title."""
    statuses = {entry.status for entry in answerer.open_commitments()}
    promises = [OVERDUE_PROMPT] if "overdue" in statuses else [OPEN_PROMPT] if statuses else []
    items = answerer.latest_agenda_items(PROMPTS_SHOWN - len(promises))
    return promises + [blocks.suggested_prompt(item, ITEM_QUESTION.format(item)) for item in items]


def _show_status(set_status: SetStatus, logger: Logger) -> None:
    """The pane's "Searching the minutes…" line; cosmetic, so a failure is only logged."""
    try:
        set_status(SEARCHING)
    except SLACK_FAILURES as error:
        reason = failure_reason(error)
        logger.info("Could not set the assistant status: %s", reason)


def register(app: App, answerer: Answerer, settings: Settings) -> None:
    pane = Assistant()

    @pane.thread_started
    def on_chat_started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        """Greet and suggest questions. The greeting is the bot's first reply in the chat, so bolt's default thread
        context store keeps the viewed channel in its metadata and updates it as the person moves around Slack."""
        say(**blocks.plain_message(GREETING))
        set_suggested_prompts(prompts=suggested_prompts(answerer), title="Try asking")

    def reply(
        question: str,
        user_id: str,
        channel: str,
        thread_ts: str,
        get_thread_context: GetThreadContext,
    ) -> dict:
        """The answer to a question in the pane's chat `thread_ts`, read with the question before it there and
        scoped by the channel being viewed; a sentence when the viewed channel is not one Minutebook answers in."""
        thread_context = get_thread_context()
        viewed = thread_context.channel_id if thread_context else None
        if viewed and not settings.channel_allowed(viewed):
            return blocks.plain_message(NOT_VIEWED_HERE)
        # The viewed channel scopes the answer as its own channel would.
        return reply_to(answerer, question, user_id, channel, thread_ts=thread_ts, viewed=viewed)

    @pane.user_message
    def on_question(
        payload: dict, client: WebClient, get_thread_context: GetThreadContext, set_status: SetStatus, logger: Logger
    ) -> None:
        """A question in the pane is answered in its chat, as a direct message is; whatever happens, it replies."""
        channel, thread_ts = payload["channel"], payload["thread_ts"]
        question = question_from_slack(payload.get("text", ""))
        if question:
            _show_status(set_status, logger)
            message = answer_or_apology(
                lambda: reply(question, payload["user"], channel, thread_ts, get_thread_context),
                logger,
                f"a question in the assistant pane ({channel})",
            )
        else:
            message = blocks.help_message()
        delivered(
            lambda: client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **message),
            logger,
            f"question {payload['ts']} in the assistant pane ({channel})",
        )

    app.use(pane)
