"""The story baseline (TF-IDF + average link at one threshold): what `eval stories` compares against."""

from __future__ import annotations

from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from newstrace.evaluation.stories import tfidf_average_link

# Fictional texts: two retellings of a ferry strike, two of a bridge opening, one on a chess final, one of
# stop words only (its TF-IDF row is empty).
TEXTS = {
    "a": "Ferry crews in Tarsby walked out on Monday over pay, stranding commuters at the harbour.",
    "b": "Commuters were stranded at Tarsby harbour on Monday as ferry crews walked out over pay.",
    "c": "The new bridge over the Lindqvist river opened to traffic after four years of building.",
    "d": "After four years of building, traffic crossed the new Lindqvist river bridge for the first time.",
    "e": "A chess final in Oskarby ended in a draw after six hours.",
    "f": "It was and is what it was.",
}


def _partition(clusters: dict[str, str]) -> list[list[str]]:
    grouped: dict[str, list[str]] = {}
    for name in sorted(clusters):
        grouped.setdefault(clusters[name], []).append(name)
    return sorted(grouped.values())


def test_the_baseline_groups_retellings_and_leaves_the_rest_alone() -> None:
    assert _partition(tfidf_average_link(TEXTS, 0.2)) == [["a", "b"], ["c", "d"], ["e"], ["f"]]


def test_the_baseline_cuts_as_dense_cosine_average_linkage_does() -> None:
    """The sparse product stands in for the cosine metric on dense rows: the same clusters at every cut."""
    names = sorted(TEXTS)
    rows = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform([TEXTS[n] for n in names])
    dense = rows.toarray()[:-1]  # the empty row has no cosine; it is alone either way
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.5):
        clustering = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=1 - threshold
        )
        expected = dict(zip(names[:-1], map(str, clustering.fit_predict(dense)), strict=True))
        found = tfidf_average_link({name: TEXTS[name] for name in names[:-1]}, threshold)
        assert _partition(found) == _partition(expected), threshold
