"""python -m bot — ask the minutes from the terminal (ask, chat)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterable

import click

from index.embed import Embedder, ModelError, load_embedder
from index.search import QuestionError, search
from index.settings import IsoDate, index_dir, model_for
from index.store import Filters, Store, StoreError

from .config import slack_configured
from .render import render_answer

SLACK_HELP = """\
Minutebook is not connected to Slack: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set.
To answer in Slack, create the app from manifest.yml at https://api.slack.com/apps, install it
to your workspace, set those two variables (and SLACK_APP_TOKEN for Socket Mode), then run
python -m bot serve (see the README). Until then, ask here.
"""


def default_host() -> str:
    return os.environ.get("MINUTEBOOK_HOST") or "127.0.0.1"


def default_port() -> int:
    value = os.environ.get("PORT") or "3000"
    if not value.isdigit():
        raise click.ClickException(f"PORT '{value}' is not a port number: set it to a number such as 3000.")
    return int(value)


class Session:
    """An open index with its model, loaded once for however many questions follow."""

    def __init__(self, index_path: str) -> None:
        self.store = Store(index_path)
        if self.store.model is None:
            raise StoreError(f"The index in '{index_path}' is empty: ingest minutes first (python ingest.py PATH).")
        model = model_for(self.store.model)
        self.store.check_model(model)
        self.embedder: Embedder = load_embedder(model)


def open_session(index_path: str) -> Session:
    try:
        return Session(index_path)
    except (StoreError, ModelError) as error:
        raise click.ClickException(str(error)) from None


index_option = click.option(
    "--index",
    "index_path",
    default=index_dir,
    show_default="$MINUTEBOOK_INDEX, else ./data",
    help="Folder that holds the index.",
)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@index_option
@click.pass_context
def cli(context: click.Context, index_path: str) -> None:
    """Minutebook: ask questions about council minutes, get back the passages that answer them.

    With no command: serves Slack when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) are set,
    else opens a chat in the terminal.
    """
    if context.invoked_subcommand is None:
        if slack_configured():
            context.invoke(serve, http=False, host=default_host(), port=default_port())
        else:
            context.invoke(chat, index_path=index_path)


@cli.command()
@click.argument("question")
@index_option
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50), help="How many passages.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@click.option("--committee", help="Only meetings of committees whose name contains this.")
@click.option("--after", type=IsoDate(), help="Only meetings on or after this date.")
@click.option("--before", type=IsoDate(), help="Only meetings on or before this date.")
def ask(
    question: str,
    index_path: str,
    k: int,
    as_json: bool,
    committee: str | None,
    after: dt.date | None,
    before: dt.date | None,
) -> None:
    """Print the passages that answer QUESTION, with citations.

    QUESTION "-" reads one question per line from standard input (the model loads once).
    """
    session = open_session(index_path)
    filters = Filters(committee=committee, after=after, before=before)
    questions: Iterable[str] = (line for line in sys.stdin if line.strip()) if question == "-" else [question]
    failed = False
    for each in questions:
        try:
            answer = search(session.store, session.embedder, each, k=k, filters=filters)
        except QuestionError as error:
            failed = True
            if as_json:
                click.echo(json.dumps({"question": each.strip(), "error": str(error), "passages": []}))
            else:
                click.echo(f"Error: {error}", err=True)
            continue
        if as_json:
            click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
            sys.stdout.flush()
        else:
            if question == "-":
                click.echo(click.style(f"Q: {answer.question}", bold=True))
            click.echo(render_answer(answer) + "\n")
    if failed:
        sys.exit(1)


@cli.command()
@index_option
def chat(index_path: str) -> None:
    """Ask questions one after another in the terminal; an empty line or Ctrl-D ends."""
    if not (os.environ.get("SLACK_BOT_TOKEN") and os.environ.get("SLACK_SIGNING_SECRET")):
        click.echo(SLACK_HELP, err=True)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Loading the index and the model…", err=True)
    session = open_session(index_path)
    if interactive:
        click.echo("Ask a question about the minutes (empty line or Ctrl-D to finish).", err=True)
    while True:
        try:
            line = input("Question> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            break
        if not line.strip():
            if interactive:
                break
            continue
        if line.strip().lower() in {"quit", "exit", "bye"}:
            break
        try:
            answer = search(session.store, session.embedder, line)
        except QuestionError as error:
            click.echo(str(error))
            continue
        if not interactive:
            click.echo(click.style(f"Q: {answer.question}", bold=True))
        click.echo(render_answer(answer) + "\n")


@cli.command()
@click.option("--http", is_flag=True, help="Serve the HTTP endpoint /slack/events instead of Socket Mode.")
@click.option(
    "--host", default=default_host, show_default="$MINUTEBOOK_HOST, else 127.0.0.1", help="Address for --http."
)
@click.option("--port", type=click.IntRange(1, 65535), default=default_port, show_default="$PORT, else 3000")
def serve(http: bool, host: str, port: int) -> None:
    """Answer in Slack: Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), else HTTP."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from .config import ConfigError, load_settings
    from .slack.answering import Answerer
    from .slack.app import build_app
    from .slack.server import configure_logging, serve_http, serve_socket_mode

    configure_logging()
    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    use_http = http or not settings.app_token
    if use_http and not settings.signing_secret:
        raise click.ClickException("The HTTP endpoint needs SLACK_SIGNING_SECRET (from your app's Basic Information).")
    session = open_session(settings.index)
    try:
        app = build_app(settings, Answerer(session.store, session.embedder))
    except (BoltError, SlackApiError, OSError) as error:
        raise click.ClickException(
            f"Could not check SLACK_BOT_TOKEN with Slack at {settings.api_url} ({error}): "
            "check the token and that Slack can be reached."
        ) from None
    if use_http:
        serve_http(app, host, port)
        return
    try:
        serve_socket_mode(app, settings.app_token)
    except SlackApiError as error:
        raise click.ClickException(
            f"Slack refused the Socket Mode connection ({error.response.get('error')}): check SLACK_APP_TOKEN "
            "and that Socket Mode is on for the app."
        ) from None
