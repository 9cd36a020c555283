"""The one chunker: structure-aware, verbatim spans that fit the embedding model.

Chunks never cross an agenda item, never mix discussion with a decision, pack
whole paragraphs, and split an over-long paragraph at sentence boundaries (at
word boundaries only for a sentence that alone is too long).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .document import Document, Item

TokenCounter = Callable[[str], int]

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "cllr", "cllrs", "st", "no", "nos", "e.g", "i.e", "etc", "prof", "rev", "hon",
    "vs", "approx", "co", "ltd", "inc", "para", "paras", "ref", "cf", "dept", "govt", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "lib", "con", "cons", "lab", "min",
    "max", "fig", "vol", "p", "pp", "ed", "est", "nr", "tel", "ext", "mt", "rt", "sr", "jr", "av", "ave",
}  # fmt: skip
SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]*\s+(?=[\"'‘“(\[]?[A-Z0-9£])")
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    """A verbatim span of a document, `document.text[start:end]`, inside one agenda item."""

    item_index: int
    start: int
    end: int
    kind: str
    speakers: tuple[str, ...]
    context: str


def word_count_tokens(text: str) -> int:
    """A cautious stand-in for a tokenizer: WordPiece averages about 1.3 tokens a word."""
    return int(len(text.split()) * 1.4) + 1


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence boundaries in text[start:end], not fooled by "Cllr.", "e.g." or "£1.2m"."""
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for match in SENTENCE_END.finditer(text, start, end):
        before = text[sentence_start : match.start()].split()
        last_word = before[-1].lower().rstrip(".").lstrip("(\"'‘“") if before else ""
        if last_word in ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        spans.append((sentence_start, match.start() + len(match.group().rstrip())))
        sentence_start = match.end()
    if sentence_start < end:
        spans.append((sentence_start, end))
    return spans


def _word_windows(text: str, start: int, end: int, budget: int, count: TokenCounter) -> Iterator[tuple[int, int]]:
    """Cut a sentence that alone is over budget at word boundaries."""
    window_start: int | None = None
    window_end = start
    for word in WORD.finditer(text, start, end):
        if window_start is not None and count(text[window_start : word.end()]) > budget:
            yield window_start, window_end
            window_start = None
        if window_start is None:
            window_start = word.start()
        window_end = word.end()
    if window_start is not None:
        yield window_start, window_end


def context_line(document: Document, item: Item, kind: str = "text") -> str:
    """What is embedded before a chunk: its committee, agenda item, and whether it is a decision."""
    parts = [part for part in (document.committee, item.title) if part]
    if kind == "decision":
        parts.append("Resolved (decision)")
    return " — ".join(parts)


def chunk_document(
    document: Document, max_tokens: int = 256, count_tokens: TokenCounter = word_count_tokens
) -> list[Chunk]:
    """Split a document into chunks whose embedded text (context + passage) fits `max_tokens`."""
    chunks: list[Chunk] = []
    text = document.text
    for item_index, item in enumerate(document.items):
        context = context_line(document, item, "decision")
        budget = max(32, max_tokens - 2 - (count_tokens(context) + 1))
        units: list[tuple[int, int, int, str, tuple[str, ...]]] = []
        for paragraph in item.paragraphs:
            size = count_tokens(text[paragraph.start : paragraph.end])
            if size <= budget:
                units.append((paragraph.start, paragraph.end, size, paragraph.kind, paragraph.speakers))
                continue
            for sentence_start, sentence_end in sentence_spans(text, paragraph.start, paragraph.end):
                for piece_start, piece_end in _word_windows(text, sentence_start, sentence_end, budget, count_tokens):
                    piece_size = count_tokens(text[piece_start:piece_end])
                    units.append((piece_start, piece_end, piece_size, paragraph.kind, paragraph.speakers))

        pack: list[tuple[int, int, int, str, tuple[str, ...]]] = []
        for unit in [*units, None]:
            fits = (
                unit is not None
                and pack
                and unit[3] == pack[0][3]
                and sum(size for _, _, size, _, _ in pack) + unit[2] <= budget
            )
            if pack and not fits:
                speakers = tuple(dict.fromkeys(name for *_, names in pack for name in names))
                kind = pack[0][3]
                chunks.append(
                    Chunk(item_index, pack[0][0], pack[-1][1], kind, speakers, context_line(document, item, kind))
                )
                pack = []
            if unit is not None:
                pack.append(unit)
    return chunks
