"""minutebook (also python -m bot): ingest minutes, ask them questions, serve Slack, read the register."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import click

import ingest
from index.embed import DEFAULT_MODEL, Embedder, ModelError, load_embedder
from index.filters import Filters
from index.register import answer_question
from index.search import PASSAGES, QuestionError
from index.settings import IsoDate, configured_backend, index_option, model_for
from index.store import Store, StoreError

from .config import slack_configured
from .render import render_register, render_reply, render_status, write_register_csv

SLACK_HELP = """\
Minutebook is not connected to Slack: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) are not set.
To answer in Slack, create the app from manifest.yml at https://api.slack.com/apps, install it
to your workspace, set those variables (SLACK_APP_TOKEN for Socket Mode), then run
minutebook serve (see the README). Until then, ask here.
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
            raise StoreError(f"The index in '{index_path}' is empty: ingest minutes first (minutebook ingest PATH).")
        model = model_for(self.store.model)
        self.store.check_model(model)
        backend = configured_backend(recorded=self.store.setting("backend"))
        self.embedder: Embedder = load_embedder(model, backend, self.store.directory)


def open_session(index_path: str) -> Session:
    try:
        return Session(index_path)
    except (StoreError, ModelError) as error:
        raise click.ClickException(str(error)) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="minutebook", prog_name="minutebook")
@index_option
@click.pass_context
def cli(context: click.Context, index_path: str) -> None:
    """Minutebook: ask questions about council minutes, get back the passages that answer them.

    With no command: serves Slack when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) are set,
    else opens a chat in the terminal. --index given here holds for the command that follows.
    """
    if context.invoked_subcommand is None:
        if slack_configured():
            context.invoke(serve, index_path=index_path, http=False, host=default_host(), port=default_port())
        else:
            context.invoke(chat, index_path=index_path)


cli.add_command(ingest.main, name="ingest")


@cli.command()
@click.argument("question")
@index_option
@click.option("-k", "k", default=PASSAGES, show_default=True, type=click.IntRange(1, 50), help="How many passages.")
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
    """Print the passages that answer QUESTION, with citations; a question about promises and decisions ("what
    was promised about …", "what is overdue?") is answered from the register, as in Slack.

    QUESTION "-" reads one question per line from standard input (the model loads once).
    """
    session = open_session(index_path)
    filters = Filters(committee=committee, after=after, before=before)
    questions: Iterable[str] = (line for line in sys.stdin if line.strip()) if question == "-" else [question]
    failed = False
    for each in questions:
        try:
            answer = answer_question(session.store, session.embedder, each, dt.date.today(), k=k, filters=filters)
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
            click.echo(render_reply(answer) + "\n")
    if failed:
        sys.exit(1)


@cli.command()
@index_option
def chat(index_path: str) -> None:
    """Ask questions one after another in the terminal; an empty line or Ctrl-D ends."""
    if not slack_configured():
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
            answer = answer_question(session.store, session.embedder, line, dt.date.today())
        except QuestionError as error:
            click.echo(str(error))
            continue
        if not interactive:
            click.echo(click.style(f"Q: {answer.question}", bold=True))
        click.echo(render_reply(answer) + "\n")


@cli.command()
@index_option
def status(index_path: str) -> None:
    """Print what is indexed (committees, meetings, dates) and the ModernGov committees synced into it."""
    try:
        store = Store(index_path)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    click.echo(render_status(store.status(), store.sources(), index_path))


@cli.command()
@click.option("--http", is_flag=True, help="Serve the HTTP endpoint /slack/events instead of Socket Mode.")
@click.option(
    "--host", default=default_host, show_default="$MINUTEBOOK_HOST, else 127.0.0.1", help="Address for --http."
)
@click.option("--port", type=click.IntRange(1, 65535), default=default_port, show_default="$PORT, else 3000")
@index_option
def serve(http: bool, host: str, port: int, index_path: str) -> None:
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
    session = open_session(index_path)
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


