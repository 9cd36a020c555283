"""Builds the Bolt app: settings, client, guards, listeners. Nothing else happens here."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from ..config import Settings
from . import guards
from .answering import Answerer
from .listeners import register_listeners


def web_client(settings: Settings) -> WebClient:
    """Slack's Web API with the bot's token, at SLACK_API_URL when that is set."""
    return WebClient(token=settings.bot_token, base_url=settings.api_url)


def build_app(settings: Settings, answerer: Answerer) -> App:
    if not settings.verify_requests:
        logging.getLogger(__name__).warning(
            "Request signatures are NOT verified (test switch): never use this in production."
        )
    app = App(
        token=settings.bot_token,
        signing_secret=settings.signing_secret or None,
        client=web_client(settings),
        request_verification_enabled=settings.verify_requests,
    )
    app.middleware(guards.ignore_slack_retries)
    app.middleware(guards.SeenEvents())
    app.middleware(guards.only_own_workspace)
    register_listeners(app, answerer, settings)
    return app
