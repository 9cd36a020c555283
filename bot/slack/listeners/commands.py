"""The /minutes slash command: an answer only the asker sees, with a button to share it."""

from __future__ import annotations

from logging import Logger

from slack_bolt import Ack, App, Respond

from index.search import QuestionError

from ...config import Settings
from .. import blocks
from ..answering import Answerer, question_from_slack
from .replies import APOLOGY, NOT_HERE, reply_to


def register(app: App, answerer: Answerer, settings: Settings) -> None:
    @app.command("/minutes")
    def on_minutes(ack: Ack, command: dict, respond: Respond, logger: Logger) -> None:
        text = question_from_slack(command.get("text", ""))
        keyword = text.lower().strip("?! ")
        if keyword in {"", "help"}:
            ack(**blocks.help_message())
            return
        if keyword == "status":
            ack(**blocks.status_message(answerer.status()))
            return
        if not settings.channel_allowed(command.get("channel_id"), command.get("channel_name")):
            ack(text=NOT_HERE)
            return
        ack(text=f"Searching the minutes for “{text}”…")
        if keyword.startswith("promises"):
            text = "what was promised " + (f"about {text[8:].strip()}" if text[8:].strip() else "")
        try:
            message = reply_to(answerer, text, command["user_id"], command.get("channel_id"), shareable=True)
        except QuestionError as error:
            message = blocks.plain_message(str(error))
        except Exception:
            logger.exception("Answering /minutes failed")
            message = blocks.plain_message(APOLOGY)
        respond(response_type="ephemeral", replace_original=True, **message)
