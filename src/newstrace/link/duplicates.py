"""Near-duplicates and candidates for text reuse, through MinHash signatures over word shingles.

Each article gets one MinHash signature (datasketch, computed in bulk) over its 5-word shingles.
A locality-sensitive hashing index answers "which stored articles look like this one" at a loose
threshold; the answers are then aligned passage by passage (`link.reuse`). A pair is a copy when the
estimated Jaccard similarity reaches `duplicate_threshold` or when the aligned passages cover most of
the longer text (a short syndicated piece with a new headline and one sentence changed scores a low
Jaccard similarity but is plainly the same text). Signatures are kept in the store, so the indexes
can be rebuilt for a later run without reading any text again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

SHINGLE_WORDS = 5
NUM_PERM = 128
_SCHEME = "affine32"  # datasketch's default hashing scheme for new signatures


@dataclass(frozen=True)
class DuplicateSettings:
    duplicate_threshold: float = 0.7  # estimated Jaccard similarity of shingles that makes a copy
    duplicate_coverage: float = 0.8  # ... or this share of the shorter text inside aligned passages
    duplicate_min_share: float = 0.6  # ... when they also hold this share of the longer text
    reuse_threshold: float = 0.1  # looser: pairs worth aligning for shared passages


def signatures(shingle_sets: Sequence[set[bytes]]) -> list[np.ndarray]:
    """One MinHash signature (128 unsigned 32-bit values) per shingle set, computed in bulk."""
    if not shingle_sets:
        return []
    minhashes = MinHash.bulk(shingle_sets, num_perm=NUM_PERM)
    return [np.asarray(minhash.hashvalues, dtype=np.uint32) for minhash in minhashes]


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def estimated_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.count_nonzero(first == second)) / len(first)


class SimilarTextIndex:
    """Stored signatures by article, searchable for copies and for reuse candidates."""

    def __init__(self, settings: DuplicateSettings | None = None) -> None:
        self.settings = settings or DuplicateSettings()
        self._reuse = MinHashLSH(threshold=self.settings.reuse_threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, article_id: str, signature: np.ndarray) -> None:
        if article_id in self._signatures:
            return
        minhash = LeanMinHash(seed=1, hashvalues=signature, scheme=_SCHEME)
        self._reuse.insert(article_id, minhash, check_duplication=False)
        self._signatures[article_id] = signature

    def reuse_candidates(self, signature: np.ndarray) -> list[tuple[str, float]]:
        """Stored articles that may share passages with this one, most similar first."""
        minhash = LeanMinHash(seed=1, hashvalues=signature, scheme=_SCHEME)
        found = []
        for article_id in self._reuse.query(minhash):
            similarity = estimated_jaccard(signature, self._signatures[article_id])
            if similarity >= self.settings.reuse_threshold:
                found.append((article_id, similarity))
        return sorted(found, key=lambda item: (-item[1], item[0]))
