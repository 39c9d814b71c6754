"""Download a page or feed over HTTP(S), with a timeout and a size limit, for `--fetch` and feed URLs.

Only http and https URLs on public addresses are fetched: a feed is untrusted input, and an entry that
links `file://`, `data:` or a cloud metadata address (169.254.169.254, however it is written) must not
turn into an article. The host is resolved once, every address it resolves to is checked, and the
connection goes to a checked address (so a second lookup cannot answer differently). Redirects are
followed here, a bounded number of them, each checked like the first URL. Loopback, link-local and
private addresses are fetched only from the networks the caller allows (`--allow-private-addresses`).
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import urljoin, urlsplit

from newstrace import __version__

IPAddress = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

_TIMEOUT_SECONDS = 20
MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
FETCHED_SCHEMES = ("http", "https")
EVERY_NETWORK: tuple[Network, ...] = (ip_network("0.0.0.0/0"), ip_network("::/0"))
_NAT64 = ip_network("64:ff9b::/96")
_ALLOW_HINT = "add --allow-private-addresses to fetch from private networks"


class FetchError(RuntimeError):
    """The resource could not be downloaded; the message says why."""


class FetchRefused(FetchError):
    """The URL is not one newstrace fetches: another scheme, or a non-public address."""


@dataclass(frozen=True)
class Target:
    """Where one request goes: the parts of an http(s) URL."""

    url: str
    scheme: str
    host: str
    port: int
    path: str  # with the query


def parse_target(url: str) -> Target:
    """The http(s) URL's parts, or FetchRefused for any other scheme or a URL without a host."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in FETCHED_SCHEMES:
            shown = f"{scheme}:" if scheme else "a URL without a scheme"
            raise FetchRefused(f"refused {url[:200]!r}: only http and https URLs are fetched, not {shown}")
        port = parts.port or (443 if scheme == "https" else 80)
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as error:  # a bad port, bracket or host name
        raise FetchRefused(f"refused {url[:200]!r}: {error}") from error
    if not host:
        raise FetchRefused(f"refused {url[:200]!r}: the URL names no host")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, scheme, host, port, path)


def ip_literal(host: str) -> IPAddress | None:
    """The address a host written as a number stands for, in any form a resolver accepts.

    Besides dotted quads and IPv6 that covers the legacy IPv4 forms: `2852039166`, `0xa9fea9fe`,
    `0251.0376.0251.0376`, `169.254.43518`.
    """
    try:
        return ip_address(host)
    except ValueError:
        pass
    try:
        return IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for (no lookup for a numeric host)."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host}: {error}") from error
    return list(dict.fromkeys(ip_address(info[4][0]) for info in found))


def address_refusal(address: IPAddress, allowed: Sequence[Network] = ()) -> str | None:
    """Why `address` may not be fetched from, or None when it is public or inside an allowed network."""
    for candidate in _meanings(address):
        kind = _non_public_kind(candidate)
        if kind and not any(candidate.version == network.version and candidate in network for network in allowed):
            return f"{address} is a {kind} address"
    return None


def _meanings(address: IPAddress) -> list[IPAddress]:
    """The address, and the IPv4 address it carries when it is an IPv4-mapped, 6to4 or NAT64 IPv6 address."""
    if isinstance(address, IPv4Address):
        return [address]
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    embedded = address.sixtofour
    if address in _NAT64:
        embedded = IPv4Address(int(address) & 0xFFFFFFFF)
    return [address] if embedded is None else [address, embedded]


def _non_public_kind(address: IPAddress) -> str | None:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "non-unicast"
    if address.is_private or not address.is_global:
        return "private"
    if isinstance(address, IPv6Address) and address.is_site_local:
        return "site-local"
    return None


def checked_addresses(target: Target, allowed: Sequence[Network] = ()) -> list[IPAddress]:
    """The addresses to connect to, when every address the host resolves to may be fetched from."""
    addresses = resolve(target.host, target.port)
    if not addresses:
        raise FetchError(f"cannot resolve {target.host}")
    for address in addresses:
        refusal = address_refusal(address, allowed)
        if refusal:
            host = "" if str(address) == target.host else f"{target.host} resolves to {address}: "
            raise FetchRefused(f"refused {target.url[:200]!r}: {host}{refusal} ({_ALLOW_HINT})")
    return addresses


def fetch(url: str, max_bytes: int, allowed: Sequence[Network] = ()) -> bytes:
    """Return the body at `url`, refusing bodies over `max_bytes`, other schemes and non-public addresses.

    `allowed` lists the non-public networks the caller trusts (`EVERY_NETWORK` for all of them).
    """
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        target = parse_target(current)
        status, location, body = _get(target, checked_addresses(target, allowed), max_bytes)
        if status in _REDIRECT_STATUSES and location:
            current = urljoin(current, location)
            continue
        if not 200 <= status < 300:
            raise FetchError(f"could not download: HTTP {status} {http.client.responses.get(status, '')}".rstrip())
        if len(body) > max_bytes:
            raise FetchError(f"larger than the {max_bytes // (1024 * 1024)} MB limit")
        return body
    raise FetchError(f"could not download: more than {MAX_REDIRECTS} redirects")


def _get(target: Target, addresses: list[IPAddress], max_bytes: int) -> tuple[int, str | None, bytes]:
    """One GET to the first of `addresses` that answers: the status, the Location header, and up to
    `max_bytes + 1` of the body."""
    connection = _connection(target, addresses)
    try:
        connection.request("GET", target.path, headers={"User-Agent": f"newstrace/{__version__}"})
        response = connection.getresponse()
        body = b"" if response.status in _REDIRECT_STATUSES else response.read(max_bytes + 1)
        return response.status, response.getheader("Location"), body
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"could not download: {error}") from error
    finally:
        connection.close()


def _connection(target: Target, addresses: list[IPAddress]) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, target.port, addresses)
    return _PinnedHTTPConnection(target.host, target.port, addresses)


def _connect_to_first(addresses: list[IPAddress], port: int, timeout: float | None) -> socket.socket:
    """A socket to the first address that accepts, as `socket.create_connection` does for a host name."""
    failure: OSError = OSError(f"no address to connect to on port {port}")
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout)
        except OSError as error:
            failure = error
    raise failure


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to addresses already checked; the Host header still names the URL's host."""

    def __init__(self, host: str, port: int, addresses: list[IPAddress]) -> None:
        super().__init__(host, port, timeout=_TIMEOUT_SECONDS)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect_to_first(self.addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to addresses already checked; the certificate is verified against the URL's host."""

    def __init__(self, host: str, port: int, addresses: list[IPAddress]) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=_TIMEOUT_SECONDS, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        raw = _connect_to_first(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
