"""The /minutes slash command: a subcommand from the table below, else a question answered only to the asker,
with a button to share it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from logging import Logger

from slack_bolt import Ack, App, Respond

from index.search import QuestionError

from ...config import Settings
from .. import blocks
from ..answering import Answerer, question_from_slack, today
from .replies import APOLOGY, NOT_HERE, reply_to


@dataclass(frozen=True)
class Subcommand:
    """A first word that makes `/minutes` do something other than answer a question.

    `run(answerer, text, user_id, channel_id)` gets the text after the word and returns the message. A subcommand
    that `searches` is answered after the acknowledgement and only where Minutebook may answer; the others are
    answered in the acknowledgement itself, anywhere. One that does not `takes_text` is a question when words
    follow it ("status of the library project?")."""

    run: Callable[[Answerer, str, str, str | None], dict]
    takes_text: bool = False
    searches: bool = False


def _promises(answerer: Answerer, topic: str, user_id: str, channel_id: str | None) -> dict:
    return blocks.saved_answer_message(answerer.ask_register(topic, user_id, channel_id), today())


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand(lambda answerer, text, user_id, channel_id: blocks.help_message()),
    "status": Subcommand(lambda answerer, text, user_id, channel_id: blocks.status_message(answerer.status())),
    "promises": Subcommand(_promises, takes_text=True, searches=True),
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
    def on_minutes(ack: Ack, command: dict, respond: Respond, logger: Logger) -> None:
        text = question_from_slack(command.get("text", ""))
        subcommand, rest = subcommand_of(text)
        user_id, channel_id = command["user_id"], command.get("channel_id")
        if subcommand and not subcommand.searches:
            ack(**subcommand.run(answerer, rest, user_id, channel_id))
            return
        if not settings.channel_allowed(channel_id, command.get("channel_name")):
            ack(text=NOT_HERE)
            return
        ack(text=f"Searching the minutes for “{text}”…")
        try:
            if subcommand:
                message = subcommand.run(answerer, rest, user_id, channel_id)
            else:
                message = reply_to(answerer, text, user_id, channel_id, shareable=True)
        except QuestionError as error:
            message = blocks.plain_message(str(error))
        except Exception:
            logger.exception("Answering /minutes failed")
            message = blocks.plain_message(APOLOGY)
        respond(response_type="ephemeral", replace_original=True, **message)
