"""``ssot-lint check``: the default command.

Exit codes: 0 no violations, 1 violations (0 with ``--exit-zero``), 2 a
usage or configuration error, or an internal error on some file (whatever
``--exit-zero`` says: the results are incomplete). Internal errors are
printed on stderr in every output format, so machine-readable output on
stdout stays valid.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from ssot_lint.cli import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_VIOLATIONS,
    cache_dir_option,
    config_option,
    force_exclude_option,
    no_cache_option,
    selection_options,
    split_codes,
    write_output,
)
from ssot_lint.engine import RunOptions, RunResult, run_check
from ssot_lint.reporters import REPORTERS, ReportContext

_OUTPUT_FORMATS = click.Choice(sorted(REPORTERS))
PROGRESS_AFTER = 1.0  # seconds: a progress line appears only on long runs


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option()
@selection_options(
    select_help="Rule codes, prefixes or names to enable, comma-separated "
    "(replaces the configuration).",
    ignore_help="Rules to disable.",
)
@click.option("--output-format", type=_OUTPUT_FORMATS, default="full", show_default=True)
@click.option("--output-file", "-o", help="Write the report to this file instead of stdout.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each violation.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when violations are found.")
@click.option(
    "--report-unused-ignores",
    is_flag=True,
    help="Report suppressions that suppress nothing (SSOT100).",
)
@force_exclude_option
@click.option("--quiet", "-q", is_flag=True, help="Print diagnostics only, no summary.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour text output (auto: only on a terminal; NO_COLOR/FORCE_COLOR are honoured).",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
@no_cache_option()
@cache_dir_option("Cache directory to use this time.")
# -- baseline (logic in ssot_lint/baseline.py) --
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fail only on violations not recorded in this baseline file "
    "(default: the `baseline` key).",
)
@click.option("--no-baseline", is_flag=True, help="Ignore any configured baseline.")
@click.option(
    "--fail-on-stale-baseline",
    is_flag=True,
    help="Exit 1 when baseline entries no longer occur (prune them with `baseline --prune`).",
)
def check(
    paths: tuple[Path, ...],
    config_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    output_file: str | None,
    statistics: bool,
    exit_zero: bool,
    report_unused_ignores: bool,
    force_exclude: bool | None,
    quiet: bool,
    color: str,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    baseline_file: Path | None,
    no_baseline: bool,
    fail_on_stale_baseline: bool,
) -> None:
    """Check PATHS (default: the current directory) for SSOT violations."""
    extend = split_codes(extend_select)
    if report_unused_ignores:
        extend.append("SSOT100")
    progress = _ProgressLine() if not quiet and _is_terminal(sys.stderr) else None
    options = RunOptions(
        paths=list(paths) or [Path(".")],
        config_file=config_file,
        select=split_codes(select),
        extend_select=extend,
        ignore=split_codes(ignore),
        jobs=jobs,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        progress=progress,
        force_exclude=force_exclude,
    )
    try:
        result = run_check(options)  # configuration/usage errors: handled by the group
    finally:
        if progress is not None:
            progress.clear()
    # The baseline module is imported only by runs that use one.
    uses_baseline = not no_baseline and bool(baseline_file or result.settings.baseline)
    if uses_baseline:
        from ssot_lint import baseline as baselines
    gate = baselines.gate_run(result, options, baseline_file) if uses_baseline else None
    use_color = _use_color(color, output_file)
    ctx = ReportContext(
        diagnostics=result.diagnostics,
        errors=result.errors,
        root=result.root,
        files_checked=result.files_checked,
        suppressed=result.suppressed,
        color=use_color,
        quiet=quiet,
        baseline_ignored=gate.result.ignored if gate else 0,  # -- baseline --
        all_diagnostics=gate.all_diagnostics if gate else None,
    )
    if statistics:
        from ssot_lint.reporters import text as reports

        render = {
            "json": reports.render_statistics_json,
            "json-lines": reports.render_statistics_json_lines,
        }.get(output_format, reports.render_statistics)
        text = render(ctx)
    else:
        text = REPORTERS[output_format](ctx)
    write_output(text, output_file, color=use_color)
    for error in ctx.errors:
        click.echo(
            click.style("error:", fg="red", bold=True) + f" {error.path}: {error.message}",
            err=True,
        )
    stale_fails = gate is not None and baselines.announce(  # -- baseline --
        gate,
        quiet=quiet,
        text_output=output_format in ("full", "concise") and not statistics,
        fail_on_stale=fail_on_stale_baseline,
    )
    code = exit_code(result, exit_zero)
    if code == EXIT_OK and stale_fails and not exit_zero:
        code = EXIT_VIOLATIONS
    sys.exit(code)


def _is_terminal(stream: object) -> bool:
    isatty: Callable[[], bool] | None = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def _use_color(choice: str, output_file: str | None) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output_file is None and _is_terminal(sys.stdout)


def exit_code(result: RunResult, exit_zero: bool) -> int:
    if result.errors:
        return EXIT_ERROR
    if result.diagnostics and not exit_zero:
        return EXIT_VIOLATIONS
    return EXIT_OK


class _ProgressLine:
    """``facts 1200/5000`` on stderr, redrawn in place, only once a run takes a while."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._start < PROGRESS_AFTER or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        self._shown = True
        click.echo(f"\r\x1b[2K{phase}: {done}/{total} files", err=True, nl=False)

    def clear(self) -> None:
        if self._shown:
            click.echo("\r\x1b[2K", err=True, nl=False)


command = check
