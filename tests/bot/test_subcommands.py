"""Which /minutes texts are subcommands and which are questions: the explicit table, not string prefixes."""

import pytest

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
