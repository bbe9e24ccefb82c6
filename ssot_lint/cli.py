"""The ``ssot-lint`` command line (click).

Exit codes, as in ruff: 0 no violations, 1 violations, 2 usage or
configuration error, or an internal failure on some file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ssot_lint import __version__
from ssot_lint.config import ConfigError
from ssot_lint.discovery import DiscoveryError
from ssot_lint.engine import RunOptions, RunResult, run_check
from ssot_lint.reporters import REPORTERS, ReportContext
from ssot_lint.reporters.text import render_statistics
from ssot_lint.rules import all_rules, get_rule
from ssot_lint.ruledocs import render_rule_markdown, render_rule_text, rule_summary

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class DefaultGroup(click.Group):
    """``ssot-lint PATHS`` means ``ssot-lint check PATHS``."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _split_codes(values: tuple[str, ...]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def _fail(message: str) -> None:
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
    sys.exit(EXIT_ERROR)


def _write_output(text: str, output_file: str | None) -> None:
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output_file}: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ssot-lint")
def main() -> None:
    """Keep a Python monorepo true to its single-source-of-truth design."""


_OUTPUT_FORMATS = click.Choice(sorted(REPORTERS))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this pyproject.toml.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the config).")
@click.option("--extend-select", multiple=True, help="Rules to enable in addition.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--output-format", type=_OUTPUT_FORMATS, default="full", show_default=True)
@click.option("--output-file", "-o", help="Write the report to this file instead of stdout.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each violation.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when violations are found.")
@click.option(
    "--report-unused-ignores", is_flag=True, help="Report suppressions that suppress nothing (SSOT100)."
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
    extend = _split_codes(extend_select)
    if report_unused_ignores:
        extend.append("SSOT100")
    options = RunOptions(
        paths=list(paths) or [Path(".")],
        config_file=config_file,
        select=_split_codes(select),
        extend_select=extend,
        ignore=_split_codes(ignore),
    )
    result = _run(options)
    use_color = color == "always" or (color == "auto" and output_file is None and sys.stdout.isatty())
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
            text = "".join(line + "\n" for line in text.splitlines() if ":" in line[:200] and not line.startswith(("Found", "[*]")))
    _write_output(text, output_file)
    if result.errors and output_format not in ("full", "concise"):
        for error in result.errors:
            click.echo(f"error: {error.path}: {error.message}", err=True)
    sys.exit(_exit_code(result, exit_zero))


def _run(options: RunOptions) -> RunResult:
    try:
        return run_check(options)
    except ConfigError as exc:
        _fail(str(exc))
    except DiscoveryError as exc:
        _fail(str(exc))
    raise AssertionError("unreachable")


def _exit_code(result: RunResult, exit_zero: bool) -> int:
    if result.errors:
        return EXIT_ERROR
    if result.diagnostics and not exit_zero:
        return EXIT_VIOLATIONS
    return EXIT_OK


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
def rule(code: str | None, show_all: bool, output_format: str) -> None:
    """Show the documentation of rule CODE (or of every rule with --all)."""
    if not code and not show_all:
        _fail("give a rule code (e.g. `ssot-lint rule SSOT002`) or --all")
    rules = list(all_rules().values()) if show_all else []
    if code:
        found = get_rule(code)
        if found is None:
            _fail(f"unknown rule {code!r}; `ssot-lint rule --all` lists them")
        rules = [found]  # type: ignore[list-item]
    if output_format == "json":
        data: Any = [rule_summary(r) for r in rules]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
    elif output_format == "markdown":
        click.echo("\n".join(render_rule_markdown(r) for r in rules), nl=False)
    elif show_all and not code:
        for r in rules:
            default = "" if r.default_enabled else "  (opt-in)"
            fix = " [fix]" if r.fixable else ""
            click.echo(f"{r.code}  {r.name:<32} {r.summary}{fix}{default}")
    else:
        click.echo(render_rule_text(rules[0]))
