"""Hostile and odd files: each is handled without a traceback, with a clear
diagnostic where one is due, and without costing the other files' results.

Already covered elsewhere (not repeated here): invalid syntax, bytes that are
not UTF-8, an unknown coding declaration, NUL bytes and merge-conflict markers
(test_parse_errors.py); symbolic links to directories and unreadable
directories (test_discovery.py); BOM + CRLF kept by ``fix`` (test_fix.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import check, found, write_project

from ssot_lint import discovery
from ssot_lint.cli import main
from ssot_lint.engine import RunOptions

# Any project file importing this deprecated name gets SSOT004 (zero config):
# a marker that the file was read and analysed.
LEGACY = "from app.state import DeepAgentState\n"
STATE = "class DeepAgentState:\n    pass\n"


def _project(root: Path) -> Path:
    return write_project(root, {"app/state.py": STATE, "app/handler.py": LEGACY})


def _cli(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--output-format", "concise", *args, str(root)]
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _check_bytes(tmp_path: Path, data: bytes, name: str = "app/odd.py"):
    root = _project(tmp_path / "p")
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(data)
    result = check(root, use_cache=False)
    assert result.errors == []
    assert ("app/handler.py", 1, "SSOT004") in found(result)  # the others are still analysed
    return result, {k: v for k, v in found(result).items() if k[0] == name}


# ---------------------------------------------------------------------------
# Encodings, line endings, whitespace.


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # A PEP 263 latin-1 declaration: decoded as latin-1, analysed normally.
        (b"# -*- coding: latin-1 -*-\n# Gr\xf6\xdfe\n" + LEGACY.encode(), {3: "SSOT004"}),
        # A BOM: stripped, positions unchanged.
        (b"\xef\xbb\xbf" + LEGACY.encode(), {1: "SSOT004"}),
        # BOM plus a contradicting declaration: what CPython rejects too.
        (b"\xef\xbb\xbf# coding: latin-1\n" + LEGACY.encode(), {1: "SSOT000"}),
        # CRLF, lone CR and mixed line endings count lines as the tokenizer does.
        (b"x = 1\r\ny = 2\r\n" + LEGACY.encode().replace(b"\n", b"\r\n"), {3: "SSOT004"}),
        (b"x = 1\ry = 2\n" + LEGACY.encode(), {3: "SSOT004"}),
        (b"x = 1\r\ny = 2\rz = 3\n" + LEGACY.encode(), {4: "SSOT004"}),
        # Tabs: valid tab indentation, and inconsistent tabs/spaces (TabError).
        (b"if True:\n\t" + LEGACY.encode(), {2: "SSOT004"}),
        (b"if True:\n        x = 1\n\ty = 2\n" + LEGACY.encode(), {3: "SSOT000"}),
        # Empty, only a BOM, only newlines, only a form feed: nothing to report.
        (b"", {}),
        (b"\xef\xbb\xbf", {}),
        (b"\n\n\r\n", {}),
        (b"\x0c\n", {}),
        # Undecodable in the declared encoding.
        (b"# coding: ascii\nx = '\xe9'\n", {2: "SSOT000"}),
    ],
    ids=[
        "latin-1",
        "bom",
        "bom-vs-latin-1",
        "crlf",
        "lone-cr",
        "mixed-endings",
        "tabs",
        "inconsistent-tabs",
        "empty",
        "only-bom",
        "only-newlines",
        "form-feed",
        "bad-ascii",
    ],
)
def test_odd_encodings_and_whitespace(tmp_path: Path, data: bytes, expected: dict) -> None:
    _, odd = _check_bytes(tmp_path, data)
    assert {line: code for (_, line, code) in odd} == expected


def test_parse_error_messages_are_clear(tmp_path: Path) -> None:
    result, _ = _check_bytes(tmp_path, b"if True:\n        x = 1\n\ty = 2\n")
    (diag,) = [d for d in result.diagnostics if d.code == "SSOT000"]
    assert diag.message.startswith("cannot parse: ")
    assert "indent" in diag.message or "tab" in diag.message, diag.message


@pytest.mark.parametrize("line", [1, 2, 5])
def test_invalid_utf8_names_the_byte_and_its_line(tmp_path: Path, line: int) -> None:
    # On the first two lines tokenize would only say "invalid or missing
    # encoding declaration"; the byte is the useful news wherever it is.
    data = b"x = 1\n" * (line - 1) + b"# caf\xe9 au lait\n" + b"y = 2\n"
    result, odd = _check_bytes(tmp_path, data)
    assert list(odd) == [("app/odd.py", line, "SSOT000")]
    (diag,) = [d for d in result.diagnostics if d.code == "SSOT000"]
    assert diag.message == "cannot parse: cannot decode as utf-8: invalid byte b'\\xe9'"


def test_very_long_lines(tmp_path: Path) -> None:
    # A 1 MB line, then a violation placed after a 35 000-character prefix.
    data = b"x = '" + b"a" * 1_000_000 + b"'\n" + b"y = 1; " * 5_000 + LEGACY.encode()
    result, odd = _check_bytes(tmp_path, data)
    assert list(odd) == [("app/odd.py", 2, "SSOT004")]
    (diag,) = [d for d in result.diagnostics if d.path == "app/odd.py"]
    assert diag.column == 7 * 5_000 + len("from app.state import ") + 1


def test_a_50_megabyte_file(tmp_path: Path) -> None:
    # Cheap on purpose: nothing in it triggers a libcst rule, so the run pays
    # for reading, hashing, decoding and the ast parse of 50 MB, not for a
    # concrete syntax tree of it (that takes about a minute).
    root = _project(tmp_path / "p")
    big = root / "app" / "big.py"
    line = b"# " + b"padding " * 12 + b"\n"  # 99 bytes
    with open(big, "wb") as handle:
        handle.write(b'"""A generated module."""\n')
        handle.write(line * 510_000)
        handle.write(b"VALUE = 1\n")
    assert big.stat().st_size >= 50_000_000
    result = _cli(root)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0].endswith(
        "p/app/handler.py:1:23: SSOT004 import of deprecated `DeepAgentState`; "
        "use `UserExecutionContext` instead"
    )
    assert "app/big.py" not in result.output


# ---------------------------------------------------------------------------
# Things that are not regular readable files.


def test_a_directory_named_like_a_python_file(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    (root / "app" / "x.py").mkdir()
    (root / "app" / "x.py" / "inner.py").write_text(LEGACY)
    result = check(root, use_cache=False)
    assert result.errors == []
    assert ("app/x.py/inner.py", 1, "SSOT004") in found(result)
    assert not any(d.path == "app/x.py" for d in result.diagnostics)
    # Named on the command line, too.
    assert _cli(root / "app" / "x.py").exit_code == 1


def test_broken_symlink_and_symlink_loops(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    (root / "app" / "dangling.py").symlink_to(root / "app" / "gone.py")
    (root / "app" / "loop_a.py").symlink_to(root / "app" / "loop_b.py")
    (root / "app" / "loop_b.py").symlink_to(root / "app" / "loop_a.py")
    (root / "app" / "self.py").symlink_to(root / "app" / "self.py")
    result = check(root, use_cache=False)
    assert result.errors == []
    by_path = {d.path: d for d in result.diagnostics}
    assert by_path["app/dangling.py"].code == "SSOT000"
    assert "broken symbolic link" in by_path["app/dangling.py"].message
    for name in ("loop_a", "loop_b", "self"):
        diag = by_path[f"app/{name}.py"]
        assert diag.code == "SSOT000"
        assert "symbolic links" in diag.message, diag.message
    assert ("app/handler.py", 1, "SSOT004") in found(result)
    cli = _cli(root)
    assert cli.exit_code == 1
    assert "app/dangling.py:1:1: SSOT000" in cli.stdout


def test_unreadable_file_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root ignores permission bits, so the denial is simulated where the file is read.
    root = _project(tmp_path / "p")
    secret = root / "app" / "secret.py"
    secret.write_text(LEGACY)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = check(root, use_cache=False)
    assert result.errors == []
    (diag,) = [d for d in result.diagnostics if d.path == "app/secret.py"]
    assert (diag.code, diag.message) == (
        "SSOT000",
        "cannot parse: cannot read file: Permission denied",
    )
    assert ("app/handler.py", 1, "SSOT004") in found(result)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory another user can enter (pytest's tmp_path is private to root)."""
    directory = Path(tempfile.mkdtemp(prefix="ssot-lint-perm-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


# Root ignores permission bits: the child drops to nobody (65534) before the
# check. The interpreter lives under /root here, which nobody cannot read, so
# the child first runs one check as root to import everything it will need,
# then drops its privileges and runs the real one.
UNPRIVILEGED_CHECK = """
import os, sys
from ssot_lint.cli import main
def run(args):
    try:
        main(args)
    except SystemExit as exc:
        return exc.code
warm, root = sys.argv[1:3]
run(["check", "--no-cache", "-j", "1", "--output-format", "concise", warm])
sys.stdout.flush()
print("--- real run ---", flush=True)
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
os.chdir(root)
sys.exit(run(["check", "--no-cache", "-j", "1", "--output-format", "concise", "."]))
"""


def run_unprivileged(root: Path, warm: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", UNPRIVILEGED_CHECK, str(warm), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_unreadable_file_really_denied(shared_dir: Path, tmp_path: Path) -> None:
    warm = _project(tmp_path / "warm")
    (warm / "app" / "odd.py").write_bytes(b"\xef\xbb\xbfx = 1\r\n" + LEGACY.encode())
    root = _project(shared_dir / "p")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    secret = root / "app" / "secret.py"
    secret.write_text(LEGACY)
    secret.chmod(0o000)
    proc = run_unprivileged(root, warm)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr
    real = proc.stdout.split("--- real run ---\n", 1)[1]
    assert "app/secret.py:1:1: SSOT000 cannot parse: cannot read file: Permission denied" in real
    assert "app/handler.py:1:23: SSOT004" in real


def test_file_deleted_between_discovery_and_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "p")
    doomed = root / "app" / "doomed.py"
    doomed.write_text(LEGACY)
    real = discovery.Discoverer.discover

    def discover_then_delete(self: discovery.Discoverer, paths: list[Path]) -> list[Path]:
        files = real(self, paths)
        if doomed.exists():
            doomed.unlink()
        return files

    monkeypatch.setattr(discovery.Discoverer, "discover", discover_then_delete)
    result = check(root, use_cache=False)
    assert result.errors == []
    (diag,) = [d for d in result.diagnostics if d.path == "app/doomed.py"]
    assert diag.code == "SSOT000"
    assert "disappeared" in diag.message
    assert ("app/handler.py", 1, "SSOT004") in found(result)


def test_file_deleted_between_facts_and_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssot_lint import engine

    root = _project(tmp_path / "p")
    doomed = root / "app" / "doomed.py"
    doomed.write_text(LEGACY)
    real = engine.gather_knowledge

    def gather_then_delete(project: object) -> object:
        doomed.unlink()
        return real(project)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "gather_knowledge", gather_then_delete)
    result = check(root, use_cache=False)
    assert result.errors == []
    assert ("app/handler.py", 1, "SSOT004") in found(result)


def test_fix_of_a_file_deleted_after_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssot_lint import engine

    root = write_project(
        tmp_path / "p",
        {
            "svc/core/tracker.py": "import enum\n\n\nclass ExecutionState(enum.Enum):\n"
            '    COMPLETED = "completed"\n',
            "svc/jobs.py": (
                "def finish(tracker, run_id):\n"
                '    tracker.update_execution_state(run_id, "completed")\n'
            ),
        },
    )
    jobs = root / "svc" / "jobs.py"
    real = engine.run_check

    def check_then_delete(options: RunOptions) -> object:
        result = real(options)
        if jobs.exists():
            jobs.unlink()
        return result

    monkeypatch.setattr(engine, "run_check", check_then_delete)
    outcome = CliRunner().invoke(main, ["fix", "--no-cache", str(root)])
    assert outcome.exit_code == 2
    assert "svc/jobs.py: cannot read the file to fix it: file disappeared" in outcome.stderr
    assert "Traceback" not in outcome.output
    assert not jobs.exists()


# ---------------------------------------------------------------------------
# Names.


def test_paths_with_spaces_and_non_ascii_names(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "mon projet é",
        {
            "app/state.py": STATE,
            "app/with space.py": LEGACY,
            "app/modülé.py": LEGACY,
            "app/données/日本.py": LEGACY,
        },
    )
    result = check(root, use_cache=False)
    assert result.errors == []
    assert found(result) == {
        ("app/with space.py", 1, "SSOT004"): 1,
        ("app/modülé.py", 1, "SSOT004"): 1,
        ("app/données/日本.py", 1, "SSOT004"): 1,
    }
    for fmt in ("concise", "json", "sarif", "github", "junit"):
        out = CliRunner().invoke(
            main, ["check", "--no-cache", "--output-format", fmt, str(root / "app")]
        )
        assert out.exit_code == 1, (fmt, out.output)
        assert "Traceback" not in out.output
        assert "with space" in out.stdout or "with%20space" in out.stdout, fmt
    concise = _cli(root / "app").stdout
    assert "app/modülé.py:1:23: SSOT004" in concise
    assert "app/données/日本.py:1:23: SSOT004" in concise
