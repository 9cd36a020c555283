"""Block Kit rendering: Slack's limits, quotes cut at sentences, grouping, escaping."""

import datetime as dt

from bot.slack.blocks import TEXT_LIMIT, answer_message, how_long_ago, shorten
from index.filters import Filters
from index.search import Answer, Passage
from tests.conftest import TODAY


def passage(text: str, item: str = "Flood Defences", date=dt.date(2024, 6, 11), rank: int = 0, **fields) -> Passage:
    values = dict(
        chunk_id=rank, text=text, document="minutes/environment/2024-06-11-minutes.pdf", url=None,
        committee="Environment and Transport Committee", date=date, item=item, item_number="6",
        kind="text", speakers=None, score=1.0 - rank / 100, similarity=0.6,
    )  # fmt: skip
    values.update(fields)
    return Passage(**values)


def texts(message: dict) -> list[str]:
    found = []
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                found.append(element["text"])
    return found


def test_a_long_passage_is_cut_at_a_sentence_within_the_limit():
    sentences = " ".join(f"Sentence number {n} explains the £4.8m scheme at Lower Brandling." for n in range(400))
    message = answer_message(Answer("flood scheme?", [passage(sentences)], True), 7, TODAY)
    quote = next(text for text in texts(message) if text.startswith(">"))
    assert len(quote) <= TEXT_LIMIT
    assert quote.endswith("Lower Brandling. …")
    assert all(len(text) <= TEXT_LIMIT for text in texts(message))
    assert len(message["text"]) <= TEXT_LIMIT


def test_shorten_never_cuts_a_word():
    text = "word " * 1000
    cut = shorten(text.strip(), 100)
    assert cut.endswith(" …") and len(cut) <= 100
    assert text.startswith(cut.removesuffix(" …") + " ")


def test_many_passages_stay_under_fifty_blocks():
    passages = [passage(f"Passage {n}.", item=f"Item {n}", rank=n) for n in range(60)]
    message = answer_message(Answer("anything", passages, True), 3, TODAY)
    assert len(message["blocks"]) <= 50
    assert message["blocks"][-1]["type"] == "actions"


def test_passages_of_one_item_share_one_citation():
    passages = [
        passage("First of the flood item.", rank=0),
        passage("About buses.", item="Route 47", rank=1),
        passage("Second of the flood item.", rank=2),
    ]
    message = answer_message(Answer("flood", passages, True), 1, TODAY)
    kinds = [block["type"] for block in message["blocks"]]
    assert kinds == ["section", "section", "section", "context", "section", "context", "actions"]
    citation = message["blocks"][3]["elements"][0]["text"]
    assert citation == (
        "*Environment and Transport Committee* · 11 June 2024 (2 years ago) · 6. Flood Defences"
        " · 2024-06-11-minutes.pdf"
    )


def test_the_citation_names_the_council_when_the_committee_does_not_and_says_when_text_was_read_by_ocr():
    cabinet = passage("Cabinet agreed the uplift.", committee="Cabinet", council="Northfield County Council")
    parish = passage("The PC agreed.", committee="Souldern Parish Council", council="Souldern Parish Council", ocr=True)
    cabinet_citation, parish_citation = (
        next(
            block["elements"][0]["text"]
            for block in answer_message(Answer("q", [each], True), 1, TODAY)["blocks"]
            if block["type"] == "context" and "11 June 2024" in block["elements"][0]["text"]
        )
        for each in (cabinet, parish)
    )
    assert cabinet_citation.startswith("*Cabinet (Northfield County Council)* · 11 June 2024")
    assert parish_citation.startswith("*Souldern Parish Council* · 11 June 2024")
    assert parish_citation.endswith("_text read by OCR from a scanned page_")
    assert "OCR" not in cabinet_citation


def test_markup_in_minutes_is_escaped_and_links_kept():
    message = answer_message(
        Answer("q", [passage("Costs <b>rose</b> & fell > 5%", url="https://council.example/mgAi.aspx?ID=1")], True),
        1,
        TODAY,
    )
    shown = "\n".join(texts(message))
    assert "> Costs &lt;b&gt;rose&lt;/b&gt; &amp; fell &gt; 5%" in shown
    assert "<https://council.example/mgAi.aspx?ID=1|2024-06-11-minutes.pdf>" in shown


def test_unanswered_questions_say_so_and_label_the_nearest_passages():
    message = answer_message(
        Answer("capital of France?", [passage("Unrelated.")], False, Filters(committee="Cabinet")), 2, TODAY
    )
    shown = texts(message)
    assert shown[0] == "I couldn't find anything in the minutes that answers “capital of France?”."
    assert "Filters: committee “Cabinet”" in shown
    assert "*Nearest passages* (these may not answer your question)" in shown
    assert message["text"].startswith("Nothing in the minutes answers this")


def test_how_long_ago():
    assert how_long_ago(TODAY, TODAY) == "today"
    assert how_long_ago(dt.date(2026, 11, 1), TODAY) == "28 days ago"
    assert how_long_ago(dt.date(2026, 5, 29), TODAY) == "6 months ago"
    assert how_long_ago(dt.date(2019, 11, 4), TODAY) == "7 years ago"


def test_slack_markup_is_taken_out_of_questions():
    from bot.slack.answering import question_from_slack

    assert question_from_slack("<@U0MINUTEBOOK> what about <https://x.example/a|the Route 47 report> &amp; buses?") == (
        "what about the Route 47 report & buses?"
    )
    assert question_from_slack("<@U0MINUTEBOOK>   ") == ""
