"""The real bot process in HTTP mode on a loopback port, a stand-in Slack Web API, and signed requests."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.bot.standin import TEAM_ID, SlackStandIn
from tests.conftest import ROOT, environment_without_settings

BOT_TOKEN = "xoxb-1111-2222-minutebooktesttoken"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL_ID = "C0COMMITTEE"
CLERK = "U0CLERK"
EVENT_IDS = itertools.count(1)


def new_event_id() -> str:
    return f"Ev{next(EVENT_IDS):08d}"


@pytest.fixture(scope="session")
def bot_index(full_index) -> Path:
    return full_index


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Bot:
    """`python -m bot serve --http` as a subprocess, and a Slack that signs what it sends to it."""

    def __init__(self, index: Path, stand_in: SlackStandIn, log: Path, **environment: str) -> None:
        self.stand_in = stand_in
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/slack/events"
        self.log_path = log
        env = environment_without_settings()
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=stand_in.api_url,
            MINUTEBOOK_INDEX=str(index),
            **environment,
        )
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--http", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited: {self.log_path.read_text()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the bot did not start listening within 120 s")

    def post(self, body: str, content_type: str, timestamp: int | None = None, signature: str | None = None,
             headers: dict | None = None) -> tuple[int, str]:  # fmt: skip
        """POST to /slack/events as Slack does, signed with the signing secret unless told otherwise."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        if signature is None:
            base = f"v0:{timestamp}:{body}".encode()
            signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": signature,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def event(self, event: dict, team_id: str = TEAM_ID, event_id: str | None = None, **kwargs) -> tuple[int, str]:
        payload = {
            "token": "legacy",
            "team_id": team_id,
            "api_app_id": "A0MINUTEBOOK",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or new_event_id(),
            "event_time": int(time.time()),
        }
        return self.post(json.dumps(payload), "application/json", **kwargs)

    def command(self, text: str, response_url: str, channel_id: str = CHANNEL_ID, **kwargs) -> tuple[int, str]:
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "minutes",
            "channel_id": channel_id,
            "channel_name": "cyp-scrutiny",
            "user_id": CLERK,
            "user_name": "clerk",
            "command": "/minutes",
            "text": text,
            "api_app_id": "A0MINUTEBOOK",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    def click(self, action_id: str, value: str, response_url: str, channel_id: str = CHANNEL_ID) -> tuple[int, str]:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "minutes"},
            "user": {"id": CLERK, "username": "clerk", "team_id": TEAM_ID},
            "api_app_id": "A0MINUTEBOOK",
            "token": "legacy",
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": channel_id},
            "trigger_id": "1.2.3",
            "channel": {"id": channel_id, "name": "cyp-scrutiny"},
            "response_url": response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": f"answer-{value}",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        return self.log_path.read_text()


@pytest.fixture(scope="module")
def stand_in():
    server = SlackStandIn()
    yield server
    server.close()


@pytest.fixture(scope="module")
def bot(bot_index, stand_in, tmp_path_factory):
    running = Bot(bot_index, stand_in, tmp_path_factory.mktemp("bot-log") / "bot.log")
    yield running
    log = running.stop()
    assert BOT_TOKEN not in log and "1111-2222" not in log
