"""``ssot-lint audit --html FILE``: a self-contained HTML consolidation report."""

from __future__ import annotations

from pathlib import Path

import click

from ssot_lint.cli import fail, git_range_options, project_options, write_output


@click.command()
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--html",
    "html_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file.",
)
@click.option(
    "--history",
    "history_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Progress history (from `progress --record`) for the burndown chart.",
)
@git_range_options(
    range_help="Compute the burndown from git history instead (e.g. HEAD~30..HEAD).",
    every_help="Only every N-th commit.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Import distance shown around each deprecated module.",
)
@project_options()
def audit(
    path: Path,
    html_file: Path,
    history_file: Path | None,
    rev_range: str | None,
    git_every: int | None,
    depth: int,
    config_file: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Write an HTML audit of the project containing PATH: summary, violations by
    rule and by directory, consolidation progress, a burndown chart over the
    recorded (or git) history, and the import neighbourhood of every
    deprecated module. One file, nothing loaded from the network."""
    from ssot_lint.audit import AuditInput, render_audit
    from ssot_lint.graph import ImportGraph, load_run
    from ssot_lint.history import HistoryError, head_commit
    from ssot_lint.progress import ProgressError, now_iso, progress_for, read_history

    result = load_run(path, config_file, use_cache=not no_cache, cache_dir=cache_dir, full=True)
    graph = ImportGraph.build(result.project)
    report = progress_for(result.project, graph)
    commit = head_commit(result.root)
    report.commit, report.date = commit, now_iso()

    records = []
    source = "the current working tree only"
    git_stats = None
    if rev_range or git_every:
        from ssot_lint.commands.progress import git_series

        try:
            _, reports, stats = git_series(
                path, config_file, rev_range, git_every, no_cache, cache_dir
            )
        except HistoryError as exc:
            fail(str(exc))
            return
        records = [r.record() | {"subject": r.subject} for r in reports]
        source = f"git {rev_range or 'HEAD'}" + (
            f", every {git_every} commits" if git_every else ""
        )
        git_stats = stats.describe()
    elif history_file is not None:
        try:
            records = read_history(history_file)
        except ProgressError as exc:
            fail(str(exc))
            return
        source = str(history_file)
    now = report.record()
    last = records[-1] if records else None
    # The working tree is the last point, unless it is exactly the last commit's figures.
    if (
        last is None
        or last.get("commit") != commit
        or last["consolidations"] != now["consolidations"]
    ):
        records.append(now | {"label": "now"})
    html = render_audit(
        AuditInput(
            result=result,
            graph=graph,
            progress=report,
            history=records,
            history_source=source,
            depth=depth,
            commit=commit,
            generated=now_iso(),
            git_stats=git_stats,
        )
    )
    write_output(html, str(html_file))
    click.echo(
        f"Wrote {html_file}: {len(result.diagnostics)} violation(s), "
        f"{len(report.consolidations)} consolidation(s), {len(records)} burndown point(s)."
    )


command = audit
