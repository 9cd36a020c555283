"""Which /minutes texts are subcommands and which are questions (the explicit table), and when a channel's committee
limits a question."""

import pytest

from bot.channels import scoped
from bot.slack.listeners.commands import SUBCOMMANDS, subcommand_of


@pytest.mark.parametrize(
    ("text", "name", "rest"),
    [
        ("", "help", ""),
        ("help", "help", ""),
        ("Help?", "help", ""),
        ("status", "status", ""),
        ("promises", "promises", ""),
        ("promises school transport", "promises", "school transport"),
        ("Promises: school transport", "promises", "school transport"),
    ],
)
def test_a_subcommand_is_its_first_word_in_the_table(text, name, rest):
    assert subcommand_of(text) == (SUBCOMMANDS[name], rest)


@pytest.mark.parametrize(
    "text",
    [
        "status of the library refurbishment?",
        "help for young carers",
        "what was promised about school transport?",
        "promised updates on school transport",
    ],
)
def test_words_after_a_subcommand_that_takes_none_make_a_question(text):
    assert subcommand_of(text) == (None, text)


@pytest.mark.parametrize(
    ("question", "searched", "committee"),
    [
        ("what did we decide about potholes?", "what did we decide about potholes?", "Cabinet"),
        ('committee:"Planning" what did we decide?', 'committee:"Planning" what did we decide?', None),
        ("what did we decide about potholes across all committees?", "what did we decide about potholes?", None),
        ("What was said in every committee about parking?", "What was said about parking?", None),
    ],
)
def test_a_channel_committee_applies_unless_the_question_says_otherwise(question, searched, committee):
    rest, filters, scope = scoped(question, "Cabinet")
    assert (rest, filters.committee, scope) == (searched, committee, committee)
    assert scoped(question, None)[2] is None
