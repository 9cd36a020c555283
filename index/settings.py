"""Settings that the index commands read from the environment, in one place."""

from __future__ import annotations

import datetime as dt
import os

import click

from .embed import DEFAULT_MODEL, Embedder, ModelError, load_embedder
from .store import Store

BACKENDS = ("torch", "onnx")

DEFAULT_INDEX_DIR = "data"


def index_dir() -> str:
    """Where the index lives: $MINUTEBOOK_INDEX, else ./data."""
    return os.environ.get("MINUTEBOOK_INDEX") or DEFAULT_INDEX_DIR


def configured_model() -> str | None:
    """The embedding model a person asked for with MINUTEBOOK_MODEL, if any."""
    return os.environ.get("MINUTEBOOK_MODEL") or None


def configured_backend(requested: str | None = None, recorded: str | None = None) -> str:
    """How to run the model: PyTorch, or its ONNX int8 export (faster on CPUs). --backend, else MINUTEBOOK_BACKEND,
    else the backend the index was built with, else PyTorch."""
    backend = requested or os.environ.get("MINUTEBOOK_BACKEND") or recorded or "torch"
    if backend not in BACKENDS:
        raise ModelError(f"MINUTEBOOK_BACKEND '{backend}' is not a backend: set it to torch or onnx.")
    return backend


def model_for(recorded: str | None, requested: str | None = None) -> str:
    """The model to use: the one asked for, else the one the index was built with, else the bundled MiniLM."""
    return requested or configured_model() or recorded or DEFAULT_MODEL


def embedder_for(store: Store) -> Embedder:
    """The embedding model of an index that holds minutes, run as configured: what answering and watches search
    with."""
    model = model_for(store.model)
    store.check_model(model)
    return load_embedder(model, configured_backend(recorded=store.setting("backend")), store.directory)


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
