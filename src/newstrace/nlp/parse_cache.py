"""An opt-in cache of spaCy parses on disk, so a text parsed once is not parsed again.

The parse (tokens, tags, lemmas, dependencies, names, sentences) is most of the document stages' time.
When a later stage changes (a quotes-stage bump redoes every stored article), or a second program parses
the same texts with the same pipeline (the training script after an analysis of PolNeAR), the parses are
read back from the cache instead: `newstrace analyze --parse-cache DIR` (or `NEWSTRACE_PARSE_CACHE`).

One entry per text: a spaCy `DocBin` holding the one `Doc`, under a name made of the SHA-256 of the text,
in a folder named after the pipeline (`pipeline_fingerprint`: its name and version, the components it
runs, newstrace's own component's version, and the spaCy and Thinc versions), so a new model or spaCy
never reads an old parse. The token vectors (`Doc.tensor`) are not kept: no stage reads them, and they
would make an entry many times larger. An entry is written to a temporary file and renamed into place, so
several worker processes can fill the same cache and a reader never sees half an entry; an entry that
cannot be read back (or holds another text) is reported as a warning, and the text is parsed again and
its entry written anew.
Nothing is ever deleted: remove the folder to empty it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ENVIRONMENT_VARIABLE = "NEWSTRACE_PARSE_CACHE"
ENTRY_SUFFIX = ".spacy"

_LOG = logging.getLogger(__name__)


def pipeline_fingerprint(nlp: Any) -> str:
    """What decides a pipeline's parse of a text, as a short name: the same name, the same parses."""
    from importlib.metadata import version

    from newstrace.nlp.components import PARAGRAPH_BREAKS, PARAGRAPH_BREAKS_VERSION

    meta = nlp.meta
    parts = [
        f"{meta.get('lang')}_{meta.get('name')}=={meta.get('version')}",
        ",".join(nlp.pipe_names),
        f"{PARAGRAPH_BREAKS}={PARAGRAPH_BREAKS_VERSION}",
        f"spacy=={version('spacy')}",
        f"thinc=={version('thinc')}",
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]


class ParseCache:
    """The parses of one pipeline, `nlp`, under `folder` (made when the first entry is written)."""

    def __init__(self, folder: Path | str, nlp: Any) -> None:
        self.nlp = nlp
        self.folder = Path(folder) / pipeline_fingerprint(nlp)

    def path(self, text: str) -> Path:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / digest[:2] / f"{digest}{ENTRY_SUFFIX}"

    def get(self, text: str) -> Any | None:
        """The cached `Doc` of `text`, or None when there is none (or it cannot be read: a warning)."""
        path = self.path(text)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            _LOG.warning("parse cache: cannot read %s (%s); parsing the text again", path, error)
            return None
        return self._decoded(path, data, text)

    def _decoded(self, path: Path, data: bytes, text: str) -> Any | None:
        from spacy.tokens import DocBin

        try:
            docs = list(DocBin().from_bytes(data).get_docs(self.nlp.vocab))
        except Exception as error:  # a torn or corrupt file: zlib, msgpack or spaCy says so in its own words
            _LOG.warning(
                "parse cache: %s is damaged (%s: %s); parsing the text again", path, type(error).__name__, error
            )
            return None
        if len(docs) != 1 or docs[0].text != text:
            _LOG.warning("parse cache: %s does not hold the parse of its text; parsing the text again", path)
            return None
        return docs[0]

    def put(self, text: str, doc: Any) -> None:
        """Store the parse `doc` of `text`; a cache that cannot be written is a warning, never a failure."""
        from spacy.tokens import DocBin

        entries = DocBin(store_user_data=False)
        entries.add(doc)
        path = self.path(text)
        try:
            _write_atomically(path, entries.to_bytes())
        except OSError as error:
            _LOG.warning("parse cache: cannot write %s (%s)", path, error)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def parse(
    nlp: Any, texts: Iterable[str], cache: ParseCache | None, batch_size: int = 32, n_process: int = 1
) -> Iterator[Any]:
    """The `Doc` of each text, in order: `nlp.pipe` itself without a cache; with one, the cached parses
    and the others parsed (in one `nlp.pipe` call) and added to the cache."""
    if cache is None:
        yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
        return
    texts = list(texts)
    docs = [cache.get(text) for text in texts]
    missing = [index for index, doc in enumerate(docs) if doc is None]
    parsed = nlp.pipe((texts[index] for index in missing), batch_size=batch_size, n_process=n_process)
    for index, doc in zip(missing, parsed, strict=True):
        cache.put(texts[index], doc)
        docs[index] = doc
    yield from docs
