"""``ssot-lint check``: the default command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ssot_lint.cli import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, fail, split_codes, write_output
from ssot_lint.config import ConfigError
from ssot_lint.discovery import DiscoveryError
from ssot_lint.engine import RunOptions, RunResult, run_check
from ssot_lint.reporters import REPORTERS, ReportContext
from ssot_lint.reporters.text import render_statistics

_OUTPUT_FORMATS = click.Choice(sorted(REPORTERS))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="Use this pyproject.toml."
)
@click.option(
    "--select", multiple=True, help="Rule codes or prefixes to enable (replaces the config)."
)
@click.option("--extend-select", multiple=True, help="Rules to enable in addition.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--output-format", type=_OUTPUT_FORMATS, default="full", show_default=True)
@click.option("--output-file", "-o", help="Write the report to this file instead of stdout.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each violation.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when violations are found.")
@click.option(
    "--report-unused-ignores",
    is_flag=True,
    help="Report suppressions that suppress nothing (SSOT100).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print diagnostics only, no summary.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour text output (auto: only on a terminal).",
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
    quiet: bool,
    color: str,
) -> None:
    """Check PATHS (default: the current directory) for SSOT violations."""
    extend = split_codes(extend_select)
    if report_unused_ignores:
        extend.append("SSOT100")
    options = RunOptions(
        paths=list(paths) or [Path(".")],
        config_file=config_file,
        select=split_codes(select),
        extend_select=extend,
        ignore=split_codes(ignore),
    )
    result = _run(options)
    use_color = color == "always" or (
        color == "auto" and output_file is None and sys.stdout.isatty()
    )
    ctx = ReportContext(
        diagnostics=result.diagnostics,
        errors=result.errors,
        root=result.root,
        files_checked=result.files_checked,
        suppressed=result.suppressed,
        color=use_color,
    )
    if statistics:
        text = render_statistics(ctx)
    else:
        text = REPORTERS[output_format](ctx)
        if quiet and output_format in ("full", "concise"):
            text = "".join(
                line + "\n"
                for line in text.splitlines()
                if ":" in line[:200] and not line.startswith(("Found", "[*]"))
            )
    write_output(text, output_file)
    if result.errors and output_format not in ("full", "concise"):
        for error in result.errors:
            click.echo(f"error: {error.path}: {error.message}", err=True)
    sys.exit(_exit_code(result, exit_zero))


def _run(options: RunOptions) -> RunResult:
    try:
        return run_check(options)
    except ConfigError as exc:
        fail(str(exc))
    except DiscoveryError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def _exit_code(result: RunResult, exit_zero: bool) -> int:
    if result.errors:
        return EXIT_ERROR
    if result.diagnostics and not exit_zero:
        return EXIT_VIOLATIONS
    return EXIT_OK


command = check
