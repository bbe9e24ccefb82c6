"""``ssot-lint rule``: rule documentation (``rule CODE``, ``rule --all``).

Text for people, ``json`` for tools, ``markdown`` for the generated pages
under ``rules/`` at the repository root.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ssot_lint.cli import fail
from ssot_lint.ruledocs import render_rule_markdown, render_rule_text, rule_summary
from ssot_lint.rules import Rule, all_rules, get_rule


@click.command()
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
        fail("give a rule code (e.g. `ssot-lint rule SSOT002`) or --all")
    if code and show_all:
        fail("give a rule code or --all, not both")
    rules: list[type[Rule]] = list(all_rules().values())
    if code:
        found = get_rule(code)
        if found is None:
            fail(f"unknown rule {code!r}; `ssot-lint rule --all` lists them")
            return
        rules = [found]
    if output_format == "json":
        data: Any = [rule_summary(r) for r in rules]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
    elif output_format == "markdown":
        click.echo("\n".join(render_rule_markdown(r) for r in rules), nl=False)
    elif show_all:
        for r in rules:
            default = "" if r.default_enabled else "  (opt-in)"
            fix = " [fix]" if r.fixable else ""
            click.echo(f"{r.code}  {r.name:<32} {r.summary}{fix}{default}")
    else:
        click.echo(render_rule_text(rules[0]))


command = rule
