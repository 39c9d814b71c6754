"""`analyze`: read inputs, give each article its identity, run the document stages it still needs, and
store it; then run the stages over stored rows that are pending (`pipeline.orchestrate`): speakers
across articles, links into stories, trails of quotes, framing markers. A run given several worker
processes runs two of those stages at once when their inputs are ready (a helper process).

A batch of articles and everything the stages found for them are written in one transaction, so a run
killed half-way leaves only complete articles behind, and running the same command again resumes: stored
articles whose document stage versions are current are counted as unchanged and skipped. A stored
article whose document stage has a new version is analysed again, only that stage's rows are replaced,
and the stages downstream of it (`pipeline.stages`) become pending on it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, nullcontext, suppress
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

from newstrace.framing.lexicon import Lexicon
from newstrace.identity import article_id, count_words
from newstrace.ingest import ReadOptions, Source, complete_draft, discover, read_source
from newstrace.ingest.metadata import METADATA_COLUMNS, MetadataTable, SuppliedMetadata
from newstrace.nlp import DEFAULT_PIPELINE, ensure_installed
from newstrace.pipeline.link import LinkFeaturesAhead, LinkSettings
from newstrace.pipeline.orchestrate import StageHelper, StoredStageSettings, helper_location, run_stored_stages
from newstrace.pipeline.stages import document_versions, downstream
from newstrace.pipeline.trails import TrailTextsAhead
from newstrace.records import (
    Article,
    ArticleDraft,
    Entity,
    FieldSource,
    IngestProblem,
    LinkInput,
    Quote,
    RunSummary,
    StageOutput,
)
from newstrace.scale import BatchResult, DocumentFailure, RunnerSettings, open_runner
from newstrace.store.base import AnalysedArticle, PipelineStore, Store, UrlHistory

DEFAULT_BATCH_SIZE = 16


@dataclass(frozen=True)
class AnalyzeSettings:
    """How one `analyze` run reads and analyses its inputs."""

    read: ReadOptions = field(default_factory=ReadOptions)
    pipeline: str = DEFAULT_PIPELINE
    workers: int = 1  # 0: decide from the size of the inputs
    runner: str = "local"  # or "dask" (newstrace.scale.RUNNERS)
    scheduler: str | None = None  # a Dask scheduler's address; None: the Dask runner starts a local cluster
    batch_size: int = DEFAULT_BATCH_SIZE
    forced_format: str | None = None
    command: str = "analyze"
    link: LinkSettings = field(default_factory=LinkSettings)
    link_stories: bool = True  # False leaves linking to a later `link_articles` call
    lexicon: Lexicon | None = None  # the framing lexicon; None: the default
    metadata: MetadataTable | None = None  # outlet, date, URL or title the user supplied (`--meta`)
    parse_cache: str | None = None  # a folder of cached spaCy parses (`nlp.parse_cache`); None: parse every text


class ProgressListener(Protocol):
    """Told about a run as it goes; the CLI draws a progress bar from it."""

    def started(self, total_sources: int) -> None: ...

    def source_read(self) -> None: ...

    def article_stored(self) -> None: ...

    def problem(self, problem: IngestProblem) -> None: ...

    def linking_started(self, total_articles: int) -> None: ...

    def article_linked(self) -> None: ...


class SilentProgress:
    """A listener that ignores everything, for library callers and tests."""

    def started(self, total_sources: int) -> None:
        pass

    def source_read(self) -> None:
        pass

    def article_stored(self) -> None:
        pass

    def problem(self, problem: IngestProblem) -> None:
        pass

    def linking_started(self, total_articles: int) -> None:
        pass

    def article_linked(self) -> None:
        pass


def analyze(
    paths: Sequence[str], store: Store, settings: AnalyzeSettings, progress: ProgressListener | None = None
) -> RunSummary:
    """Read every input under `paths` into `store` and run the pending stages; return the summary."""
    listener = progress or SilentProgress()
    ensure_installed(settings.pipeline)
    started = time.monotonic()
    summary = RunSummary()
    sources = list(discover(paths, settings.forced_format))
    workers = settings.workers or auto_workers(sources)
    runner = open_runner(  # before the run is recorded: a runner that cannot run stops it here
        RunnerSettings(settings.runner, settings.scheduler, workers, settings.parse_cache), settings.pipeline
    )
    run_id = store.begin_run(settings.command)
    listener.started(len(sources))
    intake = _Intake(store, summary, run_id, listener, settings.metadata)
    batches = _batched(intake.articles_needing_work(sources, settings.read), settings.batch_size)
    ahead = _Ahead(LinkFeaturesAhead() if settings.link_stories else None, TrailTextsAhead())
    with closing(runner.run(batches)) as results:  # a failure while storing still shuts the workers down
        _store_analysed(results, intake, ahead)
    skip = frozenset() if settings.link_stories else frozenset({"link", "event_groups"})
    location = helper_location(store) if workers > 1 else None  # several processes given: two run stages
    with StageHelper(location) if location else nullcontext() as helper:
        stored_settings = StoredStageSettings(settings.link, settings.lexicon, skip)
        stages = run_stored_stages(store, stored_settings, listener, helper, ahead.link)
    summary.linking = dict(stages.get("link", {}))
    summary.trails = {name: int(value) for name, value in stages["trails"].items()}
    summary.events = {name: int(value) for name, value in stages.get("event_groups", {}).items()}
    summary.framing = {name: int(value) for name, value in stages["framing"].items()}
    summary.seconds = time.monotonic() - started
    summary.totals = store.count_rows()
    store.finish_run(run_id, summary)
    return summary


@dataclass(frozen=True)
class _Ahead:
    """What is prepared during intake for the stages after it: linking's articles, trails' quote texts."""

    link: LinkFeaturesAhead | None
    trails: TrailTextsAhead


def _store_analysed(results: Iterable[BatchResult], intake: _Intake, ahead: _Ahead) -> None:
    """Store each batch of analysed articles in input order, in one write; an article the stages failed
    on is reported, not stored. Each stored batch is then prepared for linking and trails (`ahead`),
    while the workers parse the next."""
    for batch, outputs in results:
        analysed: list[AnalysedArticle] = []
        for article, article_outputs in zip(batch, outputs, strict=True):
            pending = intake.pending_stages.pop(article.id)
            if isinstance(article_outputs, DocumentFailure):
                intake.fail(IngestProblem(article.path or article.id, f"analysis failed: {article_outputs.reason}"))
                continue
            stored = [output for output in article_outputs if output.stage in pending]
            analysed.append(AnalysedArticle(article, stored, _downstream_of(pending)))
        intake.store.save_articles(analysed, intake.run_id)
        for item in analysed:
            _tally_found(intake.summary, item.outputs)
            intake.listener.article_stored()
        if ahead.link is not None:
            ahead.link.add([found for item in analysed if (found := _link_input(item)) is not None])
        for item in analysed:
            ahead.trails.add(item.article.text, _found_quotes(item))


def _found_quotes(analysed: AnalysedArticle) -> list[Quote]:
    """The quotes this batch found in the article (none when it did not run the quotes stage)."""
    rows = next((output.rows.get("quotes") for output in analysed.outputs if output.stage == "quotes"), None)
    return [quote for quote in rows or () if isinstance(quote, Quote)]


def _link_input(analysed: AnalysedArticle) -> LinkInput | None:
    """What linking will read of the stored article, as far as this batch tells it (None when the batch
    did not run the stage that finds its entities)."""
    entities = next((output.rows.get("entities") for output in analysed.outputs if output.stage == "nlp"), None)
    if entities is None:
        return None
    article = analysed.article
    found = sorted((entity for entity in entities if isinstance(entity, Entity)), key=lambda entity: entity.start)
    return LinkInput(
        article.id,
        article.text,
        article.title,
        article.outlet,
        article.published,
        tuple((entity.label, entity.text) for entity in found),
        article.revision_of,
        article.language,
    )


class _Intake:
    """Turns drafts into articles, decides which need work, and keeps the run's counts."""

    def __init__(
        self,
        store: PipelineStore,
        summary: RunSummary,
        run_id: int,
        listener: ProgressListener,
        metadata: MetadataTable | None = None,
    ) -> None:
        self.store = store
        self.metadata = metadata
        self.summary = summary
        self.run_id = run_id
        self.listener = listener
        self.current_versions = document_versions()
        self.pending_stages: dict[str, set[str]] = {}  # article id -> the document stages to store for it
        self.seen_this_run: set[str] = set()
        self.urls_this_run: dict[str, UrlHistory] = {}

    def articles_needing_work(self, sources: Iterable[Source], options: ReadOptions) -> Iterator[Article]:
        for source in sources:
            for item in read_source(source, options):
                if isinstance(item, IngestProblem):
                    self.fail(item)
                    continue
                article = self._admit(item)
                if article is not None:
                    yield article
            self.listener.source_read()

    def fail(self, problem: IngestProblem) -> None:
        """Count and record an input that could not be read or analysed."""
        self.summary.failed += 1
        self.summary.problems.append(problem)
        self.store.record_problem(self.run_id, problem)
        self.listener.problem(problem)

    def _admit(self, draft: ArticleDraft) -> Article | None:
        """Count the draft and return its article when a stage still has to run on it."""
        supplied = self.metadata.lookup(draft.path) if self.metadata else None
        draft = complete_draft(supplied.apply(draft) if supplied else draft)
        self.summary.read += 1
        _tally_metadata(self.summary, draft)
        identity = article_id(draft.text)
        if identity in self.seen_this_run:
            self.summary.unchanged += 1
            return None
        self.seen_this_run.add(identity)
        done = self.store.stage_versions_of(identity)
        if done is not None and supplied is not None:
            self._update_supplied(identity, supplied)
        elif done is not None:
            self._redate(identity, draft)
        if done is not None:
            outdated = {name for name, version in self.current_versions.items() if done.get(name) != version}
            if not outdated:
                self.summary.unchanged += 1
                return None
            self.summary.reanalysed += 1
            self.pending_stages[identity] = outdated
            return _article_from(draft, identity, None)
        self.pending_stages[identity] = set(self.current_versions)
        history = self._url_history(draft.url)
        article = _article_from(draft, identity, history)
        if history is None:
            self.summary.new += 1
        else:
            self.summary.revisions += 1
        if draft.url:
            root = history.root_id if history else identity
            self.urls_this_run[draft.url] = UrlHistory(root, article.revision)
        return article

    def _update_supplied(self, identity: str, supplied: SuppliedMetadata) -> None:
        """A stored article read again with metadata from the user takes that metadata."""
        values = {name: value for name in METADATA_COLUMNS if (value := getattr(supplied, name))}
        sources = dict.fromkeys(values, FieldSource.METADATA.value)
        if values:  # a new date or outlet may change the article's place in the stories: link all again
            self.store.update_article_metadata(identity, values, sources, ("link", *downstream("link")))

    def _redate(self, identity: str, draft: ArticleDraft) -> None:
        """A stored article dated from its text, or not dated, takes the date today's rules read (from a
        header, the URL, the file name or the text), so a better rule reaches the stored articles without
        analysing them again. A stored date from metadata, a header, a URL or a file name is left as it is."""
        source = draft.field_sources.get("published")
        self.store.redate_article(identity, draft.published, source, ("link", *downstream("link")))

    def _url_history(self, url: str | None) -> UrlHistory | None:
        if not url:
            return None
        return self.urls_this_run.get(url) or self.store.url_history(url)


