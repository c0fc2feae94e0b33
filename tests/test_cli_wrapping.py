"""The CLI's wrapping of long lines (stridelift.cli.common.wrapped): to the terminal's width,
under a hanging indent, and never inside a day."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from stridelift.cli.common import wrapped

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
