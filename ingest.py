"""minutebook ingest PATH... (also python ingest.py PATH...): add council minutes to the index, or with --moderngov URL
sync a council's ModernGov site."""

from __future__ import annotations

import datetime as dt
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from bot.config import ConfigError, load_settings, model_choice, open_index, slack_configured
from bot.options import IsoDate, council_today, index_option
from bot.progress import Bars
from bot.render import unread_lines
from index.embed import ModelError
from index.moderngov import LOOK_BACK, ModernGovError, Site, choose_committees, sync
from index.pipeline import ingest, source_key
from index.store import Store, StoreError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option(
    "--committee",
    "committees",
    multiple=True,
    help="The committee whose minutes these are, in place of the one they state. With --moderngov: a committee to "
    "sync, by name or id (repeat it for more; default every one).",
)
@click.option(
    "--date",
    type=IsoDate(),
    help="The meeting date of the documents, in place of the one they state (or of none: each file's is reported).",
)
@click.option(
    "--model",
    help="Sentence-transformers model name or path (default: $MINUTEBOOK_MODEL, else the index's own, "
    "else the bundled all-MiniLM-L6-v2).",
)
@click.option(
    "--backend",
    type=click.Choice(["torch", "onnx"]),
    help="Run the model with PyTorch, or as an ONNX int8 export that is faster on CPUs "
    "(exported once, kept next to the index) [default: $MINUTEBOOK_BACKEND, else torch].",
)
@click.option(
    "--ocr",
    type=click.Choice(["auto", "never"]),
    default="auto",
    show_default=True,
    help="Read PDF pages that have no text layer (scans) with Tesseract OCR, when it is installed; never: skip them.",
)
@click.option(
    "--remove", is_flag=True, help="Take the documents at PATH (a file, or every file under a folder) out of the index."
)
@click.option(
    "--moderngov", "site_url", metavar="URL", help="Sync the minutes of this ModernGov site instead of files."
)
@click.option(
    "--since", type=IsoDate(), help="With --moderngov: meetings on or after this date [default: a year before --until]."
)
@click.option("--until", type=IsoDate(), help="With --moderngov: meetings on or before this date [default: today].")
@click.option("--list-committees", is_flag=True, help="With --moderngov: list the site's committees and their ids.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="With --moderngov: seconds to wait for each answer from the site.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=0.5,
    show_default=True,
    help="With --moderngov: seconds between requests, to be kind to the site.",
)
def main(
    paths: tuple[str, ...],
    index_path: str,
    committees: tuple[str, ...],
    date: dt.date | None,
    model: str | None,
    backend: str | None,
    ocr: str,
    remove: bool,
    site_url: str | None,
    since: dt.date | None,
    until: dt.date | None,
    list_committees: bool,
    timeout: float,
    delay: float,
) -> None:
    """Ingest minutes (text, Markdown, HTML, PDF, Word .docx) from files and folders into the index.

    Unchanged files are skipped, changed files replace their earlier version, and a
    file that cannot be read is reported and skipped while the rest are saved.

    With --moderngov URL, sync the published minutes of a council's ModernGov site instead: new and
    changed meetings are added, withdrawn ones taken out, restricted items never stored.
    """
    interrupt_on_sigterm()
    if site_url:
        if paths or remove or date:
            raise click.UsageError("--moderngov syncs a site: give it without PATHs, --remove or --date.")
        moderngov(
            site_url,
            index_path,
            committees=committees,
            model=model,
            backend=backend,
            since=since,
            until=until,
            list_committees=list_committees,
            timeout=timeout,
            delay=delay,
        )
        return
    if not paths:
        raise click.UsageError("Give the PATHs of minutes to ingest, or --moderngov URL to sync a ModernGov site.")
    if since or until or list_committees:
        raise click.UsageError("--since, --until and --list-committees go with --moderngov URL.")
    if len(committees) > 1:
        raise click.UsageError("Give --committee once for files: it names the committee of documents that state none.")
    committee = committees[0] if committees else None
    try:
        store = open_index(index_path, create=not remove)
        if remove:
            remove_paths(store, paths)
            return
        with Bars("file", "chunk") as bars:
            report = ingest(
                paths,
                store,
                model_choice(store, model, backend),
                committee=committee,
                date=date,
                on_failure=lambda path, reason: bars.say(f"Skipped {path}: {reason}", err=True),
                ocr=ocr,
                progress=bars,
            )
    except (StoreError, ModelError, ConfigError) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        interrupted("files")
    click.echo(f"{report.summary()}. Index: {index_path}")
    for line in unread_lines(report.readings):
        click.echo(line)
    post_watch_alerts(store)
    if report.failed:
        sys.exit(1)


