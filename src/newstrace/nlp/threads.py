"""One thread for the numeric libraries inside a block: the small matrix products of the multilingual
models (natasha's NER, the sentence encoders) run several times slower on two BLAS or OpenMP threads
than on one, since waking the second thread costs more than the product, and far slower on a machine
whose cores are busy (docs/languages.md). Without `threadpoolctl` (it comes with the `multilingual`
extra) the block runs as it is.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def one_thread() -> Iterator[None]:
    """Limit every BLAS and OpenMP library loaded in this process to one thread inside the block."""
    if importlib.util.find_spec("threadpoolctl") is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
