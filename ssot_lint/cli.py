"""The ``ssot-lint`` command line (click).

Each subcommand lives in its own module under ``ssot_lint/commands/`` (the
module's name is the command's name) and exposes ``command``; the group
imports only the one being run. Heavy imports (networkx, ...) belong inside
the command functions, so that ``ssot-lint check`` starts fast.

Exit codes, as in ruff: 0 no violations, 1 violations, 2 usage or
configuration error, or an internal failure on some file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import click

from ssot_lint import __version__, commands

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class LazyDefaultGroup(click.Group):
    """Subcommands imported on demand; ``ssot-lint PATHS`` means ``ssot-lint check PATHS``."""

    default_command = "check"

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = {info.name for info in pkgutil.iter_modules(commands.__path__)}
        return sorted(names | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(f"{commands.__name__}.{cmd_name}")
        return module.command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = args[0] if args else None
        if first is None or (
            first not in self.list_commands(ctx) and first not in ("--help", "-h", "--version")
        ):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def split_codes(values: tuple[str, ...]) -> list[str]:
    """``--select A,B --select C`` -> [A, B, C]."""
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def fail(message: str) -> None:
    """Print an error and exit 2 (usage/configuration error)."""
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
    sys.exit(EXIT_ERROR)


def write_output(text: str, output_file: str | None) -> None:
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {output_file}: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)


@click.group(cls=LazyDefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ssot-lint")
def main() -> None:
    """Keep a Python monorepo true to its single-source-of-truth design."""
