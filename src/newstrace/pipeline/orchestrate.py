"""Run every stage that is pending on the stored articles, in dependency order (`pipeline.stages`).

The document stages run earlier, while the articles are read (`pipeline.analyze`); this runs the stages
over stored rows after them. Each stage finds its own pending articles in `stage_runs` and records what
it finished in the transaction that writes it, so a run stopped half-way resumes where it stopped, and a
run with nothing pending writes nothing.

With a helper process (`StageHelper`, which `analyze` opens when it was given several processes), two
stages whose inputs are ready run at once: this process runs one, the helper another on its own
connection to the same database. A stage starts only once every stage it depends on has finished, and
of two stages neither of which depends on the other, neither writes a column the other reads or writes
(their declared `reads` and `writes`, checked against the statements they run), so each reads what it
would read in a run one after another, and the database ends the same.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from newstrace.events.grouping import group_events
from newstrace.framing.lexicon import Lexicon, load_lexicon
from newstrace.pipeline.frame import frame_articles
from newstrace.pipeline.link import LinkFeaturesAhead, LinkListener, LinkSettings, link_articles, link_record
from newstrace.pipeline.speakers import resolve_speakers
from newstrace.pipeline.stages import downstream, in_order, record, stage
from newstrace.pipeline.trails import build_trails
from newstrace.scale.base import workers_start_ignoring_ctrl_c
from newstrace.scale.local import die_with_parent, exit_without_teardown
from newstrace.store import open_store
from newstrace.store.base import Store


@dataclass(frozen=True)
class StoredStageSettings:
    """What the stages over stored rows take: the link settings, the framing lexicon (None: the
    default), and the stages to leave for a later run (`analyze` without linking skips `link`)."""

    link: LinkSettings = field(default_factory=LinkSettings)
    lexicon: Lexicon | None = None
    skip: frozenset[str] = frozenset()


StageRunner = Callable[[Store, StoredStageSettings, LinkListener], Mapping[str, float]]

# How each stage over stored rows runs; a new stage adds its declaration (`pipeline.stages`) and a line here.
RUNNERS: dict[str, StageRunner] = {
    "speakers": lambda store, settings, listener: {"articles_resolved": resolve_speakers(store)},
    "link": lambda store, settings, listener: link_articles(store, settings.link, listener).to_dict(),
    "trails": lambda store, settings, listener: build_trails(store).to_dict(),
    "event_groups": lambda store, settings, listener: group_events(store).to_dict(),
    "framing": lambda store, settings, listener: frame_articles(store, settings.lexicon).to_dict(),
}
# Linking tells the listener of each article it links (the progress bar): it stays in this process.
_HERE_ONLY = frozenset({"link"})


def run_stored_stages(
    store: Store,
    settings: StoredStageSettings,
    listener: LinkListener,
    helper: StageHelper | None = None,
    link_ahead: LinkFeaturesAhead | None = None,
) -> dict[str, Mapping[str, float]]:
    """Run each stage over stored rows, in dependency order (two at once with a `helper`); return each
    one's summary by name, in that order. `link_ahead`: articles prepared for linking during intake
    (linking runs in this process, where they are)."""
    wanted = [
        declared.name for declared in in_order() if declared.kind != "document" and declared.name not in settings.skip
    ]
    runners = dict(RUNNERS)
    if link_ahead is not None:
        runners["link"] = lambda store, settings, listener: link_articles(
            store, settings.link, listener, ahead=link_ahead
        ).to_dict()
    if helper is None:
        return {name: runners[name](store, settings, listener) for name in wanted}
    summaries = _ScheduledRun(store, settings, listener, helper, runners).run(wanted)
    return {name: summaries[name] for name in wanted}


def redo_after(store: Store, name: str, settings: StoredStageSettings) -> dict[str, Mapping[str, float]]:
    """After stage `name` wrote outside `analyze` (a user's speaker correction, `newstrace speakers merge`,
    which points stored quotes at another speaker and makes the stages after it stale on their articles):
    run the stages over stored rows that depend on it, in dependency order, so the command leaves the
    database as a run of every stage would, not half-done until the next `analyze`. Each stage does only
    what is pending for it (the stale articles: a correction's trails group again the utterances of the
    quotes it moved). A stage that ran at another version than `settings` give (new code, another lexicon)
    is left for `analyze`, which redoes it whole with its own settings. Return each one's summary by name."""
    summaries: dict[str, Mapping[str, float]] = {}
    for after in downstream(name):  # in dependency order
        if after in settings.skip or store.stage_outdated(after, _version(after, settings), counting_stale=False):
            continue
        summaries[after] = RUNNERS[after](store, settings, _Unheard())
    return summaries


