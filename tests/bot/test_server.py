"""The HTTP side of the bot without the model: Slack's bodies read as Slack means them, and the health check."""

import json
import wsgiref.util
from urllib.parse import urlencode

from slack_bolt import App

from bot.slack.server import FORM, HEALTH_PATH, bolt_request, http_application

COMMAND = {"team_id": "T0MINUTES", "channel_id": "C0CYP", "user_id": "U0CLERK", "command": "/minutes"}


def test_a_question_holding_the_word_payload_is_read_as_a_slash_command():
    body = urlencode({**COMMAND, "text": "what did the drone's payload cost? payload=1 & more"})
    request = bolt_request(body, None, {"content-type": [FORM]})
    assert request.body["text"] == "what did the drone's payload cost? payload=1 & more"
    assert (request.context.user_id, request.context.channel_id) == ("U0CLERK", "C0CYP")


def test_an_interactive_payload_and_an_event_are_read_as_bolt_reads_them():
    payload = {"type": "block_actions", "user": {"id": "U0CLERK"}, "team": {"id": "T0MINUTES"}}
    interactive = bolt_request(urlencode({"payload": json.dumps(payload)}), None, {"content-type": [FORM]})
    assert interactive.body["type"] == "block_actions" and interactive.context.user_id == "U0CLERK"
    event = {"type": "event_callback", "team_id": "T0MINUTES", "event": {"type": "app_mention", "text": "payload"}}
    assert bolt_request(json.dumps(event), None, {"content-type": ["application/json"]}).body == event


def get(application, path: str) -> tuple[str, bytes]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    wsgiref.util.setup_testing_defaults(environ)
    answered = {}
    body = b"".join(application(environ, lambda status, headers: answered.update(status=status)))
    return answered["status"], body


def test_the_health_check_reports_the_index_or_why_it_cannot_be_read():
    app = App(token="xoxb-test", signing_secret="8f742231b10e8888", token_verification_enabled=False)
    healthy = http_application(app, lambda: {"generation": 12, "passages": 173})
    status, body = get(healthy, HEALTH_PATH)
    assert status == "200 OK" and json.loads(body) == {"status": "ok", "generation": 12, "passages": 173}

    def unreadable() -> dict:
        raise OSError("unable to open database file")

    status, body = get(http_application(app, unreadable), HEALTH_PATH)
    assert status == "503 Service Unavailable"
    assert json.loads(body) == {"status": "unavailable", "error": "unable to open database file"}
    assert get(healthy, "/elsewhere")[0] == "404 Not Found"
