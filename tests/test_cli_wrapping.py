"""The CLI's wrapping of long lines (stridelift.cli.common.wrapped): to the terminal's width,
under a hanging indent, and never inside a day; to a pipe, not at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from typer.testing import CliRunner

from stridelift.cli import app
from stridelift.cli.common import wrapped
from tests.conftest import PINNED
from tests.test_plan_job import INIT
from tests.test_profile_change import DAYS as WEEKDAYS

runner = CliRunner()

DAYS = ("Mon 07 Dec", "Sat 12 Dec", "Thu 10 Dec")
WORDS = st.sampled_from(["speed", "run", "on", "(no", "strength)", "S6;", "long", "a",
                         "session", *DAYS])


@given(st.lists(WORDS, min_size=1, max_size=40), st.integers(14, 120))
def test_lines_fit_keep_every_word_and_never_split_a_day(words: list[str],
                                                         width: int) -> None:
    """Every day of the text is on one line of the wrapped text (the plan's warnings, `why`'s
    reasons): 'Mon 07' on one line and 'Dec' on the next read as another day."""
    text = " ".join(words)
    lines = wrapped(text, width, first="  - ", then="    ")
    assert all(cell_len(line) <= width for line in lines)
    assert " ".join(" ".join(lines).split()) == " ".join(f"- {text}".split())
    assert sum(line.count(day) for line in lines for day in DAYS) == sum(
        word in DAYS for word in words)


def test_piped_output_says_each_reason_on_one_line_and_a_terminal_wraps_it(
        home: Path, columns: Callable[[int], None]) -> None:
    """`why`'s reasons and `plan`'s warnings to a pipe (CliRunner's output is no terminal)
    are one line each, whole for grep, however long (a profile change's reason runs past
    100 characters); on a terminal of 60 columns the same words are wrapped to it."""
    assert runner.invoke(app, INIT).exit_code == 0
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "2"]).stdout)
    s = [s for s in sessions if s["kind"] == "strength" and s["date"] > str(PINNED.date())][-1]
    assert runner.invoke(app, ["pin", s["id"]]).exit_code == 0
    weekday = date.fromisoformat(s["date"]).weekday()
    runs = f"{WEEKDAYS[weekday]}=speed,{WEEKDAYS[(weekday + 3) % 7]}=long"  # S6 would move it
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--runs", runs,
                               "--strength-sessions", "3"]).exit_code == 0
    [warned] = [x for x in json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "2"])
                                      .stdout) if x["warnings"]]
    reasons = [r for c in json.loads(runner.invoke(app, ["why", "--json"]).stdout)
               for r in c["reasons"]]
    assert max(map(len, reasons)) > 100 and max(map(len, warned["warnings"])) > 60

    why = runner.invoke(app, ["why"]).output.splitlines()
    plan = runner.invoke(app, ["plan", "--weeks", "2"]).output.splitlines()
    assert all(f"  - {r}" in why for r in reasons)
    assert f"{warned['id']}: {warned['warnings'][0]}" in plan
    assert all(f"  - {w}" in plan for w in warned["warnings"][1:])

    columns(60)
    for shown, said in ((runner.invoke(app, ["why"]).output, reasons),
                        (runner.invoke(app, ["plan", "--weeks", "2"]).output.split("\n└")[-1],
                         warned["warnings"])):
        lines = shown.splitlines()
        assert max(len(line) for line in lines) <= 60
        assert all(" ".join(r.split()) in " ".join(shown.split()) for r in said)
        assert not all(f"  - {r}" in lines for r in said)  # the long ones wrapped
