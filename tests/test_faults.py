"""Faults around a run: a damaged or unwritable cache, a full disk, a process
killed in the middle of ``fix``, a malformed registry seen by a real process.

Already covered elsewhere (not repeated here): a corrupt and a truncated
cache, a cache path that cannot be created, three concurrent runs sharing
one cache (test_cache.py); an interrupted atomic write (test_fix.py);
malformed configuration through click and a real process (test_config.py);
malformed registries through the registry parsers and commands
(test_registry.py).
"""

from __future__ import annotations

import errno
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_project import TARGET, TEMPLATES, make_project, violations
from support import check, write_project

from ssot_lint import cache as cache_module
from ssot_lint import fixes
from ssot_lint.cli import main
from ssot_lint.commands.fix import fix_project
from ssot_lint.engine import RunOptions
from ssot_lint.fixes import parse_problem


def _keys(result: object) -> list[tuple[str, int, int, str, str]]:
    return sorted(
        (d.path, d.line, d.column, d.code, d.message)
        for d in result.diagnostics  # type: ignore[attr-defined]
    )


class _Unknown:
    pass


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    make_project(root, violations(sorted(TEMPLATES)))
    return root


_REAL_FDOPEN = os.fdopen


class _FullDisk:
    """A file object whose writes fail as on a full disk (replaces os.fdopen)."""

    def __init__(self, fd: int, *args: object, **kwargs: object) -> None:
        self._stream = _REAL_FDOPEN(fd, "wb")

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()

    def write(self, data: bytes) -> int:
        self._stream.write(data[: len(data) // 2])  # part of it made it out
        self._stream.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()


# ---------------------------------------------------------------------------
# The cache.


def test_damaged_cache_files_are_discarded_and_rebuilt(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir = tmp_path / "cache"
    reference = _keys(check(project, cache_dir=cache_dir))
    (path,) = cache_dir.rglob("*.pickle")
    good = path.read_bytes()
    damages = {
        "empty": b"",
        "other pickle": pickle.dumps({"not": "a cache"}),
        "unknown class": pickle.dumps(_Unknown()).replace(b"_Unknown", b"Vanished"),
    }
    rng = random.Random(7)
    for number in range(25):  # random bit flips of the real cache file
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        damages[f"flip {number}"] = bytes(data)
    for name, data in damages.items():
        path.write_bytes(data)
        capsys.readouterr()
        result = check(project, cache_dir=cache_dir)
        assert result.errors == [], name
        assert _keys(result) == reference, name
        assert "Traceback" not in capsys.readouterr().err
    # A directory where the cache file should be: warned about, never fatal.
    path.unlink()
    path.mkdir()
    assert _keys(check(project, cache_dir=cache_dir)) == reference
    err = capsys.readouterr().err
    assert "discarding unreadable cache" in err and "cannot write cache" in err


def test_read_only_cache_directory(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache_dir = tmp_path / "cache"
    reference = _keys(check(project, cache_dir=cache_dir))
    (path,) = cache_dir.rglob("*.pickle")
    saved = path.read_bytes()
    (project / "app" / "new.py").write_text("import uuid\nrun_id = str(uuid.uuid4())\n")

    # Root may write anywhere; the file system's refusal is simulated where
    # the cache creates its temporary file.
    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cache_module, "_temp_file", read_only)
    capsys.readouterr()
    result = check(project, cache_dir=cache_dir)
    assert result.errors == []
    assert ("app/new.py", 2, "SSOT002") in {(d.path, d.line, d.code) for d in result.diagnostics}
    assert "cannot write cache" in capsys.readouterr().err
    assert path.read_bytes() == saved  # the old cache is intact and still used
    monkeypatch.undo()
    (project / "app" / "new.py").unlink()
    again = check(project, cache_dir=cache_dir)
    assert _keys(again) == reference
    assert again.stats.rules_computed == 0


def test_disk_full_while_writing_the_cache(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache_dir = tmp_path / "cache"

    monkeypatch.setattr(cache_module.os, "fdopen", _FullDisk)
    result = check(project, cache_dir=cache_dir)
    assert result.errors == [] and result.diagnostics
    assert "cannot write cache" in capsys.readouterr().err
    assert not [p for p in cache_dir.rglob("*") if p.is_file() and p.name.startswith(".tmp-")]
    assert not list(cache_dir.rglob("*.pickle"))


# ---------------------------------------------------------------------------
# A full disk while fixing.


def test_disk_full_during_fix(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = project / TARGET
    original = target.read_bytes()
    before = sorted(p.name for p in target.parent.iterdir())
    monkeypatch.setattr(fixes.os, "fdopen", _FullDisk)
    outcome = CliRunner().invoke(main, ["fix", "--no-cache", "--unsafe-fixes", str(project)])
    assert outcome.exit_code == 2, outcome.output
    assert f"{TARGET}: cannot write the fixed file: No space left on device" in outcome.stderr
    assert "Traceback" not in outcome.output
    assert target.read_bytes() == original
    assert sorted(p.name for p in target.parent.iterdir()) == before  # no temporary file


# ---------------------------------------------------------------------------
# A process killed in the middle of ``fix``.


def _versions(root: Path) -> list[bytes]:
    """Every content ``fix`` writes to the target, in order (one per pass)."""
    written: list[bytes] = []
    real = fixes.atomic_write

    def record(path: Path, data: bytes) -> None:
        if path.name == Path(TARGET).name:
            written.append(data)
        real(path, data)

    fixes.atomic_write = record  # type: ignore[assignment]
    try:
        report = fix_project(
            RunOptions(paths=[root], jobs=1, use_cache=False), unsafe=True, write=True
        )
    finally:
        fixes.atomic_write = real  # type: ignore[assignment]
    assert report.problems == [] and report.fixed > 0
    return written


def test_killed_fix_leaves_the_original_or_a_complete_fixed_version(tmp_path: Path) -> None:
    pristine = tmp_path / "pristine"
    # Big enough that a fix run takes a while and writes a sizeable file.
    make_project(pristine, violations(sorted(TEMPLATES) * 60))
    original = (pristine / TARGET).read_bytes()
    reference = tmp_path / "reference"
    shutil.copytree(pristine, reference, symlinks=True)
    versions = _versions(reference)
    allowed = {original, *versions}
    assert len(allowed) >= 2
    for data in allowed:
        assert parse_problem(data.decode()) is None

    command = [sys.executable, "-m", "ssot_lint", "fix", "--unsafe-fixes", "-q", "."]
    work = tmp_path / "work"

    def start() -> tuple[subprocess.Popen[bytes], float]:
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(pristine, work, symlinks=True)
        return subprocess.Popen(command, cwd=work, stderr=subprocess.PIPE), time.monotonic()

    proc, began = start()
    assert proc.wait(timeout=300) == 0, proc.stderr.read()  # type: ignore[union-attr]
    duration = time.monotonic() - began
    assert (work / TARGET).read_bytes() == versions[-1]

    seen: list[str] = []
    target_dir = (work / TARGET).parent
    # Kills at fixed fractions of a full run, and twice as soon as the atomic
    # writer's temporary file appears (mid-write).
    for when in (0.2, 0.45, 0.7, 0.9, "write", "write"):
        proc, began = start()
        if when == "write":
            deadline = began + duration * 3
            while proc.poll() is None and time.monotonic() < deadline:
                if any(n.endswith(".ssot-lint.tmp") for n in os.listdir(target_dir)):
                    break
        else:
            time.sleep(duration * float(when))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.stderr is not None and proc.stderr.read() is not None
        data = (work / TARGET).read_bytes()
        assert data in allowed, f"partial file after a kill at {when}: {len(data)} bytes"
        seen.append("original" if data == original else f"pass {versions.index(data) + 1}")
        if when != "write":
            continue
        # Whatever was left behind, the next run works and finishes the job.
        leftovers = [n for n in os.listdir(target_dir) if n.endswith(".ssot-lint.tmp")]
        assert all(n.startswith(".") for n in leftovers)  # hidden, and not a .py file
        rerun = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        assert "Traceback" not in rerun.stderr and "discarding" not in rerun.stderr
        assert (work / TARGET).read_bytes() == versions[-1]
    assert len(seen) == 6


# ---------------------------------------------------------------------------
# A malformed registry, seen by a real process.


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("SSOT_IMPORT_REGISTRY.md", "# R\n\n```python\nfrom pkg import\n```\n", ":4: "),
        ("ssot-registry.toml", "[[verified]]\nimport = 'from pkg import x'\n[[verified\n", ":3"),
    ],
    ids=["markdown", "toml"],
)
def test_malformed_registry_through_a_real_process(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "x = 1\n"}, f'registry = "{name}"')
    (root / name).write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "ssot_lint", "check", "--no-cache", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ") and f"{name}{where}" in proc.stderr, proc.stderr
