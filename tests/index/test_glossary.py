"""The glossary that lets a question asked in other words reach the minutes: its data, its expansion of questions,
and what it changes in the real search."""

import json
from pathlib import Path

import pytest

from index.embed import ModelChoice
from index.glossary import Entry, Expansion, expand, load_glossary
from index.pipeline import ingest
from index.search import search
from index.store import Store
from tests.conftest import DATA, REAL_MINUTES


def added_terms(question: str) -> set[str]:
    added = expand(question)
    return set(added.translations) | {term for concept in added.variants for term in concept.others}


PARAPHRASES = [json.loads(line) for line in (DATA / "paraphrases.jsonl").read_text().splitlines() if line.strip()]


def test_every_entry_has_terms_and_a_source():
    entries = load_glossary()
    assert 150 <= len(entries) <= 300
    for entry in entries:
        assert entry.terms, entry
        assert len(entry.source) > 5, entry


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What have we done for lone child asylum seekers?", {"unaccompanied asylum-seeking children", "UASC"}),
        ("Have we found any new members?", {"co-option", "co-opted"}),
        ("Who did the independent check of the accounts?", {"internal audit"}),
        ("What was in this year's funding deal?", {"finance settlement"}),
        ("How much did the s106 agreement bring in?", {"planning obligation", "developer contributions"}),
        ("Is the CIL money spent?", {"community infrastructure levy"}),
        ("Did the MTFP change?", {"medium term financial strategy", "MTFS"}),
        ("How many EHCPs were late?", {"education health and care plan", "EHC plan"}),
        ("How many kids in care are placed out of county?", {"looked after children", "LAC", "CLA"}),
        ("Where is the heart machine?", {"defibrillator", "AED"}),
        ("Was the flashing speed sign moved?", {"vehicle activated sign", "VAS"}),
        ("Which footpaths are blocked?", {"public right of way", "PROW"}),
        ("What was on the consent agenda?", {"consent calendar"}),
        ("Did the township trustees raise the millage?", {"levy", "board of trustees"}),
        ("Is the CIP funded?", {"capital improvement program"}),
    ],
)
def test_a_question_is_expanded_with_the_minutes_words(question, expected):
    assert expected <= added_terms(question)


def test_a_question_without_glossary_terms_is_unchanged():
    assert expand("What did the committee say about the weather on Tuesday?") == Expansion()


def test_abbreviations_match_only_in_capitals():
    assert expand("When will we send the letter?") == Expansion()
    assert "special educational needs" in added_terms("What is happening with SEND transport?")
    assert "police community support officer" in added_terms("How often do the PCSOs visit?")


def test_terms_the_question_already_uses_are_not_added():
    added = added_terms("What did the internal audit find about the precept?")
    assert "internal audit" not in added and "precept" not in added
    assert "internal auditor" in added and "council tax precept" in added


def test_everyday_words_are_translated_and_the_minutes_words_get_variants():
    """Everyday words stand for words the minutes do not use; a term of the glossary in the question has the other
    terms for its concept as variants, which search uses only when the minutes never use the question's term."""
    assert expand("Have we had any new members?") == Expansion(
        translations=("co-option", "co-opted", "co-opt", "co-opting", "co-optee")
    )
    uasc = expand("Is UASC funding going up?")
    assert uasc.translations == ()
    assert [concept.named for concept in uasc.variants] == [("UASC",)]
    assert "unaccompanied asylum-seeking children" in uasc.variants[0].others


def test_plurals_and_possessives_match():
    assert added_terms("Who are the co-optees?") == added_terms("Who is the co-optee?")
    assert "internal audit" in expand("the councils' independent checks of the accounts").translations


def test_a_glossary_file_is_read_by_its_columns(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text("terms\tasked_as\tsource\nwheelie bin|WB\tbin with wheels| \tA made-up source\n")
    entries = load_glossary(path)
    assert entries == (Entry(terms=("wheelie bin", "WB"), asked_as=("bin with wheels",), source="A made-up source"),)
    assert expand("Who empties the bin with wheels?", entries) == Expansion(translations=("wheelie bin", "WB"))


MINUTES = {
    "finance.txt": """MINUTES OF THE MEETING OF ASHCOMBE PARISH COUNCIL HELD ON 14th March 2024

1. Internal audit
The internal audit report for 2023/24 was received from the auditor. No recommendations were made and the
council's controls were found to be sound.

2. Village fete
The fete raised £412. The accounts of the fete committee will be checked by the treasurer of the fete committee
before the money is handed to the school.

3. Settlement
The provisional local government finance settlement was announced on 18 December; core spending power rises by
6.5 per cent.

4. Leisure centre
The deal with the leisure centre operator was signed. Funding for the swimming pool remains uncertain.

5. Special educational needs
Of the 212 new EHC plans this year, 38 per cent were issued within the statutory 20 weeks.

6. Planning
The premises licence for the Mill Farm festival was issued within 20 weeks; how many visitors it allows was not said.
""",
}


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, embedder) -> Store:
    folder = tmp_path_factory.mktemp("glossary-minutes")
    for name, text in MINUTES.items():
        (folder / name).write_text(text)
    store = Store(tmp_path_factory.mktemp("glossary-index"), create=True)
    report = ingest([str(folder)], store, ModelChoice())
    assert not report.failed, report.failed
    return store


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Who did the independent check of the accounts this year?", "The internal audit report"),
        ("What was in this year's funding deal?", "The provisional local government finance settlement"),
        ("How many EHCPs were issued within 20 weeks?", "Of the 212 new EHC plans"),
    ],
)
def test_a_paraphrased_question_finds_the_passage_only_with_the_glossary(small_index, embedder, question, passage):
    """Without the glossary the passage that shares the question's words comes first (the fete's accounts, the
    leisure centre's deal, the licence issued within 20 weeks); with it, the passage in the minutes' own words. The
    minutes never write "EHCP", so its variants are searched in its place."""
    assert not search(small_index, embedder, question, k=1, glossary=False).passages[0].text.startswith(passage)
    assert search(small_index, embedder, question, k=1).passages[0].text.startswith(passage)


def test_a_question_in_the_minutes_words_is_searched_as_before(small_index, embedder):
    """ "internal audit" is in the minutes: its variants ("internal auditor", …) are not searched, nothing changes."""
    question = "What did the internal audit find?"
    assert expand(question).variants
    with_glossary = search(small_index, embedder, question, k=3)
    assert with_glossary.passages == search(small_index, embedder, question, k=3, glossary=False).passages


@pytest.mark.skipif(not REAL_MINUTES.exists(), reason="../shared/eval/real-minutes is not beside this checkout")
def test_paraphrased_questions_on_real_parish_minutes(tmp_path, embedder):
    """Questions in other words than the minutes (tests/data/paraphrases.jsonl, written after the glossary and not
    used to tune it) over the files they are about: how many find their passage in the top three."""
    store = Store(tmp_path, create=True)
    files = sorted({str(REAL_MINUTES / case["file"]) for case in PARAPHRASES})
    assert not ingest(files, store, ModelChoice()).failed
    found = {True: 0, False: 0}
    for case in PARAPHRASES:
        for with_glossary in found:
            passages = search(store, embedder, case["question"], k=3, glossary=with_glossary).passages
            found[with_glossary] += any(
                Path(passage.document).name == Path(case["file"]).name
                and all(word in " ".join(passage.text.split()) for word in case["answer_words"])
                for passage in passages
            )
    print(f"paraphrases in the top 3: {found[True]} of {len(PARAPHRASES)} with the glossary, {found[False]} without")
    assert found[True] > found[False]
