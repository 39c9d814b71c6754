"""What every command of the `newstrace` group shares: the database option and the exit statuses."""

from __future__ import annotations

import click

DEFAULT_DB = "newstrace.db"
EXIT_INPUT_FAILED = 1
EXIT_FATAL = 2

db_option = click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    envvar="NEWSTRACE_DB",
    type=click.Path(dir_okay=False),
    help="The SQLite database file, or a postgresql://user@host/dbname URL (env NEWSTRACE_DB).",
)
