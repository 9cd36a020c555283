"""The chunker: verbatim spans inside one item, whole paragraphs, sentence splits, the model's token limit."""

import datetime as dt

from index.chunk import chunk_document, sentence_spans, word_count_tokens
from index.parse import parse_bytes
from tests.conftest import CYP

LONG = " ".join(
    f"Sentence {n} says that Cllr. Patel asked about St. Mary's school and £1.2m of e.g. transport costs."
    for n in range(1, 41)
)
MINUTES = f"""Agenda item

Foster Carer Recruitment

Minutes:

Short opening paragraph about 23 new foster carers.

{LONG}

Resolved

That the report be noted.

Agenda item

Youth Service Funding

Minutes:

Funding of £310,000 was confirmed for 2024/25.
"""


def test_chunks_are_verbatim_within_one_item_and_never_mix_decisions():
    document = parse_bytes(MINUTES.encode(), "m.txt", committee="CYP", date=dt.date(2024, 3, 12))
    chunks = chunk_document(document, max_tokens=128)
    assert {chunk.item_index for chunk in chunks} == {0, 1}
    for chunk in chunks:
        item = document.items[chunk.item_index]
        assert item.paragraphs[0].start <= chunk.start < chunk.end <= item.paragraphs[-1].end
        assert document.text[chunk.start : chunk.end].strip() == document.text[chunk.start : chunk.end]
        assert sum(word_count_tokens([chunk.context, document.text[chunk.start : chunk.end]])) <= 128
    assert chunks[0].context == "CYP — Foster Carer Recruitment"
    assert document.text[chunks[0].start : chunks[0].end].startswith("Short opening paragraph")
    decision = [chunk for chunk in chunks if chunk.kind == "decision"]
    assert [document.text[c.start : c.end] for c in decision] == ["That the report be noted."]
    middle = [document.text[c.start : c.end] for c in chunks if "Sentence" in document.text[c.start : c.end]]
    assert len(middle) > 3
    assert all(text.startswith(("Sentence", "Short")) and text.endswith("costs.") for text in middle)


def test_sentences_survive_abbreviations():
    text = "Cllr. Patel asked about St. Mary's. The cost was £1.2m, e.g. for No. 3 route. Dr. Jones agreed."
    assert [text[a:b] for a, b in sentence_spans(text, 0, len(text))] == [
        "Cllr. Patel asked about St. Mary's.",
        "The cost was £1.2m, e.g. for No. 3 route.",
        "Dr. Jones agreed.",
    ]


def test_one_enormous_sentence_is_cut_at_words():
    document = parse_bytes(("word " * 2000).encode(), "w.txt")
    chunks = chunk_document(document, max_tokens=100)
    assert len(chunks) > 10
    assert all(not document.text[c.start : c.end].startswith(" ") for c in chunks)
    assert all(size <= 98 for size in word_count_tokens([document.text[c.start : c.end] for c in chunks]))


def test_real_tokenizer_limit_on_the_seed(seed_path, embedder):
    document = parse_bytes(seed_path.read_bytes(), str(seed_path), committee=CYP)
    for chunk in chunk_document(document, embedder.max_tokens, embedder.count_tokens):
        text = document.text[chunk.start : chunk.end]
        embedded = f"{chunk.context}\n{' '.join(text.split())}"
        assert len(embedder.model.tokenizer(embedded)["input_ids"]) <= embedder.max_tokens
        assert text in seed_path.read_text(encoding="utf-8")
