#!/usr/bin/env python3
"""How fast Minutebook reads PDF minutes: pages per second with a text layer, and by OCR.

    python scripts/bench_pdf.py [FOLDER]      # default: ../shared/eval/real-minutes/souldern

Each file is read as ingest reads it (text, title block, items, decisions), without embedding. Files with a text
layer are timed apart from scans, which Tesseract reads (when it is installed). One JSON line is printed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.parse import ParseError, parse_bytes  # noqa: E402
from index.parse.pdf import tesseract_available  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "eval" / "real-minutes" / "souldern"


def pages_with_text(path: Path) -> tuple[int, bool]:
    document = pypdfium2.PdfDocument(path)
    try:
        return len(document), any(page.get_textpage().get_text_range().strip() for page in document)
    finally:
        document.close()


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER
    files = sorted(folder.glob("*.pdf"))
    if not files:
        sys.exit(f"No PDF files in {folder}: give a folder of minutes PDFs.")
    timings: dict[str, list[float]] = {"text": [0.0, 0.0], "scanned": [0.0, 0.0]}
    skipped = []
    for path in files:
        pages, has_text = pages_with_text(path)
        kind = "text" if has_text else "scanned"
        if kind == "scanned" and not tesseract_available():
            continue
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            parse_bytes(data, path.name)
        except ParseError as error:
            skipped.append(f"{path.name}: {error}")
        timings[kind][0] += pages
        timings[kind][1] += time.perf_counter() - started
    result = {
        f"{kind}_pages": int(pages) for kind, (pages, _) in timings.items()
    } | {
        f"{kind}_pages_per_s": round(pages / seconds, 2) if seconds else None
        for kind, (pages, seconds) in timings.items()
    } | {"skipped": skipped}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
