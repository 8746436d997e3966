"""Quoting what someone typed: short text as it is, long text cut with an ellipsis."""

from __future__ import annotations

from handlers.shared.echo import ECHO_LIMIT, echo, echoed


def test_text_within_the_limit_is_quoted_as_it_is() -> None:
    assert echo("22:00-07:30") == "22:00-07:30"
    assert echo("x" * ECHO_LIMIT) == "x" * ECHO_LIMIT


def test_long_text_is_cut_to_the_limit_and_ends_in_an_ellipsis() -> None:
    typed = "squat " * 700
    quoted = echo(typed)

    assert len(quoted) == ECHO_LIMIT and quoted.endswith("…")
    assert typed.startswith(quoted.removesuffix("…"))


def test_only_the_texts_among_message_parameters_are_shortened() -> None:
    params = {"answer": "a" * 5000, "max": 70, "amount": {"amount": "40", "currency": "EUR"}}

    shortened = echoed(params)

    assert shortened["answer"] == echo("a" * 5000) and shortened["max"] == 70
    assert shortened["amount"] == {"amount": "40", "currency": "EUR"}
