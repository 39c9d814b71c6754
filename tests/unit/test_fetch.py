"""Downloading for feed URLs and `--fetch`: only http(s), only public addresses unless allowed, and every
redirect checked again. No test reaches the network: the address policy is tested as pure functions, and
redirects against a real HTTP server on 127.0.0.1 that the test starts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address, ip_network
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from newstrace.ingest.fetch import (
    EVERY_NETWORK,
    MAX_REDIRECTS,
    FetchError,
    FetchRefused,
    Target,
    address_refusal,
    checked_addresses,
    fetch,
    ip_literal,
    parse_target,
)
from newstrace.records import IngestProblem

from ..conftest import run_cli
from .test_ingest_formats import PAGE, drafts, problems, read_all

LOOPBACK = (ip_network("127.0.0.0/8"),)
LIMIT = 1024 * 1024


# -- the URL and address policy, as pure functions ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file://localhost/etc/passwd",
        "file:///etc/passwd",
        "data:text/html,<p>An article</p>",
        "ftp://example.org/feed.xml",
        "gopher://example.org/",
        "javascript:alert(1)",
        "//example.org/page.html",
        "http:///no-host",
        "http://example.org:99999/",
        "http://[::1/",
    ],
)
def test_only_http_and_https_urls_with_a_host_are_fetched(url: str) -> None:
    with pytest.raises(FetchRefused, match="refused"):
        parse_target(url)


def test_an_https_url_is_split_into_host_port_and_path() -> None:
    url = "https://News.Example.ORG/world/a?page=2#top"
    assert parse_target(url) == Target(url, "https", "news.example.org", 443, "/world/a?page=2")


@pytest.mark.parametrize(
    ("host", "meant"),
    [
        ("2852039166", "169.254.169.254"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("127.1", "127.0.0.1"),
        ("::ffff:169.254.169.254", "::ffff:a9fe:a9fe"),
    ],
)
def test_numeric_hosts_are_read_in_every_form_a_resolver_accepts(host: str, meant: str) -> None:
    assert ip_literal(host) == ip_address(meant)


def test_a_host_name_is_not_a_numeric_host() -> None:
    assert ip_literal("news.example.org") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://0xa9fea9fe/",
        "http://0251.0376.0251.0376/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/",
        "http://[fe80::1]/",
        "http://127.0.0.1/",
        "http://127.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://10.0.0.8/",
        "http://172.16.5.4/",
        "https://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fc00::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://224.0.0.1/",
    ],
)
def test_loopback_link_local_and_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchRefused, match="--allow-private-addresses"):
        checked_addresses(parse_target(url))


@pytest.mark.parametrize("host", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_accepted(host: str) -> None:
    url = f"http://[{host}]/" if ":" in host else f"http://{host}/"
    assert checked_addresses(parse_target(url)) == [ip_address(host)]


def test_allowed_networks_open_those_addresses_and_no_others() -> None:
    assert address_refusal(ip_address("169.254.169.254"), EVERY_NETWORK) is None
    assert address_refusal(ip_address("::1"), EVERY_NETWORK) is None
    assert address_refusal(ip_address("127.0.0.1"), LOOPBACK) is None
    assert address_refusal(ip_address("::ffff:127.0.0.1"), LOOPBACK) is None
    assert address_refusal(ip_address("169.254.169.254"), LOOPBACK) == "169.254.169.254 is a link-local address"
    assert address_refusal(ip_address("::ffff:10.0.0.8"), LOOPBACK) == "::ffff:a00:8 is a private address"


# -- redirects, against a real server on 127.0.0.1 -----------------------------------------------------


@dataclass
class Site:
    """A test server: its base URL and the paths it was asked for."""

    base: str
    requests: list[str] = field(default_factory=list)

    def redirect(self, to: str) -> str:
        return f"{self.base}/redirect?to={quote(to, safe='')}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """Serves /page.html, /feed.xml (one entry linking the page), /redirect?to=URL and /loop."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    found = Site(f"http://127.0.0.1:{server.server_address[1]}")
    # A fictional feed.
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Fjord Courier</title>'
        f"<item><title>Lorren bridge reopens</title><link>{found.base}/page.html</link></item></channel></rss>"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found.requests.append(self.path)
            parts = urlsplit(self.path)
            if parts.path == "/redirect":
                self._answer(302, b"", location=parse_qs(parts.query)["to"][0])
            elif parts.path == "/loop":
                self._answer(302, b"", location="/loop")
            elif parts.path in ("/page.html", "/feed.xml"):
                self._answer(200, (PAGE if parts.path == "/page.html" else feed).encode())
            else:
                self._answer(404, b"not here")

        def _answer(self, status: int, body: bytes, location: str | None = None) -> None:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


