"""``ssot-lint fix``: apply the automatic fixes.

Each pass runs a full check (cross-file rules need the whole project), then
applies every fix that does not overlap an earlier one in the same file;
fixes left over (overlaps) are found again by the next pass, until nothing
changes or ``MAX_PASSES`` is reached, as ruff does. Only safe fixes are
applied unless ``--unsafe-fixes`` is given.

A file is written only if the fixed text parses, atomically, and only if it
still has the content the fixes were computed for: a file modified while
ssot-lint ran is left alone and reported.

``--diff`` writes nothing and prints a unified diff of one pass (a pass that
cannot write cannot re-check; fixes that need a second pass are counted).

Exit codes: 0 done (whether or not violations remain: gating is ``check``'s
job, with its baseline), 1 with ``--diff`` when there is something to fix or
with ``--exit-non-zero-on-fix`` when something was fixed, 2 on a usage error
or when some fix or file could not be handled.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from ssot_lint.cli import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_VIOLATIONS,
    config_option,
    force_exclude_option,
    no_cache_option,
    selection_options,
    split_codes,
)
from ssot_lint.diagnostics import Applicability, Diagnostic, Fix

MAX_PASSES = 10


@dataclass
class FileChange:
    rel_path: str
    original: str  # text before the first fix of this run
    text: str  # text after the last applied fix
    codes: Counter[str] = field(default_factory=Counter)


@dataclass
class FixReport:
    changes: dict[str, FileChange] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, what went wrong)
    remaining: int = 0  # violations still there (fixable or not)
    unsafe_skipped: int = 0  # fixable with --unsafe-fixes
    deferred: int = 0  # --diff: fixes that need another pass
    passes: int = 0
    converged: bool = True
    result: object = None  # the last RunResult

    @property
    def fixed(self) -> int:
        return sum(sum(c.codes.values()) for c in self.changes.values())


def _wanted(diag: Diagnostic, unsafe: bool) -> bool:
    fix = diag.fix
    return fix is not None and (unsafe or fix.applicability is Applicability.SAFE)


def fix_project(
    options: object, *, unsafe: bool, write: bool, max_passes: int = MAX_PASSES
) -> FixReport:
    """Check, fix, write; repeat until nothing changes.

    Without ``write`` (``--diff``) the first pass is computed in memory; when
    some of its fixes overlap others and need further passes, those passes run
    on a temporary copy of the project, so the diff shows exactly what a real
    ``fix`` would write.
    """
    if write:
        return _fix_loop(options, unsafe=unsafe, write=True, max_passes=max_passes)
    report = _fix_loop(options, unsafe=unsafe, write=False, max_passes=1)
    if report.deferred and report.result is not None and not report.problems:
        shadow = _shadow_fix(options, report, unsafe=unsafe, max_passes=max_passes)
        if shadow is not None:
            return shadow
    return report


def _fix_loop(options: object, *, unsafe: bool, write: bool, max_passes: int) -> FixReport:
    from ssot_lint.engine import run_check

    report = FixReport()
    result = None
    needs_final_check = False
    for number in range(1, max_passes + 1):
        started = time.time_ns()
        result = run_check(options)  # type: ignore[arg-type]
        report.passes = number
        needs_final_check = False
        report.deferred = 0
        plan: dict[str, list[Diagnostic]] = {}
        for diag in result.diagnostics:
            if _wanted(diag, unsafe):
                plan.setdefault(diag.path, []).append(diag)
        if not plan:
            break
        progressed = False
        fixed_files: set[str] = set()  # real paths changed in this pass
        for rel_path in sorted(plan):
            project_file = result.project.files.get(rel_path)
            path = project_file.path if project_file is not None else result.root / rel_path
            real = os.path.realpath(path)
            if real in fixed_files:
                # The same file under a second name (a symbolic link in the
                # project): already fixed; the next pass re-checks it.
                continue
            if _fix_file(
                Path(path), rel_path, plan[rel_path], started, write, report, root=result.root
            ):
                progressed = True
                fixed_files.add(real)
        if not write or not progressed:
            break
        needs_final_check = True
    else:
        report.converged = max_passes <= 1
    if needs_final_check:
        result = run_check(options)  # type: ignore[arg-type]
        if not report.converged and any(_wanted(d, unsafe) for d in result.diagnostics):
            report.problems.append(
                ("<project>", f"fixes did not converge after {max_passes} passes")
            )
    if result is not None:
        report.result = result
        report.remaining = len(result.diagnostics) - (0 if write else report.fixed)
        report.unsafe_skipped = sum(
            1
            for d in result.diagnostics
            if not unsafe and d.fix is not None and d.fix.applicability is Applicability.UNSAFE
        )
    return report


def _shadow_fix(
    options: object, first: FixReport, *, unsafe: bool, max_passes: int
) -> FixReport | None:
    """Run the whole fix loop on a temporary copy of the project's analysed
    files (plus its configuration and registry); None if it cannot be copied."""
    import dataclasses
    import shutil
    import tempfile

    from ssot_lint.registry import find_registry

    result = first.result
    root = Path(result.root)  # type: ignore[attr-defined]
    inputs = [Path(f.path) for f in result.project.files.values()]  # type: ignore[attr-defined]
    config_file = result.config.file  # type: ignore[attr-defined]
    if config_file is not None:
        inputs.append(Path(config_file))
    registry = find_registry(root, result.settings)  # type: ignore[attr-defined]
    if registry is not None:
        inputs.append(registry)
    with tempfile.TemporaryDirectory(prefix="ssot-lint-diff-") as temp:
        shadow_root = Path(temp) / "project"

        def mapped(path: Path) -> Path | None:
            try:
                return shadow_root / Path(os.path.abspath(path)).relative_to(root)
            except ValueError:
                return None

        for source in inputs:
            target = mapped(source)
            if target is None:
                return None  # something outside the project: keep the one-pass diff
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(source, target)
            except OSError:
                return None
        paths = [mapped(p) for p in options.paths]  # type: ignore[attr-defined]
        config = options.config_file  # type: ignore[attr-defined]
        shadow_config = mapped(config) if config is not None else None
        if any(p is None for p in paths) or (config is not None and shadow_config is None):
            return None
        shadow_options = dataclasses.replace(
            options,  # type: ignore[type-var]
            paths=paths,
            config_file=shadow_config,
            use_cache=False,
            progress=None,
        )
        report = _fix_loop(shadow_options, unsafe=unsafe, write=True, max_passes=max_passes)
    report.result = result  # messages about the real project, not the copy
    return report


def _fix_file(
    path: Path,
    rel_path: str,
    diagnostics: list[Diagnostic],
    started: int,
    write: bool,
    report: FixReport,
    *,
    root: Path | None = None,
) -> bool:
    """Apply one pass of fixes to one file; True if its text changed."""
    from ssot_lint.fixes import FixError, apply_fixes, encode_text, write_if_unchanged
    from ssot_lint.source import SourceError, read_source

    if root is not None and not _resolves_inside(path, root):
        # The atomic writer rewrites a link's target: a symbolic link in the
        # project pointing elsewhere must not let a fix write outside it.
        report.problems.append(
            (rel_path, "resolves, through a symbolic link, outside the project; not fixed")
        )
        return False
    try:
        source = read_source(path)
        modified = os.stat(path).st_mtime_ns
    except (SourceError, OSError) as exc:
        report.problems.append((rel_path, f"cannot read the file to fix it: {exc}"))
        return False
    if modified > started:
        # The check may have seen another version: its positions are not
        # trustworthy. Best effort (timestamps are coarse); the content hash
        # check below guards the window between this read and the write.
        report.problems.append((rel_path, "the file changed on disk during the check; not fixed"))
        return False
    fixes: list[Fix] = [d.fix for d in diagnostics if d.fix is not None]
    outcome = apply_fixes(source.text, fixes)
    for failed, why in outcome.failed:
        report.problems.append((rel_path, f"fix {failed.message!r} not applied: {why}"))
    report.deferred += len(outcome.deferred)
    if not outcome.applied or outcome.text == source.text:
        return False
    try:
        data = encode_text(outcome.text, source.encoding)
        if write:
            write_if_unchanged(path, data, source.digest)
    except FixError as exc:
        report.problems.append((rel_path, str(exc)))
        return False
    except OSError as exc:
        report.problems.append((rel_path, f"cannot write the fixed file: {exc.strerror or exc}"))
        return False
    change = report.changes.setdefault(rel_path, FileChange(rel_path, source.text, source.text))
    change.text = outcome.text
    applied = {id(f) for f in outcome.applied}
    change.codes.update(d.code for d in diagnostics if id(d.fix) in applied)
    return True


def _resolves_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, all symbolic links followed, is a file under ``root``."""
    real = Path(os.path.realpath(path))
    return real.is_relative_to(os.path.realpath(root))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def unified_diff(change: FileChange, display: str) -> str:
    # Lines as Python counts them (str.splitlines also splits on form feeds).
    before = _LINE.findall(change.original)
    after = _LINE.findall(change.text)
    lines = []
    for line in difflib.unified_diff(before, after, f"a/{display}", f"b/{display}"):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return "".join(lines)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option()
