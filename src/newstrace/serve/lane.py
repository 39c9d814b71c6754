"""The lane every page read waits in: first come, first served, a few at a time per server process.

Why one queue and so few at once. On a machine with a couple of cores and many requests in flight, threads
that all run at once share the processor, so each request takes about as long as the work of everything in
flight: at a million articles and 50 clients, a 20 ms search among two dozen others took half a second,
while the many cheap pages (a story, a trail) waited little. Served in order of arrival, a few at a time,
a request waits for the work queued ahead of it and then runs at full speed: its time no longer grows with
its own size, so the slowest answers (the p99) come down, and fewer threads contending for Python's lock
spend less CPU on handing it over (see docs/web.md, "one lane").

A read that is still running after `patience` seconds hands its turn on to the next request and goes on,
on a thread of its own: one slow page (the largest outlet's listing, a query near the time limit) holds up
the queue behind it for no longer than that. Under a flood of slow pages the lane thus becomes what the
server was before it: every read sharing the processor, at most `threads` at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from newstrace.serve.front import timing

Answer = TypeVar("Answer")


class Lane:
    """Runs page reads on a pool of `threads` threads, at most `turns` at once (more only while some
    have run past `patience` seconds), in the order they were asked."""

    def __init__(self, turns: int, patience: float, threads: int, thread_prefix: str) -> None:
        if turns < 1 or threads < turns:
            raise ValueError(f"a lane needs at least one turn and as many threads as turns (got {turns}, {threads})")
        self._turns = turns
        self._patience = patience
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix=thread_prefix)
        # one gate per event loop: an asyncio semaphore belongs to the loop it first waited on (a test
        # client runs each app on loops of its own)
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def run(self, answer: Callable[[], Answer]) -> Answer:
        """`answer()` on a thread of the pool once its turn comes, in the request's context (its
        Server-Timing: the wait for the turn and the thread counts as its `queue`)."""
        loop = asyncio.get_running_loop()
        gate = self._gate(loop)
        timed, asked = timing(), time.perf_counter()

        def timed_answer() -> Answer:
            if timed is not None:
                timed.queue = (timed.queue or 0.0) + time.perf_counter() - asked
            return answer()

        await gate.acquire()
        turn = _Turn(gate)
        overdue = loop.call_later(self._patience, turn.hand_on)
        try:
            context = contextvars.copy_context()
            return await loop.run_in_executor(self._pool, context.run, timed_answer)
        finally:
            overdue.cancel()
            turn.hand_on()

    def _gate(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self._turns)
        return gate


class _Turn:
    """One read's turn: handed on once, when the read ends or when it has run past the lane's patience."""

    __slots__ = ("_gate", "_held")

    def __init__(self, gate: asyncio.Semaphore) -> None:
        self._gate = gate
        self._held = True

    def hand_on(self) -> None:
        if self._held:
            self._held = False
            self._gate.release()
