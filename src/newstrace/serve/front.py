"""The web app's front door: a plain ASGI layer in front of FastAPI's routing.

It checks the Host header first (DNS rebinding), answers a page kept from an earlier request (and the
JSON twin of one) without routing it or checking its parameters, adds the security headers to every
answer, and says in a `Server-Timing` header where the request's time went:

- `queue`: waiting for its turn in the lane and a thread to read the page on (serve/lane.py);
- `data`: inside the page's data function (its reads, under the per-page time limit);
- `render`: rendering its template;
- `total`: from this layer receiving the request to the answer's first byte.

Each is in milliseconds, wall time, measured with a few `perf_counter` calls; a part not taken (a kept
page has no queue, data or rendering) is left out. Browsers show the header in their developer tools.

A page is kept per path, query string and data version (`Store.data_version`; the pages drawn from the
corpus summary per summary too) by the routes that make it (HTML) or by this layer (a JSON twin answered
200): `PageKeys` says which paths are kept and under which key, the same for this layer and the routes,
which find the key in the request's scope (`PAGE_KEY`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newstrace.store.recent import RecentAnswers

# The header that marks a page sent as kept (so a client, such as benchmarks/serve_load.py, can tell how
# many of its answers were): its value is KEPT_PAGE.
KEPT_HEADER, KEPT_PAGE = "X-Newstrace-Cache", "kept"
PAGE_KEY = "newstrace.page_key"  # the request scope's entry holding its page's key (None: not kept)
SECURITY_HEADERS = {
    # plotly sets inline styles on the charts it draws, hence 'unsafe-inline' for styles only
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_HTML_TYPE, _JSON_TYPE = b"text/html; charset=utf-8", b"application/json"
# Paths whose page is kept, by their first segment (after /api/ for a JSON twin): kept per data version,
# or per data version and corpus summary (the overview and the speakers' and outlets' listings).
_LISTINGS = ("search", "stories", "utterances", "flags")
_LISTINGS_OF_THE_SUMMARY = ("speakers", "outlets")
_PAGES_OF_THEIR_OWN = ("stories", "utterances", "speakers", "outlets", "articles")
_INVALID_HOST = b"invalid Host header: this server answers only to the address it is bound to"


class Timing:
    """Where one request's time went (seconds; None for a part not taken), for its Server-Timing header."""

    __slots__ = ("data", "queue", "render", "started")

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.queue: float | None = None
        self.data: float | None = None
        self.render: float | None = None

    def header(self) -> bytes:
        parts = [
            f"{name};dur={1000 * seconds:.2f}"
            for name, seconds in (("queue", self.queue), ("data", self.data), ("render", self.render))
            if seconds is not None
        ]
        parts.append(f"total;dur={1000 * (time.perf_counter() - self.started):.2f}")
        return ", ".join(parts).encode()


TIMING: ContextVar[Timing | None] = ContextVar("newstrace_timing", default=None)


def timing() -> Timing | None:
    """The Timing of the request being answered (on its thread too), None outside one."""
    return TIMING.get()


def kept_kind(path: str) -> str | None:
    """How the page at `path` is kept: "version" (per data version), "summary" (per data version and
    corpus summary: the overview and the speakers' and outlets' listings), or None (not kept: CSVs,
    static files, the API's own pages, actors)."""
    api = path.startswith("/api/")
    first, slash, _ = path[5 if api else 1 :].partition("/")
    if slash:  # a page of its own: a story, an utterance, a speaker, an outlet, an article
        return "version" if first in _PAGES_OF_THEIR_OWN else None
    if first in _LISTINGS_OF_THE_SUMMARY or first == ("overview" if api else ""):
        return "summary"
    return "version" if first in _LISTINGS else None


def shareable(key: tuple[object, ...]) -> bool:
    """Whether the page kept under `key` may be shared with other processes: one kept per data version,
    not per corpus summary (each process numbers its own summaries)."""
    return key[-1] == 0


