"""Events: mentions in channels, direct messages, the App Home tab."""

from __future__ import annotations

from logging import Logger

from slack_bolt import App
from slack_sdk import WebClient

from ...config import Settings
from .. import blocks
from ..answering import Answerer
from .replies import NOT_HERE, answer_question


def register(app: App, answerer: Answerer, settings: Settings) -> None:
    @app.event("app_mention")
    def on_mention(event: dict, client: WebClient, logger: Logger) -> None:
        """A mention in a channel is answered in a thread under it (or in the thread it was made in)."""
        if not settings.channel_allowed(event["channel"], event.get("channel_type")):
            client.chat_postEphemeral(channel=event["channel"], user=event["user"], text=NOT_HERE)
            return
        answer_question(answerer, client, logger, event, thread_ts=event.get("thread_ts") or event["ts"])

    @app.event("message")
    def on_direct_message(event: dict, client: WebClient, logger: Logger) -> None:
        """A direct message is answered in the DM; edits, joins and bots' messages are not questions."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        answer_question(answerer, client, logger, event, thread_ts=event.get("thread_ts"))

    @app.event("app_home_opened")
    def on_home_opened(event: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(
            user_id=event["user"], view=blocks.home_view(answerer.status(), answerer.example_questions())
        )
