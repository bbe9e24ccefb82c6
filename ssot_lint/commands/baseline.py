"""``ssot-lint baseline``: record today's violations so that ``check`` fails only on new ones.

Without ``--prune`` the baseline is (re)written from the current violations
of the checked paths: entries of files and rules this run did not check are
kept as they are, and an entry that still matches exactly keeps its stored
line hint, so regenerating does not rewrite unrelated lines. With ``--prune``
nothing is added: entries that no longer occur are removed, the rest is kept
byte for byte — the baseline only shrinks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ssot_lint.cli import (
    EXIT_OK,
    config_option,
    fail,
    no_cache_option,
    selection_options,
    split_codes,
)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option()
@click.option(
    "--file",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Baseline file (default: the `baseline` key, else .ssot-lint-baseline.json "
    "next to pyproject.toml).",
)
@click.option(
    "--prune", is_flag=True, help="Only remove entries that no longer occur; add nothing."
)
@selection_options(
    select_help="Rule codes, prefixes or names to record.", ignore_help="Rules not to record."
)
@no_cache_option()
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def baseline(
    paths: tuple[Path, ...],
    config_file: Path | None,
    baseline_file: Path | None,
    prune: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_cache: bool,
    quiet: bool,
) -> None:
    """Write the violations of PATHS (default: the project) to the baseline file."""
    from ssot_lint import baseline as baselines
    from ssot_lint.engine import RunOptions, run_check

    options = RunOptions(
        paths=list(paths) or [Path(".")],
        config_file=config_file,
        select=split_codes(select),
        extend_select=split_codes(extend_select),
        ignore=split_codes(ignore),
        use_cache=not no_cache,
    )
    result = run_check(options)
    if result.errors:
        for error in result.errors:
            click.echo(f"error: {error.path}: {error.message}", err=True)
        fail(
            "not writing the baseline: some files could not be analysed completely, "
            "so their violations would be missing from it"
        )
    target = baselines.resolve_path(baseline_file, result.settings.baseline, result.root)
    if target is None:
        target = result.root / baselines.DEFAULT_FILE
    existing: list[baselines.Entry] = []
    if target.exists() or prune:
        try:
            existing = baselines.load(target)
        except baselines.BaselineError as exc:
            fail(str(exc))
    checked, path_exists = baselines.run_scope(
        result, options.select, options.extend_select, options.ignore
    )
    matched = baselines.match(
        existing, result.diagnostics, result.root, checked=checked, path_exists=path_exists
    )
    entries = matched.pruned() if prune else matched.regenerated()
    added = 0 if prune else len(matched.new)
    removed = len(matched.stale)
    unchanged = target.exists() and baselines.dumps(entries) == target.read_text(
        encoding="utf-8", errors="replace"
    )
    if not unchanged:
        try:
            baselines.save(target, entries)
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}")
    if not quiet:
        total = len(set(entries))
        what = "unchanged" if unchanged else "written"
        click.echo(
            f"Baseline {_shown(target)} {what}: {total} entr{'y' if total == 1 else 'ies'} "
            f"({added} added, {removed} removed)."
        )
    sys.exit(EXIT_OK)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


command = baseline
