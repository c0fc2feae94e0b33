"""Where a message points a runner, in each front end's words: the CLI names a command or an
option, the web app a page, a form's field or a button (a runner on a phone has no shell).
A message states its fact once; the pointer is the only part said twice."""

from __future__ import annotations

from dataclasses import dataclass

# Where the files, the database and every command are: what the web app cannot do itself.
SERVER = "the computer that runs stridelift"


@dataclass(frozen=True)
class Pointer:
    """The fix, or the place to look, in the CLI's words and in the web app's."""

    cli: str
    web: str


class Pointed(Exception):
    """An expected failure whose message ends with a `Pointer`: str() is the CLI's message,
    `on_web` the web app's, the same fact with the web's pointer."""

    def __init__(self, message: str, pointer: Pointer | None = None) -> None:
        super().__init__(pointed(message, pointer, on_web=False))
        self.message, self.pointer = message, pointer

    def on_web(self) -> str:
        return pointed(self.message, self.pointer, on_web=True)


def pointed(message: str, pointer: Pointer | None, on_web: bool) -> str:
    """`message; pointer`, the pointer in the front end's words."""
    if pointer is None:
        return message
    return f"{message}; {pointer.web if on_web else pointer.cli}"
