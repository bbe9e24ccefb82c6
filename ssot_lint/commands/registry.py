"""``ssot-lint registry``: check the SSOT import registry against the code, export it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ssot_lint.cli import EXIT_OK, EXIT_VIOLATIONS, fail, write_output

if TYPE_CHECKING:
    from ssot_lint.config import LoadedConfig
    from ssot_lint.registry import Registry

_NO_REGISTRY = (
    "no SSOT import registry found: set `registry` in [tool.ssot-lint], or add "
    "SSOT_IMPORT_REGISTRY.md at the project root or in docs/"
)


def _registry_for(
    path: Path, config_file: Path | None, registry_file: Path | None
) -> tuple[Registry, LoadedConfig]:
    """The registry (and configuration) of the project containing ``path``."""
    from ssot_lint.config import ConfigError, load_config
    from ssot_lint.registry import find_registry, load_registry

    try:
        config = load_config([path], config_file)
        source = registry_file or find_registry(config.root, config.settings)
        if source is None:
            fail(_NO_REGISTRY)
        assert source is not None
        return load_registry(source, config.root), config
    except ConfigError as exc:  # RegistryError included: its text starts with file:line
        fail(str(exc))
    raise AssertionError("unreachable")


@click.group(name="registry")
def registry() -> None:
    """The SSOT import registry (SSOT_IMPORT_REGISTRY.md or a .toml registry).

    \b
      ssot-lint registry check              # lines that no longer resolve
      ssot-lint registry export -o SSOT_IMPORT_REGISTRY.toml
    """


@registry.command("check")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="Use this pyproject.toml."
)
@click.option(
    "--registry",
    "registry_file",
    type=click.Path(path_type=Path),
    help="Check this registry file instead of the configured one.",
)
@click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
def check_command(
    path: Path,
    config_file: Path | None,
    registry_file: Path | None,
    output_format: str,
    no_cache: bool,
) -> None:
    """List registry lines that do not resolve against the code (module or symbol gone).

    Verified and unverified (❓) lines, the USE INSTEAD lines of broken
    entries and mock paths are checked; lines naming modules outside the
    project are skipped. Exit 1 when some line does not resolve.
    """
    from ssot_lint.config import ConfigError
    from ssot_lint.discovery import DiscoveryError
    from ssot_lint.engine import RunOptions, run_check
    from ssot_lint.registry import check_registry

    if not path.exists():
        fail(f"path does not exist: {path}")
    loaded, _config = _registry_for(path, config_file, registry_file)
    try:
        # Facts only (SSOT000 is the one rule "run"): no libcst, cached.
        run = run_check(
            RunOptions(
                paths=[path], config_file=config_file, select=["SSOT000"], use_cache=not no_cache
            )
        )
    except (ConfigError, DiscoveryError) as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from None
    report = check_registry(loaded, run.project)
    if output_format == "json":
        data = {
            "registry": loaded.display,
            "checked": report.checked,
            "skipped": report.skipped,
            "problems": [
                {
                    "path": loaded.display,
                    "line": p.line,
                    "text": p.text,
                    "status": p.status.value,
                    "problem": p.problem,
                }
                for p in report.problems
            ],
        }
        write_output(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None)
    else:
        lines = [f"{loaded.where(p.line)}: `{p.text}`: {p.problem}" for p in report.problems]
        skipped = (
            f" ({report.skipped} skipped: not first-party, or path patterns)"
            if report.skipped
            else ""
        )
        count = len(report.problems)
        verdict = "all resolve" if not count else f"{count} do not resolve"
        lines.append(f"Checked {report.checked} registry lines{skipped}: {verdict}.")
        write_output("\n".join(lines) + "\n", None)
    sys.exit(EXIT_VIOLATIONS if report.problems else EXIT_OK)


@registry.command("export")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="Use this pyproject.toml."
)
@click.option(
    "--registry",
    "registry_file",
    type=click.Path(path_type=Path),
    help="Export this registry file instead of the configured one.",
)
@click.option("--output-file", "-o", help="Write the TOML here instead of stdout.")
def export_command(
    path: Path, config_file: Path | None, registry_file: Path | None, output_file: str | None
) -> None:
    """Write the registry in ssot-lint's TOML format (statuses, hints, notes, sections kept)."""
    from ssot_lint.registry import to_toml

    if not path.exists():
        fail(f"path does not exist: {path}")
    loaded, _config = _registry_for(path, config_file, registry_file)
    write_output(to_toml(loaded), output_file)


command = registry
