"""Events: mentions in channels, direct messages, replies in the threads Minutebook answered, the App Home tab."""

from __future__ import annotations

from logging import Logger

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from ...config import Settings
from .. import blocks
from ..answering import Answerer, addressed_to_bot
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
    def on_message(event: dict, client: WebClient, logger: Logger, context: BoltContext) -> None:
        """A direct message is answered in the DM. In a channel, a reply in a thread Minutebook answered is answered
        there when it is addressed to the bot (`addressed_to_bot`); a reply that mentions it is `on_mention`'s.
        Edits, joins and bots' messages are not questions."""
        if event.get("subtype") or event.get("bot_id"):
            return
        if event.get("channel_type") == "im":
            answer_question(answerer, client, logger, event, thread_ts=event.get("thread_ts"))
            return
        thread_ts, text = event.get("thread_ts"), event.get("text", "")
        if not thread_ts or f"<@{context.bot_user_id}>" in text:
            return
        if not settings.channel_allowed(event["channel"], event.get("channel_type")):
            return
        if addressed_to_bot(text) and answerer.answered_in(event["channel"], thread_ts):
            answer_question(answerer, client, logger, event, thread_ts=thread_ts)

    @app.event("app_home_opened")
    def on_home_opened(event: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(
            user_id=event["user"], view=blocks.home_view(answerer.status(), answerer.example_questions())
        )