@selection_options(
    select_help="Fix only these rules (codes, prefixes, names).", ignore_help="Rules not to fix."
)
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change behaviour.")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes; write nothing.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when something was fixed.")
@force_exclude_option
@no_cache_option()
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems (and the diff).")
def fix(
    paths: tuple[Path, ...],
    config_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    unsafe_fixes: bool,
    diff: bool,
    exit_non_zero_on_fix: bool,
    force_exclude: bool | None,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Apply the automatic fixes to PATHS (default: the current directory).

    Safe fixes only, unless --unsafe-fixes. Files are rewritten atomically,
    and only when the result still parses.
    """
    from ssot_lint.engine import RunOptions

    options = RunOptions(
        paths=list(paths) or [Path(".")],
        config_file=config_file,
        select=split_codes(select),
        extend_select=split_codes(extend_select),
        ignore=split_codes(ignore),
        use_cache=not no_cache,
        force_exclude=force_exclude,
    )
    report = fix_project(options, unsafe=unsafe_fixes, write=not diff)
    result = report.result
    errors = list(getattr(result, "errors", []))
    root = getattr(result, "root", Path("."))

    def display(rel_path: str) -> str:
        absolute = Path(rel_path) if os.path.isabs(rel_path) else Path(root) / rel_path
        try:
            return os.path.relpath(absolute)
        except ValueError:
            return str(absolute)

    if diff:
        click.echo(
            "".join(unified_diff(c, display(p)) for p, c in sorted(report.changes.items())),
            nl=False,
        )
    _summarise(report, diff=diff, quiet=quiet, display=display)
    for path, problem in dict.fromkeys(report.problems):
        click.echo(click.style("error:", fg="red", bold=True) + f" {path}: {problem}", err=True)
    for error in errors:
        click.echo(
            click.style("error:", fg="red", bold=True) + f" {error.path}: {error.message}",
            err=True,
        )
    if report.problems or errors:
        sys.exit(EXIT_ERROR)
    if report.fixed and (diff or exit_non_zero_on_fix):
        sys.exit(EXIT_VIOLATIONS)
    sys.exit(EXIT_OK)


def _summarise(
    report: FixReport, *, diff: bool, quiet: bool, display: Callable[[str], str]
) -> None:
    if quiet:
        return
    out = sys.stderr if diff else sys.stdout
    verb = "Would fix" if diff else "Fixed"
    for rel_path, change in sorted(report.changes.items()):
        codes = ", ".join(
            f"{code} x{count}" if count > 1 else code
            for code, count in sorted(change.codes.items())
        )
        click.echo(f"{verb} {display(rel_path)}: {codes}", file=out)
    fixed = report.fixed
    files = len(report.changes)
    errors = f"{fixed} error{'s' if fixed != 1 else ''}"
    line = (
        f"{verb} {errors} in {files} file{'s' if files != 1 else ''}" if fixed else "Nothing to fix"
    )
    click.echo(f"{line} ({report.remaining} remaining).", file=out)
    if report.deferred and diff:
        click.echo(
            f"{report.deferred} more fix(es) overlap these and need another pass: "
            "run `ssot-lint fix`.",
            file=out,
        )
    if report.unsafe_skipped:
        click.echo(
            f"{report.unsafe_skipped} more fixable with `ssot-lint fix --unsafe-fixes`.", file=out
        )


command = fix