AUTO_WORKERS_FROM_BYTES = 2_000_000


def auto_workers(sources: Sequence[Source]) -> int:
    """Several processes pay off only on bigger inputs, since each one loads the model first."""
    total_bytes = 0
    for source in sources:
        if source.format not in (None, "feed-url"):
            with suppress(OSError):  # a file that vanished is reported when it is read
                total_bytes += os.path.getsize(source.location)
            if total_bytes > AUTO_WORKERS_FROM_BYTES:
                return min(os.cpu_count() or 1, 4)
    return 1


def _article_from(draft: ArticleDraft, identity: str, history: UrlHistory | None) -> Article:
    return Article(
        id=identity,
        text=draft.text,
        source_format=draft.source_format,
        path=draft.path,
        url=draft.url,
        title=draft.title,
        published=draft.published,
        outlet=draft.outlet,
        author=draft.author,
        dateline=draft.dateline,
        language=draft.language,
        n_words=count_words(draft.text),
        field_sources=draft.field_sources,
        revision_of=history.root_id if history else None,
        revision=history.last_revision + 1 if history else 0,
        header_spans=draft.header_spans,
    )


def _downstream_of(stages: set[str]) -> tuple[str, ...]:
    """The stages over stored rows that read what these document stages wrote."""
    found = {name for stage in stages for name in downstream(stage)}
    return tuple(sorted(found))


def _tally_metadata(summary: RunSummary, draft: ArticleDraft) -> None:
    if draft.outlet:
        summary.outlets[draft.outlet] = summary.outlets.get(draft.outlet, 0) + 1
    if draft.published:
        summary.date_min = min(filter(None, (summary.date_min, draft.published)))
        summary.date_max = max(filter(None, (summary.date_max, draft.published)))


def _tally_found(summary: RunSummary, outputs: Sequence[StageOutput]) -> None:
    for output in outputs:
        for table, rows in output.rows.items():
            summary.found[table] = summary.found.get(table, 0) + len(rows)


def _batched(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(islice(iterator, size)):
        yield batch
