"""Near-duplicates and candidates for text reuse, through MinHash signatures over word shingles.

Each article gets one MinHash signature (datasketch, computed in bulk) over its 5-word shingles.
A locality-sensitive hashing index answers "which stored articles look like this one" at a loose
threshold; the answers are then aligned passage by passage (`link.reuse`). A pair is a copy when the
estimated Jaccard similarity reaches `duplicate_threshold` or when the aligned passages cover most of
the longer text (a short syndicated piece with a new headline and one sentence changed scores a low
Jaccard similarity but is plainly the same text). Signatures are kept in the store, so the indexes
can be rebuilt for a later run without reading any text again.

datasketch is imported where it is used, not with this module: it imports SciPy (about 1.6 CPU s),
which the processes that import linking's modules without linking (the stage helper of `analyze`,
which runs speakers, event grouping and framing) do not need.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 128


@dataclass(frozen=True)
class DuplicateSettings:
    duplicate_threshold: float = 0.7  # estimated Jaccard similarity of shingles that makes a copy
    duplicate_coverage: float = 0.8  # ... or this share of the shorter text inside aligned passages
    duplicate_min_share: float = 0.6  # ... when they also hold this share of the longer text
    reuse_threshold: float = 0.1  # looser: pairs worth aligning for shared passages
    story_coverage: float = 0.3  # a passage covering this share of the shorter text puts both in one story


def signatures(shingle_sets: Sequence[set[bytes]]) -> list[np.ndarray]:
    """One MinHash signature (128 unsigned 32-bit values) per shingle set, computed in bulk.

    Each shingle is hashed here, in one list comprehension per set, to the value datasketch's default
    hash gives it (the first four bytes of its SHA-1, little-endian), and datasketch takes those numbers
    as they are (`hashfunc=int`): the same signatures, without a Python call per shingle (about a
    quarter of the signatures' CPU)."""
    if not shingle_sets:
        return []
    from datasketch import MinHash

    sha1, from_bytes = hashlib.sha1, int.from_bytes
    hashed = [
        [from_bytes(sha1(shingle).digest()[:4], "little") for shingle in shingle_set] for shingle_set in shingle_sets
    ]
    minhashes = MinHash.bulk(hashed, num_perm=NUM_PERM, hashfunc=int)
    return [np.asarray(minhash.hashvalues, dtype=np.uint32) for minhash in minhashes]


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def estimated_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.count_nonzero(first == second)) / len(first)


class BandIndex:
    """Locality-sensitive hashing over signature bands: two signatures that agree on every value of
    some band are candidates. The layout (bands, rows per band) is the one datasketch's `MinHashLSH`
    picks for the threshold, so the candidates are the same as with it; only the buckets are kept more
    compactly. At the loose reuse threshold the layout is 64 bands of 2 values, and `MinHashLSH` keeps a
    set and a bytes key for every bucket, nearly all of which hold one article: 128 objects per article.
    Here a band is one integer and a bucket holds an article number until a second one arrives. The
    linker's peak memory at 100,000 articles fell from 2.99 to 1.70 GB (benchmarks/linking.py)."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.bands, self.rows = band_layout(threshold, num_perm)
        self._tables: list[dict[int | bytes, int | list[int]]] = [{} for _ in range(self.bands)]
        self._keys: list[str] = []

    def add(self, key: str, signature: np.ndarray) -> None:
        number = len(self._keys)
        self._keys.append(key)
        for table, band in zip(self._tables, self._band_values(signature), strict=True):
            held = table.get(band)
            if held is None:
                table[band] = number
            elif isinstance(held, int):
                table[band] = [held, number]
            else:
                held.append(number)

    def query(self, signature: np.ndarray) -> set[str]:
        found: set[int] = set()
        for table, band in zip(self._tables, self._band_values(signature), strict=True):
            held = table.get(band)
            if held is None:
                continue
            if isinstance(held, int):
                found.add(held)
            else:
                found.update(held)
        return {self._keys[number] for number in found}

    def _band_values(self, signature: np.ndarray) -> Sequence[int | bytes]:
        bands = np.ascontiguousarray(signature[: self.bands * self.rows], dtype=np.uint32).reshape(self.bands, -1)
        if self.rows == 2:
            return bands.view(np.uint64).ravel().tolist()  # a band of two 32-bit values as one integer
        return [band.tobytes() for band in bands]


@cache
def band_layout(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows per band) datasketch's `MinHashLSH` picks for the threshold: it integrates the
    false positive and negative rates over every layout (about 30 ms), so each pair is asked once."""
    from datasketch import MinHashLSH  # imported here: processes that never index load it only if needed

    layout = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return layout.b, layout.r


def band_keys(signature: np.ndarray, threshold: float) -> list[int]:
    """The signature's band values for the layout of `threshold`, one signed 64-bit integer per band (the
    position is the band's number), as the store keeps them to find look-alikes among articles no longer
    held in memory. A band of two 32-bit values is the two values as one integer; a longer band is hashed
    to one, so two signatures with equal keys are only candidates until `share_a_band` confirms them."""
    bands, rows = band_layout(threshold, NUM_PERM)
    values = np.ascontiguousarray(signature[: bands * rows], dtype=np.uint32).reshape(bands, -1)
    if rows == 2:
        return values.view(np.int64).ravel().tolist()
    digests = [hashlib.blake2b(band.tobytes(), digest_size=8).digest() for band in values]
    return [int.from_bytes(digest, "little", signed=True) for digest in digests]


def share_a_band(first: np.ndarray, second: np.ndarray, threshold: float) -> bool:
    """Whether two signatures agree on every value of some band of the layout of `threshold`: what makes
    them candidates in `BandIndex`."""
    bands, rows = band_layout(threshold, NUM_PERM)
    size = bands * rows
    equal = (first[:size] == second[:size]).reshape(bands, rows)
    return bool(equal.all(axis=1).any())


class SimilarTextIndex:
    """Signatures by article, searchable for copies and for reuse candidates.

    The linker keeps here only the articles of the batch it is linking; the articles of earlier batches
    are found through the band keys the store keeps (`band_keys`), fetched for a whole batch at once and
    passed to `reuse_candidates` as `stored`, so memory is bounded by the batch, not by the corpus."""

    def __init__(self, settings: DuplicateSettings | None = None) -> None:
        self.settings = settings or DuplicateSettings()
        self._reuse = BandIndex(self.settings.reuse_threshold, NUM_PERM)
        self._signatures: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, article_id: str, signature: np.ndarray) -> None:
        if article_id in self._signatures:
            return
        self._reuse.add(article_id, signature)
        self._signatures[article_id] = signature

    def reuse_candidates(
        self, signature: np.ndarray, stored: Mapping[str, np.ndarray] | None = None
    ) -> list[tuple[str, float]]:
        """Articles that may share passages with this one, most similar first: those indexed here, and
        those of `stored` (articles of earlier batches whose band keys matched) that truly share a band."""
        threshold = self.settings.reuse_threshold
        found = {}
        for article_id in self._reuse.query(signature):
            found[article_id] = estimated_jaccard(signature, self._signatures[article_id])
        exact_keys = band_layout(threshold, NUM_PERM)[1] == 2  # keys hold the bands whole: a match is a shared band
        for article_id, other in (stored or {}).items():
            if article_id not in found and (exact_keys or share_a_band(signature, other, threshold)):
                found[article_id] = estimated_jaccard(signature, other)
        kept = [(article_id, similarity) for article_id, similarity in found.items() if similarity >= threshold]
        return sorted(kept, key=lambda item: (-item[1], item[0]))
