"""``ssot-lint init``: propose a ``[tool.ssot-lint]`` section inferred from the tree.

Without ``--write`` the proposal (TOML, its evidence as comments) goes to
stdout and nothing is touched, so ``ssot-lint init > proposal.toml`` works.
With ``--write`` it is added to PATH/pyproject.toml, every other byte of the
file kept; an existing section is replaced only with ``--force``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ssot_lint.cli import EXIT_OK, fail


@click.command()
@click.argument(
    "path",
    required=False,
    default=".",
    type=click.Path(path_type=Path, file_okay=False),
)
@click.option("--write", is_flag=True, help="Add the section to PATH/pyproject.toml.")
@click.option(
    "--force", is_flag=True, help="With --write: replace an existing [tool.ssot-lint] section."
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Parallel processes for parsing.")
@click.option("--quiet", "-q", is_flag=True, help="With --write: print nothing but errors.")
def init(path: Path, write: bool, force: bool, jobs: int | None, quiet: bool) -> None:
    """Propose a [tool.ssot-lint] section for the project at PATH (default: .)."""
    from ssot_lint.init_proposal import propose, render

    if force and not write:
        fail("--force only applies with --write")
    if not path.is_dir():
        fail(f"path does not exist or is not a directory: {path}")
    proposal = propose(path, jobs)
    section = render(proposal)
    if not write:
        click.echo(section, nl=False)
        target = _shown(path / "pyproject.toml")
        click.echo(
            f"Nothing written. `ssot-lint init --write` adds this section to {target}.",
            err=True,
        )
        sys.exit(EXIT_OK)
    _write(path / "pyproject.toml", section, proposal.section(), force=force, quiet=quiet)
    sys.exit(EXIT_OK)


def _write(target: Path, section: str, expected: dict, *, force: bool, quiet: bool) -> None:
    from ssot_lint.config import load_table
    from ssot_lint.fixes import atomic_write
    from ssot_lint.tomledit import SectionExists, plan_edit

    existing = _read(target)
    shown = _shown(target)
    try:
        edit = plan_edit(target, section, expected, force=force, existing=existing)
    except SectionExists as exc:
        fail(
            f"{shown}:{exc.line}: already has a [tool.ssot-lint] section; not overwriting it. "
            "Review the proposal with `ssot-lint init`, then edit the section by hand "
            "or replace it with `ssot-lint init --write --force` (other tables are kept)."
        )
        return
    # The proposal must load exactly as `check` will load it: a bad guess is
    # our bug, and it must not reach the user's file.
    from ssot_lint.config import Settings
    from ssot_lint.selection import validate_selectors

    validate_selectors(load_table(Settings, expected, "", target), target)
    try:
        atomic_write(target, edit.data)
    except OSError as exc:
        fail(f"cannot write {shown}: {exc.strerror or exc}")
    if quiet:
        return
    click.echo(section, nl=False)
    if edit.action == "created":
        message = f"Created {shown} with only the [tool.ssot-lint] section (there was none)."
    elif edit.action == "replaced":
        message = f"Replaced [tool.ssot-lint] in {shown} (line {edit.line}); nothing else changed."
    else:
        message = f"Added [tool.ssot-lint] to {shown} at line {edit.line}; nothing else changed."
    click.echo(message, err=True)


def _read(target: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        fail(f"{_shown(target)}: is a directory, not a TOML file")
    except OSError as exc:
        fail(f"cannot read {_shown(target)}: {exc.strerror or exc}")
    return None


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


command = init
