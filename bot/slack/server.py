"""Running the app: Socket Mode (no public URL needed) or an HTTP endpoint at /slack/events with a health check at
/healthz; either way, SIGTERM lets the answers in flight finish (for a bounded time) and exits cleanly."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from slack_bolt.response import BoltResponse

from ..config import HEALTH_PATH

EVENTS_PATH = "/slack/events"
WORKER_THREADS = 8
ANSWER_WORKERS = 4
SHUTDOWN_GRACE_SECONDS = 10.0
FORM = "application/x-www-form-urlencoded"
TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
logger = logging.getLogger(__name__)


class RedactTokens(logging.Filter):
    """Slack tokens never reach a log line, whoever logs them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg, record.args = TOKEN.sub("xox…[redacted]", message), None
        return True


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # One line per event: the scheduler's "job executed" every minute is not one (a failed job still is, from
    # bot.schedule).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def answer_workers() -> ThreadPoolExecutor:
    """The pool that answers after Slack has been acknowledged: bounded, so that a burst of questions waits its turn
    instead of starting a thread each (the model and the index answer one question at a time anyway)."""
    return ThreadPoolExecutor(max_workers=ANSWER_WORKERS, thread_name_prefix="answer")


def bolt_request(body: str, query: str | None, headers: dict) -> BoltRequest:
    """The request as Bolt should read it. Bolt takes a form body that holds the word "payload" anywhere for an
    interactive payload, so "/minutes what did the drone's payload cost?" arrived empty and was dropped; a form
    without a `payload` field is read as the plain form it is."""
    request = BoltRequest(body=body, query=query, headers=headers)
    if request.content_type == FORM:
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" not in form:
            request.body = form
            request.context = build_context(BoltContext(), form)
    return request


class RequestHandler(SlackRequestHandler):
    """Bolt's WSGI handler, reading every request with `bolt_request`."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return self.app.dispatch(bolt_request(request.get_body(), request.query_string, request.get_headers()))


def http_application(app: App, health: Callable[[], dict]) -> Callable:
    """The WSGI application: Slack's requests at /slack/events, and GET /healthz answering 200 with what `health`
    reports, or 503 with the reason when it raises (the index cannot be read)."""
    handler = RequestHandler(app, EVENTS_PATH)

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in {"GET", "HEAD"}:
            try:
                status, report = "200 OK", {"status": "ok", **health()}
            except Exception as error:
                logger.exception("The health check failed")
                status, report = "503 Service Unavailable", {"status": "unavailable", "error": str(error)}
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps(report).encode()]
        if path != EVENTS_PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Minutebook listens at /slack/events (health: /healthz)\n"]
        return handler(environ, start_response)

    return application


def stop_on_sigterm() -> None:
    """SIGTERM (docker stop, systemd) stops the server the way Ctrl-C does, so that it can finish what it started."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def finish_answers(workers: ThreadPoolExecutor) -> None:
    """Let the answers in flight finish, for at most `SHUTDOWN_GRACE_SECONDS`; questions not yet started are
    dropped (Slack has been told nothing more about them, and they can be asked again)."""
    done = threading.Event()

    def drain() -> None:
        workers.shutdown(wait=True, cancel_futures=True)
        done.set()

    threading.Thread(target=drain, daemon=True).start()
    if done.wait(SHUTDOWN_GRACE_SECONDS):
        logger.info("Minutebook stopped: every answer in flight was sent.")
        return
    logger.warning("Minutebook stopped after %.0f s with answers still in flight.", SHUTDOWN_GRACE_SECONDS)
    logging.shutdown()
    os._exit(0)  # the stuck answers' threads would otherwise hold the process past the grace period


def serve_http(app: App, host: str, port: int, health: Callable[[], dict], workers: ThreadPoolExecutor) -> None:
    import waitress

    stop_on_sigterm()
    server = waitress.create_server(
        http_application(app, health), host=host, port=port, threads=WORKER_THREADS, ident="minutebook"
    )
    logger.info("Minutebook is listening on http://%s:%d%s", host, port, EVENTS_PATH)
    server.run()
    finish_answers(workers)


def serve_socket_mode(app: App, app_token: str, workers: ThreadPoolExecutor) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    stop_on_sigterm()
    handler = SocketModeHandler(app, app_token)
    logger.info("Minutebook is connecting to Slack in Socket Mode")
    try:
        handler.start()
    except (SystemExit, KeyboardInterrupt):
        handler.close()
    finish_answers(workers)
