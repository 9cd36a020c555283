"""Buttons on answers: feedback, sharing a private answer in the channel, and the whole agenda item of a quote."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from .. import blocks
from ..answering import Answerer


def register(app: App, answerer: Answerer) -> None:
    @app.action("feedback_helpful")
    def on_helpful(ack: Ack, action: dict, body: dict, respond: Respond) -> None:
        ack()
        record(answerer, action, body, respond, helpful=True)

    @app.action("feedback_not_helpful")
    def on_not_helpful(ack: Ack, action: dict, body: dict, respond: Respond) -> None:
        ack()
        record(answerer, action, body, respond, helpful=False)

    @app.action("share_answer")
    def on_share(ack: Ack, action: dict, body: dict, client: WebClient, respond: Respond) -> None:
        ack()
        saved = answerer.saved(int(action["value"]))
        if saved is None:
            respond(response_type="ephemeral", replace_original=False, text="That answer can no longer be found.")
            return
        channel = body["channel"]["id"]
        message = blocks.answer_message(saved.answer, saved.id, answerer.clock.today(), shared_by=body["user"]["id"])
        client.chat_postMessage(channel=channel, unfurl_links=False, **message)
        respond(response_type="ephemeral", replace_original=True, text="Shared in the channel.")

    @app.action("show_item")
    def on_show_item(ack: Ack, action: dict, body: dict, client: WebClient, respond: Respond) -> None:
        """The agenda item a quote comes from, whole and verbatim with its citation, in a modal."""
        ack()
        item = answerer.whole_item(int(action["value"]))
        if item is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="That agenda item is no longer in the index: it was removed or read again since. Ask again.",
            )
            return
        client.views_open(trigger_id=body["trigger_id"], view=blocks.item_view(item, answerer.clock.today()))


def record(answerer: Answerer, action: dict, body: dict, respond: Respond, helpful: bool) -> None:
    stored = answerer.record_feedback(int(action["value"]), body["user"]["id"], helpful)
    text = (
        f"Thanks — noted as {'helpful' if helpful else 'not helpful'}. It helps us improve Minutebook."
        if stored
        else "That answer can no longer be found, so the feedback was not recorded."
    )
    respond(response_type="ephemeral", replace_original=False, text=text)
