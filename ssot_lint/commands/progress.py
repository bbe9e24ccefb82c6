"""``ssot-lint progress``: consolidation figures, their history, and the CI ratchet."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ssot_lint.cli import (
    EXIT_OK,
    EXIT_VIOLATIONS,
    fail,
    git_range_options,
    project_options,
    write_output,
)


@click.command()
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@click.option("--output-file", "-o", help="Write the report to this file instead of stdout.")
@click.option(
    "--record",
    "record_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Append the figures (with the git commit) to this history file (JSON lines).",
)
@click.option(
    "--history",
    "history_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="History file to compare with (and chart) without appending to it.",
)
@click.option(
    "--fail-on-regression",
    is_flag=True,
    help="Exit 1 when any figure is worse than the last record (nothing is recorded then).",
)
@git_range_options(
    range_help="Figures for every commit of a range (e.g. HEAD~30..HEAD), read from git objects.",
    every_help="Only every N-th commit of the range (the newest always); alone: over all of HEAD.",
)
@click.option(
    "--chart",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a burndown chart (SVG) of the history and the current figures.",
)
@project_options()
def progress(
    path: Path,
    fmt: str,
    output_file: str | None,
    record_file: Path | None,
    history_file: Path | None,
    fail_on_regression: bool,
    rev_range: str | None,
    git_every: int | None,
    chart: Path | None,
    config_file: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Consolidation progress of the project containing PATH.

    Per consolidation (deprecated modules/symbols -> canonical), split into
    production and test code: direct importers of deprecated modules,
    transitive dependants, importers of and references to deprecated symbols
    (through any re-export or alias), modules still on a deprecated path,
    modules on the canonical path, the share migrated, and SSOT001 duplicates.

    `--record FILE` appends the figures to a history file; with
    `--fail-on-regression` the run exits 1, naming each figure and both values,
    when any figure is worse than the file's last record (the CI ratchet).
    """
    from ssot_lint.progress import ProgressError, read_history, regressions

    if record_file and history_file and record_file != history_file:
        fail("--record and --history name different files; give one of them")
    history_path = record_file or history_file
    if fail_on_regression and history_path is None:
        fail("--fail-on-regression needs the history to compare with: --record FILE")
    try:
        history = read_history(history_path) if history_path else []
    except ProgressError as exc:
        fail(str(exc))
        return

    if rev_range or git_every:
        current, reports, stats = _git_series(
            path, config_file, rev_range, git_every, no_cache, cache_dir
        )
        new_records = [r.record() for r in reports]
        text = _render_series(reports, stats, fmt)
    else:
        current = _worktree(path, config_file, no_cache, cache_dir)
        new_records = [current.record()]
        text = _render_current(current, fmt)

    found = []
    if fail_on_regression and history and current is not None:
        found = regressions(history[-1], current.record())

    if chart is not None:
        from ssot_lint.audit import BURNDOWN_TITLE, burndown_svg, points_from_records

        known = {r.get("commit") for r in history if r.get("commit")}
        extra = [r for r in new_records if not r.get("commit") or r["commit"] not in known]
        if not (rev_range or git_every) and history and extra:
            extra[-1]["label"] = "now"
        svg = burndown_svg(points_from_records([*history, *extra]), title=BURNDOWN_TITLE)
        write_output(svg, str(chart))

    if found:
        lines = [f"regression: {r.describe()}" for r in found]
        previous = history[-1]
        when = previous.get("commit") or previous.get("date") or "the last record"
        lines.append(
            f"{len(found)} figure(s) worse than the last record ({str(when)[:12]}); not recorded."
        )
        text += "\n".join(lines) + "\n"
    elif record_file is not None:
        recorded = _records_to_append(history, new_records, bool(rev_range or git_every))
        try:
            from ssot_lint.progress import append_records

            append_records(record_file, recorded)
        except ProgressError as exc:
            fail(str(exc))
        if fmt == "table":
            text += f"Recorded {len(recorded)} record(s) in {record_file}.\n"
    write_output(text, output_file)
    sys.exit(EXIT_VIOLATIONS if found else EXIT_OK)


