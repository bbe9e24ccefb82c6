"""What ssot-lint reads and writes: it never executes or imports the analysed
code, never follows a symbolic link out of the project when writing a fix,
and writes nothing outside the project and its cache directory."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_project import TARGET, make_project, violations

from ssot_lint.cli import main

# ---------------------------------------------------------------------------
# Never executes or imports the analysed code.

PACKAGE = "booby_trapped_pkg"


def _trap(sentinel: Path) -> str:
    """Top-level code that leaves a mark if it is ever run (import, exec, runpy)."""
    return (
        "import pathlib\n"
        f"pathlib.Path({str(sentinel)!r}).write_text(__name__)\n"
        "raise SystemExit('analysed code was executed')\n"
    )


def test_analysed_code_is_never_imported_or_executed(tmp_path: Path) -> None:
    sentinel = tmp_path / "EXECUTED"
    root = tmp_path / "project"
    make_project(root, violations(["SSOT002", "SSOT003", "SSOT005", "SSOT006"]))
    trap = _trap(sentinel)
    for rel in (
        f"{PACKAGE}/__init__.py",
        f"{PACKAGE}/models.py",
        f"{PACKAGE}/__main__.py",
        "conftest.py",
        "setup.py",
        "app/settings.py",
    ):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(trap + "from app.core.tracker import AgentExecutionTracker\n")
    # The analysed code also imports the trap, so resolving imports, building
    # the graph and checking the registry all have a reason to look at it.
    target = root / TARGET
    target.write_text(f"from {PACKAGE}.models import thing\n" + target.read_text())
    before = set(sys.modules)
    runner = CliRunner()
    commands = [
        ["check", "--no-cache", "--exit-zero", str(root)],
        ["fix", "--no-cache", "--diff", str(root)],
        ["fix", "--no-cache", "--unsafe-fixes", str(root)],
        ["graph", "export", "--format", "json", str(root)],
        ["graph", "cycles", str(root)],
        ["progress", "--format", "json", str(root)],
        ["registry", "check", str(root)],
    ]
    for args in commands:
        outcome = runner.invoke(main, args)
        assert outcome.exit_code in (0, 1), (args, outcome.output)
        assert "Traceback" not in outcome.output
        assert not sentinel.exists(), f"{args[0]} executed {sentinel.read_text()}"
    new = set(sys.modules) - before
    assert not any(name.split(".")[0] in (PACKAGE, "app", "conftest", "setup") for name in new)
    # ... and the run really analysed the files it did not import.
    assert "UnifiedIDManager.generate_id" in target.read_text()


# ---------------------------------------------------------------------------
# Symbolic links and fixes.


def test_fix_never_writes_through_a_symlink_out_of_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.py"
    victim.write_text(violations(["SSOT002", "SSOT003"]))
    original = victim.read_bytes()
    root = tmp_path / "project"
    make_project(root)
    link = root / "app" / "linked.py"
    link.symlink_to(victim)
    outcome = CliRunner().invoke(main, ["fix", "--no-cache", "--unsafe-fixes", str(root)])
    assert outcome.exit_code == 2, outcome.output
    assert "app/linked.py: resolves, through a symbolic link, outside the project" in (
        outcome.stderr
    )
    assert victim.read_bytes() == original
    assert link.is_symlink() and link.resolve() == victim
    assert sorted(p.name for p in outside.iterdir()) == ["victim.py"]  # no temporary file


def test_fix_still_writes_through_a_symlink_inside_the_project(tmp_path: Path) -> None:
    root = tmp_path / "project"
    real = make_project(root, violations(["SSOT003"]))
    link = root / "app" / "alias.py"
    link.symlink_to(real)
    # Both names are in the project: the file is fixed once, through either.
    outcome = CliRunner().invoke(main, ["fix", "--no-cache", str(root)])
    assert outcome.exit_code == 0, outcome.output
    assert "ExecutionState.COMPLETED" in real.read_text()
    assert link.is_symlink() and link.resolve() == real


# ---------------------------------------------------------------------------
# Nothing is written outside the project and its cache directory.


def _snapshot(directory: Path) -> dict[str, tuple[str, str]]:
    """Every entry below ``directory``: kind and content hash (or link target)."""
    out: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(directory).as_posix()
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                out[rel] = ("dir", "")
            else:
                out[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return out


@pytest.mark.parametrize("cache", ["default", "elsewhere"])
def test_writes_nothing_outside_the_project_and_its_cache(tmp_path: Path, cache: str) -> None:
    world = tmp_path / "world"  # everything a run could touch: home, temp, cwd, neighbours
    home, temp, cwd, neighbour = (world / n for n in ("home", "tmp", "cwd", "neighbour"))
    for directory in (home, temp, cwd, neighbour):
        directory.mkdir(parents=True)
    (neighbour / "other.py").write_text(violations(["SSOT002"]))
    root = world / "project"
    target = make_project(root, violations(["SSOT002", "SSOT003", "SSOT005", "SSOT006"]))
    cache_dir = world / "cache" if cache == "elsewhere" else root / ".ssot-lint-cache"
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(temp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "NO_COLOR": "1",
    }
    env.pop("SSOT_LINT_CACHE_DIR", None)
    if cache == "elsewhere":
        env["SSOT_LINT_CACHE_DIR"] = str(cache_dir)
    before = _snapshot(world)
    runs = [
        ["check", "--exit-zero", str(root)],
        ["fix", "--diff", str(root)],  # runs its extra passes on a temporary copy
        ["fix", "--unsafe-fixes", str(root)],
        ["check", "--exit-zero", str(root)],  # warm
        ["graph", "export", "--format", "json", str(root)],
        ["progress", "--format", "json", str(root)],
        ["registry", "check", str(root)],
    ]
    for args in runs:
        proc = subprocess.run(
            [sys.executable, "-m", "ssot_lint", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode in (0, 1), (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    after = _snapshot(world)
    cache_rel = cache_dir.relative_to(world).as_posix()
    changed = {
        rel
        for rel in before.keys() | after.keys()
        if before.get(rel) != after.get(rel)
        and rel != cache_rel
        and not rel.startswith(cache_rel + "/")
    }
    assert changed == {f"project/{TARGET}"}, sorted(changed)
    assert any(cache_dir.rglob("*.pickle")), "the cache was written where it was told to"
    assert "UnifiedIDManager.generate_id" in target.read_text()
