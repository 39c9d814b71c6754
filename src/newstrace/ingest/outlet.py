"""Name an outlet from a URL's host when nothing better is known."""

from __future__ import annotations

from urllib.parse import urlsplit

_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def outlet_from_url(url: str | None) -> str | None:
    """Return the URL's host without common prefixes (`https://www.example.com/x` -> `example.com`)."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    return host
