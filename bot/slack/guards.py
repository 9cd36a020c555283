"""Middleware that decides whether a request is answered at all: retries, duplicates, other workspaces."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from logging import Logger

from slack_bolt import BoltContext, BoltRequest, BoltResponse

SEEN_EVENTS_KEPT = 2000


def ignore_slack_retries(req: BoltRequest, next: Callable[[], None], logger: Logger) -> BoltResponse | None:
    """Slack retries a delivery it thinks failed; the first delivery is already being answered."""
    if req.headers.get("x-slack-retry-num"):
        logger.info(
            "Ignoring Slack retry %s (%s)", req.headers["x-slack-retry-num"][0], req.headers.get("x-slack-retry-reason")
        )
        return BoltResponse(status=200, body="")
    next()
    return None


class SeenEvents:
    """Remembers recent event ids so that one event is never answered twice, retry header or not."""

    def __init__(self) -> None:
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, body: dict, next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id")
        if event_id:
            with self.lock:
                if event_id in self.seen:
                    return BoltResponse(status=200, body="")
                self.seen[event_id] = None
                while len(self.seen) > SEEN_EVENTS_KEPT:
                    self.seen.popitem(last=False)
        next()
        return None


def only_own_workspace(context: BoltContext, next: Callable[[], None], logger: Logger) -> BoltResponse | None:
    """Answer only the workspace the bot token belongs to."""
    installed = context.authorize_result.team_id if context.authorize_result else None
    if installed and context.team_id and context.team_id != installed:
        logger.warning("Ignoring a request from workspace %s: installed in %s", context.team_id, installed)
        return BoltResponse(status=200, body="")
    next()
    return None