def _records_to_append(
    history: list[dict[str, Any]], records: list[dict[str, Any]], from_git: bool
) -> list[dict[str, Any]]:
    """A git series only adds commits the history does not have yet (re-running a
    backfill is harmless); a working-tree run always adds today's figures."""
    if not from_git:
        return records
    known = {r.get("commit") for r in history if r.get("commit")}
    return [r for r in records if r.get("commit") not in known]


def _worktree(path: Path, config_file: Path | None, no_cache: bool, cache_dir: Path | None) -> Any:
    from ssot_lint.graph import load_run
    from ssot_lint.history import head_commit
    from ssot_lint.progress import now_iso, progress_for

    result = load_run(path, config_file, use_cache=not no_cache, cache_dir=cache_dir)
    report = progress_for(result.project)
    report.commit = head_commit(result.root)
    report.date = now_iso()
    return report


def _git_series(
    path: Path,
    config_file: Path | None,
    rev_range: str | None,
    every: int | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> tuple[Any, list[Any], Any]:
    from ssot_lint.history import HistoryError

    try:
        return git_series(path, config_file, rev_range, every, no_cache, cache_dir)
    except HistoryError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def git_series(
    path: Path,
    config_file: Path | None,
    rev_range: str | None,
    every: int | None,
    no_cache: bool = False,
    cache_dir: Path | None = None,
) -> tuple[Any, list[Any], Any]:
    """(newest report, one report per commit, history stats) for a git range."""
    from ssot_lint.config import load_config
    from ssot_lint.engine import RunOptions, open_cache
    from ssot_lint.history import GitHistory, HistoryError
    from ssot_lint.progress import progress_for

    config = load_config([path], config_file)
    cache = open_cache(
        RunOptions(paths=[path], use_cache=not no_cache, cache_dir=cache_dir), config
    )
    reports = []
    with GitHistory(config.root, config.settings) as history:
        commits = history.commits(rev_range, every)
        if not commits:
            raise HistoryError(f"no commits in {rev_range or 'HEAD'}")
        for commit, project in history.snapshots(commits, cache if cache.enabled else None):
            report = progress_for(project)
            report.commit, report.date, report.subject = commit.sha, commit.date, commit.subject
            reports.append(report)
        stats = history.stats
        if not reports:
            raise HistoryError(
                f"the project directory {history.prefix}/ exists in none of the commits "
                f"of {rev_range or 'HEAD'}"
            )
    cache.save()
    return reports[-1], reports, stats


def _render_current(report: Any, fmt: str) -> str:
    from ssot_lint.progress import render_table

    if fmt == "json":
        return json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
    return render_table(report)


def _render_series(reports: list[Any], stats: Any, fmt: str) -> str:
    from ssot_lint.progress import format_value, render_table

    if fmt == "json":
        data = {
            "commits": [r.as_json() for r in reports],
            "stats": {
                "commits": stats.commits,
                "file_versions": stats.file_versions,
                "unique_blobs": stats.unique_blobs,
                "parsed": stats.parsed,
                "skipped": stats.skipped,
            },
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    names = list(dict.fromkeys(c.name for r in reports for c in r.consolidations))
    out = [f"[{i}] {name}" for i, name in enumerate(names, 1)]
    headers = ["commit", "date"]
    for i in range(1, len(names) + 1):
        headers += [f"[{i}] remaining", f"[{i}] migrated"]
    headers.append("duplicates")
    rows = []
    for report in reports:
        row = [report.commit[:9] if report.commit else "-", (report.date or "")[:10]]
        by_name = {c.name: c for c in report.consolidations}
        for name in names:
            item = by_name.get(name)
            if item is None:
                row += ["-", "-"]
            else:
                row.append(format_value(item.values["remaining"].total, False))
                row.append(format_value(item.values["migrated"].total, True))
        row.append(format_value(report.duplicates.total, False))
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    out.append("")
    out.append(
        "  ".join(
            h.ljust(w) if i < 2 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    for row in rows:
        out.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    out.append("")
    out.append(f"Newest commit ({reports[-1].commit[:9]}):")
    out.append(render_table(reports[-1]).rstrip("\n"))
    out.append("")
    out.append(stats.describe())
    return "\n".join(out) + "\n"


command = progress
