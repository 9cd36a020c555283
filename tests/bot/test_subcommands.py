"""Which /minutes texts are subcommands and which are questions (the explicit table), and when a channel's committee
limits a question."""

import re

import pytest
import yaml

from bot.channels import scoped
from bot.slack.blocks import HOW_TO_ASK
from bot.slack.listeners.commands import SUBCOMMANDS, subcommand_of
from tests.conftest import ROOT


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


def test_every_subcommand_is_in_the_help_and_the_manifests_usage_hint():
    """A subcommand lives in three places: its table, the help people read, and the hint Slack shows as they type."""
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    [command] = manifest["features"]["slash_commands"]
    for word in SUBCOMMANDS:
        assert re.search(rf"\b{word}\b", command["usage_hint"]), f"the manifest's usage hint leaves out {word}"
        assert f"/minutes {word}" in HOW_TO_ASK or word == "help", f"the help leaves out /minutes {word}"