class PageKeys:
    """The key a page is kept under in `pages`: its database, path, query string, data version, the
    counting settings and (pages drawn from the corpus summary) the summary's number; None when it is not
    kept, the store cannot tell its data version, or the summary is not ready yet."""

    def __init__(
        self,
        database: str,
        version: Callable[[], Hashable | None],
        summary: Callable[[], int],
        settings: Callable[[], tuple[object, ...]],
    ) -> None:
        self.database = database
        self._version = version
        self._summary = summary
        self._settings = settings

    def key(self, path: str, query: bytes) -> tuple[object, ...] | None:
        kind = kept_kind(path)
        if kind is None:
            return None
        refreshed = self._summary() if kind == "summary" else 0  # read before the summary the page is made of
        if kind == "summary" and not refreshed:
            return None
        version = self._version()
        if version is None:
            return None
        return (self.database, path, query, version, *self._settings(), refreshed)


class FrontDoor:
    """The ASGI layer in front of the app: the Host check (with `names`, `port`: a 400 to any other; None
    answers every Host), kept pages from `pages` under `keys`, security headers and Server-Timing."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: PageKeys,
        pages: RecentAnswers[bytes],
        names: tuple[str, ...] | None = None,
        port: int | None = None,
    ) -> None:
        self.app = app
        self.keys = keys
        self.pages = pages
        self.names = set(names) if names is not None else None
        self.port = port
        self.security = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.names is not None and not self._allowed(scope):
            await _invalid_host(send)
            return
        timed = Timing()
        key = self.keys.key(scope["path"], scope["query_string"]) if scope["method"] == "GET" else None
        scope[PAGE_KEY] = key
        json = scope["path"].startswith("/api/")
        if key is not None:
            kept = self.pages.kept(key)
            if kept is not None:
                await self._send_kept(send, kept, json, timed)
                return
        token = TIMING.set(timed)
        try:
            answer = self._keeping(send, key) if key is not None and json else send
            await self.app(scope, receive, self._headed(answer, timed))
        finally:
            TIMING.reset(token)

    async def _send_kept(self, send: Send, body: bytes, json: bool, timed: Timing) -> None:
        """The kept page with the headers the route sends it with (HTMLResponse, or FastAPI's JSONResponse
        for a JSON twin), the kept mark first, then the security headers and Server-Timing."""
        headers = [
            (KEPT_HEADER.lower().encode(), KEPT_PAGE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"content-type", _JSON_TYPE if json else _HTML_TYPE),
            *self.security,
            (b"server-timing", timed.header()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _headed(self, send: Send, timed: Timing) -> Send:
        security = self.security

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *security, (b"server-timing", timed.header())]
            await send(message)

        return with_headers

    def _keeping(self, send: Send, key: Hashable) -> Send:
        """`send`, keeping the body of a JSON twin answered 200 in one piece under `key`."""
        answered: list[bool] = []

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"] == 200)
            elif answered == [True] and not message.get("more_body", False):
                body = bytes(message.get("body", b""))
                self.pages.get(key, lambda: body)
            else:
                answered.append(False)  # streamed in parts: not kept
            await send(message)

        return keeping

    def _allowed(self, scope: Scope) -> bool:
        header = dict(scope["headers"]).get(b"host", b"")  # the last Host header, if several
        name, port = host_and_port(header.decode("latin-1"))
        return self.names is not None and name in self.names and (self.port is None or port == self.port)


async def _invalid_host(send: Send) -> None:
    """The 400 the Host check answers (plain text, as it always was: no security headers, no timing)."""
    headers = [(b"content-length", str(len(_INVALID_HOST)).encode()), (b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": _INVALID_HOST})


def host_and_port(header: str) -> tuple[str, int | None]:
    """The name and port of a Host header (`name`, `name:port`, `[v6]:port`): port 80 when absent,
    None when it is not a number."""
    header = header.lower()
    if header.startswith("["):
        name, _, rest = header[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        name, _, port = header.partition(":")
    if not port:
        return name, 80
    return name, int(port) if port.isdigit() else None
