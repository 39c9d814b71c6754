"""Terminal views of `compare`, `outlet` and `trail`: rich tables over the library's data functions."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from newstrace.cli.terminal import escape, one_line_table_width
from newstrace.framing.compare import Choice, OutletCoverage, OutletProfile, StoryComparison
from newstrace.link.trail_view import Trail
from newstrace.link.trails import TRANSLATED

_STANCE_STYLE = {
    "neutral": "",
    "distancing": "bold red",
    "endorsing": "bold green",
    "naming": "",
    "label": "bold magenta",
}


# An outlet's column narrower than this cuts words ("Velmo…"): the outlets are then shown one after another.
_NARROWEST_OUTLET_COLUMN = 24
_ASPECTS = ("headline", "published", "quoted", "left out", "renderings", "verbs", "names & labels")


def print_comparison(console: Console, comparison: StoryComparison) -> None:
    """The outlets of a story side by side, one column each, when the terminal has room for them; else one
    after another, each outlet a section of label and value rows (7 outlets in 80 columns)."""
    story = comparison.story
    title = escape(f"{story.id} · {story.title or ''} · {story.first_seen or '?'} … {story.last_seen or '?'}")
    marks = _diff_marks(console)
    cells = {coverage.outlet: _aspects(coverage, marks) for coverage in comparison.outlets}
    label_width = max(len(label) for label in _ASPECTS) + 3
    if (console.width - label_width) // max(len(cells), 1) >= _NARROWEST_OUTLET_COLUMN:
        table = Table(title=title, show_lines=True, title_justify="left")
        table.add_column("", style="bold", no_wrap=True)
        for outlet in cells:
            table.add_column(escape(outlet), ratio=1)
        for at, label in enumerate(_ASPECTS):
            table.add_row(label, *(values[at] for values in cells.values()))
    else:
        table = Table(title=title, show_header=False, title_justify="left")
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
        for outlet, values in cells.items():
            table.add_section()
            table.add_row("outlet", f"[bold]{escape(outlet)}[/]")
            for label, value in zip(_ASPECTS, values, strict=True):
                table.add_row(label, value)
    console.print(table)
    console.print(
        "[dim]red: distancing verb · green: endorsing verb · magenta: label. Offsets of every item: --format json[/]"
    )
    console.print(f"[dim]renderings: each outlet's words against the canonical text, {marks.legend}[/]")


def _aspects(coverage: OutletCoverage, marks: _DiffMarks) -> list[str]:
    """An outlet's cells of a comparison, in the order of _ASPECTS."""
    return [
        _headlines(coverage),
        _published(coverage),
        _quoted(coverage),
        escape(", ".join(coverage.omitted)) or "—",
        _renderings(coverage, marks),
        _verbs(coverage),
        _names(coverage),
    ]


