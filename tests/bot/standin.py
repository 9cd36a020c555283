"""A small stand-in for the Slack Web API on 127.0.0.1 that records every call the bot makes."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TEAM_ID = "T0MINUTES"
BOT_USER_ID = "U0MINUTEBOOK"
HOLD_AT_MOST = 120.0  # seconds a held call waits, should a test never let it through


@dataclass
class Call:
    method: str
    params: dict
    authorization: str | None
    at: float = field(default_factory=time.monotonic)  # when it arrived, for the load benchmark


@dataclass
class Hold:
    method: str
    where: Callable[[dict], bool]
    released: threading.Event


class SlackStandIn:
    """Answers `auth.test`, `chat.*`, `reactions.*`, `views.publish` like Slack does, and POSTs to response URLs.

    Every call is recorded when it is answered; `wait_for` waits for one to arrive, and `holding` keeps some calls
    unanswered (and unrecorded) until a test lets them through, as a Slack that is slow to take them would."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.holds: list[Hold] = []
        self.members: dict[str, list[str]] = {}  # conversations.members, by channel
        self.refusals: dict[str, str] = {}  # chat.postMessage to these channels fails with this error
        # The next calls of a method are answered with these HTTP statuses (429 with a Retry-After of one second,
        # or a server error) before it is answered as usual; each such answer is kept in `failed`.
        self.fail_next: dict[str, list[int]] = {}
        self.failed: list[Call] = []
        self.arrived = threading.Condition()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = {key: values[0] for key, values in parse_qs(raw).items()}
                    for key in ("blocks", "view"):
                        if isinstance(params.get(key), str):
                            params[key] = json.loads(params[key])
                method = self.path.removeprefix("/api/") if self.path.startswith("/api/") else self.path
                stand_in.wait_while_held(method, params)
                status = stand_in.failure(method, Call(method, params, self.headers.get("Authorization")))
                if status:
                    body = b'{"ok": false, "error": "ratelimited"}' if status == 429 else b"Internal Server Error"
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.answer(method, params)

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                """Web API methods that read (conversations.replies) take their arguments in the query."""
                url = urlsplit(self.path)
                params = {key: values[0] for key, values in parse_qs(url.query).items()}
                self.answer(url.path.removeprefix("/api/"), params)

            def answer(self, method: str, params: dict) -> None:
                """Record the call, and answer it as Slack would."""
                with stand_in.arrived:
                    stand_in.calls.append(Call(method, params, self.headers.get("Authorization")))
                    stand_in.arrived.notify_all()
                body = json.dumps(stand_in.reply(method, params)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    def failure(self, method: str, call: Call) -> int | None:
        """The status a failing answer to this call should have, if one is due."""
        with self.arrived:
            statuses = self.fail_next.get(method)
            if not statuses:
                return None
            self.failed.append(call)
            return statuses.pop(0)

    def reply(self, method: str, params: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "url": "https://minutes.slack.com/", "team": "Minutes", "user": "minutebook",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "B0MINUTEBOOK"}  # fmt: skip
        if method.startswith("/response/"):
            return {"ok": True}
        if method == "chat.postMessage" and params.get("channel") in self.refusals:
            return {"ok": False, "error": self.refusals[params["channel"]]}
        if method in {"chat.postMessage", "chat.update"}:
            return {"ok": True, "channel": params.get("channel"), "ts": f"{time.time():.6f}", "message": params}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{time.time():.6f}"}
        if method == "conversations.members":
            return {"ok": True, "members": self.members.get(params.get("channel"), []), "response_metadata": {}}
        if method in {"reactions.add", "reactions.remove", "views.publish", "views.open"} or method.startswith(
            "assistant.threads."
        ):
            return {"ok": True}
        if method == "apps.connections.open":
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": False, "error": "unknown_method"}

    def of(self, method: str) -> list[Call]:
        with self.arrived:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, where: Callable[[dict], bool] = lambda params: True, timeout: float = 60.0) -> Call:
        """The first call of `method` whose params satisfy `where`, waiting (woken by each call) for it to arrive."""

        def first() -> Call | None:
            return next((call for call in self.calls if call.method == method and where(call.params)), None)

        with self.arrived:
            found = self.arrived.wait_for(first, timeout)
            if found:
                return found
            methods = [call.method for call in self.calls]
        raise AssertionError(f"no {method} call matched within {timeout} s; calls: {methods}")

    @contextlib.contextmanager
    def holding(self, method: str, where: Callable[[dict], bool] = lambda params: True) -> Iterator[None]:
        """While the block runs, calls of `method` whose params satisfy `where` get no answer and are not recorded;
        when it ends they are let through."""
        hold = Hold(method, where, threading.Event())
        with self.arrived:
            self.holds.append(hold)
        try:
            yield
        finally:
            with self.arrived:
                self.holds.remove(hold)
            hold.released.set()

    def wait_while_held(self, method: str, params: dict) -> None:
        with self.arrived:
            held = [hold for hold in self.holds if hold.method == method and hold.where(params)]
        for hold in held:
            hold.released.wait(HOLD_AT_MOST)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
