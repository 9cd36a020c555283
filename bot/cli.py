"""minutebook (also python -m bot): ingest minutes, ask them questions, serve Slack, read the register."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import click

import ingest
from index.briefing import BRIEF_DAYS, AgendaEntry, MeetingToCome, agenda_of, agenda_to_come, brief, meetings_to_come
from index.conversation import Turn, answered, first_turn, follow_on
from index.digest import DIGEST_DAYS, digest
from index.embed import DEFAULT_MODEL, Embedder, ModelChoice, ModelError
from index.filters import Filters
from index.moderngov import ModernGovError, sync_recorded
from index.parse import ParseError, parse_bytes
from index.register import answer_question
from index.search import PASSAGES, QuestionError
from index.store import Store, StoreError

from .channels import ChannelCommittees
from .config import (
    HEALTH_PATH,
    ConfigError,
    configured_backend,
    embedder_for,
    given,
    load_settings,
    model_choice,
    onnx_exports,
    open_index,
    slack_configured,
)
from .follow_through import FollowThrough, scheduled
from .options import IsoDate, council_today, index_option
from .progress import Bars
from .render import (
    render_briefing,
    render_digest,
    render_register,
    render_reply,
    render_status,
    write_register_csv,
)

HEALTH_TIMEOUT_SECONDS = 5

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
        self.store = open_index(index_path)
        if self.store.model is None:
            raise StoreError(f"The index in '{index_path}' is empty: ingest minutes first (minutebook ingest PATH).")
        self.embedder: Embedder = embedder_for(self.store)


def eval_data(data_set: str) -> Path:
    """Where an evaluation set is when --data is not given: ../shared/eval/SET beside the folder Minutebook runs in,
    else beside the checkout it runs from (an editable install)."""
    places = [
        Path.cwd().parent / "shared" / "eval" / data_set,
        Path(__file__).resolve().parents[2] / "shared" / "eval" / data_set,
    ]
    return next((place for place in places if place.exists()), places[0])


def open_store(index_path: str) -> Store:
    """The index, for the commands that need no model; a missing one is a sentence, not a traceback."""
    try:
        return open_index(index_path)
    except (StoreError, ConfigError) as error:
        raise click.ClickException(str(error)) from None


def open_session(index_path: str) -> Session:
    try:
        return Session(index_path)
    except (StoreError, ModelError, ConfigError) as error:
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
            answer = answer_question(session.store, session.embedder, each, council_today(), k=k, filters=filters)
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
    """Ask questions one after another in the terminal, each read with the one before it (a follow-up such as "and
    the year before?" keeps its subject, committee and period); an empty line or Ctrl-D ends."""
    if not slack_configured():
        click.echo(SLACK_HELP, err=True)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Loading the index and the model…", err=True)
    session = open_session(index_path)
    if interactive:
        click.echo(
            "Ask a question about the minutes (empty line or Ctrl-D to finish); ask on from an answer as you would "
            "a person: “and the year before?”, “who is responsible?”, “show me more”.",
            err=True,
        )
    previous: tuple[Turn, int] | None = None
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
            turn = follow_on(previous[0], line, previous[1]) if previous else first_turn(line)
            answer = answer_question(
                session.store, session.embedder, turn.question, council_today(), filters=turn.filters, skip=turn.skip
            )
        except QuestionError as error:
            click.echo(str(error))
            continue
        if not interactive:
            click.echo(click.style(f"Q: {line.strip()}", bold=True))
        if turn.follows:
            click.echo(click.style(f"Following on from “{turn.follows}”.", dim=True))
        click.echo(render_reply(answer) + "\n")
        previous = answered(turn, answer)


@cli.command()
@index_option
def status(index_path: str) -> None:
    """Print what is indexed (committees, meetings, dates) and the ModernGov committees synced into it."""
    store = open_store(index_path)
    click.echo(render_status(store.status(), store.calendar.sources(), index_path))


@cli.command()
@click.argument("target", type=click.Path(file_okay=False))
@index_option
def backup(target: str, index_path: str) -> None:
    """Copy the index into TARGET, a new folder, safely while the bot or an ingest is using it. To restore, point
    --index (or MINUTEBOOK_INDEX) at the copy, or put its files in an empty index folder."""
    store = open_store(index_path)
    try:
        copy = store.backup(target)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    documents = copy.db["documents"].count
    click.echo(f"Backed up {documents} documents and {copy.chunk_count} passages into {target}.")


@cli.command()
@index_option
def health(index_path: str) -> None:
    """Exit 0 when Minutebook is healthy, for Docker's HEALTHCHECK: when it serves Slack over HTTP, its /healthz
    answers ok; otherwise (Socket Mode, the chat) its index opens."""
    serves_http = slack_configured() and not given(os.environ, "SLACK_APP_TOKEN")
    if not serves_http:
        store = open_store(index_path)
        click.echo(json.dumps({"status": "ok", "generation": store.generation, "passages": store.chunk_count}))
        return
    address = f"http://127.0.0.1:{default_port()}{HEALTH_PATH}"
    try:
        with urllib.request.urlopen(address, timeout=HEALTH_TIMEOUT_SECONDS) as response:
            click.echo(response.read().decode())
    except urllib.error.HTTPError as error:
        raise click.ClickException(f"{address} answered {error.code}: {error.read().decode()}") from None
    except OSError as error:
        raise click.ClickException(f"Nothing answered at {address} ({error}): is minutebook serve running?") from None


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
    from .slack.poster import SlackPoster
    from .slack.server import answer_workers, configure_logging, serve_http, serve_socket_mode

    configure_logging()
    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    use_http = http or not settings.app_token
    if use_http and not settings.signing_secret:
        raise click.ClickException("The HTTP endpoint needs SLACK_SIGNING_SECRET (from your app's Basic Information).")
    session = open_session(index_path)
    answerer = Answerer(session.store, session.embedder, settings.jobs.clock, log_questions=settings.log_questions)
    workers = answer_workers()
    try:
        app = build_app(settings, answerer, workers)
    except (BoltError, SlackApiError, OSError) as error:
        raise click.ClickException(
            f"Could not check SLACK_BOT_TOKEN with Slack at {settings.api_url} ({error}): "
            "check the token and that Slack can be reached."
        ) from None
    follow = FollowThrough(session.store, SlackPoster(app.client), settings, lambda: session.embedder, answerer.lock)
    scheduler = scheduled(settings.jobs, follow, index_path)
    scheduler.start()
    for name, when in scheduler.next_runs().items():
        logging.getLogger(__name__).info("The %s job runs next at %s.", name, f"{when:%a %d %b %Y %H:%M %Z}")
    try:
        if use_http:
            serve_http(app, host, port, answerer.health, workers)
        else:
            serve_socket_mode(app, settings.app_token, workers)
    except SlackApiError as error:
        raise click.ClickException(
            f"Slack refused the Socket Mode connection ({error.response.get('error')}): check SLACK_APP_TOKEN "
            "and that Socket Mode is on for the app."
        ) from None
    finally:
        scheduler.shutdown(wait=False)  # a sync cut short keeps every meeting it saved


@cli.command("eval")
@click.option(
    "--set",
    "data_set",
    type=click.Choice(["qmsum", "real-minutes", "reading"]),
    default="qmsum",
    show_default=True,
    help="QMSum committee transcripts, real parish minutes PDFs (../shared/eval/real-minutes), or labelled minutes "
    "of eight councils (../shared/eval/reading).",
)
@click.option("--split", type=click.Choice(["train", "val", "all"]), default="all", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="The figures as one JSON object.")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    help="The data set's folder [default: ../shared/eval/SET beside the current folder, else beside the checkout].",
)
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

    reading: the files of eight councils are ingested with no flags; reported per council and overall are the
    meeting dates, committees, councils and first agenda items read right against the labels, and the questions
    as for real-minutes.
    """
    from index.evaluate import (
        EvaluationDataMissing,
        evaluate,
        evaluate_reading,
        evaluate_real_minutes,
        format_reading_report,
        format_real_report,
        format_report,
    )

    data = data or eval_data(data_set)
    try:
        model = ModelChoice(DEFAULT_MODEL, configured_backend(backend), onnx_exports())
        if data_set == "reading":
            report, render = evaluate_reading(data, model, keep), format_reading_report
        elif data_set == "real-minutes":
            report, render = evaluate_real_minutes(data, model, keep), format_real_report
        else:
            report, render = evaluate(data, split, model, keep), format_report
    except (EvaluationDataMissing, ModelError, StoreError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else render(report))


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

    as_of = as_of or council_today()
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
        store = open_store(index_path)
        entries = read_register(store, as_of, Filters(committee=committee), status=wanted)[:limit]
    if csv_file:
        write_register_csv(entries, csv_file)
    elif as_json:
        click.echo(json.dumps([entry.to_json() for entry in entries], ensure_ascii=False, indent=2))
    else:
        click.echo(render_register(entries))


def slack_follow_through(store: Store) -> FollowThrough:
    """Posting from the command line, with the bot's Slack settings; refused in a sentence when they are not set."""
    from .slack.poster import slack_follow_through as follow_through

    if not slack_configured():
        raise click.ClickException(
            "Posting needs Slack: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) as for "
            "minutebook serve."
        )
    try:
        return follow_through(store, load_settings())
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@cli.command("digest")
@index_option
@click.option(
    "--committee",
    help="Committees whose name contains this [default: each committee tied to a Slack channel, else every one].",
)
@click.option("--as-of", type=IsoDate(), help="The day to judge from [default: today].")
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=DIGEST_DAYS,
    show_default=True,
    help="How far ahead to look for a committee whose next meeting is not known from a synced ModernGov site.",
)
@click.option("--post", is_flag=True, help="Post each channel tied to a committee its digest in Slack, once a day.")
@click.option(
    "--before-meeting",
    "before_meeting",
    type=click.IntRange(0, 366),
    metavar="DAYS",
    help="With --post: only for committees whose next meeting is at most DAYS away, once for each meeting.",
)
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per committee.")
@click.option("--csv", "csv_file", type=click.File("w", encoding="utf-8"), help="Write a spreadsheet (- for stdout).")
def digest_command(
    index_path: str,
    committee: str | None,
    as_of: dt.date | None,
    days: int,
    post: bool,
    before_meeting: int | None,
    as_json: bool,
    csv_file: TextIO | None,
) -> None:
    """What is due before each committee's next meeting: the register's overdue and open decisions and commitments
    that fall due by then, most urgent first, each quoted with its citation, who is bound, its due date and status.

    The next meeting is the one a synced ModernGov site lists (minutebook ingest --moderngov); without one,
    --days ahead. --post sends each channel tied to a committee (/minutes channel) its digest; a digest already
    posted that day (with --before-meeting, for that meeting) is not posted again, so cron or a second run is
    harmless.
    """
    as_of = as_of or council_today()
    store = open_store(index_path)
    if before_meeting is not None and not post:
        raise click.UsageError("--before-meeting goes with --post.")
    if post:
        if as_json or csv_file:
            raise click.UsageError("--post sends the digests to Slack: give it without --json or --csv.")
        follow = slack_follow_through(store)
        if not follow.channels.tied():
            raise click.ClickException(
                'No channel is tied to a committee: tie one in Slack with /minutes channel committee:"NAME".'
            )
        posted = follow.post_digests(as_of, days, before_meeting=before_meeting, committee=committee)
        click.echo(f"Digests: {posted.summary('digest')}.")
        if posted.failed:
            sys.exit(1)
        return
    digests = [digest(store, name, as_of, days) for name in digest_committees(store, committee)]
    if csv_file:
        write_register_csv([entry for each in digests for entry in each.entries], csv_file)
    elif as_json:
        click.echo(json.dumps([each.to_json() for each in digests], ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(render_digest(each) for each in digests))


def digest_committees(store: Store, committee: str | None) -> list[str]:
    """The committees to digest: those --committee names, else those tied to a channel, else every one."""
    if committee:
        named = store.passages.committees_named(committee)
        if not named:
            raise click.ClickException(
                f"No committee in the index matches “{committee}”: minutebook status lists them."
            )
        return named
    tied = sorted({name for _, name in ChannelCommittees(store.db).tied()})
    return tied or store.passages.committees_named("")


@cli.command("brief")
@index_option
@click.option("--committee", help="The committee (any part of its name that names one); default every one synced.")
@click.option(
    "--meeting",
    help="The meeting: its date (YYYY-MM-DD) or its ModernGov id; default each committee's next meeting.",
)
@click.option(
    "--agenda",
    "agenda_file",
    type=click.Path(exists=True, dir_okay=False),
    help="An agenda file (PDF, Word, HTML, text) for councils without ModernGov.",
)
@click.option("--as-of", type=IsoDate(), help="The day to brief from: meetings after it [default: today].")
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per meeting.")
@click.option(
    "--post",
    is_flag=True,
    help="Post each channel tied to a committee the briefing of its next meeting, once, DAYS before it or fewer.",
)
@click.option(
    "--days",
    default=BRIEF_DAYS,
    show_default=True,
    type=click.IntRange(0, 366),
    help="With --post: how many days before the meeting its briefing is posted.",
)
def brief_command(
    index_path: str,
    committee: str | None,
    meeting: str | None,
    agenda_file: str | None,
    as_of: dt.date | None,
    as_json: bool,
    post: bool,
    days: int,
) -> None:
    """A briefing before a meeting: for each substantive item of its agenda, the committee's earlier decisions and
    open or overdue commitments on it, and the passages of earlier minutes that say most about it, each quoted with
    its citation. Procedural items (apologies, declarations, minutes, next meeting) are left out.

    The agenda is the one a synced ModernGov site publishes for the meeting (minutebook ingest --moderngov), or
    --agenda FILE. --post sends each channel tied to a committee (/minutes channel) its briefing once; the bot's
    schedule does the same beside the digest.
    """
    as_of = as_of or council_today()
    if post:
        if as_json or agenda_file or meeting:
            raise click.UsageError(
                "--post briefs each committee's next meeting: give it without --json, --agenda or --meeting."
            )
        follow = slack_follow_through(open_store(index_path))
        if not follow.channels.tied():
            raise click.ClickException(
                'No channel is tied to a committee: tie one in Slack with /minutes channel committee:"NAME".'
            )
        posted = follow.post_briefings(as_of, days, committee)
        click.echo(f"Briefings: {posted.summary('briefing')}.")
        if posted.failed:
            sys.exit(1)
        return
    store = open_store(index_path)
    # every agenda is read, and every mistake said, before the model loads
    if agenda_file:
        agendas = [agenda_from_file(store, agenda_file, committee, meeting)]
    else:
        agendas = []
        for each in chosen_meetings(store, committee, meeting, as_of):
            try:
                agendas.append((agenda_to_come(each), each.committee, each.date, each.page))
            except ModernGovError as error:
                raise click.ClickException(str(error)) from None
    session = open_session(index_path)
    briefings = [
        brief(session.store, session.embedder, agenda, body, date, as_of, source)
        for agenda, body, date, source in agendas
    ]
    if as_json:
        click.echo(json.dumps([each.to_json() for each in briefings], ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(render_briefing(each) for each in briefings))


def agenda_from_file(
    store: Store, path: str, committee: str | None, meeting: str | None
) -> tuple[list[AgendaEntry], str | None, dt.date | None, str]:
    """An agenda file read by the one parser: its items, and its committee and date as the file states them unless
    --committee and --meeting say otherwise, and the file as the agenda's source."""
    try:
        document = parse_bytes(Path(path).read_bytes(), path)
    except ParseError as error:
        raise click.ClickException(f"Could not read the agenda {path}: {error}.") from None
    date = _iso_date(meeting, "--meeting with --agenda takes the meeting's date, as YYYY-MM-DD") if meeting else None
    named = store.passages.committees_named(committee) if committee else []
    if committee and len(named) != 1:
        raise click.ClickException(
            f"“{committee}” names {len(named) or 'no'} committees in the index: minutebook status lists them."
        )
    agenda = agenda_of(document)
    if not agenda:
        raise click.ClickException(f"No agenda items could be read in {path}: give a file that lists them.")
    return agenda, named[0] if named else document.committee, date or document.date, path


def chosen_meetings(store: Store, committee: str | None, meeting: str | None, as_of: dt.date) -> list[MeetingToCome]:
    """The meetings to brief: the one --meeting names (by date or ModernGov id), else each committee's next one."""
    named = store.passages.committees_named(committee) if committee else None
    if committee and not named:
        raise click.ClickException(f"No committee in the index matches “{committee}”: minutebook status lists them.")
    coming = meetings_to_come(store, as_of - dt.timedelta(days=1) if meeting else as_of, named)
    if meeting:
        chosen = [each for each in coming if meeting in (each.meeting_id, each.date.isoformat())]
    else:
        firsts: dict[str, MeetingToCome] = {}
        for each in coming:
            firsts.setdefault(each.committee, each)
        chosen = list(firsts.values())
    if not chosen:
        which = f"meeting {meeting}" if meeting else "meeting to come"
        raise click.ClickException(
            f"No {which} is known{f' for “{committee}”' if committee else ''}: sync the committee from ModernGov "
            "(minutebook ingest --moderngov URL), or give its agenda with --agenda FILE."
        )
    return chosen


def _iso_date(text: str, hint: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(hint, param_hint="--meeting") from None


@cli.command("sync")
@index_option
def sync_command(index_path: str) -> None:
    """Sync again every ModernGov committee synced into the index, for the year up to today, then post what is new
    about watched topics (when Slack is set up): the bot's scheduled sync, run once, for cron."""
    ingest.interrupt_on_sigterm()
    store = open_store(index_path)
    reports = []
    if not store.calendar.sources():
        click.echo("No ModernGov site is synced into this index (minutebook ingest --moderngov URL adds one).")
    else:
        try:
            with Bars("meeting", "chunk") as bars:
                reports = sync_recorded(
                    store,
                    model_choice(store),
                    council_today(),
                    on_removed=lambda meeting, reason: bars.say(f"Removed {meeting}: {reason}."),
                    progress=bars,
                )
        except (StoreError, ModelError) as error:
            raise click.ClickException(str(error)) from None
        except KeyboardInterrupt:
            ingest.interrupted("meetings")
        for url, report in reports:
            click.echo(f"{url}: {report.summary()}.")
            if report.error:
                click.echo(f"{url} stopped early: {report.error}", err=True)
    ingest.post_watch_alerts(store)
    if any(report.error for _, report in reports):
        sys.exit(1)
