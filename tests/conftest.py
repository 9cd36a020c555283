"""Shared fixtures: the real seed minutes, the bundled sample minutes, one model and one sample index per run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_2c1def205c3c807f.txt"
EXAMPLES = ROOT / "examples" / "minutes"
AGENDA_ITEMS = ROOT / "examples" / "agenda-items" / "cyp-scrutiny-2023-10-10"
CYP = "Children and Young People's Overview and Scrutiny Committee"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    return SEED


@pytest.fixture(scope="session")
def embedder():
    from index.embed import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, embedder) -> Path:
    """The bundled sample minutes ingested once, through the same pipeline as `python ingest.py`."""
    import datetime as dt

    from index.embed import DEFAULT_MODEL
    from index.pipeline import ingest
    from index.store import Store

    directory = tmp_path_factory.mktemp("sample-index")
    store = Store(directory, create=True)
    report = ingest([str(EXAMPLES)], store, DEFAULT_MODEL)
    items = ingest([str(AGENDA_ITEMS)], store, DEFAULT_MODEL, committee=CYP, date=dt.date(2023, 10, 10))
    assert not report.failed and not items.failed, report.failed + items.failed
    return directory


SEED_COMMITTEE = "Children and Young People's Overview and Scrutiny Committee"


@pytest.fixture(scope="session")
def full_index(sample_index, tmp_path_factory) -> Path:
    """The sample minutes, plus the real seed minutes when ../shared is there."""
    import datetime as dt
    import shutil

    from index.embed import DEFAULT_MODEL
    from index.pipeline import ingest
    from index.store import Store

    directory = tmp_path_factory.mktemp("full-index")
    shutil.copytree(sample_index, directory, dirs_exist_ok=True)
    if SEED.exists():
        ingest([str(SEED)], Store(directory), DEFAULT_MODEL, committee=SEED_COMMITTEE, date=dt.date(2019, 11, 4))
    return directory
