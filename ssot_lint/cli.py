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
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ssot_lint import __version__, commands
from ssot_lint.lazy import submodule_names

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class LazyDefaultGroup(click.Group):
    """Subcommands imported on demand; ``ssot-lint PATHS`` means ``ssot-lint check PATHS``."""

    default_command = "check"

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(submodule_names(commands.__path__))
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

    def invoke(self, ctx: click.Context) -> object:
        # Every subcommand gets the same treatment of failures: a user's
        # mistake (configuration, a missing path) is one clear line and exit 2;
        # a bug is exit 2 with the traceback, never exit 1, which means
        # "violations found" to CI.
        from ssot_lint.config import ConfigError
        from ssot_lint.discovery import DiscoveryError

        try:
            return super().invoke(ctx)
        except (ConfigError, DiscoveryError) as exc:
            fail(str(exc))
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(EXIT_ERROR)
        except Exception:
            click.echo(traceback.format_exc(), err=True, nl=False)
            fail("ssot-lint crashed; this is a bug, please report it with the traceback above")
        return None


# -- options shared by several subcommands -------------------------------------
# One definition each, so that `check`, `fix`, `baseline`, `graph`, `progress`
# and `audit` spell and document the same option the same way.

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _stack(*decorators: Decorator) -> Decorator:
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):  # listed order = --help order
            func = decorator(func)
        return func

    return apply


def config_option(help: str = "Use this pyproject.toml instead of the nearest one.") -> Decorator:
    return click.option("--config", "config_file", type=click.Path(path_type=Path), help=help)


def selection_options(
    select_help: str, ignore_help: str, extend_help: str = "Rules to enable in addition."
) -> Decorator:
    """``--select`` / ``--extend-select`` / ``--ignore`` (parse with ``split_codes``)."""
    return _stack(
        click.option("--select", multiple=True, help=select_help),
        click.option("--extend-select", multiple=True, help=extend_help),
        click.option("--ignore", multiple=True, help=ignore_help),
    )


force_exclude_option: Decorator = click.option(
    "--force-exclude/--no-force-exclude",
    default=None,
    help="Apply exclude patterns and .gitignore to paths named on the command line too.",
)


def no_cache_option(help: str = "Neither read nor write the cache.") -> Decorator:
    return click.option("--no-cache", is_flag=True, help=help)


def cache_dir_option(help: str = "Cache directory to use.") -> Decorator:
    return click.option("--cache-dir", type=click.Path(path_type=Path), help=help)


def project_options(config_help: str = "Use this pyproject.toml.") -> Decorator:
    """``--config``, ``--no-cache``, ``--cache-dir``: what loading a project needs."""
    return _stack(
        config_option(config_help),
        no_cache_option("Do not read or write the cache."),
        cache_dir_option(),
    )


def git_range_options(range_help: str, every_help: str) -> Decorator:
    """``--git REV_RANGE`` and ``--git-every N`` (history read from git objects)."""
    return _stack(
        click.option("--git", "rev_range", metavar="REV_RANGE", help=range_help),
        click.option("--git-every", type=click.IntRange(min=1), metavar="N", help=every_help),
    )


def split_codes(values: tuple[str, ...]) -> list[str]:
    """``--select A,B --select C`` -> [A, B, C]."""
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def fail(message: str) -> None:
    """Print an error and exit 2 (usage/configuration error)."""
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
    sys.exit(EXIT_ERROR)


def write_output(text: str, output_file: str | None, *, color: bool | None = None) -> None:
    """Write a report to ``output_file`` (parent directories created) or stdout.

    ``color``: True keeps ANSI styling even when stdout is not a terminal
    (``--color always``), False strips it, None lets click decide.
    """
    if output_file:
        path = Path(output_file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {output_file}: {exc.strerror or exc}")
        return
    try:
        click.echo(text, nl=False, color=color)
        sys.stdout.flush()
    except BrokenPipeError:
        # `ssot-lint check | head`: the reader has gone; the exit code still counts.
        _silence_stdout()


def _silence_stdout() -> None:
    # Further writes (and the interpreter's final flush) must not raise again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(cls=LazyDefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ssot-lint")
def main() -> None:
    """Keep a Python monorepo true to its single-source-of-truth design."""


def run() -> None:
    """The console entry point: ``main`` as a short-lived process.

    Two costs a one-shot run need not pay (together ~30 ms of a ~300 ms
    pre-commit run): the cyclic collector, which has nothing to reclaim in
    a run whose data lives until exit (the engine pauses it anyway; here it
    also stays off for import and reporting), and the interpreter's
    teardown, which frees every object one by one. So: collector off, and
    after the output is flushed the process ends with ``os._exit``. What
    needs a clean shutdown does it before returning: reports are written
    and flushed, fixes are atomic renames, the process pool is joined.
    ``ssot-lint server`` is long-lived and turns the collector back on.
    """
    import gc

    gc.disable()
    try:
        main()
        code = EXIT_OK
    except SystemExit as exc:
        code = _exit_code(exc.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError):
        # A closed or broken stream: nothing more can be said on it.
        pass
    os._exit(code)


def _exit_code(value: object) -> int:
    # sys.exit's conventions: None is success, an int is itself, anything
    # else is a message to print, and failure.
    if value is None:
        return EXIT_OK
    if isinstance(value, int):
        return value
    click.echo(str(value), err=True)
    return 1  # what the interpreter itself would exit with
