"""What went wrong talking to Slack, in the words a log line needs."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

SLACK_FAILURES = (SlackApiError, OSError)


def failure_reason(error: Exception) -> str:
    """Slack's own error code ("not_in_channel", "ratelimited") when it answered, else what stopped the call."""
    return str(error.response.get("error")) if isinstance(error, SlackApiError) else str(error)