def print_outlet(console: Console, profile: OutletProfile) -> None:
    table = Table(title=escape(f"outlet: {profile.outlet}"), show_header=False, title_justify="left", show_lines=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    rate = f"{profile.distancing_rate:.0%}" if profile.distancing_rate is not None else "no classified verbs"
    table.add_row("coverage", f"{profile.n_articles} articles in {profile.n_stories} stories, "
                  f"{profile.first_published or '?'} … {profile.last_published or '?'}")  # fmt: skip
    table.add_row("verb stance", ", ".join(f"{k} {v}" for k, v in profile.stances.items()) + f" · distancing {rate}")
    table.add_row("verbs", _choices(profile.verbs) or "—")
    table.add_row("names & labels", _by_referent(profile.names) or "—")
    table.add_row("voices", escape(", ".join(f"{name} ({n})" for name, n in profile.speakers.items())) or "—")
    console.print(table)


def _headlines(coverage: OutletCoverage) -> str:
    return "\n".join(escape(str(article["title"] or "(no headline)")) for article in coverage.articles)


def _published(coverage: OutletCoverage) -> str:
    lines = []
    for article in coverage.articles:
        delay = article["days_after_first"]
        suffix = "" if delay is None else (" (first)" if delay == 0 else f" (+{delay} d)")
        copy = " · copy" if article["duplicate_of"] else ""
        lines.append(f"{article['published'] or '?'}{suffix}{copy}")
    return "\n".join(lines)


def _renderings(coverage: OutletCoverage, marks: _DiffMarks) -> str:
    """Each rendering the outlet carried, in its own words: a quotation as its word diff against the
    canonical text, reported speech as the outlet wrote it, never inside quotation marks."""
    lines = []
    for row in coverage.renderings:
        flags = row["flags"]
        flagged = f" [bold red]{escape(', '.join(flags))}[/]" if isinstance(flags, list) and flags else ""
        speaker = escape(str(row["speaker"] or "?"))
        if row["kind"] == "indirect":
            words = f"(reported) {escape(str(row['content_text']).strip())}"
        elif TRANSLATED in flags:  # type: ignore[operator]
            words = f"(translated) {escape(str(row['content_text']).strip())}"
        else:
            words = f"“{_diff_markup(row['diff'], marks)}”"  # type: ignore[arg-type]
        lines.append(f"{speaker}: {words} {float(str(row['fidelity'])):.2f}{flagged}")
    return "\n".join(lines) or "—"


def _quoted(coverage: OutletCoverage) -> str:
    return escape(", ".join(f"{name} ({count})" for name, count in coverage.speakers.items())) or "—"


def _verbs(coverage: OutletCoverage) -> str:
    return "\n".join(f"{escape(speaker)}: {_choices(choices)}" for speaker, choices in coverage.verbs.items()) or "—"


def _names(coverage: OutletCoverage) -> str:
    return _by_referent(coverage.names) or "—"


def _by_referent(groups: dict[str, list[Choice]]) -> str:
    return "\n".join(f"{escape(referent)}: {_choices(choices)}" for referent, choices in groups.items())


def _choices(choices: list[Choice]) -> str:
    """Each marker once, as the lexicon writes it (a verb's base form: `say ×104`, whatever the first
    cue read), styled by its stance, with its count."""
    parts = []
    for choice in choices:
        style = _STANCE_STYLE.get(choice.category, "")
        text = escape(choice.marker)
        shown = f"[{style}]{text}[/]" if style else text
        parts.append(shown + (f" ×{choice.count}" if choice.count > 1 else ""))
    return ", ".join(parts)


def _rendering_markup(rendering: dict[str, object], marks: _DiffMarks) -> str:
    """A rendering's word diff against the canonical text; a translation's own words, which no word diff
    can compare."""
    if TRANSLATED in rendering["flags"]:  # type: ignore[operator]
        return escape(str(rendering["content_text"]).strip())
    return _diff_markup(rendering["diff"], marks)  # type: ignore[arg-type]


def print_trail(console: Console, found: Trail) -> None:
    utterance = found.utterance
    console.print(
        f"[bold]{escape(utterance.speaker or 'unknown speaker')}[/] · utterance {utterance.id} · "
        f"{utterance.n_renderings} renderings in {utterance.n_outlets} outlets · first seen "
        f"{utterance.first_seen or '?'} in {escape(utterance.first_outlet or '?')}",
        highlight=False,
    )
    console.print(f"canonical: {escape(utterance.canonical_text)}", highlight=False)
    for label, chain in (("recurs from", found.recurs_from), ("said again", found.recurs_in)):
        for other in chain:
            console.print(
                f"{label}: {other['id']} ({other['first_seen'] or '?'}): {escape(str(other['canonical_text']))}"
            )
    marks = _diff_marks(console)
    console.print(_renderings_table([_rendering_cells(rendering, marks) for rendering in found.renderings], console))
    console.print(f"[dim]{marks.legend} · ids and offsets: --format json[/]")


# The columns of a trail's table beside the rendering; with less than _NARROWEST_RENDERING_COLUMN left for its
# words, each rendering is shown under a line of them instead.
_TRAIL_COLUMNS = ("published", "outlet", "kind", "fidelity", "flags")
_NARROWEST_RENDERING_COLUMN = 40


def _renderings_table(cells: list[list[str]], console: Console) -> Table:
    """A trail's renderings (`_rendering_cells`): a table with a column each, when the words keep
    _NARROWEST_RENDERING_COLUMN characters; else each rendering's words under a line of the rest."""
    beside = one_line_table_width(_TRAIL_COLUMNS, [[escape(value) for value in row[:-1]] for row in cells])
    if console.width - beside - 3 >= _NARROWEST_RENDERING_COLUMN:  # the words' column: 2 spaces, a border
        table = Table(show_lines=True)
        for heading in _TRAIL_COLUMNS:
            table.add_column(heading, no_wrap=True)
        table.add_column("rendering (compared with the canonical text)", ratio=1)
        for row in cells:
            table.add_row(*(escape(value) for value in row[:-1]), row[-1])
        return table
    table = Table(show_header=False, show_lines=True)
    table.add_column("rendering (compared with the canonical text)", ratio=1)
    for *about, words in cells:
        flags = f" · [bold red]{escape(about[-1])}[/]" if about[-1] else ""
        table.add_row(f"[bold]{escape(' · '.join(about[:2]))}[/] · {' · '.join(about[2:4])}{flags}\n{words}")
    return table


def _rendering_cells(rendering: dict[str, object], marks: _DiffMarks) -> list[str]:
    """A rendering's plain texts in the order of _TRAIL_COLUMNS, then its words as markup."""
    return [
        str(rendering["published"] or "?"), str(rendering["outlet"] or "?"), str(rendering["kind"]),
        f"{float(str(rendering['fidelity'])):.2f}", ", ".join(rendering["flags"]),  # type: ignore[arg-type]
        _rendering_markup(rendering, marks),
    ]  # fmt: skip


@dataclass(frozen=True)
class _DiffMarks:
    """How a word diff is shown: by style on a colour terminal, by bracket marks anywhere else."""

    cut: str
    inserted: str
    substituted: str
    legend: str


_COLOURED = _DiffMarks(
    "[red strike]{}[/]",
    "[green]{}[/]",
    "[red strike]{}[/] [yellow]{}[/]",
    "[red strike]cut[/] · [green]inserted[/] · [yellow]substituted[/]",
)
# in a file, a pipe or a terminal without colour (NO_COLOR), in the notation of `git diff --word-diff`
_BRACKETED = _DiffMarks(  # no escaping needed: rich reads a tag only after "[" and a letter, "#", "/" or "@"
    "[-{}-]", "{{+{}+}}", "[-{}-]{{+{}+}}", "[-cut-] · {+inserted+} · [-old-]{+new+}: substituted"
)


def _diff_marks(console: Console) -> _DiffMarks:
    return _BRACKETED if console.color_system is None or console.no_color else _COLOURED


def _diff_markup(diff: list[dict[str, str]], marks: _DiffMarks) -> str:
    parts = []
    for step in diff:
        before, after = escape(step["canonical"]), escape(step["rendering"])
        if step["op"] == "kept":
            parts.append(after)
        elif step["op"] == "cut":
            parts.append(marks.cut.format(before))
        elif step["op"] == "inserted":
            parts.append(marks.inserted.format(after))
        else:
            parts.append(marks.substituted.format(before, after))
    return " ".join(parts)
