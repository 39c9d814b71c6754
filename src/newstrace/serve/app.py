"""The web app: read-only pages over a newstrace database, each with a JSON twin under /api.

Every page is rendered from the same data function (`serve.data`) its JSON twin returns. Templates
escape every value (Jinja2 autoescape), SQL is parameterised in the store, request sizes are bounded
by the query validation, and the only files served are named static assets from installed packages
(plotly.js from the plotly package, Swagger UI's script and stylesheet from fastapi-offline, and this
package's own scripts and stylesheet). Index pages and searches offer their whole result as CSV, streamed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import os
import re
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, is_dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, quote_plus, urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParameter
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from jinja2 import Environment, PackageLoader, Template, select_autoescape
from markupsafe import Markup, escape

from newstrace import __version__
from newstrace.records import OutletSummary, as_json
from newstrace.serve import charts, data, downloads
from newstrace.serve import events as event_pages
from newstrace.serve.front import KEPT_HEADER, KEPT_PAGE, PAGE_KEY, FrontDoor, PageKeys, shareable, timing
from newstrace.serve.lane import Lane
from newstrace.serve.shared_pages import SHARED_PAGES_ENVIRONMENT, SharedPages
from newstrace.store import QueryTimeout, open_store
from newstrace.store.base import LARGEST_INTEGER, LIST_ORDERS, LISTING_FACET_PER_ROW, ListFilters, SearchFilters, Store
from newstrace.store.recent import RecentAnswers

MAX_QUERY_CHARS = 200
CORPUS_REFRESH_SECONDS = 600.0  # the overview's whole-corpus summary is at most this old
QUERY_SECONDS = 10.0  # a page's reads past this are stopped (503): a runaway query must not hold a thread
# Every page that reads the database waits its turn in one lane per process (serve/lane.py): first come,
# first served, READS_AT_ONCE at a time, a read running past READ_PATIENCE_SECONDS handing its turn on.
# At a million articles and 50 clients on two cores with two processes, one read at a time gave p99 251 ms
# and two 260 ms, against 274-307 ms with six search threads beside forty page threads (docs/web.md,
# "one lane"); two let a single process (serve's default) keep both cores busy while SQLite runs
# without Python's lock.
READS_AT_ONCE = 2
READ_PATIENCE_SECONDS = 0.25
# Threads for the reads in a lane: its turns, and the reads that ran past the patience and go on beside
# them. The same few threads take nearly every read, so their connections' caches stay warm.
READ_THREADS = 40
READ_THREAD_PREFIX = "newstrace-read"
GC_YOUNG_OBJECTS = 20_000  # the collector's first threshold in a server process (Python's default: 700)
# The HTML of the last pages asked (searches; the stories, utterances and flags listings; story,
# utterance, speaker, outlet and article pages), per database, path and query, and data version
# (`Store.data_version`, which every write changes): a page asked again is sent as it was rendered,
# without reading or rendering it again (a month's search asked again still read its page and total and
# rendered 40 KB, about 9 ms of CPU at 200,000 articles). The overview and the speakers and outlets
# listings come from the corpus summary, which changes without a write: they are kept per summary too
# (the overview took 8-9 ms of CPU at 200,000 articles, asked again 2 ms). Kept encoded, at most
# RECENT_PAGE_BYTES of them per process (a search page is 16-41 KB: about 900 pages; 256 pages kept 45 %
# of the benchmark's repeated search and listing pages in a run of 3,000 requests, 1,024 kept 51 %).
RECENT_PAGE_BYTES = 32 * 2**20
RECENT_PAGES: RecentAnswers[bytes] = RecentAnswers(4096, weigh=len, budget=RECENT_PAGE_BYTES)
_SUMMARY_NUMBERS = itertools.count(1)  # every corpus summary made in the process, numbered (CorpusSummary)
ReadResult = TypeVar("ReadResult")
_STATIC = {
    "plotly.min.js": ("plotly", "package_data/plotly.min.js", "text/javascript"),
    "newstrace.js": ("newstrace.serve", "static/newstrace.js", "text/javascript"),
    "newstrace.css": ("newstrace.serve", "static/newstrace.css", "text/css"),
    "swagger-init.js": ("newstrace.serve", "static/swagger-init.js", "text/javascript"),
    # Swagger UI (5.x, which reads OpenAPI 3.1) for /docs, as the fastapi-offline package ships it
    "swagger-ui-bundle.js": ("fastapi_offline", "static/swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("fastapi_offline", "static/swagger-ui.css", "text/css"),
}
_LISTING_SUMMARIES = {
    "stories": "Stories by coverage or date, with title, outlet and date filters",
    "speakers": "Speakers by quotes or outlets, with name, outlet and date filters",
    "outlets": "Outlets by articles or name, with their first and last article",
    "utterances": "Utterances (claims) by renderings or date, with text, speaker, outlet and date filters",
    "flags": "Renderings flagged altered_direct_quote, speaker_changed or translated, newest first",
}

Page = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)]
Text = Annotated[str, Query(max_length=MAX_QUERY_CHARS)]
Id = Annotated[str, Query(max_length=MAX_QUERY_CHARS)]
SpeakerId = Annotated[int, PathParameter(ge=1, le=LARGEST_INTEGER)]
# Characters that reorder the text around them (embeddings, overrides, isolates): a title carrying
# one could make the rest of a page read backwards. Pages show U+FFFD in their place.
_BIDI_CONTROLS = {code: "\N{REPLACEMENT CHARACTER}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_ANY_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
# the same in a page's UTF-8 (a lead byte, 0xE2, is never inside another character's bytes):
_BIDI_CONTROL_UTF8 = re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")
_REPLACEMENT_UTF8 = "\N{REPLACEMENT CHARACTER}".encode()
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def create_app(
    db: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    query_seconds: float = QUERY_SECONDS,
    reads_at_once: int = READS_AT_ONCE,
    read_patience: float = READ_PATIENCE_SECONDS,
    keep_answers: bool = True,
    shared_pages: SharedPages | None = None,
) -> FastAPI:
    """The app over the database at `db`, opened read-only (one connection per worker thread).

    Pages read the database on threads, never on the event loop, in the order they were asked, at most
    `reads_at_once` at a time (serve/lane.py); a read running past `read_patience` seconds hands its turn
    to the next, so one slow page does not hold up the others; a page whose reads take longer than
    `query_seconds` is stopped and answered 503 with a message saying so. With `keep_answers` false,
    nothing is kept from one request to the next (no page, counts or first matches of a search;
    `newstrace serve --no-cache`). With `shared_pages` (`newstrace serve --workers N`), the pages kept
    per data version are shared with the other worker processes.

    It answers only requests whose Host header names the address it is bound to (`host`, or a
    loopback name) with its `port` (any port when None): a web page elsewhere cannot reach it through
    a DNS name that points at this machine (DNS rebinding). Bound to every address, it answers any Host.
    """
    opened = open_store(db, readonly=True)  # fail now, with the store's message, if it is missing or old
    opened.hold_facet_columns()  # the process's columns of facet keys read from now, on a thread of their own
    opened.close()
    local = threading.local()
    corpus = CorpusSummary(db)

    def store() -> Store:
        if not hasattr(local, "store"):
            local.store = open_store(db, readonly=True)
            local.store.hold_facet_columns()  # a search's facet keys looked up in the process (store.columns)
            if not keep_answers:
                local.store.keep_no_answers()
        found: Store = local.store
        return found

    def read(page_data: Callable[..., ReadResult], *arguments: Any) -> ReadResult:
        """`page_data(store, *arguments)` on this thread's store, stopped after `query_seconds` (its time
        is the request's `data` in Server-Timing)."""
        own, started = store(), time.perf_counter()
        try:
            with own.time_limit(query_seconds):
                return page_data(own, *arguments)
        finally:
            timed = timing()
            if timed is not None:
                timed.data = (timed.data or 0.0) + time.perf_counter() - started

    lane = Lane(reads_at_once, read_patience, READ_THREADS, READ_THREAD_PREFIX)
    # a page another worker process kept is looked up beside the lane, not in it: a lookup takes tens of
    # microseconds and must not wait behind the reads queued there
    lookups = ThreadPoolExecutor(2, thread_name_prefix="newstrace-lookup")
    # and a page made here is written there on a thread of its own, after the read has handed its turn on
    sharing = ThreadPoolExecutor(1, thread_name_prefix="newstrace-share")

    @contextlib.asynccontextmanager
    async def shared_before_stopping(_: FastAPI) -> AsyncIterator[None]:
        """The app's lifespan: when it stops, the pages still queued for sharing are written first."""
        yield
        await asyncio.get_running_loop().run_in_executor(sharing, lambda: None)

    templates = Environment(
        loader=PackageLoader("newstrace.serve", "templates"),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,  # templates ship with the package; no need to stat them on every request
    )
    # as the text is, so that `page_bytes` finds the bidi controls in the JSON of a chart too
    templates.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    templates.filters["path_segment"] = lambda value: quote(str(value), safe="")
    templates.filters["counted"] = counted
    templates.globals["url_with"] = url_with
    templates.globals["page_base"] = page_base
    templates.globals["lines_svg"] = charts.lines_svg
    templates.globals["shares_svg"] = charts.shares_svg
    templates.globals["outlet_options"] = outlet_options
    templates.globals["facet_list"] = facet_list
    templates.globals["facet_per_row"] = LISTING_FACET_PER_ROW
    templates.globals["snippet_html"] = snippet_html
    app = FastAPI(
        title="newstrace",
        version=__version__,
        description="Read-only JSON API over a newstrace database; every HTML page has its twin here.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=shared_before_stopping,
    )

    def html(template: str, payload: dict[str, Any], request: Request | None = None) -> HTMLResponse:
        return HTMLResponse(rendered(template, payload, request))

    def rendered(template: str, payload: dict[str, Any], request: Request | None = None) -> bytes:
        """The page of `template` (its time is the request's `render` in Server-Timing)."""
        params = dict(request.query_params) if request else {}
        started = time.perf_counter()
        page = page_bytes(templates.get_template(template), params=params, **payload)
        timed = timing()
        if timed is not None:
            timed.render = (timed.render or 0.0) + time.perf_counter() - started
        return page

    versions = open_store(db, readonly=True)  # asked for the data version only (a file's stat, no query)
    # the key a page is kept under in RECENT_PAGES (front.PageKeys), found by the front door before routing
    keys = PageKeys(
        str(db), versions.data_version if keep_answers else lambda: None, lambda: corpus.refreshed,
        data.counting_settings,
    )  # fmt: skip

    def page_key(request: Request) -> tuple[object, ...] | None:
        """The key of the request's page in RECENT_PAGES (the front door put it in the scope), or None."""
        key: tuple[object, ...] | None = request.scope.get(PAGE_KEY)
        return key

    async def read_json(page_data: Callable[..., dict[str, Any]], *arguments: Any) -> Response:
        """A JSON twin: `page_data(store, *arguments)` read and encoded in the lane (`json_bytes`: the bytes
        FastAPI's own encoding gives, written on the lane's thread rather than on the event loop)."""
        encoded = await lane.run(lambda: json_bytes(read(page_data, *arguments)))
        return Response(encoded, media_type="application/json")

    async def kept_or_read(key: tuple[object, ...] | None, page: Callable[[], bytes]) -> HTMLResponse:
        """`page()` read in the lane and kept under `key` unless it is None (a page kept already was sent by
        the front door, before routing). A page another worker process kept (`shared_pages`) is looked up
        first, beside the lane, and sent as kept."""
        if key is None:
            return HTMLResponse(await lane.run(page))
        if shared_pages is not None and shareable(key):
            loop = asyncio.get_running_loop()
            found = await loop.run_in_executor(lookups, shared_pages.get, key)
            if found is not None:
                RECENT_PAGES.get(key, lambda: found)
                return HTMLResponse(found, headers={KEPT_HEADER: KEPT_PAGE})

            made_here: list[bytes] = []

            def made_now() -> bytes:
                made_here.append(page())
                return made_here[0]

            body = await lane.run(lambda: RECENT_PAGES.get(key, made_now))
            if made_here:  # shared after the turn is handed on: a write may wait for the other processes'
                loop.run_in_executor(sharing, shared_pages.put, key, body)
            return HTMLResponse(body)
        return HTMLResponse(await lane.run(lambda: RECENT_PAGES.get(key, page)))

    async def kept_page(
        request: Request, name: str, page_data: Callable[..., dict[str, Any]], *arguments: Any
    ) -> HTMLResponse:
        """The page `name` (its template `name`.html) of `page_data(store, *arguments)`, kept per data version."""

        def page() -> bytes:
            return rendered(f"{name}.html", {"page_name": name, **read(page_data, *arguments)})

        return await kept_or_read(page_key(request), page)

    def download(chunks_of: Callable[[Store], Iterator[str]], filename: str) -> StreamingResponse:
        """A CSV streamed from a store of its own, closed when the last row is sent."""
        own = open_store(db, readonly=True)
        try:
            chunks = chunks_of(own)
        except BaseException:
            own.close()
            raise
        return StreamingResponse(
            _closing(chunks, own),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    names = None if host in _ANY_ADDRESS else (host.strip("[]").lower(), *_LOOPBACK_NAMES)
    app.add_middleware(FrontDoor, keys=keys, pages=RECENT_PAGES, names=names, port=port)

    @app.exception_handler(data.PageNotFound)
    async def not_found(request: Request, error: data.PageNotFound) -> Response:
        return _error(request, templates, 404, str(error))

    @app.exception_handler(QueryTimeout)
    async def too_slow(request: Request, error: QueryTimeout) -> Response:
        return _error(request, templates, 503, f"{error} (the server allows {query_seconds:g} s per page)")

    @app.exception_handler(data.BadRequest)
    async def bad_request(request: Request, error: data.BadRequest) -> Response:
        return _error(request, templates, 400, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors())
        return _error(request, templates, 422, f"invalid request: {problems}")

    # -- pages and their JSON twins ------------------------------------------------------------------

    @app.get("/api/overview", summary="Counts, latest stories (paginated) and outlets", response_model=dict[str, Any])
    async def api_overview(page: Page = 1, per_page: PerPage = 20) -> Response:
        return await read_json(data.overview, page, per_page, corpus.latest())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def overview_page(request: Request, page: Page = 1, per_page: PerPage = 20) -> HTMLResponse:
        def overview() -> bytes:
            payload = read(data.overview, page, per_page, corpus.latest())
            return rendered("overview.html", {"page_name": "overview", **payload})

        return await kept_or_read(page_key(request), overview)

    @app.get(
        "/api/search",
        summary="Full-text search with outlet, date range and speaker filters",
        response_model=dict[str, Any],
    )
    async def api_search(query: Annotated[SearchQuery, Depends(search_query)]) -> Response:
        return await read_json(query.run)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    async def search_page(request: Request, query: Annotated[SearchQuery, Depends(search_query)]) -> HTMLResponse:
        def page() -> bytes:
            return rendered("search.html", {"page_name": "search", **read(query.run)}, request)

        return await kept_or_read(page_key(request), page)

    @app.get("/api/search.csv", summary="Every article a search matches, as CSV (the columns of `export articles`)")
    async def search_csv(query: Annotated[SearchQuery, Depends(search_query)]) -> StreamingResponse:
        return download(lambda own: downloads.search_csv(own, query.filters()), "search.csv")

    def add_listing(listing: str) -> None:
        @app.get(
            f"/api/{listing}", summary=_LISTING_SUMMARIES[listing], name=f"api_{listing}", response_model=dict[str, Any]
        )
        async def api_list(query: Annotated[ListQuery, Depends(list_query)]) -> Response:
            filters = query.filters(listing)
            return await read_json(data.listing, filters, query.page, query.per_page, corpus.latest())

        @app.get(f"/{listing}", response_class=HTMLResponse, include_in_schema=False, name=f"{listing}_page")
        async def list_page(request: Request, query: Annotated[ListQuery, Depends(list_query)]) -> HTMLResponse:
            def page() -> bytes:
                payload = read(data.listing, query.filters(listing), query.page, query.per_page, corpus.latest())
                return rendered("listing.html", {"page_name": listing, **payload}, request)

            return await kept_or_read(page_key(request), page)

        @app.get(f"/api/{listing}.csv", summary=f"All {listing} of the listing, as CSV", name=f"csv_{listing}")
        async def list_csv(query: Annotated[ListQuery, Depends(list_query)]) -> StreamingResponse:
            summary = corpus.latest()  # speakers and outlets are written from it, as their pages are
            return download(lambda own: downloads.listing_csv(own, query.filters(listing), summary), f"{listing}.csv")

    for listing in LIST_ORDERS:
        add_listing(listing)

    @app.get(
        "/api/stories/{story_id}",
        summary="A story: its articles over time, the outlets side by side, and its events",
        response_model=dict[str, Any],
    )
    async def api_story(story_id: str) -> Response:
        return await read_json(event_pages.story_with_events, _bounded(story_id))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(request: Request, story_id: str) -> HTMLResponse:
        return await kept_page(request, "story", event_pages.story_with_events, _bounded(story_id))

    @app.get(
        "/api/utterances/{utterance_id}",
        summary="An utterance's trail (an utterance id or a quote id)",
        response_model=dict[str, Any],
    )
    async def api_utterance(utterance_id: str) -> Response:
        return await read_json(data.utterance, _bounded(utterance_id))

    @app.get("/utterances/{utterance_id}", response_class=HTMLResponse, include_in_schema=False)
    async def utterance_page(request: Request, utterance_id: str) -> HTMLResponse:
        return await kept_page(request, "utterance", data.utterance, _bounded(utterance_id))

    @app.get(
        "/api/speakers/{speaker_id}", summary="A speaker and their claims over time", response_model=dict[str, Any]
    )
    async def api_speaker(speaker_id: SpeakerId, page: Page = 1, per_page: PerPage = 20) -> Response:
        return await read_json(data.speaker, speaker_id, page, per_page)

    @app.get("/speakers/{speaker_id}", response_class=HTMLResponse, include_in_schema=False)
    async def speaker_page(
        request: Request, speaker_id: SpeakerId, page: Page = 1, per_page: PerPage = 20
    ) -> HTMLResponse:
        return await kept_page(request, "speaker", data.speaker, speaker_id, page, per_page)

    @app.get("/api/outlets/{name:path}", summary="An outlet's profile and articles", response_model=dict[str, Any])
    async def api_outlet(name: str, page: Page = 1, per_page: PerPage = 20) -> Response:
        return await read_json(data.outlet, _bounded(name), page, per_page)

    @app.get("/outlets/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    async def outlet_page(request: Request, name: str, page: Page = 1, per_page: PerPage = 20) -> HTMLResponse:
        return await kept_page(request, "outlet", data.outlet, _bounded(name), page, per_page)

    @app.get(
        "/api/articles/{article_id}",
        summary="An article's text with its quotes, markers and entities",
        response_model=dict[str, Any],
    )
    async def api_article(article_id: str) -> Response:
        return await read_json(data.article, _bounded(article_id))

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    async def article_page(request: Request, article_id: str) -> HTMLResponse:
        return await kept_page(request, "article", data.article, _bounded(article_id))

    # -- events (issue 21): actor pages; a story's events are read into its page above ----------------

    @app.get(
        "/api/actors/{code}",
        summary="An actor (country or organisation code): what it did and underwent",
        response_model=dict[str, Any],
    )
    async def api_actor(code: str) -> Response:
        return await read_json(event_pages.actor, _bounded(code))

    @app.get("/actors/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def actor_page(code: str) -> HTMLResponse:
        def page() -> bytes:
            return rendered("actor.html", {"page_name": "actor", **read(event_pages.actor, _bounded(code))})

        return HTMLResponse(await lane.run(page))

    # -- end of events ---------------------------------------------------------------------------------

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    async def api_index() -> HTMLResponse:
        paths = app.openapi()["paths"]
        endpoints = [(path, spec["get"].get("summary", "")) for path, spec in paths.items() if "get" in spec]
        return html("api.html", {"page_name": "api", "endpoints": endpoints})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return html("docs.html", {"page_name": "docs"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)  # browsers ask for one; there is none

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in _STATIC:
            raise data.PageNotFound(f"no static file {name!r}")
        package, inside, media_type = _STATIC[name]
        body = resources.files(package).joinpath(inside).read_bytes()
        return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=3600"})

    # What is loaded by now lives as long as the server: keep it out of the collector's full passes,
    # each of which stalled every request in flight for about 25 ms under load.
    gc.collect()
    gc.freeze()
    # A request makes and drops thousands of objects at once (a search's first 1,000 matches as records),
    # which refcounting frees; at the default threshold (700 more made than freed) the youngest generation
    # was collected every 1.5 search pages and found nothing to free: 0.3 ms of CPU a search page at
    # 100,000 articles, 50 clients. At GC_YOUNG_OBJECTS no collection ran in 900 of them.
    gc.set_threshold(GC_YOUNG_OBJECTS, *gc.get_threshold()[1:])
    return app


class CorpusSummary:
    """The overview's whole-corpus counts, attention and facets, computed on a thread of its own when the
    app starts and again every `refresh_seconds` if the database has changed since (its data version;
    always on a store without one), without the per-page time limit: over a million articles they take
    tens of seconds of CPU, which no page could wait for and an unchanged database need not spend again.
    Until the first is ready, the overview counts the newest articles instead (and says so)."""

    def __init__(self, db: str | Path, refresh_seconds: float = CORPUS_REFRESH_SECONDS) -> None:
        self._db = db
        self._value: dict[str, object] | None = None
        self.refreshed = 0  # the number of the latest summary, unique in the process (pages from it are kept under it)
        self._stop = threading.Event()
        self._refresh_seconds = refresh_seconds
        threading.Thread(target=self._refresh, name="newstrace-corpus-summary", daemon=True).start()

    def latest(self) -> dict[str, object] | None:
        return self._value

    def _refresh(self) -> None:
        summarised: Hashable | None = None  # the data version the latest summary was made from
        while not self._stop.is_set():
            try:
                store = open_store(self._db, readonly=True)
                try:
                    # its facets over every article counted in the process's columns, read first (or being read
                    # for the searches: `create_app`), not by SQL
                    store.hold_facet_columns()
                    store.settle_facet_columns()
                    version = store.data_version()  # read first: a write while counting is counted next time
                    if self._value is None or version is None or version != summarised:
                        self._value = data.corpus_summary(store)
                        self.refreshed = next(_SUMMARY_NUMBERS)
                        summarised = version
                finally:
                    store.close()
            except Exception as error:  # a database being rewritten: keep the last summary, try again later
                print(f"newstrace serve: the overview's summary could not be refreshed: {error}", file=sys.stderr)
            self._stop.wait(self._refresh_seconds)

    def stop(self) -> None:
        self._stop.set()


def _without_bidi_controls(value: object) -> object:
    """A value with the bidi controls that could reorder a page replaced (for the HTML the facet lists and
    the outlets' options build themselves; pages are cleaned whole by `page_bytes`)."""
    return value.translate(_BIDI_CONTROLS) if isinstance(value, str) and _ANY_BIDI_CONTROL.search(value) else value


def json_bytes(payload: dict[str, Any]) -> bytes:
    """A page's data as its JSON twin sends it: the bytes FastAPI's own encoding gives (`jsonable_encoder`,
    then `JSONResponse`), written by `json.dumps` directly, read records as `as_json` gives them. FastAPI's
    encoder walks every value in Python (some 2,600 of a search, the 200 outlets of its form each copied by
    `dataclasses.asdict`): 21 ms a search at a million articles, more than the search's own data."""
    return json.dumps(
        payload, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"), default=_json_value
    ).encode()


def _json_value(value: object) -> object:
    """What `json.dumps` cannot write itself: a read record as its fields, anything else as FastAPI does."""
    return as_json(value) if is_dataclass(value) and not isinstance(value, type) else jsonable_encoder(value)


def page_bytes(template: Template, **values: Any) -> bytes:
    """The page of `template` in UTF-8, every bidi control in it replaced by U+FFFD. The templates hold none,
    so each one came from a value printed (a title, a name, an article's text, a chart's JSON): they are
    looked for once in the encoded page, not in each value (Jinja2's `finalize` called a function on each
    of the ~700 values a search page prints; a regular expression over the page as text took 1.6-2.8 ms, over
    its bytes 0.1 ms, the 0xE2 it starts with being rare)."""
    page = template.render(**values).encode()
    return _BIDI_CONTROL_UTF8.sub(_REPLACEMENT_UTF8, page) if _BIDI_CONTROL_UTF8.search(page) else page


@dataclass(frozen=True)
class SearchQuery:
    """The search page's parameters, validated and bounded (shared by the page and its JSON twin)."""

    text: str
    outlet: str
    date_from: str
    date_to: str
    speaker: str
    page: int
    per_page: int
    language: str
    story: str
    flag: str
    scope: str = "articles"

    def run(self, store: Store) -> dict[str, Any]:
        return data.search(store, self.filters(), self.page, self.per_page, self.scope)

    def filters(self) -> SearchFilters:
        return data.search_filters(
            self.text, self.outlet, self.date_from, self.date_to, self.speaker, self.language, self.story,
            self.flag,
        )  # fmt: skip


DateFrom = Annotated[str, Query(alias="from", max_length=10, description="YYYY-MM-DD")]
DateTo = Annotated[str, Query(alias="to", max_length=10, description="YYYY-MM-DD")]
SpeakerName = Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="a speaker's name (any case) or id")]


async def search_query(
    q: Text = "",
    outlet: Text = "",
    date_from: DateFrom = "",
    date_to: DateTo = "",
    speaker: SpeakerName = "",
    page: Page = 1,
    per_page: PerPage = 20,
    language: Annotated[str, Query(max_length=20)] = "",
    story: Id = "",
    flag: Annotated[str, Query(max_length=40, description="altered_direct_quote|speaker_changed|translated")] = "",
    scope: Annotated[
        str, Query(pattern="^(articles|quotes)$", description="articles, or quotes (who said X)")
    ] = "articles",
) -> SearchQuery:
    """The search parameters from the query string. An async function, not the class itself, because
    FastAPI runs a plain callable dependency in its thread pool, which cost search pages a thread hop."""
    return SearchQuery(q, outlet, date_from, date_to, speaker, page, per_page, language, story, flag, scope)


@dataclass(frozen=True)
class ListQuery:
    """An index page's parameters, validated and bounded (shared by the page, its JSON twin and its CSV)."""

    name: str
    order: str
    outlet: str
    date_from: str
    date_to: str
    speaker: str
    flag: str
    page: int
    per_page: int

    def filters(self, listing: str) -> ListFilters:
        return ListFilters(
            listing, self.order, self.name, self.outlet or None, self.date_from or None, self.date_to or None,
            self.speaker or None, self.flag or None,
        )  # fmt: skip


async def list_query(
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="words in the title, name or quoted text")] = "",
    order: Annotated[str, Query(max_length=20, description="coverage|date, quotes|outlets, articles|name, ...")] = "",
    outlet: Text = "",
    date_from: DateFrom = "",
    date_to: DateTo = "",
    speaker: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="a speaker's name, any case")] = "",
    flag: Annotated[str, Query(max_length=40)] = "",
    page: Page = 1,
    per_page: PerPage = 20,
) -> ListQuery:
    """An index page's parameters from the query string (async for the reason `search_query` gives)."""
    return ListQuery(q, order, outlet, date_from, date_to, speaker, flag, page, per_page)