@cli.command("eval")
@click.option(
    "--set",
    "data_set",
    type=click.Choice(["qmsum", "real-minutes"]),
    default="qmsum",
    show_default=True,
    help="QMSum committee transcripts, or real parish minutes PDFs (../shared/eval/real-minutes).",
)
@click.option("--split", type=click.Choice(["train", "val", "all"]), default="all", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="The figures as one JSON object.")
@click.option("--data", type=click.Path(path_type=Path), help="The data set's folder [default: under ../shared/eval].")
@click.option("--backend", type=click.Choice(["torch", "onnx"]), help="[default: $MINUTEBOOK_BACKEND, else torch]")
@click.option("--keep", "keep", type=click.Path(path_type=Path), help="Build the index here and keep it.")
def evaluate_command(
    data_set: str, split: str, as_json: bool, data: Path | None, backend: str | None, keep: Path | None
) -> None:
    """Measure retrieval: Minutebook against BM25 alone and dense alone, through the one search function.

    qmsum: every meeting of train and val is ingested into a fresh index, the split's queries are asked, and
    hit@k, MRR@10, precision@5, faithfulness and latency are reported, corpus-wide and scoped to each meeting.

    real-minutes: the PDFs are ingested with no flags, as a new user drops a folder in; reported are files skipped,
    meeting dates read from the text, and for each question hit@1, hit@3 and whether the citation (committee, date,
    agenda item) is right.
    """
    from index.evaluate import (
        DEFAULT_DATA,
        REAL_MINUTES,
        EvaluationDataMissing,
        evaluate,
        evaluate_real_minutes,
        format_real_report,
        format_report,
    )

    try:
        if data_set == "real-minutes":
            real = evaluate_real_minutes(data or REAL_MINUTES, DEFAULT_MODEL, keep, configured_backend(backend))
            click.echo(json.dumps(real.to_json(), indent=2) if as_json else format_real_report(real))
            return
        report = evaluate(data or DEFAULT_DATA, split, DEFAULT_MODEL, keep, configured_backend(backend))
    except (EvaluationDataMissing, ModelError, StoreError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else format_report(report))


@cli.command()
@click.argument("topic", required=False)
@index_option
@click.option("--committee", help="Only committees whose name contains this.")
@click.option("--status", type=click.Choice(["open", "overdue", "followed-up", "decided"]))
@click.option("--as-of", type=IsoDate(), help="Judge what is overdue as of this day [default: today].")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of entries.")
@click.option("--csv", "csv_file", type=click.File("w", encoding="utf-8"), help="Write a spreadsheet (- for stdout).")
@click.option("-n", "limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="How many entries.")
def promises(
    topic: str | None,
    index_path: str,
    committee: str | None,
    status: str | None,
    as_of: dt.date | None,
    as_json: bool,
    csv_file: TextIO | None,
    limit: int,
) -> None:
    """The register: decisions, commitments and aspirations read from the minutes, most urgent first.

    With TOPIC, the entries about it, ranked by the same search as questions. Each entry is quoted verbatim with
    its citation, who is bound, its due date and the phrase it came from, and its status: open, overdue,
    followed up (with the later item that delivers it), or decided (a decision that promises nothing).
    """
    from index.register import read_register, register_about

    as_of = as_of or dt.date.today()
    wanted = status.replace("-", " ") if status else None
    if topic:
        session = open_session(index_path)
        try:
            entries = register_about(
                session.store, session.embedder, topic, as_of, Filters(committee=committee), wanted, limit
            )
        except QuestionError as error:
            raise click.ClickException(str(error)) from None
    else:
        try:
            store = Store(index_path)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        entries = read_register(store, as_of, Filters(committee=committee), status=wanted)[:limit]
    if csv_file:
        write_register_csv(entries, csv_file)
    elif as_json:
        click.echo(json.dumps([entry.to_json() for entry in entries], ensure_ascii=False, indent=2))
    else:
        click.echo(render_register(entries))
