"""Local-government terms and the everyday words people ask with, so that a question reaches minutes that name its
subject otherwise: "lone child asylum seekers" reaches "unaccompanied asylum-seeking children" and "UASC".

`glossary.tsv` holds one concept a row: `terms`, the words minutes use for it (all meaning the same, abbreviations
included); `asked_as`, everyday phrasings that mean it, only ever looked for in questions; and `source`, a public
source that defines the terms. A question that names a row by one of its phrasings gets the row's terms as
translations; one that names it by a term gets the other terms as variants, which search weighs less unless the
minutes never use the question's term (docs/retrieval.md). Words match whatever their plural; an abbreviation in
capitals ("SEND", "LAC") matches only in capitals, so that "send" and "lac" are left alone.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("glossary.tsv")
WORD = re.compile(r"[^\W_]+")
POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One concept: the minutes' words for it, the everyday words for it, and who defines it."""

    terms: tuple[str, ...]
    asked_as: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class _Pattern:
    """A term or phrasing as it is matched: an abbreviation by its exact capitals, anything else by word stems."""

    abbreviation: str | None
    stems: tuple[str, ...]


def _words(text: str) -> list[str]:
    return WORD.findall(POSSESSIVE.sub("", text))


def _stem(word: str) -> str:
    """The word in lower case without a plural ending, so that "plots" matches "plot" and "bodies" "body"."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_abbreviation(words: list[str]) -> bool:
    return len(words) == 1 and sum(letter.isupper() for letter in words[0]) >= 2


def _pattern(text: str) -> _Pattern:
    words = _words(text)
    return _Pattern(words[0] if _is_abbreviation(words) else None, tuple(_stem(word) for word in words))


@cache
def load_glossary(path: Path = GLOSSARY_FILE) -> tuple[Entry, ...]:
    """Every entry of the glossary file, read once."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    return tuple(
        Entry(
            terms=tuple(term.strip() for term in row["terms"].split("|") if term.strip()),
            asked_as=tuple(phrase.strip() for phrase in row["asked_as"].split("|") if phrase.strip()),
            source=row["source"].strip(),
        )
        for row in rows
    )


@cache
def _patterns(entries: tuple[Entry, ...]) -> tuple[tuple[Entry, tuple[_Pattern, ...], tuple[_Pattern, ...]], ...]:
    return tuple(
        (entry, tuple(_pattern(term) for term in entry.terms), tuple(_pattern(phrase) for phrase in entry.asked_as))
        for entry in entries
    )


def _found(pattern: _Pattern, words: list[str], stems: list[str]) -> bool:
    if pattern.abbreviation:
        wanted = pattern.abbreviation
        return any(word in (wanted, wanted + "s") or (word.isupper() and word == wanted.upper()) for word in words)
    size = len(pattern.stems)
    return size > 0 and any(tuple(stems[start : start + size]) == pattern.stems for start in range(len(stems)))


@dataclass(frozen=True)
class Variants:
    """The glossary's other terms for a concept the question names in one of its terms."""

    named: tuple[str, ...]
    others: tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    """What the glossary adds to a question. `translations` are the minutes' words for concepts the question names
    only in everyday words: they stand in for words the minutes do not use. `variants` are the other words (spellings,
    abbreviations, synonyms) for concepts the question already names in one of the glossary's terms."""

    translations: tuple[str, ...] = ()
    variants: tuple[Variants, ...] = ()


def expand(question: str, entries: tuple[Entry, ...] | None = None) -> Expansion:
    """The glossary's terms for what the question names, in glossary order, leaving out those it already uses;
    empty when it names nothing in the glossary."""
    words = _words(question)
    stems = [_stem(word) for word in words]
    translations: dict[str, None] = {}
    variants: list[Variants] = []
    for entry, terms, asked_as in _patterns(entries if entries is not None else load_glossary()):
        used = [_found(pattern, words, stems) for pattern in terms]
        if any(used):
            named = tuple(term for term, in_question in zip(entry.terms, used, strict=True) if in_question)
            variants.append(Variants(named, tuple(term for term in entry.terms if term not in named)))
        elif any(_found(pattern, words, stems) for pattern in asked_as):
            translations.update((term, None) for term in entry.terms)
    return Expansion(tuple(translations), tuple(variants))