def outlet_options(outlets: list[OutletSummary], selected: str | None) -> Markup:
    """The search form's <option> of each outlet, `selected` marked: the same for every search of a
    database, so built once per list and choice (200 outlets, printed one by one, were a third of the
    time a search page took to render)."""
    return _outlet_options(tuple(row.outlet for row in outlets), selected)


@lru_cache(maxsize=64)
def _outlet_options(names: tuple[str, ...], selected: str | None) -> Markup:
    options = []
    for name in names:
        shown = escape(_without_bidi_controls(name))
        options.append(f'<option value="{shown}" {"selected" if name == selected else ""}>{shown}</option>')
    return Markup("".join(options))


def snippet_html(pieces: list[dict[str, object]]) -> Markup:
    """A search hit's snippet as search.html printed it piece by piece, in one string: each piece's text escaped,
    a word found marked (the loop in the template asked Jinja2 for two fields and an escape per piece, some 140
    pieces a page)."""
    return Markup(
        "".join(
            f"<mark>{escape(piece['text'])}</mark>" if piece["found"] else escape(piece["text"]) for piece in pieces
        )
    )


def facet_list(
    title: str,
    rows: list[dict[str, object]],
    field: str,
    params: Mapping[str, str],
    path: str,
    page_of: str | None = None,
    at_least: bool = False,
) -> Markup:
    """A facet's values as links that narrow the search to each (and, with `page_of`, to its page): the
    HTML the macro of that name wrote, built here (the macro, called for 50 values a search page, was
    half of rendering it). What is the same for every value is escaped once; a value's link and page are
    percent-encoded, so only the `&` between parameters needs escaping, done once in `_facet_link`."""
    link = _facet_link(path, params, field)
    facet = _text(field)
    opening = f'<li><a class="facet-link" data-facet="{facet}" href="'
    count = f'</a> <span class="count">{"≥ " if at_least else ""}'
    page_link = f' <a class="page-link" title="open its page" href="/{_text(page_of)}/'
    items = []
    for row in rows:
        value, n = row.get("value"), row.get("n")
        opened = f'{page_link}{quote(str(row.get("id") or value), safe="")}">→</a>' if page_of and value else ""
        items.append(
            f'{opening}{link(value)}">{_text(row.get("label") or value or "(unknown)")}'
            f"{count}{n if type(n) is int else _text(n)}</span>{opened}</li>\n"
        )
    listed = "".join(items) or '<li class="meta">none</li>'
    return Markup(f'<section class="facet facet-{facet}"><h3>{_text(title)}</h3><ul>\n{listed}\n</ul></section>')


