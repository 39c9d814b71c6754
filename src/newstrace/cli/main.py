"""The `newstrace` command: analyze, link, search, list and export, each a thin wrapper over library calls."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from newstrace import __version__, records
from newstrace.cli.eval_trails import register as register_eval_trails
from newstrace.cli.events import register as register_events
from newstrace.cli.options import EXIT_FATAL, EXIT_INPUT_FAILED, db_option
from newstrace.cli.progress import RichProgress
from newstrace.cli.speakers import register as register_speaker_corrections
from newstrace.cli.summary import print_summary
from newstrace.cli.terminal import escape, escape_line
from newstrace.export import FORMATS as EXPORT_FORMATS
from newstrace.export import ExportError, export_table
from newstrace.framing.lexicon import Lexicon, LexiconError, load_lexicon
from newstrace.ingest import FORMATS as INPUT_FORMATS
from newstrace.ingest import ReadOptions
from newstrace.ingest.base import DEFAULT_FIELD_NAMES, DEFAULT_MAX_ARTICLE_MB
from newstrace.ingest.metadata import (
    MetadataError,
    MetadataTable,
    metadata_table,
    read_metadata_csv,
    supplied_metadata,
)
from newstrace.nlp.model import DEFAULT_PIPELINE, ModelNotInstalled
from newstrace.nlp.parse_cache import ENVIRONMENT_VARIABLE as PARSE_CACHE_VARIABLE
from newstrace.scale import RUNNERS, RunnerError
from newstrace.store import EXPORT_COLUMNS, SearchSyntaxError, StoreError, open_store
from newstrace.store import base as store_base
from newstrace.store.base import (
    COUNT_CAP,
    LARGEST_INTEGER,
    LIST_ORDERS,
    ListFilters,
    Store,
    newest_first,
    snippet_pieces,
)
from newstrace.store.postgres import display_url, is_postgres_url
from newstrace.store.sqlite import storage_error

if TYPE_CHECKING:
    from newstrace.evaluation.stories import PairError, ThreadCounts

Scores = TypeVar("Scores")


def _stderr() -> Console:
    return Console(stderr=True)


def _date_options(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--from and --to (YYYY-MM-DD), bounding `what`."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        command = click.option("--to", "date_to", default="", metavar="YYYY-MM-DD", help=f"{what} on or before.")(
            command
        )
        return click.option("--from", "date_from", default="", metavar="YYYY-MM-DD", help=f"{what} on or after.")(
            command
        )

    return decorate


def _paging_options(
    what: str, limit: int, most: int = LARGEST_INTEGER
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--limit (from 1 to `most`) and --offset, a page of `what`; neither larger than the databases take."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        skipped = click.IntRange(0, LARGEST_INTEGER)
        shown = click.IntRange(1, most)
        command = click.option(
            "--offset", type=skipped, default=0, show_default=True, help=f"The {what} to skip first."
        )(command)
        return click.option("--limit", type=shown, default=limit, show_default=True, help=f"The {what} to show.")(
            command
        )

    return decorate


def _listing_page(db: str, filters: ListFilters, limit: int, offset: int) -> tuple[list[dict[str, object]], int]:
    """One page of an index listing, paged in the database; a bad date is a usage error."""
    from newstrace.serve.data import BadRequest, check_listing

    try:
        check_listing(filters)
    except BadRequest as error:
        raise click.UsageError(str(error)) from error
    try:
        rows, total = open_store(db, readonly=True).page_list(filters, limit, offset)
        return [records.as_json(row) for row in rows], total  # the JSON the command prints, and its table's cells
    except StoreError as error:
        _fatal(str(error))
        raise  # unreachable: _fatal exits


def _fatal(message: str) -> None:
    _stderr().print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(EXIT_FATAL)


class _Commands(click.Group):
    """The command group; a database failure no command foresaw (a full disk while reading, a file
    gone bad) ends with one line naming it instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.Error as error:
            _fatal(str(storage_error("the database", error)))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="newstrace")
def cli() -> None:
    """newstrace: who said what, which articles tell the same story, and how quotes travel.

    \b
    Start with:
      newstrace analyze examples/corpus --db news.db
      newstrace search "gravest danger" --db news.db
      newstrace stories --db news.db
      newstrace export articles --db news.db --format csv -o articles.csv
    """


def _load_lexicon(path: Path | None) -> Lexicon:
    try:
        return load_lexicon(path)
    except LexiconError as error:
        _fatal(str(error))
        raise  # unreachable: _fatal exits


