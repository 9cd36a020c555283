"""Running the app: Socket Mode (no public URL needed) or an HTTP endpoint at /slack/events."""

from __future__ import annotations

import logging
import re

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"
WORKER_THREADS = 8
TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")


class RedactTokens(logging.Filter):
    """Slack tokens never reach a log line, whoever logs them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg, record.args = TOKEN.sub("xox…[redacted]", message), None
        return True


def configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def serve_http(app: App, host: str, port: int) -> None:
    import waitress

    handler = SlackRequestHandler(app)

    def application(environ, start_response):
        if environ.get("PATH_INFO") != EVENTS_PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Minutebook listens at /slack/events\n"]
        return handler(environ, start_response)

    logging.getLogger(__name__).info("Minutebook is listening on http://%s:%d%s", host, port, EVENTS_PATH)
    waitress.serve(application, host=host, port=port, threads=WORKER_THREADS, ident="minutebook")


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    logging.getLogger(__name__).info("Minutebook is connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()
