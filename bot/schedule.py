"""When `minutebook serve` runs its background jobs (sync, alerts, digest), read from plain-English settings such as
"mon,thu 08:00", and a scheduler that keeps running them, whatever one run does, while the bot answers."""

from __future__ import annotations

import datetime
import logging
import os
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import tzlocal
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)

EVERY_DAY = "*"
WEEKDAYS = "mon-fri"
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_WORDS = {
    **{word: number for number, name in enumerate(DAY_NAMES) for word in (name[:3], name, f"{name}s")},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
ALL_DAYS = frozenset(range(7))
MONDAY_TO_FRIDAY = frozenset(range(5))
WEEKEND = frozenset({5, 6})
DAY_SET_WORDS = {
    "daily": ALL_DAYS,
    "day": ALL_DAYS,
    "weekday": MONDAY_TO_FRIDAY,
    "weekdays": MONDAY_TO_FRIDAY,
    "weekend": WEEKEND,
    "weekends": WEEKEND,
}
OFF_WORDS = {"", "off", "never"}
BEFORE_MEETING_DEFAULT_TIME = (8, 0)
MISFIRE_GRACE_SECONDS = 5 * 60

TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"
ON_DAYS = re.compile(rf"(?:every )?(?P<days>.+?) (?:at )?{TIME}")
BEFORE_MEETING = re.compile(rf"(?P<count>-?\d+) days? before (?:each|every) meeting(?:,? (?:at )?{TIME})?")
DAY_SEPARATOR = re.compile(r" ?(?:,|&|\band\b) ?")


class ScheduleError(ValueError):
    """A schedule or time zone setting that cannot be read; the message is one sentence saying how to fix it."""


@dataclass(frozen=True)
class Schedule:
    """When a job runs."""

    days: str
    hour: int
    minute: int
    before_meeting: int | None = None

    def trigger(self, timezone: datetime.tzinfo) -> CronTrigger:
        """The APScheduler trigger; a before-meeting digest fires daily and decides itself whether a meeting is due."""
        return CronTrigger(day_of_week=self.days, hour=self.hour, minute=self.minute, timezone=timezone)

    def describe(self) -> str:
        """The schedule as a person would say it, for start-up logs and help text."""
        time = f"{self.hour:02d}:{self.minute:02d}"
        if self.before_meeting is not None:
            unit = "day" if self.before_meeting == 1 else "days"
            return f"{self.before_meeting} {unit} before each meeting, at {time}"
        return f"{_describe_days(self.days)} at {time}"


def parse_schedule(text: str | None, setting: str, before_meeting_allowed: bool = False) -> Schedule | None:
    """None when unset, empty, "off" or "never"; otherwise the schedule the setting asks for, or a ScheduleError
    naming the setting and the forms it accepts."""
    words = " ".join((text or "").lower().split())
    if words in OFF_WORDS:
        return None
    shown = f'{setting} "{" ".join((text or "").split())}"'
    forms = (
        '"daily 02:00", "mon 08:00", "mon,thu 08:00" or "7 days before each meeting"'
        if before_meeting_allowed
        else '"daily 02:00", "mon 08:00" or "mon,thu 08:00"'
    )
    if before := BEFORE_MEETING.fullmatch(words):
        if not before_meeting_allowed:
            raise ScheduleError(
                f"{setting} cannot run before each meeting (only the digest can): write {forms} (24-hour time), "
                'or "off".'
            )
        count = int(before["count"])
        if count < 1:
            raise ScheduleError(
                f'{shown} must be at least 1 day before each meeting: write e.g. "7 days before each meeting" '
                'or "1 day before each meeting at 09:30".'
            )
        hour, minute = _time(before, shown) if before["hour"] else BEFORE_MEETING_DEFAULT_TIME
        return Schedule(days=EVERY_DAY, hour=hour, minute=minute, before_meeting=count)

    on_days = ON_DAYS.fullmatch(words)
    if not on_days or not (days := _cron_days(on_days["days"])):
        raise ScheduleError(f'{shown} is not a schedule: write {forms} (24-hour time), or "off".')
    hour, minute = _time(on_days, shown)
    return Schedule(days=days, hour=hour, minute=minute)


def configured_timezone(environ: Mapping[str, str] = os.environ) -> datetime.tzinfo:
    """MINUTEBOOK_TIMEZONE (an IANA name such as Europe/London) else the machine's local zone, so that "08:00" means
    08:00 where the council is, whatever zone the server happens to run in."""
    name = environ.get("MINUTEBOOK_TIMEZONE", "").strip()
    if not name:
        try:
            return tzlocal.get_localzone()
        except zoneinfo.ZoneInfoNotFoundError:
            raise ScheduleError(
                "This machine's time zone (TZ or /etc/localtime) cannot be read: set MINUTEBOOK_TIMEZONE to an IANA "
                'name such as "Europe/London".'
            ) from None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(
            f'MINUTEBOOK_TIMEZONE "{name}" is not a time zone: write an IANA name such as "Europe/London" or '
            '"America/New_York", or leave it unset to use this machine\'s zone.'
        ) from None


class Scheduler:
    """Runs jobs in a background thread while the bot answers; a job that fails is logged (with logger.exception, one
    line saying which job failed and when it runs next) and simply runs again at its next time; a job never runs twice
    at once (max_instances=1, coalesce=True, a misfire grace time of some minutes)."""

    def __init__(self, timezone: datetime.tzinfo) -> None:
        self.timezone = timezone
        self._scheduler = BackgroundScheduler(
            timezone=timezone,
            daemon=True,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        )

    def add(self, name: str, schedule: Schedule, job: Callable[[], object]) -> None:
        """Run `job` at the times `schedule` gives, in this scheduler's time zone."""
        self._add(name, schedule.trigger(self.timezone), job)

    def every(self, name: str, seconds: float, job: Callable[[], object], at_start: bool = False) -> None:
        """Run `job` every `seconds`, the first time `seconds` from now (as soon as the scheduler starts, with
        `at_start`: to catch up on what happened while the bot was stopped)."""
        first = datetime.datetime.now(self.timezone) if at_start else None
        self._add(name, IntervalTrigger(seconds=seconds, timezone=self.timezone), job, first)

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling and (unless not to `wait`) let running jobs finish; harmless if it never started."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    def next_runs(self) -> dict[str, datetime.datetime]:
        """Each job's next run time, for logging at start-up (before start, what it would be if started now)."""
        jobs = self._scheduler.get_jobs()
        if self._scheduler.running:
            return {job.id: job.next_run_time for job in jobs}
        now = datetime.datetime.now(self.timezone)
        return {job.id: job.trigger.get_next_fire_time(None, now) for job in jobs}

    def _add(
        self, name: str, trigger: BaseTrigger, job: Callable[[], object], first: datetime.datetime | None = None
    ) -> None:
        if self._scheduler.get_job(name):
            raise ValueError(f"A job called {name!r} is already scheduled.")

        def run_and_log_failure() -> None:
            try:
                job()
            except Exception:
                next_run = trigger.get_next_fire_time(None, datetime.datetime.now(self.timezone))
                logger.exception("The %s job failed; it runs again at %s.", name, f"{next_run:%a %d %b %Y %H:%M %Z}")

        when = {"next_run_time": first} if first else {}
        self._scheduler.add_job(run_and_log_failure, trigger, id=name, name=name, **when)


def _time(match: re.Match[str], shown: str) -> tuple[int, int]:
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ScheduleError(
            f"{shown} has no time {match['hour']}:{match['minute']}: write a 24-hour time from 00:00 to 23:59, "
            'as in "daily 02:00".'
        )
    return hour, minute


def _cron_days(words: str) -> str | None:
    """The APScheduler day_of_week for words such as "daily", "weekdays" or "mon and thu", or None if they are not
    days."""
    numbers = DAY_SET_WORDS.get(words) or _day_numbers(words.replace(" - ", "-"))
    if not numbers:
        return None
    if numbers == ALL_DAYS:
        return EVERY_DAY
    if numbers == MONDAY_TO_FRIDAY:
        return WEEKDAYS
    return ",".join(DAY_NAMES[number][:3] for number in sorted(numbers))


def _day_numbers(days: str) -> set[int] | None:
    """Weekday numbers (Monday 0) for a list of days and ranges such as "mon,thu" or "mon-fri"; None if any part is
    not a day or a range runs backwards."""
    numbers: set[int] = set()
    for part in DAY_SEPARATOR.split(days):
        first, _, last = part.partition("-")
        if first not in DAY_WORDS or (last and last not in DAY_WORDS):
            return None
        start, end = DAY_WORDS[first], DAY_WORDS[last or first]
        if end < start:
            return None
        numbers.update(range(start, end + 1))
    return numbers


def _describe_days(days: str) -> str:
    if days == EVERY_DAY:
        return "daily"
    numbers = _day_numbers(days)
    if not numbers:
        return days
    if numbers == MONDAY_TO_FRIDAY:
        return "weekdays"
    if numbers == WEEKEND:
        return "weekends"
    names = [f"{DAY_NAMES[number].capitalize()}s" for number in sorted(numbers)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
