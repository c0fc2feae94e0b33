"""Errors the shell names with an exit code, apart from the modules that raise them: it
names them without loading the planner and the analysis (`stridelift --help` stays fast)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Pointer:
    """Where a runner finds what a message points to, in the CLI's words (a command) and in
    the web app's (a page): a runner on a phone has no shell."""

    cli: str
    web: str


SESSION_IDS = Pointer(cli="`stridelift plan` lists the session ids",
                      web="the Week page lists the sessions")


class PlanError(ValueError):
    """The plan cannot be made from this configuration; the message says how to fix it.
    str() is the CLI's message; `on_web` the web app's, the same but for its pointer."""

    def __init__(self, message: str, pointer: Pointer | None = None) -> None:
        super().__init__(f"{message}; {pointer.cli}" if pointer else message)
        self.message, self.pointer = message, pointer

    def on_web(self) -> str:
        return f"{self.message}; {self.pointer.web}" if self.pointer else self.message


class NoSession(PlanError):
    """No planned session of that key: a page kept from before the plan changed."""


class Busy(Exception):
    """Another nightly run, morning pass, import, sync, push or rebuild for the athlete
    holds its lock (jobs/athlete_lock.py)."""
