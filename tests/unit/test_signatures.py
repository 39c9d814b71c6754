"""Linking's MinHash signatures are datasketch's own, with its default hash, though the shingles are
hashed outside it (`link.duplicates.signatures`)."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from newstrace.link.duplicates import NUM_PERM, SHINGLE_WORDS, signatures
from newstrace.link.features import shingles, word_texts

TEXTS = (
    "The harbour council voted on Tuesday to close the old ferry pier for repairs, the mayor said.",
    "Ferry pier to close: the harbour council voted on Tuesday, and repairs begin in the spring.",
    "Ünïcode wörds — “quoted” and ‘single’ — keep their bytes: naïve café façade, 2026-11-29.",
    "short",
)


def test_the_signatures_are_datasketchs_with_its_default_hash() -> None:
    shingle_sets = [set(shingles(word_texts(text), SHINGLE_WORDS)) for text in TEXTS]
    assert all(shingle_sets[:3])  # every text but the short one has shingles to hash
    expected = [
        np.asarray(minhash.hashvalues, dtype=np.uint32) for minhash in MinHash.bulk(shingle_sets, num_perm=NUM_PERM)
    ]
    found = signatures(shingle_sets)
    assert len(found) == len(expected)
    for mine, theirs in zip(found, expected, strict=True):
        assert mine.dtype == np.uint32
        assert np.array_equal(mine, theirs)
    assert signatures([]) == []
