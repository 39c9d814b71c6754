"""Map one record of tabular input (a JSON object, a CSV row) onto an article draft."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from newstrace.ingest.base import ReadOptions, clean_value, too_large
from newstrace.ingest.dates import to_iso_date
from newstrace.ingest.decode import normalise_newlines
from newstrace.ingest.text_header import parse_text_header
from newstrace.records import ArticleDraft, IngestProblem

_METADATA_FIELDS = ("title", "url", "published", "outlet", "author")


def record_or_problem(
    record: Mapping[str, object], origin: str, path: str, source_format: str, options: ReadOptions
) -> ArticleDraft | IngestProblem:
    """`record_to_draft`, with any failure on this one record turned into a problem naming it, so the
    records after it are still read."""
    try:
        return record_to_draft(record, origin, path, source_format, options)
    except Exception as error:  # a library failing on one odd value must not end the file
        return IngestProblem(origin, f"cannot read this record: {type(error).__name__}: {error}")


def record_to_draft(
    record: Mapping[str, object], origin: str, path: str, source_format: str, options: ReadOptions
) -> ArticleDraft | IngestProblem:
    """Build a draft from a record using the field mapping; a record without text is a problem."""
    text_value = _first_present(record, options.column_names("text"))
    if not isinstance(text_value, str) or not text_value.strip():
        names = ", ".join(options.column_names("text"))
        return IngestProblem(
            origin, f"no article text (looked for a non-empty field: {names}; choose one with --field text=NAME)"
        )
    # surrogatepass: a lone surrogate is reported by `checks.checked`, this only measures
    problem = too_large(len(text_value.encode("utf-8", "surrogatepass")), origin, options)
    if problem:
        return problem
    text = normalise_newlines(text_value)
    values = {name: clean_value(_first_present(record, options.column_names(name))) for name in _METADATA_FIELDS}
    values["published"] = to_iso_date(values["published"])
    sources = {name: "metadata" for name, value in values.items() if value}
    header = parse_text_header(text)
    for name in ("published", "outlet", "author"):
        if not values[name] and getattr(header, name):
            values[name] = getattr(header, name)
            sources[name] = "header"
    if header.dateline:
        sources["dateline"] = "header"
    return ArticleDraft(
        text=text,
        origin=origin,
        source_format=source_format,
        path=path,
        url=values["url"],
        title=values["title"],
        published=values["published"],
        outlet=values["outlet"],
        author=values["author"],
        dateline=header.dateline,
        field_sources=sources,
        header_spans=tuple(header.spans),
    )


def missing_mapped_columns(columns: Iterable[str], options: ReadOptions) -> str | None:
    """What is wrong when a `--field` mapping names a column a header lacks (compared regardless of
    case, as records are read), said once for the whole input; else None."""
    present = [str(column) for column in columns]
    lowered = {column.lower() for column in present}
    missing = [f"{name}={column}" for name, column in options.field_map.items() if column.lower() not in lowered]
    if not missing:
        return None
    return f"--field {', '.join(missing)}: no such column (the columns are: {', '.join(present) or 'none'})"


def _first_present(record: Mapping[str, object], names: tuple[str, ...]) -> object:
    lowered = {str(key).lower(): value for key, value in record.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return value
    return None
