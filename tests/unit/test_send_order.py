"""The longest test modules are sent to the test processes first (`LONGEST_MODULES` in tests/conftest.py):
a module renamed or removed there would silently lose its place and might run last, alone."""

from __future__ import annotations

from ..conftest import LONGEST_MODULES, REPO


def test_every_module_sent_first_exists_and_is_listed_once() -> None:
    assert len(set(LONGEST_MODULES)) == len(LONGEST_MODULES)
    missing = [module for module in LONGEST_MODULES if not (REPO / module).is_file()]
    assert not missing, f"listed in LONGEST_MODULES but not found: {missing}"