def moderngov(
    url: str,
    index_path: str,
    *,
    committees: tuple[str, ...],
    model: str | None,
    backend: str | None,
    since: dt.date | None,
    until: dt.date | None,
    list_committees: bool,
    timeout: float,
    delay: float,
) -> None:
    """List a ModernGov site's committees, or sync their minutes into the index."""
    until = until or council_today()
    since = since or until - LOOK_BACK
    if since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}.", param_hint="--since")
    try:
        site = Site(url, timeout=timeout, delay=delay)
        found = site.committees()
        if list_committees:
            for committee in found:
                flags = " (deleted)" if committee.deleted else " (expired)" if committee.expired else ""
                click.echo(f"{committee.id:>6}  {committee.title}{flags}")
            return
        chosen = choose_committees(found, committees, site.url)
        store = open_index(index_path, create=True)
        with Bars("meeting", "chunk") as bars:
            report = sync(
                site,
                store,
                model_choice(store, model, backend),
                chosen,
                since,
                until,
                on_removed=lambda meeting, reason: bars.say(f"Removed {meeting}: {reason}."),
                progress=bars,
            )
    except (ModernGovError, StoreError, ModelError, ConfigError) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        interrupted("meetings")
    click.echo(f"{report.summary()}. Index: {index_path}")
    post_watch_alerts(store)
    if report.error:
        click.echo(f"Stopped early: {report.error} The meetings synced before it are saved.", err=True)
        sys.exit(1)


def interrupt_on_sigterm() -> None:
    """SIGTERM (docker stop, a cron job's timeout) interrupts a one-off ingest or sync as Ctrl-C does, so that it
    drops the document in hand, keeps every one before it and says so, instead of being killed mid-write."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def interrupted(what: str) -> NoReturn:
    """Say what an interruption kept, and exit as Ctrl-C does."""
    click.echo(f"\nInterrupted: the {what} finished so far are saved and the index is usable.", err=True)
    sys.exit(130)


def post_watch_alerts(store: Store) -> None:
    """Post what is new about watched topics, when Slack is set up here; else the bot posts it within a minute."""
    if not slack_configured():
        return
    from bot.slack.poster import slack_follow_through  # the Slack SDK loads only when Slack is set up

    try:
        posted = slack_follow_through(store, load_settings()).run_watches()
    except (ConfigError, ModelError, StoreError) as error:
        click.echo(f"Watch alerts were not posted: {error}", err=True)
        return
    if posted.sent or posted.already or posted.failed:
        click.echo(f"Watch alerts: {posted.summary('message')}.", err=bool(posted.failed))


def remove_paths(store: Store, paths: tuple[str, ...]) -> None:
    removed_any = False
    for path in paths:
        removed = store.documents.remove(source_key(Path(path)))
        for document in removed:
            click.echo(f"Removed {document}")
        if not removed:
            click.echo(f"Nothing in the index comes from {path}", err=True)
        removed_any = removed_any or bool(removed)
    store.sync_vectors()
    if not removed_any:
        sys.exit(1)


if __name__ == "__main__":
    main()