def _parse_fields(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or name not in DEFAULT_FIELD_NAMES or not column:
            raise click.BadParameter(
                f"{pair!r}: write FIELD=COLUMN with FIELD one of {', '.join(DEFAULT_FIELD_NAMES)}", param_hint="--field"
            )
        mapping[name] = column
    return mapping


@cli.command(short_help="Read articles into the database and analyse them.")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=0,
    help="NLP processes (with --runner dask: local Dask workers); 0 picks by input size.  [default: 0]",
)
@click.option(
    "--runner",
    type=click.Choice(RUNNERS),
    default="local",
    show_default=True,
    help="Where the NLP runs: processes on this machine, or Dask workers (the dask extra, docs/scale.md).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="URL",
    help="With --runner dask: the scheduler of a running cluster (tcp://host:port); without it a local cluster "
    "of --workers processes is started for the run.",
)
@click.option(
    "--pipeline",
    default=DEFAULT_PIPELINE,
    show_default=True,
    envvar="NEWSTRACE_PIPELINE",
    help="spaCy pipeline name or path (env NEWSTRACE_PIPELINE).",
)
@click.option(
    "--format",
    "forced_format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Read every input as this format instead of deciding by file ending.",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="JSON Lines/CSV column for an article field (text, title, url, published, outlet, author).",
)
@click.option("--fetch", is_flag=True, help="For feeds: download each entry's linked page and read that.")
@click.option(
    "--allow-private-addresses",
    is_flag=True,
    help="Let feed URLs and --fetch download from loopback, link-local and private addresses "
    "(refused by default: only http(s) on public addresses).",
)
@click.option(
    "--lexicon",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="NEWSTRACE_LEXICON",
    help="Framing lexicon (TOML, see docs/framing.md); default: the shipped one (env NEWSTRACE_LEXICON).",
)
@click.option(
    "--max-article-mb",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_MAX_ARTICLE_MB,
    show_default=True,
    help="Inputs larger than this are refused (one article cannot be bigger).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=16,
    show_default=True,
    help="Articles sent to an NLP process at a time.",
)
@click.option(
    "--meta",
    "meta_table",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV of metadata for files that lack it: a `path` column and any of outlet, published, url, title.",
)
@click.option(
    "--parse-cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar=PARSE_CACHE_VARIABLE,
    help="Keep each text's spaCy parse in this folder and read it back instead of parsing again, e.g. when a "
    f"new version of a later stage re-analyses stored articles (env {PARSE_CACHE_VARIABLE}; docs/scale.md).",
)
@click.option("--outlet", default=None, help="The outlet of every article read in this run (e.g. for one file).")
@click.option("--published", default=None, help="The publication date of every article read in this run.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary; problems still go to stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def analyze_command(
    paths: tuple[str, ...],
    db: str,
    workers: int,
    runner: str,
    scheduler: str | None,
    pipeline: str,
    forced_format: str | None,
    fields: tuple[str, ...],
    fetch: bool,
    allow_private_addresses: bool,
    lexicon: Path | None,
    max_article_mb: float,
    batch_size: int,
    meta_table: Path | None,
    parse_cache: Path | None,
    outlet: str | None,
    published: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Read articles from PATHS into the database and run every analysis stage.

    PATHS are files, folders (read recursively) or feed URLs, in any mix of formats: plain text
    (.txt), HTML (.html), JSON Lines (.jsonl), CSV (.csv), RSS/Atom (.rss, .atom, .xml) and web
    archives (.warc, .warc.gz). Running the same command again changes nothing; a run that was
    stopped resumes where it left off.

    Exit status: 0 when every input was read, 1 when some inputs failed (each is named on stderr),
    2 on a usage or fatal error.

    \b
    Examples:
      newstrace analyze examples/corpus --db news.db
      newstrace analyze feed.xml --fetch --db news.db
      newstrace analyze dump.jsonl --field text=body --field published=date --db news.db
      newstrace analyze crawl.warc.gz --workers 2 --json --quiet --db news.db
      newstrace analyze crawl.warc.gz --runner dask --scheduler tcp://10.0.0.5:8786 --db news.db
      newstrace analyze examples/corpus --lexicon examples/corpus/framing.toml --db news.db
      newstrace analyze saved/ --meta meta.csv --db news.db
      newstrace analyze rt-piece.txt --outlet RT --published 2024-07-10 --db news.db

    Metadata given with --meta, --outlet or --published wins over what a file says about itself;
    an article already stored takes it too, and its stories are then linked again.
    """
    if scheduler and runner != "dask":
        raise click.BadParameter(
            "a scheduler address is for the Dask runner: add --runner dask", param_hint="--scheduler"
        )
    read = ReadOptions(
        field_map=_parse_fields(fields),
        fetch_linked_pages=fetch,
        allow_private_addresses=allow_private_addresses,
        max_article_mb=max_article_mb,
    )
    loaded_lexicon, metadata = _load_lexicon(lexicon), _load_metadata(meta_table, outlet, published)
    # Only now, once the options are known to be good: the pipeline imports spaCy and the linkers (~1.5 CPU s).
    from newstrace.pipeline import AnalyzeSettings, analyze

    settings = AnalyzeSettings(
        read=read,
        pipeline=pipeline,
        workers=workers,
        runner=runner,
        scheduler=scheduler,
        batch_size=batch_size,
        forced_format=forced_format,
        command=" ".join(["newstrace", *sys.argv[1:]]),
        lexicon=loaded_lexicon,
        metadata=metadata,
        parse_cache=str(parse_cache) if parse_cache else None,
    )
    console = _stderr()
    try:
        store = open_store(db)
        with RichProgress(console, show_bar=not quiet) as progress:
            summary = analyze(list(paths), store, settings, progress)
    except ModelNotInstalled as error:
        _fatal(str(error))
    except (StoreError, RunnerError) as error:
        _fatal(str(error))
    except KeyboardInterrupt:
        console.print("interrupted: what was stored is kept; run the same command again to resume")
        sys.exit(130)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    elif not quiet:
        print_summary(Console(), summary, db)
    sys.exit(EXIT_INPUT_FAILED if summary.failed else 0)


def _load_metadata(table: Path | None, outlet: str | None, published: str | None) -> MetadataTable | None:
    """The metadata of `--meta`, `--outlet` and `--published`, or a usage error naming what is wrong."""
    try:
        for_all = supplied_metadata(outlet, published)
        if table is not None:
            return replace(read_metadata_csv(table), for_all=for_all)
    except MetadataError as error:
        raise click.BadParameter(str(error)) from error
    return metadata_table([], for_all) if for_all else None


_EXPORT_HELP = f"""Write every row of TABLE, streaming, with no cap on the number of rows.

    TABLE is one of: {", ".join(EXPORT_COLUMNS)}. The columns of each are documented in docs/export.md.

    \b
    Examples:
      newstrace export articles --db news.db --format csv -o articles.csv
      newstrace export entities --db news.db | head
      newstrace export entities --db news.db --format parquet -o entities.parquet
    """


@cli.command("export", help=_EXPORT_HELP, short_help="Write every row of a table as JSON Lines, CSV or Parquet.")
@click.argument("table", type=click.Choice(tuple(EXPORT_COLUMNS)), metavar="TABLE")
@db_option
@click.option("--format", "output_format", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of stdout (required for parquet); it appears only once complete.",
)
@click.option("--include-text", is_flag=True, help="articles: add the full text column.")
def export_command(table: str, db: str, output_format: str, output: Path | None, include_text: bool) -> None:
    """Write every row of TABLE (its help is _EXPORT_HELP)."""
    if output_format == "parquet" and output is None:
        raise click.UsageError("parquet is a binary format: give a file with -o FILE")
    try:
        count = export_table(open_store(db, readonly=True), table, output_format, output or sys.stdout, include_text)
    except (StoreError, ExportError) as error:
        _fatal(str(error))
    except OSError as error:
        _fatal(f"cannot write {output or 'stdout'}: {error.strerror or error}")
    if output is not None:
        _stderr().print(f"wrote {count:,} rows of {table} to {escape(str(output))}", highlight=False)


@cli.command("search", short_help="Search the titles and texts of the stored articles.")
@click.argument("query", default="")
@db_option
@_paging_options("hits", 20, most=1000)
@click.option("--outlet", default="", help="Only articles of this outlet.")
@_date_options("Only articles published")
@click.option("--speaker", default="", help="Only articles quoting this speaker (a name, any case, or an id).")
@click.option("--language", default="", help="Only articles in this language (a code such as en).")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search_command(
    query: str,
    db: str,
    limit: int,
    offset: int,
    outlet: str,
    date_from: str,
    date_to: str,
    speaker: str,
    language: str,
    as_json: bool,
) -> None:
    """Search the titles and texts of stored articles, best matches first (newest first without words,
    or when the words match more than 10,000 articles).

    The filters are those of the web app's search page, and combine. In QUERY every word must occur
    (any case, accents ignored); "quoted words" occur as a phrase; OR between two terms takes either;
    -word or -"a phrase" leaves out the articles that hold it; word* finds the words that start so.
    Nothing else is syntax: parentheses, NEAR and the like are searched as words.

    \b
    Examples:
      newstrace search "gravest danger" --db news.db
      newstrace search 'Holm "Drovnian victory"' --db news.db --limit 5
      newstrace search 'flood OR storm "Tomas Riel" -"Granite Times" home*' --db news.db
      newstrace search --speaker "Anneke Holm" --outlet VDA --from 2025-03-01 --db news.db
    """
    from newstrace.serve.data import BadRequest, search_filters, unmatched_filters

    try:
        filters = search_filters(query, outlet, date_from, date_to, speaker, language)
    except BadRequest as error:
        raise click.UsageError(str(error)) from error
    try:
        store = open_store(db, readonly=True)
        filters = replace(filters, outlet=_stored_outlet_name(store, filters.outlet))
        hits, total = store.page_search(filters, limit, offset)
    except SearchSyntaxError as error:
        _fatal(str(error))
    except StoreError as error:
        _fatal(str(error))
    if as_json:
        click.echo(json.dumps([hit.__dict__ for hit in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        _nothing_listed(total, offset, "matches", lambda: unmatched_filters(store, filters))
        return
    newest = newest_first(filters, total)
    table = Table("score", "article", "outlet", "published", "title / snippet", show_lines=True)
    for hit in hits:
        table.add_row(
            "" if newest else f"{hit.score:.2f}",
            hit.article_id,
            escape(hit.outlet or ""),
            hit.published or "",
            f"[bold]{escape(hit.title or '')}[/]\n{_marked_snippet(hit.snippet)}",
        )
    Console().print(table)
    if newest and filters.query:
        over = store_base.NEWEST_FIRST_OVER
        _stderr().print(f"more than {over:,} matches: newest first; narrow the search to rank by relevance")
    _more(total, offset, limit)


def _marked_snippet(snippet: str) -> str:
    """A hit's snippet as console markup: the words found in reverse video, the rest as written."""
    return "".join(f"[reverse]{escape(text)}[/]" if found else escape(text) for text, found in snippet_pieces(snippet))


def _stored_outlet_name(store: Store, name: str | None) -> str | None:
    """The outlet as stored, found in any case (as `outlet` finds it); a name no article has is kept."""
    if not name:
        return None
    folded = name.casefold()
    stored = (row.outlet for row in store.outlets())
    return next((outlet for outlet in stored if outlet.casefold() == folded), name)


def _nothing_listed(total: int, offset: int, what: str, unmatched: Callable[[], list[str]]) -> None:
    """Say on stderr why a page of a search or listing is empty: its --offset is past the last row, or
    nothing matches (with each filter that alone matches nothing, from `unmatched`). Past the last row, the
    store counted every row (`Store.page_list`, `page_search`)."""
    if total:
        _stderr().print(f"--offset {offset:,} is past the last of the {what} (all {total:,}): use a smaller one")
        return
    reasons = unmatched()
    _stderr().print(escape_line(f"no {what}" + (": " + "; ".join(reasons) if reasons else "")), highlight=False)


def _unmatched_listing(db: str, filters: ListFilters) -> list[str]:
    from newstrace.serve.data import unmatched_filters

    return unmatched_filters(open_store(db, readonly=True), filters)


def _more(total: int, offset: int, limit: int) -> None:
    if total > COUNT_CAP and offset < COUNT_CAP:  # the store counted no further (past it, it counts every row)
        _stderr().print(f"more (over {COUNT_CAP:,} in all): use --offset {offset + limit}")
    elif total > offset + limit:
        _stderr().print(f"{total - offset - limit} more: use --offset {offset + limit}")


@cli.group("speakers", invoke_without_command=True, short_help="List speakers, the most quoted first; correct them.")
@db_option
@_paging_options("speakers", 50)
@click.option(
    "--order",
    type=click.Choice(LIST_ORDERS["speakers"]),
    default="quotes",
    show_default=True,
    help="quotes: most quoted first; outlets: quoted by most outlets first.",
)
@click.option("--name", default="", help="Only speakers whose name or other names hold these words (any case).")
@click.option("--outlet", default="", help="Count only quotes in this outlet's articles.")
@_date_options("Count only quotes in articles published")
@click.option("--json", "as_json", is_flag=True, help="Print the speakers as JSON.")
@click.pass_context
def speakers_command(
    context: click.Context,
    db: str,
    limit: int,
    offset: int,
    order: str,
    name: str,
    outlet: str,
    date_from: str,
    date_to: str,
    as_json: bool,
) -> None:
    """List speakers, most quoted (or quoted by most outlets) first, with their kind, other names, roles,
    quotes, articles and outlets. With --outlet, --from or --to, only the quotes there count. The
    commands merge, split and rename correct the speakers; the corrections are kept across re-runs.

    \b
    Examples:
      newstrace speakers --db news.db
      newstrace speakers --db news.db --order outlets --from 2025-03-01 --to 2025-03-31
      newstrace speakers --db news.db --name holm --json
      newstrace speakers merge "Stoltenberg NATO" "Jens Stoltenberg" --db news.db
      newstrace export speakers --db news.db --format csv -o speakers.csv
    """
    if context.invoked_subcommand is not None:
        return
    filters = ListFilters("speakers", order, name, outlet or None, date_from or None, date_to or None)
    ranked, total = _listing_page(db, filters, limit, offset)
    if not ranked and not as_json:
        _nothing_listed(total, offset, "speakers", lambda: _unmatched_listing(db, filters))
        return
    if as_json:
        click.echo(json.dumps([_decoded(row) for row in ranked], indent=2, ensure_ascii=False))
        return
    table = Table("speaker", "kind", "quotes", "articles", "outlets", "also called", "roles")
    for row in ranked:
        decoded = _decoded(row)
        table.add_row(
            escape(str(row["name"])), str(row.get("kind", "")), str(row["n_quotes"]), str(row["n_articles"]),
            str(row["n_outlets"]),
            escape(", ".join(decoded["aliases"])), escape("; ".join(decoded["roles"])),
        )  # fmt: skip
    Console().print(table)
    _more(total, offset, limit)


def _decoded(row: dict[str, object]) -> dict[str, Any]:
    return {**row, "aliases": json.loads(str(row["aliases"])), "roles": json.loads(str(row["roles"]))}


@cli.command("link", short_help="Link stored articles into stories, copies and reused passages.")
@db_option
@click.option("--relink", is_flag=True, help="Forget every story, duplicate and reuse link first, and link all again.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def link_command(db: str, relink: bool, quiet: bool, as_json: bool) -> None:
    """Link stored articles into stories, mark near-duplicates and align reused passages.

    `analyze` does this at the end of every run; use this command to finish linking after an
    interruption, or with --relink to redo it from scratch (the result is the same every time).

    \b
    Examples:
      newstrace link --db news.db
      newstrace link --db news.db --relink --json
    """
    from newstrace.events.grouping import group_events
    from newstrace.pipeline.link import LinkSettings, link_articles

    try:
        store = open_store(db)
        if relink:
            store.reset_links()
        with RichProgress(_stderr(), show_bar=not quiet) as progress:
            summary = link_articles(store, LinkSettings(), progress)
        group_events(store)  # events are grouped within stories
    except StoreError as error:
        _fatal(str(error))
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    elif not quiet:
        Console().print(
            f"{summary.linked} articles linked in {summary.seconds:.2f} s: {summary.stories_opened} new stories, "
            f"{summary.duplicates} near-duplicates, {summary.recurrences} recurrences, "
            f"{summary.reuse_passages} reused passages"
        )


@cli.command("stories", short_help="List stories, the most widely covered first.")
@db_option
@_paging_options("stories", 30)
@click.option(
    "--order",
    type=click.Choice(LIST_ORDERS["stories"]),
    default="coverage",
    show_default=True,
    help="coverage: most outlets, then most articles, first; date: latest first.",
)
@click.option("--name", default="", help="Only stories whose title holds these words (any case).")
@click.option("--outlet", default="", help="Only stories this outlet covered.")
@_date_options("Only stories with articles")
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
def stories_command(
    db: str, limit: int, offset: int, order: str, name: str, outlet: str, date_from: str, date_to: str, as_json: bool
) -> None:
    """List stories, the most widely covered (or the latest) first, with their dates, outlets and recurrences.

    \b
    Examples:
      newstrace stories --db news.db
      newstrace stories --db news.db --order date --from 2025-03-01 --name victory
      newstrace stories --db news.db --limit 100 --json
      newstrace export stories --db news.db --format csv -o stories.csv
    """
    filters = ListFilters("stories", order, name, outlet or None, date_from or None, date_to or None)
    shown, total = _listing_page(db, filters, limit, offset)
    if not shown and not as_json:
        _nothing_listed(total, offset, "stories", lambda: _unmatched_listing(db, filters))
        return
    try:
        links = open_store(db, readonly=True).iter_rows("story_links")
        recurs = {str(row["story_id"]): row for row in links if row["relation"] == "recurs"}
    except StoreError as error:
        _fatal(str(error))
    if as_json:
        payload = [{**row, "recurs_from": recurs[str(row["id"])]["related_story_id"] if row["id"] in recurs else None}
                   for row in shown]  # fmt: skip
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    Console().print(_stories_table(shown, recurs))
    _more(total, offset, limit)


def _stories_table(shown: list[dict[str, object]], recurs: Mapping[str, Mapping[str, object]]) -> Table:
    """The stories as a table that fits 80 columns with every story id whole (`compare` takes one): a
    story's first and last dates in one cell, one a line, and the story it recurs from under its title."""
    table = Table()
    table.add_column("story", no_wrap=True)
    table.add_column("dates", no_wrap=True)
    table.add_column("articles", justify="right")
    table.add_column("outlets", justify="right")
    table.add_column("title", ratio=1, min_width=len("st_0123456789abcdef"))  # an id it recurs from, whole
    for row in shown:
        first, last = str(row["first_seen"] or ""), str(row["last_seen"] or "")
        title = escape(str(row["title"] or ""))
        link = recurs.get(str(row["id"]))
        if link:
            title += f"\n[dim]recurs from {link['related_story_id']} (+{link['gap_days']} d)[/]"
        dates = first if first == last else f"{first}\n{last}"
        table.add_row(str(row["id"]), dates, str(row["n_articles"]), str(row["n_outlets"]), title)
    return table


@cli.command("frame", short_help="Find framing markers in the articles not yet framed.")
@db_option
@click.option(
    "--lexicon",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="NEWSTRACE_LEXICON",
    help="Framing lexicon (TOML); default: the shipped one (env NEWSTRACE_LEXICON).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def frame_command(db: str, lexicon: Path | None, as_json: bool) -> None:
    """Find framing markers (names, labels, reporting-verb stance) in articles not yet framed with this lexicon.

    `analyze` does this at the end of every run; after editing a lexicon, run this to apply it to
    what is stored. The lexicon format is documented in docs/framing.md.

    \b
    Examples:
      newstrace frame --db news.db --lexicon my_lexicon.toml
      newstrace export framing --db news.db --format csv -o framing.csv
    """
    from newstrace.pipeline.frame import frame_articles

    chosen = _load_lexicon(lexicon)
    try:
        summary = frame_articles(open_store(db), chosen)
    except StoreError as error:
        _fatal(str(error))
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        Console().print(f"{summary.articles} articles framed with {escape(chosen.origin)}: {summary.markers} markers")


view_format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: to read; json: the same, with the ids and character offsets behind it.",
)


def _show_view(view: Any, output_format: str, print_tables: Callable[[Console, Any], None]) -> None:
    """A story comparison, an outlet profile or a trail: as JSON (its `to_dict`) or as tables."""
    if output_format == "json":
        click.echo(json.dumps(view.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_tables(Console(), view)


@cli.command("compare")
@click.argument("story_id")
@db_option
@view_format_option
def compare_command(story_id: str, db: str, output_format: str) -> None:
    """Show how each outlet covered one story, side by side.

    For every outlet: its headlines and how many days after the first article it published, whom it
    quoted and whom it left out (quoted by other outlets of the story), its reporting verbs per speaker
    with their stance (neutral, distancing, endorsing), and the names and labels it used. The JSON
    form carries the article id and character offsets of every verb, name and label.

    \b
    Examples:
      newstrace stories --db news.db                # find a story id
      newstrace compare st_1bac0488b708c7cb --db news.db
      newstrace compare st_1bac0488b708c7cb --db news.db --format json
    """
    from newstrace.cli.framing import print_comparison
    from newstrace.framing.compare import NotFound, compare_story

    try:
        comparison = compare_story(open_store(db, readonly=True), story_id)
    except (NotFound, StoreError) as error:
        _fatal(str(error))
    _show_view(comparison, output_format, print_comparison)


@cli.command("outlet", short_help="Profile one outlet: verb stance, names and labels, voices.")
@click.argument("name")
@db_option
@view_format_option
def outlet_command(name: str, db: str, output_format: str) -> None:
    """Profile one outlet across every story it covered: stance of its reporting verbs, its naming
    choices and labels, whose voices it carries. NAME is matched regardless of case; `newstrace
    outlets` lists them.

    \b
    Examples:
      newstrace outlet VDA --db news.db
      newstrace outlet "Meridian Wire" --db news.db --format json
    """
    from newstrace.cli.framing import print_outlet
    from newstrace.framing.compare import NotFound, outlet_profile

    try:
        profile = outlet_profile(open_store(db, readonly=True), name)
    except (NotFound, StoreError) as error:
        _fatal(str(error))
    _show_view(profile, output_format, print_outlet)


@cli.command("outlets", short_help="List the outlets, those with the most articles first.")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the outlets as JSON.")
def outlets_command(db: str, as_json: bool) -> None:
    """List the outlets of the stored articles, those with the most articles first.

    \b
    Examples:
      newstrace outlets --db news.db
      newstrace outlets --db news.db --json
      newstrace outlet vda --db news.db          # then profile one (any case)
    """
    try:
        outlets = open_store(db, readonly=True).outlets()
    except StoreError as error:
        _fatal(str(error))
    if as_json:
        click.echo(json.dumps([records.as_json(row) for row in outlets], indent=2, ensure_ascii=False))
        return
    table = Table("outlet", "articles")
    for row in outlets:
        table.add_row(escape(row.outlet), str(row.n_articles))
    Console().print(table)


@cli.command("trail", short_help="Show one statement across outlets, and how it changed.")
@click.argument("quote_or_utterance_id")
@db_option
@view_format_option
def trail_command(quote_or_utterance_id: str, db: str, output_format: str) -> None:
    """Show the trail of one utterance: every rendering across outlets, in time order, and how it changed.

    Give an utterance id (`export utterances`) or the id of any quote that renders it (`export
    quotes`). Each rendering is compared word by word with the canonical text: cut words are struck
    through, inserted ones green, substituted ones yellow; flags mark altered direct quotes, truncations,
    paraphrases as indirect speech and changed speakers. Earlier and later utterances of the same claim
    (months apart) are listed too.

    \b
    Examples:
      newstrace trail u_2025-03-12_1bac0488b708c7cb-402 --db news.db
      newstrace trail 8cb27528a9f5e6b5-324 --db news.db --format json
    """
    from newstrace.cli.framing import print_trail
    from newstrace.link.trail_view import TrailNotFound, trail

    try:
        found = trail(open_store(db, readonly=True), quote_or_utterance_id)
    except (TrailNotFound, StoreError) as error:
        _fatal(str(error))
    _show_view(found, output_format, print_trail)


@cli.command("serve", short_help="Open the local web app over the database, read-only.")
@db_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; loopback unless --allow-remote.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow binding to a non-loopback address (anyone who can reach it can read the database).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Server processes.")
@click.option(
    "--query-seconds",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Stop a page whose database reads take longer, and answer 503 with a message.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Keep nothing from one request to the next (search pages, their counts, listings): every page is read anew.",
)
def serve_command(
    db: str, port: int, host: str, allow_remote: bool, workers: int, query_seconds: float, no_cache: bool
) -> None:
    """Open the local web app over the database, read-only: stories, trails, speakers, outlets, articles.

    Every page has a JSON twin under /api (the list of endpoints is at /api, OpenAPI at
    /api/openapi.json). The app works offline.

    \b
    Examples:
      newstrace serve --db news.db                   # then open http://127.0.0.1:8000
      newstrace serve --db news.db --port 8080
      newstrace serve --db news.db --workers 4        # more processes for many users
      newstrace serve --db big.db --query-seconds 30  # allow slow pages over a huge database
    """
    import ipaddress

    import uvicorn

    from newstrace.serve import create_app
    from newstrace.serve.workers import serve_in_processes

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not allow_remote:
        _fatal(f"refusing to bind {host}: it is not a loopback address; add --allow-remote if you mean it")
    if not loopback:
        _stderr().print(
            f"[bold yellow]warning:[/] serving {escape(display_url(db))} to the network on {escape(host)}:{port}"
        )
    try:
        if workers == 1:
            app = create_app(db, host=host, port=port, query_seconds=query_seconds, keep_answers=not no_cache)
        else:  # each worker process makes its own app: here one would compute the overview's summary for nobody
            open_store(db, readonly=True).close()
    except StoreError as error:
        _fatal(str(error))
    _stderr().print(f"newstrace: http://{host}:{port}/ (read-only over {escape(display_url(db))}); Ctrl-C stops it")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
        return
    os.environ.update(
        NEWSTRACE_SERVE_DB=db if is_postgres_url(db) else str(Path(db).resolve()),
        NEWSTRACE_SERVE_HOST=host,
        NEWSTRACE_SERVE_PORT=str(port),
        NEWSTRACE_SERVE_QUERY_SECONDS=str(query_seconds),
        NEWSTRACE_SERVE_CACHE="0" if no_cache else "1",
    )
    serve_in_processes(host, port, workers, share_pages=not no_cache)  # a socket per process; pages shared


@cli.group("eval", short_help="Score newstrace against gold data.")
def eval_group() -> None:
    """Score newstrace against gold data and print precision, recall and F1."""


def _run_evaluation(evaluate: Callable[..., Scores], gold: Path, db: str | None, workers: int, quiet: bool) -> Scores:
    """Analyse a gold folder into `db` (or a temporary database) with a progress bar, and score it."""
    from newstrace.pipeline import AnalyzeSettings

    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(db or Path(scratch) / "eval.db")
        with RichProgress(_stderr(), show_bar=not quiet) as progress:
            try:
                # NEWSTRACE_PARSE_CACHE serves the evaluations' analyses too (docs/scale.md)
                settings = AnalyzeSettings(workers=workers, parse_cache=os.environ.get(PARSE_CACHE_VARIABLE) or None)
                scores = evaluate(gold, store, settings, progress)
            except (FileNotFoundError, ValueError, RuntimeError, ModelNotInstalled) as error:
                _fatal(str(error))
                raise  # unreachable: _fatal exits
        store.close()
    return scores


def _eval_options(gold_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The options every `eval` command takes: the gold folder, a database to keep, workers, JSON."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        options = (
            click.option(
                "--gold", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True, help=gold_help
            ),
            click.option(
                "--db",
                type=click.Path(dir_okay=False),
                default=None,
                help="Keep the analysed texts in this database, a file or a postgresql:// URL (default: a temporary "
                "one); reruns skip the NLP.",
            ),
            click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="NLP processes."),
            click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON."),
        )
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@eval_group.command("quotes", short_help="Score quotes: sources, cues and contents against PolNeAR.")
@_eval_options("A PolNeAR split folder (with text/ and attributions/).")
def eval_quotes_command(gold: Path, db: str | None, workers: int, as_json: bool) -> None:
    """Run the pipeline on PolNeAR texts and score sources, cues and contents against the annotations.

    Exact: spans equal after trimming blanks, edge punctuation and quotation marks. Overlap: shared
    characters at least half of the union, matched one to one. Discontinuous gold spans count
    fragment by fragment.

    \b
    Examples:
      newstrace eval quotes --gold ../shared/data/polnear/dev
      newstrace eval quotes --gold ../shared/data/polnear/dev --json
    """
    from newstrace.evaluation.quotes import evaluate_quotes

    scores = _run_evaluation(evaluate_quotes, gold, db, workers, as_json)
    if as_json:
        click.echo(json.dumps(scores.to_dict(), indent=2))
        return
    table = Table(title=f"quotes vs {gold} — {scores.documents} documents, {scores.words} words")
    for column in ("role", "exact P", "exact R", "exact F1", "overlap P", "overlap R", "overlap F1"):
        table.add_column(column, justify="left" if column == "role" else "right")
    for role in ("source", "cue", "content"):
        exact, overlap = scores.counts[(role, "exact")], scores.counts[(role, "overlap")]
        values = (exact.precision, exact.recall, exact.f1, overlap.precision, overlap.recall, overlap.f1)
        table.add_row(role, *(f"{value:.3f}" for value in values))
    Console().print(table)
    _stderr().print(f"analysed in {scores.seconds:.1f} s ({scores.words / max(scores.seconds, 1e-9):.0f} words/s)")


@eval_group.command("stories", short_help="Score stories against ECB+ or PolNeAR, beside a baseline.")
@_eval_options(
    "An ECB+ folder (gold.json, text/) or a PolNeAR folder (stories.jsonl, metadata.tsv, train/, dev/); with "
    "--labels, any folder holding the labelled .txt files (in it or below it)."
)
@click.option(
    "--labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Story labels for the texts under --gold: JSON lines with file (the text's name without .txt) and "
    "story, as PolNeAR's stories.jsonl; the texts are read without metadata. The PTC articles' labels ship as "
    "benchmarks/data/ptc_stories.jsonl.",
)
@click.option(
    "--errors",
    type=click.IntRange(0),
    default=0,
    help="Also list this many missed same-story pairs and as many wrong joins, with their similarity, "
    "days apart and shared rare names.",
)
def eval_stories_command(
    gold: Path, db: str | None, workers: int, as_json: bool, labels: Path | None, errors: int
) -> None:
    """Run the pipeline on a gold set, link it into stories with the default settings, and score them.

    Prints B-cubed and pairwise precision, recall and F1, for newstrace and, on the same stored
    texts in the same run, for the baseline: TF-IDF cosine with offline average-link clustering
    cut at one fixed similarity (the same for every set; see docs/linking.md). Two dense checks
    link the same texts again as a denser stream: every article on one day, and a month of dates
    pressed into a day; a third, half undated, links them with the dates of odd days removed. A set
    none of whose texts is dated gets none of the three: each would be the plain run.

    \b
    Examples:
      newstrace eval stories --gold ../shared/data/ecbplus
      newstrace eval stories --gold ../shared/data/polnear
      newstrace eval stories --gold ../shared/data/ptc --labels benchmarks/data/ptc_stories.jsonl
      newstrace eval stories --gold ../shared/data/ecbplus --db ecb.db --json
      newstrace eval stories --gold ../shared/data/polnear --db polnear.db --errors 20
    """
    from newstrace.evaluation.stories import evaluate_stories

    evaluate = functools.partial(evaluate_stories, errors=errors, labels_file=labels)
    scores = _run_evaluation(evaluate, gold, db, workers, as_json)
    if as_json:
        click.echo(json.dumps(scores.to_dict(), indent=2))
        return
    title = (
        f"stories vs {scores.name} ({gold}) — {scores.documents} documents, {scores.gold_stories} gold stories, "
        f"{scores.predicted_stories} found"
    )
    table = Table(title=title)
    for column in ("system", "measure", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column in ("system", "measure") else "right")
    baseline = f"TF-IDF average link at {scores.baseline.threshold}"
    for system, bcubed_prf, pairwise_prf in (
        ("newstrace", scores.bcubed, scores.pairwise),
        (baseline, scores.baseline.bcubed, scores.baseline.pairwise),
    ):
        for name, prf in (("B-cubed", bcubed_prf), ("pairwise", pairwise_prf)):
            table.add_row(system, name, f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}")
    for check in scores.dense:  # the same texts, dates pressed or half removed (the baseline reads no dates)
        for name, prf in (("B-cubed", check.bcubed), ("pairwise", check.pairwise)):
            system = f"newstrace, {check.label}"
            table.add_row(system, name, f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}")
    Console().print(table)
    if scores.threads:
        Console().print(_threads_line(scores.threads))
    if scores.errors:
        Console().print(_story_errors_table(scores.errors))
    _stderr().print(f"linked in {scores.link_seconds:.1f} s; whole run {scores.seconds:.1f} s")


def _threads_line(threads: ThreadCounts) -> str:
    """How many pairs kept in different stories a story link or two joins (`eval stories`)."""
    same, different = threads.same_story, threads.different_stories
    return (
        f"pairs in different stories, by the story links between them (one / two / further): "
        f"same gold story {same[0]} / {same[1]} / {same[2]}; "
        f"different gold stories {different[0]} / {different[1]} / {different[2]}"
    )


def _story_errors_table(errors: Sequence[PairError]) -> Table:
    """The pairs `eval stories --errors` lists: missed pairs, then wrong joins."""
    table = Table(title="pairs the linker got wrong (missed: most similar first; wrong joins: least similar first)")
    for column in ("kind", "documents", "days apart", "similarity", "shared rare names"):
        table.add_column(column, justify="right" if column in ("days apart", "similarity") else "left", overflow="fold")
    for error in errors:
        gap = "undated" if error.gap_days is None else str(error.gap_days)
        names = ", ".join(error.shared_rare_names) or "-"
        table.add_row(error.kind, "\n".join(error.documents), gap, f"{error.similarity:.3f}", names)
    return table


register_events(cli, eval_group)
register_eval_trails(eval_group)
register_speaker_corrections(speakers_command)


def main() -> None:
    cli(prog_name="newstrace")
