"""The walk memo: directories unchanged since the last walk are not listed
again, and nothing that changes what a walk keeps is missed (files added or
removed, a .gitignore edited in place or newly created, a directory changed
within the clock's resolution of the walk that recorded it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import check, touch, write_project

from ssot_lint.config import Settings
from ssot_lint.discovery import Discoverer
from ssot_lint.project import IsTestPath
from ssot_lint.walk_memo import WalkMemo

LONG_AGO = time.time() - 3600


def _age(root: Path) -> None:
    """Every directory (and .gitignore) last changed an hour ago: outside the
    racy window, so a memo recorded now may be trusted."""
    for path in [root, *root.rglob("*")]:
        if path.is_dir() or path.name == ".gitignore":
            os.utime(path, (LONG_AGO, LONG_AGO))


class _Listings:
    """Counts the directories a walk lists."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.listed: list[str] = []
        real = os.scandir

        def scandir(path: object) -> object:
            self.listed.append(Path(str(path)).name)
            return real(path)  # type: ignore[call-overload]

        monkeypatch.setattr(os, "scandir", scandir)


def _walk(root: Path, memo: WalkMemo | None, **settings: object) -> tuple[list[str], Discoverer]:
    discoverer = Discoverer(root, Settings(**settings))  # type: ignore[arg-type]
    if memo is not None:
        discoverer.start_from(memo)
    files = [p.relative_to(root).as_posix() for p in discoverer.discover([root])]
    return files, discoverer


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    touch(root, "app/a.py", "app/sub/b.py", "app/sub/deep/c.py", "tools/t.py", "build/gen.py")
    (root / "app" / "notes.txt").write_text("not python\n", encoding="utf-8")
    (root / ".gitignore").write_text("tools/\n", encoding="utf-8")
    _age(root)
    return root


