"""What more than one command takes: a date option, the index folder option, and today where the council is."""

from __future__ import annotations

import datetime as dt

import click

from .config import ConfigError, index_dir, load_clock


class IsoDate(click.ParamType):
    """A command-line date written YYYY-MM-DD, refused with an example otherwise."""

    name = "YYYY-MM-DD"

    def convert(self, value, parameter, context) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date: write it as YYYY-MM-DD, for example 2024-03-12.", parameter, context)


INDEX_GIVEN = "minutebook.index"


def _index_given(context: click.Context, parameter: click.Parameter, value: str | None) -> str:
    """--index as given here, else as given to the command group (`minutebook --index DIR ask …`), else the
    default."""
    if value is not None:
        context.meta[INDEX_GIVEN] = value
        return value
    return context.meta.get(INDEX_GIVEN) or index_dir()


index_option = click.option(
    "--index",
    "index_path",
    callback=_index_given,
    metavar="DIR",
    show_default="$MINUTEBOOK_INDEX, else ./data",
    help="Folder that holds the index.",
)


def council_today() -> dt.date:
    """Today in the council's time zone, the one the bot and its digests use; a bad MINUTEBOOK_TIMEZONE is a
    sentence."""
    try:
        return load_clock().today()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
