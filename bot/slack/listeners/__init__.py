"""One module per kind of listener, registered on the app here."""

from __future__ import annotations

from slack_bolt import App

from ...config import Settings
from ..answering import Answerer
from . import actions, assistant, commands, events


def register_listeners(app: App, answerer: Answerer, settings: Settings) -> None:
    events.register(app, answerer, settings)
    assistant.register(app, answerer, settings)
    commands.register(app, answerer, settings)
    actions.register(app, answerer)