def _text(value: object) -> Markup:
    return escape(_without_bidi_controls(value))


def _facet_link(path: str, params: Mapping[str, str], field: str) -> Callable[[object], str]:
    """`url_with(path, params, **{field: value})` for each value of a facet, escaped for an attribute: the
    other parameters are encoded (and escaped) once, before and after the field's place (a whole
    `urlencode` per value was most of a list); the value's own part is percent-encoded, nothing to escape."""
    names = [name for name in params if name != "page"]
    place = names.index(field) if field in names else len(names)
    before = urlencode([(name, params[name]) for name in names[:place] if params[name]])
    after = urlencode([(name, params[name]) for name in names[place + 1 :] if params[name]])
    own_name = quote_plus(field) + "="
    others = "&".join(part for part in (before, after) if part)
    without_own = str(escape(path + ("?" + others if others else "")))
    ahead = str(escape(path + "?" + (before + "&" if before else "")))
    behind = str(escape("&" + after if after else ""))

    def link(value: object) -> str:
        if value is None or not str(value):
            return without_own
        return f"{ahead}{own_name}{quote_plus(str(value))}{behind}"

    return link


def counted(n: object, noun: str) -> str:
    """A count with its noun, in the singular for one: "1 rendering", "2 renderings"."""
    return f"{n} {noun}" if str(n) == "1" else f"{n} {noun}s"