def test_loopback_is_refused_without_being_contacted(site: Site) -> None:
    with pytest.raises(FetchRefused, match=r"127\.0\.0\.1 is a loopback address"):
        fetch(f"{site.base}/page.html", LIMIT)
    assert site.requests == []


def test_allowed_loopback_pages_are_fetched_through_redirects(site: Site) -> None:
    twice = site.redirect(site.redirect("/page.html"))
    assert fetch(twice, LIMIT, allowed=LOOPBACK) == PAGE.encode()
    assert [urlsplit(path).path for path in site.requests] == ["/redirect", "/redirect", "/page.html"]


@pytest.mark.parametrize(
    "forbidden",
    [
        "file:///etc/passwd",
        "data:text/html,<p>An article</p>",
        "ftp://127.0.0.1/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://10.0.0.8/",
    ],
)
def test_a_redirect_to_a_forbidden_scheme_or_address_is_refused(site: Site, forbidden: str) -> None:
    with pytest.raises(FetchRefused, match="refused"):
        fetch(site.redirect(forbidden), LIMIT, allowed=LOOPBACK)
    assert len(site.requests) == 1, "only the redirecting page was requested"


def test_redirects_are_followed_a_bounded_number_of_times(site: Site) -> None:
    with pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(f"{site.base}/loop", LIMIT, allowed=LOOPBACK)
    assert len(site.requests) == MAX_REDIRECTS + 1


# -- feeds --------------------------------------------------------------------------------------------


def test_feed_entries_linking_local_files_or_other_schemes_are_not_fetched(tmp_path: Path) -> None:
    private = tmp_path / "private.html"
    private.write_text(PAGE)
    links = [f"file://localhost{private}", f"file://{private}", "data:text/html,<p>An article</p>", "ftp://x.test/a"]
    items = "".join(f"<item><title>Entry {n}</title><link>{link}</link></item>" for n, link in enumerate(links))
    feed = tmp_path / "feed.xml"  # a fictional feed
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title>{items}</channel></rss>')
    read = read_all(feed, fetch_linked_pages=True)
    assert not drafts(read)
    assert len(problems(read)) == len(links)
    assert all("only http and https URLs are fetched" in problem.reason for problem in problems(read))


def test_a_feed_url_on_loopback_is_read_only_when_allowed(site: Site) -> None:
    [refused] = read_all(f"{site.base}/feed.xml", fetch_linked_pages=True)
    assert isinstance(refused, IngestProblem) and "loopback" in refused.reason
    assert site.requests == []
    [page] = drafts(read_all(f"{site.base}/feed.xml", fetch_linked_pages=True, allow_private_addresses=True))
    assert page.url == f"{site.base}/page.html" and "thanked the crews" in page.text


def test_analyze_takes_the_allow_flag_for_feed_urls(site: Site, tmp_path: Path) -> None:
    url = f"{site.base}/feed.xml"
    refused = run_cli("analyze", url, "--fetch", "--db", str(tmp_path / "refused.db"), "--quiet")
    assert refused.returncode == 1 and "--allow-private-addresses" in refused.stderr
    assert site.requests == []
    db = str(tmp_path / "allowed.db")
    allowed = run_cli("analyze", url, "--fetch", "--allow-private-addresses", "--db", db, "--quiet")
    assert allowed.returncode == 0, allowed.stderr
    assert site.requests == ["/feed.xml", "/page.html"]
    assert "--allow-private-addresses" in run_cli("analyze", "--help").stdout
