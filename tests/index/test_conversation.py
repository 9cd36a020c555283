"""Follow-up questions read with the question before them: subject, committee and period carried, or replaced."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from index.conversation import first_turn, follow_on, leans_on_the_last, topic_of
from index.filters import Filters

FLOODS = 'committee:"Cabinet" what did we decide about flood defences in 2019?'
YEAR_2019 = (dt.date(2019, 1, 1), dt.date(2019, 12, 31))


def test_a_first_question_is_searched_as_asked_within_what_it_writes():
    turn = first_turn(FLOODS)
    assert turn.question == "what did we decide about flood defences in 2019?"
    assert turn.topic == "what did we decide about flood defences"
    assert turn.filters == Filters(committee="Cabinet")
    assert turn.period == YEAR_2019


@pytest.mark.parametrize(
    "follow_up",
    ["what did they decide in the end?", "Who is responsible?", "and when is it due?", "how much did it cost?"],
)
def test_a_follow_up_without_a_subject_asks_about_the_one_before(follow_up):
    turn = follow_on(first_turn(FLOODS), follow_up, shown=5)
    assert turn.question.endswith("— what did we decide about flood defences")
    assert turn.topic == "what did we decide about flood defences"
    assert turn.filters == Filters(committee="Cabinet", after=YEAR_2019[0], before=YEAR_2019[1])
    assert turn.follows == "what did we decide about flood defences in 2019?"


def test_a_follow_up_with_a_subject_of_its_own_keeps_the_committee_and_period():
    turn = follow_on(first_turn(FLOODS), "and what about the playground?", shown=5)
    assert turn.question == "what about the playground"
    assert turn.filters == Filters(committee="Cabinet", after=YEAR_2019[0], before=YEAR_2019[1])


def test_a_follow_up_that_points_back_adds_the_subject_before():
    turn = follow_on(first_turn(FLOODS), "was the Lower Brandling scheme part of it?", shown=5)
    assert turn.question == "was the Lower Brandling scheme part of it — what did we decide about flood defences"


@pytest.mark.parametrize(
    ("follow_up", "period"),
    [
        ("and the year before?", (dt.date(2018, 1, 1), dt.date(2018, 12, 31))),
        ("What about the following year?", (dt.date(2020, 1, 1), dt.date(2020, 12, 31))),
        ("and in 2021?", (dt.date(2021, 1, 1), dt.date(2021, 12, 31))),
        ("and in March 2022?", (dt.date(2022, 3, 1), dt.date(2022, 3, 31))),
    ],
)
def test_a_follow_up_moves_or_names_the_period(follow_up, period):
    turn = follow_on(first_turn(FLOODS), follow_up, shown=5)
    assert turn.question == "what did we decide about flood defences"
    assert (turn.filters.after, turn.filters.before) == period
    assert turn.filters.committee == "Cabinet"


def test_the_year_before_counts_from_the_answer_when_the_question_named_no_year():
    answered = replace(first_turn("what did we decide about flood defences?"), anchor=dt.date(2024, 3, 12))
    turn = follow_on(answered, "and the year before?", shown=5)
    assert (turn.filters.after, turn.filters.before) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    again = follow_on(turn, "and the year before that?", shown=5)
    assert (again.filters.after, again.filters.before) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def test_the_month_after_a_day_is_the_next_calendar_month():
    turn = follow_on(first_turn("what was decided on 12 March 2024?"), "and the month after?", shown=5)
    assert (turn.filters.after, turn.filters.before) == (dt.date(2024, 4, 1), dt.date(2024, 4, 30))


@pytest.mark.parametrize("more", ["show me more", "Any more?", "anything else?", "more please", "and show me more"])
def test_show_me_more_asks_the_same_question_past_what_was_shown(more):
    before = first_turn(FLOODS)
    turn = follow_on(before, more, shown=5)
    assert (turn.question, turn.filters, turn.skip) == (before.question, before.filters, 5)
    assert follow_on(turn, more, shown=5).skip == 10


def test_a_committee_written_in_the_follow_up_takes_the_place_of_the_first():
    turn = follow_on(first_turn(FLOODS), 'and committee:"Scrutiny" who is responsible?', shown=5)
    assert turn.filters.committee == "Scrutiny"


def test_the_topic_leaves_out_period_words_and_a_leading_and():
    assert topic_of("And what did we decide about parking in March 2023?") == "what did we decide about parking"
    assert topic_of("what happened on 4 February 2025 to the Moorlink trial?") == "what happened to the Moorlink trial"


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("what did they decide in the end?", True),
        ("and the year before?", True),
        ("show me more", True),
        ("was the playground part of it?", True),
        ("what did we decide about parking in the town centre?", False),
        ('committee:"Cabinet" how much was the bus shelter budget?', False),
    ],
)
def test_only_a_question_that_cannot_stand_alone_follows_in_a_direct_message(text, leans):
    assert leans_on_the_last(text) is leans
