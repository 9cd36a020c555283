"""Answering a question where it was asked, shared by the event listeners."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from index.search import QuestionError

from .. import blocks
from ..answering import Answerer, question_from_slack
from ..errors import SLACK_FAILURES, failure_reason

APOLOGY = "Sorry, something went wrong while I was searching the minutes. The error has been logged; please try again."
WORKING = "eyes"
NOT_HERE = "Minutebook isn't set up to answer in this channel; ask me in a direct message instead."


def _react(client: WebClient, logger: Logger, method: str, channel: str, timestamp: str) -> None:
    """The 👀 that shows the question is being worked on; cosmetic, so a failure is only logged."""
    try:
        getattr(client, method)(channel=channel, timestamp=timestamp, name=WORKING)
    except SlackApiError as error:
        logger.info("Could not %s: %s", method, error.response.get("error"))


def reply_to(
    answerer: Answerer,
    question: str,
    user: str,
    channel: str | None,
    shareable: bool = False,
    thread_ts: str | None = None,
    viewed: str | None = None,
) -> dict:
    """The message that answers `question`, posted in `thread_ts` of `channel` (and read with the question answered
    there before it): from the register when it asks about promises, else from the minutes."""
    saved = answerer.ask(question, user, channel, thread_ts=thread_ts, viewed=viewed)
    return blocks.saved_answer_message(saved, answerer.clock.today(), shareable=shareable)


def answer_question(answerer: Answerer, client: WebClient, logger: Logger, event: dict, thread_ts: str | None) -> None:
    """Answer the message of `event` in its conversation (in `thread_ts` when given); whatever happens, it replies."""
    channel, message_ts = event["channel"], event["ts"]
    question = question_from_slack(event.get("text", ""))
    if not question:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **blocks.help_message())
        return
    _react(client, logger, "reactions_add", channel, message_ts)
    message = answer_or_apology(
        lambda: reply_to(answerer, question, event["user"], channel, thread_ts=thread_ts),
        logger,
        f"a question in {channel}",
    )
    posted = delivered(
        lambda: client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **message),
        logger,
        f"question {message_ts} in {channel}",
    )
    if posted:
        _react(client, logger, "reactions_remove", channel, message_ts)


def answer_or_apology(work: Callable[[], dict], logger: Logger, asked: str) -> dict:
    """The message `work` builds for a question `asked` somewhere; one that cannot be searched gets its sentence,
    and any other failure is logged and gets the apology, so that every question has a reply."""
    try:
        return work()
    except QuestionError as error:
        return blocks.plain_message(str(error))
    except Exception:
        logger.exception("Answering %s failed", asked)
        return blocks.plain_message(APOLOGY)


def delivered(send: Callable[[], object], logger: Logger, answer_to: str) -> bool:
    """Send an answer; when Slack still refuses it or cannot be reached after the client's retries, log why.
    Whether it was sent."""
    try:
        send()
    except SLACK_FAILURES as error:
        logger.error("The answer to %s could not be posted, after retries: %s", answer_to, failure_reason(error))
        return False
    return True
