"""`newstrace speakers merge|split|rename`: a user's corrections to the automatic speaker resolution,
stored in the database and applied after every resolution, so re-runs and `link --relink` keep them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from newstrace.cli.options import db_option
from newstrace.framing.lexicon import Lexicon, LexiconError, load_lexicon
from newstrace.records import GROUP, ORGANISATION, PERSON
from newstrace.store import StoreError, open_store
from newstrace.store.postgres import is_postgres_url
from newstrace.store.sqlite import no_such_database


def register(speakers_group: click.Group) -> None:
    """Add the correction commands to the `speakers` group."""
    for command in (merge_command, split_command, rename_command):
        speakers_group.add_command(command)


@click.command("merge", short_help="Make speaker NAME part of speaker INTO.")
@click.argument("name")
@click.argument("into")
@db_option
def merge_command(name: str, into: str, db: str) -> None:
    """Make speaker NAME part of speaker INTO: its quotes and other names become INTO's.

    \b
    Examples:
      newstrace speakers merge "Stoltenberg NATO" "Jens Stoltenberg" --db news.db
      newstrace speakers merge "Jens Stoltenberg's" "Jens Stoltenberg"
    """
    _correct(db, "merge", name, into, None, must_exist=(name, into))


@click.command("split", short_help="Give one of a speaker's other names a speaker of its own.")
@click.argument("name")
@click.argument("leaving")
@db_option
def split_command(name: str, leaving: str, db: str) -> None:
    """Take the other name LEAVING away from speaker NAME: the quotes resolved as LEAVING get a speaker of
    their own (see the speaker's other names with `newstrace speakers --name`).

    \b
    Examples:
      newstrace speakers split "Hillary Clinton" "Bill Clinton" --db news.db
    """
    _correct(db, "split", name, leaving, None, must_exist=(name,), must_be_alias=leaving)


@click.command("rename", short_help="Give a speaker another name, or another kind.")
@click.argument("name")
@click.argument("new_name")
@click.option(
    "--kind", type=click.Choice([PERSON, ORGANISATION, GROUP]), default=None, help="Also set the speaker's kind."
)
@db_option
def rename_command(name: str, new_name: str, kind: str | None, db: str) -> None:
    """Give speaker NAME the name NEW_NAME (the old name stays as another name), and a kind with --kind.

    \b
    Examples:
      newstrace speakers rename "Stoltenberg" "Jens Stoltenberg" --kind person --db news.db
      newstrace speakers rename "Obama administration" "Obama administration" --kind organisation
    """
    _correct(db, "rename", name, new_name, kind, must_exist=(name,))


def _correct(
    db: str, action: str, name: str, target: str, kind: str | None, must_exist: tuple[str, ...], must_be_alias: str = ""
) -> None:
    """Check the names, store the correction, resolve the speakers again with every correction, redo what
    that made stale (the trails, event groups and framing of the quotes it moved), report."""
    from newstrace.pipeline.orchestrate import StoredStageSettings, redo_after
    from newstrace.pipeline.speakers import correct_speakers
    from newstrace.records import SpeakerCorrection

    if not is_postgres_url(db) and not Path(db).is_file():  # a correction never creates a database
        raise click.UsageError(no_such_database(db))
    try:
        store = open_store(db)
        speakers = {str(row["name"]): row for row in store.iter_rows("speakers")}
        for wanted in must_exist:
            if wanted not in speakers:
                raise click.UsageError(f"no speaker {wanted!r} in {db}; list them with `newstrace speakers --name`")
        aliases = json.loads(str(speakers[name]["aliases"]))
        if must_be_alias and must_be_alias not in aliases:
            raise click.UsageError(f"{must_be_alias!r} is not one of the other names of {name!r}: {aliases}")
        store.add_speaker_correction(action, name, target, kind)
        correct_speakers(store, SpeakerCorrection(action, name, target, kind))
        redo_after(store, "speakers", StoredStageSettings(lexicon=_lexicon()))
        count = sum(1 for _ in store.iter_rows("speakers"))
        store.close()
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{action} {name!r} -> {target!r} stored; {count} speakers after corrections")


def _lexicon() -> Lexicon:
    """The framing lexicon `analyze` takes by default (env NEWSTRACE_LEXICON, else the shipped one): the
    framing a correction makes stale is redone with it, unless the database was framed with another."""
    path = os.environ.get("NEWSTRACE_LEXICON")
    try:
        return load_lexicon(Path(path) if path else None)
    except LexiconError as error:
        raise click.ClickException(f"NEWSTRACE_LEXICON: {error}") from error