def test_an_unchanged_tree_is_walked_without_listing_a_directory(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, discoverer = _walk(tree, None)
    assert first == ["app/a.py", "app/sub/b.py", "app/sub/deep/c.py"]
    assert discoverer.memo_changed
    listings = _Listings(monkeypatch)
    second, again = _walk(tree, discoverer.memo)
    assert second == first
    assert listings.listed == []
    assert not again.memo_changed  # nothing new to store


def test_a_changed_directory_alone_is_listed_again(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, discoverer = _walk(tree, None)
    touch(tree, "app/sub/new.py")
    (tree / "app" / "a.py").unlink()
    listings = _Listings(monkeypatch)
    files, again = _walk(tree, discoverer.memo)
    assert files == ["app/sub/b.py", "app/sub/deep/c.py", "app/sub/new.py"]
    assert sorted(listings.listed) == ["app", "sub"]
    assert again.memo_changed


def test_a_gitignore_edited_in_place_invalidates_the_memo(tree: Path) -> None:
    _, discoverer = _walk(tree, None)
    gitignore = tree / ".gitignore"
    gitignore.write_text("tools/\napp/sub/\n", encoding="utf-8")
    os.utime(tree, (LONG_AGO, LONG_AGO))  # editing in place leaves the directory's time
    files, _ = _walk(tree, discoverer.memo)
    assert files == ["app/a.py"]


def test_a_new_gitignore_applies_below_its_directory(tree: Path) -> None:
    _, discoverer = _walk(tree, None)
    (tree / "app" / ".gitignore").write_text("deep/\n", encoding="utf-8")
    # Only `app` changed; `app/sub`, whose listing held `deep`, did not.
    files, _ = _walk(tree, discoverer.memo)
    assert files == ["app/a.py", "app/sub/b.py"]


def test_a_gitignore_above_the_root_is_watched(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    root = repo / "proj"
    touch(root, "app/a.py", "app/generated.py")
    _age(repo)
    _, discoverer = _walk(root, None)
    (repo / ".gitignore").write_text("generated.py\n", encoding="utf-8")
    files, _ = _walk(root, discoverer.memo)
    assert files == ["app/a.py"]


def test_a_directory_changed_in_the_walks_own_instant_is_not_trusted(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, discoverer = _walk(tree, None)
    memo = discoverer.memo
    # The listing of `app` was taken in the same clock tick as a change that
    # left its time as recorded: the memo must not vouch for it.
    app_time = os.stat(tree / "app").st_mtime_ns
    memo.started_ns = app_time + 1
    listings = _Listings(monkeypatch)
    _walk(tree, memo)
    assert listings.listed  # every directory of the same age is listed again
    assert "app" in listings.listed


def test_directories_that_are_gone_leave_the_memo(tree: Path) -> None:
    _, discoverer = _walk(tree, None)
    assert "app/sub/deep" in discoverer.memo.listings
    for name in ("c.py",):
        (tree / "app" / "sub" / "deep" / name).unlink()
    (tree / "app" / "sub" / "deep").rmdir()
    files, again = _walk(tree, discoverer.memo)
    assert files == ["app/a.py", "app/sub/b.py"]
    assert "app/sub/deep" not in again.memo.listings


def test_a_memo_walk_keeps_exactly_what_a_fresh_walk_keeps(tree: Path) -> None:
    """Settings differ per memo key; within one, a walk of any named
    directory agrees with one that starts from nothing."""
    touch(tree, "app/sub/x_pb2.py", "app/.venv/lib.py")
    _age(tree)
    settings = {"extend_exclude": ["*_pb2.py"]}
    _, discoverer = _walk(tree, None, **settings)
    for start in (tree, tree / "app", tree / "app" / "sub"):
        with_memo = Discoverer(tree, Settings(**settings))  # type: ignore[arg-type]
        with_memo.start_from(discoverer.memo)
        fresh = Discoverer(tree, Settings(**settings))  # type: ignore[arg-type]
        assert with_memo.discover([start]) == fresh.discover([start]), start


def test_memo_keys_differ_with_the_settings_that_decide_a_walk(tree: Path) -> None:
    plain = Discoverer(tree, Settings()).memo_key()
    assert Discoverer(tree, Settings(extend_exclude=["x"])).memo_key() != plain
    assert Discoverer(tree, Settings(respect_gitignore=False)).memo_key() != plain
    assert Discoverer(tree, Settings(force_exclude=True)).memo_key() == plain


def test_check_walks_from_the_memo_and_still_sees_a_new_file(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        {"app/__init__.py": "", "app/state.py": "class DeepAgentState:\n    pass\n"},
    )
    _age(root)
    cache_dir = tmp_path / "cache"
    first = check(root, cache_dir=cache_dir)
    assert first.stats.files_in_project == 2 and first.diagnostics == []
    (root / "app" / "legacy.py").write_text(
        "from app.state import DeepAgentState\n", encoding="utf-8"
    )
    second = check(root, cache_dir=cache_dir)
    assert second.stats.files_in_project == 3
    assert [d.path for d in second.diagnostics if d.code == "SSOT004"] == ["app/legacy.py"]


def test_force_exclude_still_excludes_a_named_file_on_a_warm_run(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        {
            "app/a.py": "x = 1\n",
            "app/state.py": "class DeepAgentState:\n    pass\n",
            "build/gen.py": "from app.state import DeepAgentState\n",
        },
    )
    _age(root)
    cache_dir = tmp_path / "cache"
    for _ in range(2):
        result = check([root / "build" / "gen.py"], cache_dir=cache_dir, force_exclude=True)
        assert result.files_checked == 0 and result.diagnostics == []
        named = check([root / "app" / "a.py"], cache_dir=cache_dir, force_exclude=True)
        assert named.files_checked == 1


def test_known_test_answers_are_given_without_compiling_the_patterns() -> None:
    matcher = IsTestPath(["tests/"], {"src/app.py": True})
    assert matcher("src/app.py") is True  # as known, however wrong for these patterns
    assert matcher._matchers is None and not matcher.learned
    assert matcher("tests/test_x.py") is True and matcher.learned
    assert matcher("src/other.py") is False


def test_a_warm_pre_commit_run_imports_no_pathspec(tmp_path: Path) -> None:
    # An unchanged tree needs no pattern: pathspec (~12 ms to import) stays
    # out. (Per-file-ignores, were there any, are still compiled for the
    # files checked.)
    root = write_project(
        tmp_path / "proj",
        {"app/__init__.py": "", "app/a.py": "x = 1\n", "tests/test_a.py": "x = 1\n"},
    )
    (root / ".gitignore").write_text("build/\n", encoding="utf-8")
    _age(root)
    cache_dir = tmp_path / "cache"
    check(root, cache_dir=cache_dir)
    edited = root / "app" / "a.py"
    edited.write_text("x = 2\n", encoding="utf-8")  # in place: the directory keeps its time
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ssot_lint.engine import RunOptions, run_check\n"
        "r = run_check(RunOptions(paths=[Path(sys.argv[1])], cache_dir=Path(sys.argv[2]),\n"
        "                         force_exclude=True))\n"
        "print(r.files_checked, r.stats.files_in_project, 'pathspec' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(edited), str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    ).stdout.split()
    assert out == ["1", "3", "False"]
