"""Builds the Bolt app: settings, client, guards, listeners. Nothing else happens here."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from ..config import Settings
from . import guards
from .answering import Answerer
from .listeners import register_listeners

RATE_LIMIT_TRIES = 5
FAILURE_TRIES = 2


def web_client(settings: Settings) -> WebClient:
    """Slack's Web API with the bot's token, at SLACK_API_URL when that is set. A call Slack rate-limits (429) is
    sent again after its Retry-After; one that meets a server error (5xx) or a dropped connection, after a short
    pause; a bounded number of times each, so that no answer is lost to a busy moment."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_TRIES),
            ServerErrorRetryHandler(max_retry_count=FAILURE_TRIES),
            ConnectionErrorRetryHandler(max_retry_count=FAILURE_TRIES),
        ],
    )


def build_app(settings: Settings, answerer: Answerer, workers: Executor | None = None) -> App:
    if not settings.verify_requests:
        logging.getLogger(__name__).warning(
            "Request signatures are NOT verified (test switch): never use this in production."
        )
    app = App(
        signing_secret=settings.signing_secret or None,
        client=web_client(settings),
        request_verification_enabled=settings.verify_requests,
        **({"listener_executor": workers} if workers else {}),
    )
    app.middleware(guards.ignore_slack_retries)
    app.middleware(guards.SeenEvents())
    app.middleware(guards.only_own_workspace)
    register_listeners(app, answerer, settings)
    return app
