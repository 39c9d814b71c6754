"""Download a page or feed over HTTP(S), with a timeout and a size limit, for `--fetch` and feed URLs."""

from __future__ import annotations

import urllib.error
import urllib.request

from newstrace import __version__

_TIMEOUT_SECONDS = 20


class FetchError(RuntimeError):
    """The resource could not be downloaded; the message says why."""


def fetch(url: str, max_bytes: int) -> bytes:
    """Return the body at `url`, refusing bodies over `max_bytes`."""
    request = urllib.request.Request(url, headers={"User-Agent": f"newstrace/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
            body: bytes = response.read(max_bytes + 1)
    except (urllib.error.URLError, TimeoutError, ValueError, OSError) as error:
        raise FetchError(f"could not download: {error}") from error
    if len(body) > max_bytes:
        raise FetchError(f"larger than the {max_bytes // (1024 * 1024)} MB limit")
    return body
