"""How long work (an ingest, a ModernGov sync) tells its caller how far it has got, without drawing anything: the
command line draws bars from it, a library caller may pass nothing."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Counts of work by unit ("file", "meeting", "chunk"): `planned` as more of it becomes known, `started` with a
    short note on what is in hand, `done` as it is finished."""

    def planned(self, unit: str, count: int) -> None: ...

    def started(self, unit: str, note: str) -> None: ...

    def done(self, unit: str, count: int = 1) -> None: ...


class Unseen:
    """Progress that nobody watches."""

    def planned(self, unit: str, count: int) -> None:
        pass

    def started(self, unit: str, note: str) -> None:
        pass

    def done(self, unit: str, count: int = 1) -> None:
        pass
