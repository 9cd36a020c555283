"""Minutebook's settings from the environment, in one place: where the index is and which model it runs, and the
bot's Slack settings and jobs; each refused with one clear sentence when malformed. The `index` package reads no
environment: what it needs is given to it from here."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from index.digest import DIGEST_DAYS
from index.embed import DEFAULT_MODEL, Embedder, ModelChoice, ModelError
from index.migrations import NewerSchema
from index.store import Store, newer_schema
from index.vectors import APPROXIMATE_ABOVE

from . import migrations
from .schedule import Schedule, ScheduleError, configured_timezone, parse_schedule

DEFAULT_API_URL = "https://slack.com/api/"
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
BACKENDS = ("torch", "onnx")
DEFAULT_INDEX_DIR = "data"
HEALTH_PATH = "/healthz"  # where `minutebook serve --http` says it is healthy, and `minutebook health` asks


class ConfigError(Exception):
    """A missing or malformed setting; the message names it and says how to fix it."""


def index_dir() -> str:
    """Where the index lives: $MINUTEBOOK_INDEX, else ./data."""
    return os.environ.get("MINUTEBOOK_INDEX") or DEFAULT_INDEX_DIR


@dataclass(frozen=True)
class Clock:
    """Today where the council is (MINUTEBOOK_TIMEZONE, else the machine's zone): the one "today" that decides what
    is overdue and which digest is due, in Slack, the digests, the watches and the command line alike."""

    timezone: dt.tzinfo

    def today(self) -> dt.date:
        return dt.datetime.now(self.timezone).date()


def load_clock(environ: Mapping[str, str] = os.environ) -> Clock:
    """The council's clock, for the commands; the bot's comes with its settings (`Jobs.clock`)."""
    try:
        return Clock(configured_timezone(environ))
    except ScheduleError as error:
        raise ConfigError(str(error)) from None


def open_index(directory: str | Path, create: bool = False) -> Store:
    """The index in `directory` as the commands and the bot use it: its schema and the bot's tables up to date,
    the council's time zone kept for the `register_status` view, and exact vector search up to
    $MINUTEBOOK_APPROXIMATE_ABOVE chunks (else 100,000)."""
    value = os.environ.get("MINUTEBOOK_APPROXIMATE_ABOVE", "")
    store = Store(directory, create, int(value) if value.isdigit() else APPROXIMATE_ABOVE)
    try:
        migrations.migrate(store.db)
    except NewerSchema as error:
        raise newer_schema(store.directory, error) from None
    store.keep_time_zone(load_clock().timezone)
    return store


def configured_backend(requested: str | None = None, recorded: str | None = None) -> str:
    """How to run the model: PyTorch, or its ONNX int8 export (faster on CPUs). --backend, else MINUTEBOOK_BACKEND,
    else the backend the index was built with, else PyTorch."""
    backend = requested or os.environ.get("MINUTEBOOK_BACKEND") or recorded or "torch"
    if backend not in BACKENDS:
        raise ModelError(f"MINUTEBOOK_BACKEND '{backend}' is not a backend: set it to torch or onnx.")
    return backend


def onnx_exports() -> Path | None:
    """A folder of ONNX exports made ahead of time (MINUTEBOOK_ONNX_DIR; the slim image sets it), if any."""
    folder = os.environ.get("MINUTEBOOK_ONNX_DIR")
    return Path(folder) if folder else None


def model_choice(store: Store, model: str | None = None, backend: str | None = None) -> ModelChoice:
    """The model to run on `store`: the one asked for (--model, else MINUTEBOOK_MODEL), else the one the index was
    built with, else the bundled MiniLM; run as --backend, MINUTEBOOK_BACKEND or the index's own backend says."""
    return ModelChoice(
        model or os.environ.get("MINUTEBOOK_MODEL") or store.model or DEFAULT_MODEL,
        configured_backend(backend, store.setting("backend")),
        onnx_exports(),
    )


def embedder_for(store: Store) -> Embedder:
    """The embedding model of an index that holds minutes, run as configured: what answering and watches search
    with."""
    choice = model_choice(store)
    store.check_model(choice.name)
    return choice.load(store.directory)


@dataclass(frozen=True)
class Jobs:
    """What `minutebook serve` does without being asked: sync the ModernGov committees in the index
    (MINUTEBOOK_SYNC), post each committee channel its digest (MINUTEBOOK_DIGEST, looking MINUTEBOOK_DIGEST_DAYS
    ahead when no meetings list is synced), in MINUTEBOOK_TIMEZONE; watches are run after every change."""

    sync: Schedule | None = None
    digest: Schedule | None = None
    digest_days: int = DIGEST_DAYS
    timezone: dt.tzinfo = dt.UTC

    @property
    def clock(self) -> Clock:
        return Clock(self.timezone)


def load_jobs(environ: Mapping[str, str] = os.environ) -> Jobs:
    days = environ.get("MINUTEBOOK_DIGEST_DAYS", "").strip() or str(DIGEST_DAYS)
    if not days.isdigit() or not 1 <= int(days) <= 366:
        raise ConfigError(f"MINUTEBOOK_DIGEST_DAYS '{days}' is not a number of days: set it to 1 to 366, such as 28.")
    try:
        return Jobs(
            sync=parse_schedule(environ.get("MINUTEBOOK_SYNC"), "MINUTEBOOK_SYNC"),
            digest=parse_schedule(environ.get("MINUTEBOOK_DIGEST"), "MINUTEBOOK_DIGEST", before_meeting_allowed=True),
            digest_days=int(days),
            timezone=configured_timezone(environ),
        )
    except ScheduleError as error:
        raise ConfigError(str(error)) from None


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    app_token: str | None
    api_url: str
    allowed_channels: frozenset[str]
    verify_requests: bool
    jobs: Jobs = field(default_factory=Jobs)
    log_questions: bool = True

    def channel_allowed(self, channel_id: str | None, channel_type: str | None = None) -> bool:
        """Direct messages (a D… conversation, or a person's U… or W… id for their messages with the bot) are always
        allowed; channels only when MINUTEBOOK_ALLOWED_CHANNELS lists them (if set)."""
        if channel_type == "im" or (channel_id or "").startswith(("D", "U", "W")) or not self.allowed_channels:
            return True
        return channel_id in self.allowed_channels


def given(environ: Mapping[str, str], name: str) -> bool:
    """Whether a secret is set, in the variable or as a file named by NAME_FILE (Docker and Compose secrets)."""
    return bool(environ.get(name) or environ.get(f"{name}_FILE"))


def secret(environ: Mapping[str, str], name: str) -> str:
    """A secret from its variable, else from the file NAME_FILE names (/run/secrets/… under Docker Compose)."""
    value = environ.get(name, "")
    path = environ.get(f"{name}_FILE")
    if value or not path:
        return value.strip()
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().strip()
    except OSError as error:
        if isinstance(error, PermissionError) and hasattr(os, "getuid"):
            user = os.getuid()
            raise ConfigError(
                f"{name}_FILE names '{path}', which this user (uid {user}) may not read: make the file on the host "
                f"readable by that user (chown {user} FILE; chmod 400 FILE)."
            ) from None
        raise ConfigError(
            f"{name}_FILE names '{path}', which cannot be read ({error.strerror}): check the path."
        ) from None


def slack_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether Slack's tokens are set, for HTTP (bot token and signing secret) or Socket Mode (bot and app token):
    the one test of whether Minutebook answers in Slack or in the terminal."""
    return bool(
        given(environ, "SLACK_BOT_TOKEN")
        and (given(environ, "SLACK_SIGNING_SECRET") or given(environ, "SLACK_APP_TOKEN"))
    )


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    bot_token = secret(environ, "SLACK_BOT_TOKEN")
    if not bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from your app's page.")
    if not bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN should be a bot token starting with xoxb- (see OAuth & Permissions).")
    app_token = secret(environ, "SLACK_APP_TOKEN") or None
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN should be an app-level token starting with xapp- (see Basic Information).")
    signing_secret = secret(environ, "SLACK_SIGNING_SECRET")
    if not signing_secret and not app_token:
        raise ConfigError("SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your app's Basic Information.")
    if signing_secret and not re.fullmatch(r"[0-9a-zA-Z]{16,}", signing_secret):
        raise ConfigError(
            "SLACK_SIGNING_SECRET looks wrong: it is the hexadecimal Signing Secret on Basic Information."
        )
    api_url = environ.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ConfigError(
            f"SLACK_API_URL '{api_url}' is not a URL: leave it unset for Slack, or give http(s)://host/api/."
        )
    channels = {part.strip() for part in environ.get("MINUTEBOOK_ALLOWED_CHANNELS", "").split(",") if part.strip()}
    wrong = sorted(channel for channel in channels if not CHANNEL_ID.match(channel))
    if wrong:
        raise ConfigError(
            f"MINUTEBOOK_ALLOWED_CHANNELS should list channel IDs such as C0123ABCD, not {', '.join(wrong)}."
        )
    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        allowed_channels=frozenset(channels),
        verify_requests=environ.get("MINUTEBOOK_INSECURE_SKIP_SLACK_SIGNATURES") != "1",
        jobs=load_jobs(environ),
        log_questions=environ.get("MINUTEBOOK_LOG_QUESTIONS", "1").strip() != "0",
    )