def _version(name: str, settings: StoredStageSettings) -> str:
    """The version stage `name` runs at with these settings (a lexicon's or link settings' digest joined)."""
    if name == "framing":
        return record(name, (settings.lexicon or load_lexicon()).digest).version
    if name == "link":
        return link_record(settings.link).version
    return record(name).version


class _ScheduledRun:
    """Runs the wanted stages here and in the helper: a stage is ready once all it depends on is done;
    this process takes one ready stage (linking first), the helper every other ready one, in turn."""

    def __init__(
        self,
        store: Store,
        settings: StoredStageSettings,
        listener: LinkListener,
        helper: StageHelper,
        runners: Mapping[str, StageRunner],
    ) -> None:
        self.store, self.settings, self.listener, self.helper = store, settings, listener, helper
        self.runners = runners  # how this process runs a stage (the helper runs `RUNNERS`)
        self.done = {declared.name for declared in in_order() if declared.kind == "document"} | set(settings.skip)
        self.summaries: dict[str, Mapping[str, float]] = {}
        self.apart: list[tuple[str, Future[dict[str, float]]]] = []

    def run(self, wanted: list[str]) -> dict[str, Mapping[str, float]]:
        left = list(wanted)
        while left or self.apart:
            ready = [name for name in left if self.done.issuperset(stage(name).after)]
            here = next((name for name in ready if name in _HERE_ONLY), ready[0] if ready else None)
            for name in ready:
                if name != here and name not in _HERE_ONLY:
                    left.remove(name)
                    self.apart.append((name, self.helper.submit(name, self.settings)))
            if here is not None:
                left.remove(here)
                self._finished(here, self.runners[here](self.store, self.settings, self.listener))
            self._collect(wait=here is None)
        return self.summaries

    def _collect(self, wait: bool) -> None:
        """Take in what the helper finished; with `wait`, wait for its next stage (nothing is left to run here)."""
        while self.apart and (wait or self.apart[0][1].done()):
            name, pending = self.apart.pop(0)
            self._finished(name, pending.result())
            wait = False

    def _finished(self, name: str, summary: Mapping[str, float]) -> None:
        self.summaries[name] = summary
        self.done.add(name)


class StageHelper:
    """One more process that runs a stage over stored rows on its own connection to the database at
    `location` (a SQLite file or a PostgreSQL URL). Use it in a `with` block."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._others = set(multiprocessing.active_children())
        context = multiprocessing.get_context("spawn")  # fork is unsafe beside the progress-bar thread
        self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start_helper, initargs=(os.getpid(),))

    def submit(self, name: str, settings: StoredStageSettings) -> Future[dict[str, float]]:
        """Run stage `name` in the helper; the future holds its summary."""
        with workers_start_ignoring_ctrl_c():  # the process starts with the first stage it is given
            return self._pool.submit(_run_apart, self.location, name, settings)

    def __enter__(self) -> StageHelper:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if error is None:
            self._pool.shutdown(wait=True)
            return
        self._pool.shutdown(wait=False, cancel_futures=True)  # a failure or Ctrl-C here ends the helper now
        for process in set(multiprocessing.active_children()) - self._others:
            process.terminate()


def helper_location(store: Store) -> str | None:
    """Where a helper process can open `store` again: its file or URL; None for a store it cannot share."""
    url = getattr(store, "url", None)
    if isinstance(url, str):
        return url
    path = getattr(store, "path", None)
    return str(path) if isinstance(path, Path) and str(path) != ":memory:" else None


def _start_helper(parent_pid: int) -> None:
    """In the helper, as it starts: end with the parent, and leave without Python's teardown."""
    die_with_parent(parent_pid)
    exit_without_teardown()


def _run_apart(location: str, name: str, settings: StoredStageSettings) -> dict[str, float]:
    """In the helper: run stage `name` on its own connection to the database."""
    store = open_store(location)
    try:
        return dict(RUNNERS[name](store, settings, _Unheard()))
    finally:
        store.close()


class _Unheard:
    """The helper runs no stage that reports progress; this listener takes nothing."""

    def linking_started(self, total_articles: int) -> None:
        pass

    def article_linked(self) -> None:
        pass
