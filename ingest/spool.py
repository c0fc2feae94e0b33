"""Shared memory that carries an import's files to its forked worker processes.

Through the pool's pipe, a task's half a megabyte crossed 64 KB at a time, each part waiting
for the importing process's feeding thread: the worker waited 35-40 ms of an 830 ms import of
200 one-hour runs. The spool is mapped before the workers fork, so they read what the main
process writes into it (import time over fitfast's decode: 50-54 % against 56-62 %, three
runs of seven rounds each). A ring: a task's files take one span at its head, given back
(oldest first) once decoded; a task that finds no room travels through the pipe as before.
"""

from __future__ import annotations

import mmap
from collections import deque
from dataclasses import dataclass


@dataclass
class Span:
    """Where a task's files lie in the spool (each one's start and size), and whether the
    task is done with them."""

    start: int
    places: list[tuple[int, int]]
    done: bool = False


class Spool:
    def __init__(self, size: int) -> None:
        self.memory = mmap.mmap(-1, size)  # anonymous and shared: a forked child sees it
        self.spans: deque[Span] = deque()  # in use, oldest first
        self.head = 0  # where the next span would start

    def put(self, payloads: list[bytes]) -> Span | None:
        """The payloads copied in one after another, or None when they do not fit now."""
        start = self._room(sum(map(len, payloads)))
        if start is None:
            return None
        span = Span(start, [])
        for data in payloads:
            self.memory[start:start + len(data)] = data
            span.places.append((start, len(data)))
            start += len(data)
        self.spans.append(span)
        self.head = start
        return span

    def read(self, start: int, size: int) -> bytes:
        return self.memory[start:start + size]

    def free(self, span: Span) -> None:
        """Give the span back; its space is reused once every older span is free too."""
        span.done = True
        while self.spans and self.spans[0].done:
            self.spans.popleft()

    def _room(self, size: int) -> int | None:
        if not self.spans:
            self.head = 0
            return 0 if size <= len(self.memory) else None
        oldest = self.spans[0].start
        # strictly before the oldest span: a head that reached it would read as "not wrapped"
        if self.head >= oldest:  # in use from oldest to head: room after it, else before
            if self.head + size <= len(self.memory):
                return self.head
            return 0 if size < oldest else None
        return self.head if self.head + size < oldest else None

    def close(self) -> None:
        self.memory.close()
