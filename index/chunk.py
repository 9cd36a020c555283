"""The one chunker: structure-aware, verbatim spans that fit the embedding model.

Chunks never cross an agenda item, never mix discussion with a decision, pack
whole paragraphs, and split an over-long paragraph at sentence boundaries (at
word boundaries only for a sentence that alone is too long).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .document import Document, Item
from .embed import MAX_TOKENS

TokenCounter = Callable[[list[str]], list[int]]
CHUNK_TOKENS = 128

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
    ocr: bool = False


def word_count_tokens(texts: list[str]) -> list[int]:
    """A cautious stand-in for a tokenizer: WordPiece averages about 1.3 tokens a word."""
    return [int(len(text.split()) * 1.4) + 1 for text in texts]


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
    """Cut a sentence that alone is over budget at word boundaries (a window's size is the sum of its words')."""
    words = list(WORD.finditer(text, start, end))
    sizes = count([word.group() for word in words])
    window_start: int | None = None
    window_end, total = start, 0
    for word, size in zip(words, sizes, strict=True):
        if window_start is not None and total + size > budget:
            yield window_start, window_end
            window_start, total = None, 0
        if window_start is None:
            window_start = word.start()
        window_end, total = word.end(), total + size
    if window_start is not None:
        yield window_start, window_end


def context_line(document: Document, item: Item, kind: str = "text") -> str:
    """What is embedded before a chunk: its committee, agenda item, and whether it is a decision."""
    parts = [part for part in (document.meeting_of(item).committee, item.title) if part]
    if kind == "decision":
        parts.append("Resolved (decision)")
    return " — ".join(parts)


class Unit(NamedTuple):
    """A whole paragraph, or a sentence of one that is too long to embed whole."""

    start: int
    end: int
    size: int
    kind: str
    speakers: tuple[str, ...]
    ocr: bool


def _units(document: Document, item: Item, budget: int, count_tokens: TokenCounter) -> list[Unit]:
    text = document.text
    units: list[Unit] = []
    sizes = count_tokens([text[paragraph.start : paragraph.end] for paragraph in item.paragraphs])
    for paragraph, size in zip(item.paragraphs, sizes, strict=True):
        if size <= budget:
            units.append(Unit(paragraph.start, paragraph.end, size, paragraph.kind, paragraph.speakers, paragraph.ocr))
            continue
        pieces = [
            piece
            for sentence_start, sentence_end in sentence_spans(text, paragraph.start, paragraph.end)
            for piece in _word_windows(text, sentence_start, sentence_end, budget, count_tokens)
        ]
        piece_sizes = count_tokens([text[piece_start:piece_end] for piece_start, piece_end in pieces])
        for (piece_start, piece_end), piece_size in zip(pieces, piece_sizes, strict=True):
            units.append(Unit(piece_start, piece_end, piece_size, paragraph.kind, paragraph.speakers, paragraph.ocr))
    return units


def _packs(units: list[Unit], budget: int, overlap: bool) -> list[tuple[int, int]]:
    """(first, last) unit indexes of each chunk: as many whole units of one kind as fit the budget. With `overlap`,
    the next chunk starts half-way through the previous one, so that no passage is cut in two by a chunk edge."""
    packs: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last, total = first, units[first].size
        while last + 1 < len(units) and units[last + 1].kind == units[first].kind:
            if total + units[last + 1].size > budget:
                break
            last += 1
            total += units[last].size
        packs.append((first, last))
        following = last + 1
        if overlap and following < len(units) and units[following].kind == units[first].kind:
            middle, covered = first + 1, units[first].size
            while middle < last and covered + units[middle].size <= total / 2:
                covered += units[middle].size
                middle += 1
            if middle <= last and total - covered + units[following].size <= budget:
                following = middle
        first = following
    return packs


def chunk_document(
    document: Document,
    max_tokens: int = MAX_TOKENS,
    count_tokens: TokenCounter = word_count_tokens,
    overlap: bool = True,
) -> list[Chunk]:
    """Split a document into overlapping chunks of about CHUNK_TOKENS whose embedded text (context + passage) also
    fits the model's `max_tokens`. Short, overlapping windows retrieve best (docs/retrieval.md)."""
    chunks: list[Chunk] = []
    for item_index, item in enumerate(document.items):
        context = count_tokens([context_line(document, item, "decision")])[0] + 1
        budget = max(32, min(CHUNK_TOKENS, max_tokens - 2 - context))
        units = _units(document, item, budget, count_tokens)
        for first, last in _packs(units, budget, overlap):
            pack = units[first : last + 1]
            speakers = tuple(dict.fromkeys(name for unit in pack for name in unit.speakers))
            kind = pack[0].kind
            chunks.append(
                Chunk(
                    item_index,
                    pack[0].start,
                    pack[-1].end,
                    kind,
                    speakers,
                    context_line(document, item, kind),
                    ocr=any(unit.ocr for unit in pack),
                )
            )
    return chunks
