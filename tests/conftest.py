"""Shared fixtures and constants: the real seed minutes, the bundled sample minutes, one model and one sample index
per run, and the `slow` marker on every test that needs the model."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"
REAL_MINUTES = SHARED / "eval" / "real-minutes"
READING = SHARED / "eval" / "reading"
QMSUM = SHARED / "eval" / "qmsum"
SOULDERN = REAL_MINUTES / "souldern"

# The real seed minutes: one meeting of this committee, given its committee and date when ingested.
SEED = SHARED / "seeds" / "000_2c1def205c3c807f.txt"
CYP = "Children and Young People's Overview and Scrutiny Committee"
SEED_DATE = dt.date(2019, 11, 4)
SEED_ITEM = "Signs of Safety Implementation"

# The bundled sample minutes, and the agenda items of one CYP meeting that carry no committee or date of their own.
EXAMPLES = ROOT / "examples" / "minutes"
AGENDA_ITEMS = ROOT / "examples" / "agenda-items" / "cyp-scrutiny-2023-10-10"
AGENDA_ITEMS_DATE = dt.date(2023, 10, 10)
ENVIRONMENT_COMMITTEE = "Environment and Transport Committee"

# The day the tests take as today, for due dates, overdue promises and "how long ago".
TODAY = dt.date(2026, 11, 29)

# A test that asks for one of these loads the embedding model; it is marked slow (pytest -m "not slow" skips them).
MODEL_FIXTURES = {"embedder", "sample_index", "full_index"}

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--every-scan",
        action="store_true",
        help="also read every scanned real-minutes PDF by OCR (about 8 minutes more), not only a sample",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    every_scan = config.getoption("--every-scan")
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("every_scan") and not every_scan:
            item.add_marker(pytest.mark.skip(reason="a scan beyond the sample read by OCR in every run: --every-scan"))


def environment_without_settings() -> dict[str, str]:
    """This process's environment without the SLACK_* and MINUTEBOOK_* settings, for running the real commands."""
    return {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "MINUTEBOOK_"))}


def copy_index(source: Path, target: Path) -> Path:
    """A copy of an index that a running bot may be using, taken as `minutebook backup` takes it."""
    from index.store import Store

    Store(source).backup(target)
    return target


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
    from index.embed import ModelChoice
    from index.pipeline import ingest
    from index.store import Store

    directory = tmp_path_factory.mktemp("sample-index")
    store = Store(directory, create=True)
    report = ingest([str(EXAMPLES)], store, ModelChoice())
    items = ingest([str(AGENDA_ITEMS)], store, ModelChoice(), committee=CYP, date=AGENDA_ITEMS_DATE)
    assert not report.failed and not items.failed, report.failed + items.failed
    return directory


@pytest.fixture(scope="session")
def full_index(sample_index, tmp_path_factory) -> Path:
    """The sample minutes, plus the real seed minutes when ../shared is there."""
    import shutil

    from index.embed import ModelChoice
    from index.pipeline import ingest
    from index.store import Store

    directory = tmp_path_factory.mktemp("full-index")
    shutil.copytree(sample_index, directory, dirs_exist_ok=True)
    if SEED.exists():
        ingest([str(SEED)], Store(directory), ModelChoice(), committee=CYP, date=SEED_DATE)
    return directory
