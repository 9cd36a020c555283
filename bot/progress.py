"""Progress bars for the commands that take a while (ingest, a ModernGov sync), drawn from what `index` reports."""

from __future__ import annotations

import sys
from types import TracebackType

import click
from tqdm import tqdm


class Bars:
    """One tqdm bar per unit of work ("file", "chunk"…), on stderr when it is a terminal, and nothing otherwise;
    `say` prints a line above the bars without breaking them."""

    def __init__(self, *units: str) -> None:
        show = sys.stderr.isatty()
        self.bars = {
            unit: tqdm(total=0, desc=f"{unit}s", unit=unit, disable=not show, position=place)
            for place, unit in enumerate(units)
        }

    def planned(self, unit: str, count: int) -> None:
        self.bars[unit].total += count
        self.bars[unit].refresh()

    def started(self, unit: str, note: str) -> None:
        self.bars[unit].set_postfix_str(note)

    def done(self, unit: str, count: int = 1) -> None:
        self.bars[unit].update(count)

    def say(self, message: str, err: bool = False) -> None:
        with tqdm.external_write_mode(file=sys.stderr):
            click.echo(message, err=err)

    def __enter__(self) -> Bars:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for bar in self.bars.values():
            bar.close()
