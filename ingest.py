"""python ingest.py PATH... — add council minutes to the Minutebook index."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from index.embed import ModelError
from index.pipeline import ingest, source_key
from index.settings import IsoDate, index_dir, model_for
from index.store import Store, StoreError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--index",
    "index_path",
    default=index_dir,
    show_default="$MINUTEBOOK_INDEX, else ./data",
    help="Folder that holds the index.",
)
@click.option("--committee", help="Committee name for documents that do not state one.")
@click.option("--date", type=IsoDate(), help="Meeting date for documents that do not state one.")
@click.option(
    "--model",
    help="Sentence-transformers model name or path (default: $MINUTEBOOK_MODEL, else the index's own, "
    "else the bundled all-MiniLM-L6-v2).",
)
@click.option(
    "--remove", is_flag=True, help="Take the documents at PATH (a file, or every file under a folder) out of the index."
)
def main(
    paths: tuple[str, ...],
    index_path: str,
    committee: str | None,
    date: dt.date | None,
    model: str | None,
    remove: bool,
) -> None:
    """Ingest minutes (text, Markdown, HTML, PDF, Word .docx) from files and folders into the index.

    Unchanged files are skipped, changed files replace their earlier version, and a
    file that cannot be read is reported and skipped while the rest are saved.
    """
    try:
        store = Store(index_path, create=not remove)
        if remove:
            remove_paths(store, paths)
            return
        report = ingest(
            paths,
            store,
            model_for(store.model, model),
            committee=committee,
            date=date,
            on_failure=lambda path, reason: click.echo(f"Skipped {path}: {reason}", err=True),
        )
    except (StoreError, ModelError) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo("\nInterrupted: the files finished so far are saved and the index is usable.", err=True)
        sys.exit(130)
    click.echo(f"{report.summary()}. Index: {index_path}")
    if report.failed:
        sys.exit(1)


def remove_paths(store: Store, paths: tuple[str, ...]) -> None:
    removed_any = False
    for path in paths:
        removed = store.remove(source_key(Path(path)))
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