def url_with(path: str, params: Mapping[str, str], **changes: object) -> str:
    """`path` with the current query parameters, `changes` applied (None or "" drops one); any change
    but `page` itself goes back to the first page."""
    merged = {**params, **{name: str(value) if value is not None else "" for name, value in changes.items()}}
    if "page" not in changes:
        merged.pop("page", None)
    kept = {name: value for name, value in merged.items() if value}
    return path + ("?" + urlencode(kept) if kept else "")


def page_base(path: str, params: Mapping[str, str]) -> str:
    """The start of a pager's links: `path` with the current parameters but the page and its size."""
    url = url_with(path, params, per_page=None)
    return url + ("&" if "?" in url else "?")


def _closing(chunks: Iterator[str], store: Store) -> Iterator[str]:
    try:
        yield from chunks
    finally:
        store.close()


def app_from_environment() -> FastAPI:
    """The app for `uvicorn --factory` with several worker processes; the database and settings come from
    the NEWSTRACE_SERVE_DB, _HOST, _PORT, _QUERY_SECONDS, _CACHE and _SHARED_PAGES environment variables
    that `newstrace serve --workers N` sets."""
    return create_app(
        os.environ["NEWSTRACE_SERVE_DB"],
        host=os.environ.get("NEWSTRACE_SERVE_HOST", "127.0.0.1"),
        port=int(os.environ["NEWSTRACE_SERVE_PORT"]) if "NEWSTRACE_SERVE_PORT" in os.environ else None,
        query_seconds=float(os.environ.get("NEWSTRACE_SERVE_QUERY_SECONDS", QUERY_SECONDS)),
        keep_answers=os.environ.get("NEWSTRACE_SERVE_CACHE", "1") != "0",
        shared_pages=SharedPages(Path(os.environ[SHARED_PAGES_ENVIRONMENT]))
        if os.environ.get(SHARED_PAGES_ENVIRONMENT)
        else None,
    )


def _bounded(value: str) -> str:
    if len(value) > MAX_QUERY_CHARS:
        raise data.BadRequest(f"an id is at most {MAX_QUERY_CHARS} characters")
    return value


def _error(request: Request, templates: Environment, status: int, message: str) -> Response:
    if request.url.path.startswith("/api"):
        return JSONResponse({"error": message}, status_code=status)
    body = page_bytes(templates.get_template("error.html"), page_name="error", status=status, message=message)
    return HTMLResponse(body, status_code=status)
