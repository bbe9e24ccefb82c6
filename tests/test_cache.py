"""The on-disk cache and the process pool: same answers, less work, no harm."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import check

from ssot_lint import cache as cache_module
from ssot_lint.cache import Cache

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _copy_examples(tmp_path: Path) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(
        EXAMPLES, root, ignore=shutil.ignore_patterns(".ssot-lint-cache", "__pycache__")
    )
    return root


def _age(root: Path, seconds: float = 10.0) -> None:
    """Backdate every file so the racy-stat guard does not force re-reads."""
    past = time.time() - seconds
    for path in root.rglob("*.py"):
        os.utime(path, (past, past))


def _keys(result) -> list[tuple[str, int, int, str, str]]:
    return [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = _copy_examples(tmp_path)
    _age(root)
    return root


def test_warm_run_reparses_nothing_and_answers_the_same(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cold = check(project, cache_dir=cache_dir)
    assert cold.stats.facts_computed == cold.stats.files_in_project > 0
    warm = check(project, cache_dir=cache_dir)
    assert warm.stats.facts_computed == 0
    assert warm.stats.rules_computed == 0
    assert _keys(warm) == _keys(cold)
    assert warm.diagnostics, "the example project has violations"


def test_changing_one_file_recomputes_only_that_file(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    check(project, cache_dir=cache_dir)
    target = project / "netra_backend" / "app" / "agents" / "triage_agent.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    again = check(project, cache_dir=cache_dir)
    assert again.stats.facts_computed == 1


def test_same_content_elsewhere_reuses_facts(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    check(project, cache_dir=cache_dir)
    # Touch without changing the content: the stat changes, the digest does not.
    target = project / "shared" / "config.py"
    os.utime(target, None)
    _age(project, 5)
    again = check(project, cache_dir=cache_dir)
    assert again.stats.facts_computed == 0


def test_results_identical_with_and_without_cache_and_across_job_counts(
    project: Path, tmp_path: Path
) -> None:
    reference = _keys(check(project, use_cache=False, jobs=1))
    assert _keys(check(project, use_cache=False, jobs=2)) == reference
    cache_dir = tmp_path / "cache"
    assert _keys(check(project, cache_dir=cache_dir, jobs=2)) == reference
    assert _keys(check(project, cache_dir=cache_dir, jobs=1)) == reference


def test_parallel_pool_is_really_used_for_many_files(tmp_path: Path) -> None:
    from ssot_lint import workers

    files = {f"pkg/m{i}.py": f"import uuid\nrun_id = str(uuid.uuid4())  # {i}\n" for i in range(60)}
    from support import write_project

    root = write_project(tmp_path / "many", files)
    serial = check(root, use_cache=False, jobs=1)
    parallel = check(root, use_cache=False, jobs=2)
    assert len(files) >= workers.MIN_PARALLEL
    assert _keys(serial) == _keys(parallel)


def test_corrupt_cache_is_discarded_with_one_warning_and_rebuilt(
    project: Path, tmp_path: Path, capsys
) -> None:
    cache_dir = tmp_path / "cache"
    reference = _keys(check(project, cache_dir=cache_dir))
    files = list(cache_dir.rglob("*.pickle"))
    assert len(files) == 1
    files[0].write_bytes(b"\x80\x04garbage" + os.urandom(64))
    capsys.readouterr()
    again = check(project, cache_dir=cache_dir)
    err = capsys.readouterr().err
    assert err.count("discarding unreadable cache") == 1
    assert _keys(again) == reference
    assert again.stats.facts_computed == again.stats.files_in_project
    # ... and the rebuilt cache is valid again.
    with open(files[0], "rb") as handle:
        assert pickle.load(handle) is not None


def test_truncated_cache_is_discarded(project: Path, tmp_path: Path, capsys) -> None:
    cache_dir = tmp_path / "cache"
    reference = _keys(check(project, cache_dir=cache_dir))
    (path,) = cache_dir.rglob("*.pickle")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert _keys(check(project, cache_dir=cache_dir)) == reference
    assert "discarding unreadable cache" in capsys.readouterr().err


def test_unwritable_cache_path_warns_and_still_reports(
    project: Path, tmp_path: Path, capsys
) -> None:
    # A regular file where the cache directory should be: writing must fail
    # for root too, and the run must not.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    result = check(project, cache_dir=blocker)
    assert result.diagnostics
    assert "cannot write cache" in capsys.readouterr().err


def test_two_concurrent_runs_share_a_cache_safely(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cmd = [
        sys.executable,
        "-m",
        "ssot_lint",
        "check",
        str(project),
        "--output-format",
        "json",
        "--exit-zero",
    ]
    env = {**os.environ, "SSOT_LINT_CACHE_DIR": str(cache_dir)}
    runs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert all("discarding" not in err for _, err in outputs)
    (path,) = cache_dir.rglob("*.pickle")
    with open(path, "rb") as handle:
        pickle.load(handle)  # whole, not interleaved
    assert not list(cache_dir.rglob(".tmp-*")), "no temporary files left behind"


def test_warm_run_does_not_import_libcst(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ssot_lint.engine import RunOptions, run_check\n"
        "project, cache = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "r = run_check(RunOptions(paths=[project], cache_dir=cache))\n"
        "assert r.diagnostics\n"
        "print('libcst' in sys.modules, r.stats.rules_computed)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(project), str(cache_dir)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][0] == "True"  # cold: the CST rules ran
    assert runs[1] == ["False", "0"]  # warm: everything came from the cache


def test_racy_files_are_reread(tmp_path: Path) -> None:
    from support import write_project

    root = write_project(tmp_path / "racy", {"pkg/a.py": "import uuid\nrun_id = uuid.uuid4()\n"})
    cache_dir = tmp_path / "cache"
    check(root, cache_dir=cache_dir)
    # Rewrite with the same size and (forced) the same mtime: only content differs.
    path = root / "pkg" / "a.py"
    stat = path.stat()
    path.write_text("import uuid\nrun_xx = uuid.uuid4()\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = check(root, cache_dir=cache_dir)
    assert result.stats.facts_computed == 1  # recently written: the stat is not trusted


def test_stale_entries_are_pruned(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_IDLE_RUNS", 2)
    path = tmp_path / "c.pickle"
    cache = Cache(path)
    cache.put_facts(("old",), 1)
    cache.save()
    for run in range(4):
        cache = Cache(path)
        cache.put_facts((f"new{run}",), run)  # dirty: each run saves
        cache.save()
    assert Cache(path).get_facts(("old",)) is None
    assert Cache(path).get_facts(("new3",)) == 3


def test_disabled_cache_writes_nothing(project: Path, tmp_path: Path) -> None:
    check(project, use_cache=False)
    assert not (project / ".ssot-lint-cache").exists()


def test_a_small_incremental_run_imports_no_pool_and_no_tempfile(
    project: Path, tmp_path: Path
) -> None:
    # A pre-commit run stays in one process: the pool machinery (and the
    # tempfile module the store once used) would only cost it start-up time,
    # and a well-formed config is read by tomllib, not the slower tomlkit.
    cache_dir = tmp_path / "cache"
    check(project, cache_dir=cache_dir)
    edited = next(project.rglob("*.py"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ssot_lint.engine import RunOptions, run_check\n"
        "project, cache, edited = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])\n"
        "r = run_check(RunOptions(paths=[edited], cache_dir=cache))\n"
        "print(r.stats.facts_computed, *(m in sys.modules for m in\n"
        "      ('multiprocessing', 'concurrent.futures', 'tempfile', 'tomlkit')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(project), str(cache_dir), str(edited)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["1", "False", "False", "False", str(sys.version_info < (3, 11))]
    assert list(cache_dir.rglob(".tmp-*")) == []  # the store was replaced, not left behind


def test_store_temp_files_are_new_and_private(tmp_path: Path) -> None:
    first_fd, first = cache_module._temp_file(tmp_path)
    second_fd, second = cache_module._temp_file(tmp_path)
    os.close(first_fd)
    os.close(second_fd)
    assert first != second and Path(first).parent == tmp_path
    assert os.stat(first).st_mode & 0o777 == 0o600


def test_submodule_names_lists_what_pkgutil_lists(tmp_path: Path) -> None:
    # The rule and command registries list their packages without pkgutil;
    # the listing must be the same one pkgutil gives, so no rule goes missing.
    import pkgutil

    import ssot_lint.commands
    import ssot_lint.rules
    from ssot_lint.lazy import submodule_names

    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "notpkg").mkdir()
    for name in ("__init__.py", "alpha.py", "sub/__init__.py", "notes.txt", "two.dots.py"):
        (package / name).write_text("", encoding="utf-8")
    for path in ([str(package)], ssot_lint.rules.__path__, ssot_lint.commands.__path__):
        expected = sorted(info.name for info in pkgutil.iter_modules(path))
        assert submodule_names(path) == expected
    assert submodule_names([str(package)]) == ["alpha", "sub"]
