"""What Minutebook says unasked (watch alerts, digests, briefings), posted to Slack as Block Kit messages."""

from __future__ import annotations

import datetime as dt

from slack_sdk import WebClient

from index.briefing import Briefing
from index.digest import Digest
from index.store import Store

from ..config import Settings, embedder_for
from ..follow_through import FollowThrough, News, PostFailed
from ..watches import WatchAlert
from .app import web_client
from .blocks import briefing_message, digest_message, watch_message
from .errors import SLACK_FAILURES, failure_reason


class SlackPoster:
    """Posts follow-through's news with one Slack client; a refusal or a lost connection is a `PostFailed` that
    says why."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel_id: str, news: News, today: dt.date) -> str | None:
        try:
            response = self.client.chat_postMessage(channel=channel_id, unfurl_links=False, **message(news, today))
        except SLACK_FAILURES as error:
            raise PostFailed(failure_reason(error)) from error
        return response.get("ts")


def message(news: News, today: dt.date) -> dict:
    if isinstance(news, WatchAlert):
        return watch_message(news, today)
    if isinstance(news, Digest):
        return digest_message(news)
    if isinstance(news, Briefing):
        return briefing_message(news, today)
    raise TypeError(f"Nothing posts a {type(news).__name__}.")


def slack_follow_through(store: Store, settings: Settings) -> FollowThrough:
    """For the commands that post (ingest, sync, digest --post, brief --post): Slack as the bot's settings give it,
    the model loaded only when a watch or briefing needs it."""
    return FollowThrough(store, SlackPoster(web_client(settings)), settings, lambda: embedder_for(store))
