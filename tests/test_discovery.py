"""Which files are analysed: exclude / extend-exclude, .gitignore (nested,
negated, above the project root), force-exclude, symbolic links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import check, found, touch, write_project

from ssot_lint.cli import main
from ssot_lint.config import Settings
from ssot_lint.discovery import Discoverer, DiscoveryError

LEGACY_IMPORT = "from app.state import DeepAgentState\n"


def _discover(root: Path, paths: list[Path] | None = None, **settings: object) -> list[str]:
    discoverer = Discoverer(root, Settings(**settings))  # type: ignore[arg-type]
    return [p.relative_to(root).as_posix() for p in discoverer.discover(paths or [root])]


def test_python_files_only_sorted_and_pyi_included(tmp_path: Path) -> None:
    touch(tmp_path, "b.py", "a/stubs.pyi", "a/z.py", "README.md", "a/data.json", "a/script")
    assert _discover(tmp_path) == ["a/stubs.pyi", "a/z.py", "b.py"]


def test_same_file_named_twice_is_analysed_once(tmp_path: Path) -> None:
    touch(tmp_path, "app/one.py")
    files = _discover(tmp_path, [tmp_path / "app", tmp_path / "app" / "one.py", tmp_path])
    assert files == ["app/one.py"]


def test_default_excludes(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "app/handler.py",
        ".venv/lib/site.py",
        "venv/lib/os.py",
        "build/lib/app/handler.py",
        "node_modules/pkg/x.py",
        ".git/hooks/x.py",
        "app/__pycache__/ignored.py",
    )
    files = _discover(tmp_path)
    assert "app/handler.py" in files
    assert [f for f in files if not f.startswith("app/")] == []


def test_exclude_replaces_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    touch(tmp_path, "app/handler.py", "build/gen.py", "app/migrations/0001_initial.py")
    touch(tmp_path, "app/api_pb2.py", "generated/models.py")
    assert _discover(tmp_path, exclude=["generated/"]) == [
        "app/api_pb2.py",
        "app/handler.py",
        "app/migrations/0001_initial.py",
        "build/gen.py",  # the defaults were replaced
    ]
    assert _discover(tmp_path, extend_exclude=["**/migrations/**", "*_pb2.py", "/generated"]) == [
        "app/handler.py"
    ]


def test_anchored_exclude_pattern_matches_only_at_the_root(tmp_path: Path) -> None:
    touch(tmp_path, "scripts/run.py", "app/scripts/run.py")
    assert _discover(tmp_path, extend_exclude=["/scripts"]) == ["app/scripts/run.py"]


def test_gitignore_at_root_and_nested(tmp_path: Path) -> None:
    touch(tmp_path, "app/handler.py", "app/local_settings.py", "tmp/scratch.py")
    touch(tmp_path, "app/gen/out.py", "app/gen/keep.py", "other/gen/out.py")
    (tmp_path / ".gitignore").write_text("tmp/\nlocal_settings.py\n", encoding="utf-8")
    # Nested: relative to its own directory, and a deeper file overrides (`!`).
    (tmp_path / "app" / ".gitignore").write_text("gen/*\n!gen/keep.py\n", encoding="utf-8")
    assert _discover(tmp_path) == [
        "app/gen/keep.py",
        "app/handler.py",
        "other/gen/out.py",
    ]
    assert len(_discover(tmp_path, respect_gitignore=False)) == 6


def test_deeper_gitignore_can_reinclude_what_a_parent_ignores(tmp_path: Path) -> None:
    touch(tmp_path, "app/snapshot_a.py", "app/snapshot_keep.py")
    (tmp_path / ".gitignore").write_text("snapshot_*.py\n", encoding="utf-8")
    (tmp_path / "app" / ".gitignore").write_text("!snapshot_keep.py\n", encoding="utf-8")
    assert _discover(tmp_path) == ["app/snapshot_keep.py"]


def test_gitignore_above_the_project_root_counts_inside_a_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("*_generated.py\n", encoding="utf-8")
    project = repo / "services" / "billing"
    touch(project, "billing/api.py", "billing/api_generated.py")
    assert _discover(project) == ["billing/api.py"]


def test_gitignore_of_an_enclosing_repository_stops_at_a_nested_one(tmp_path: Path) -> None:
    outer = tmp_path / "monorepo"
    (outer / ".git").mkdir(parents=True)
    (outer / ".gitignore").write_text("*.py\n", encoding="utf-8")
    project = outer / "vendor" / "tool"
    (project / ".git").mkdir(parents=True)  # a repository of its own (a submodule)
    touch(project, "tool/cli.py")
    assert _discover(project) == ["tool/cli.py"]


def test_gitignore_outside_any_repository_is_not_inherited(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.py\n", encoding="utf-8")
    project = tmp_path / "project"
    touch(project, "api.py")
    assert _discover(project) == ["api.py"]


def test_named_file_in_excluded_dir_is_checked_unless_force_exclude(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        {"app/state.py": "class DeepAgentState:\n    pass\n", "legacy/old.py": LEGACY_IMPORT},
        'extend-exclude = ["legacy/"]',
    )
    target = root / "legacy" / "old.py"
    # Walking the project: excluded.
    assert found(check(root)) == {}
    # Named explicitly (what pre-commit does): checked, as in ruff.
    assert found(check(target)) == {("legacy/old.py", 1, "SSOT004"): 1}
    # --force-exclude applies the patterns to named files too.
    assert found(check(target, force_exclude=True)) == {}


def test_force_exclude_from_config(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        {"app/state.py": "class DeepAgentState:\n    pass\n", "legacy/sub/old.py": LEGACY_IMPORT},
        'extend-exclude = ["legacy/"]\nforce-exclude = true',
    )
    assert found(check(root / "legacy" / "sub" / "old.py")) == {}
    assert found(check(root / "legacy")) == {}
    assert found(check(root / "legacy", force_exclude=False)) == {
        ("legacy/sub/old.py", 1, "SSOT004"): 1
    }


def test_force_exclude_applies_gitignore_to_named_files(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    touch(root, "app/scratch.py")
    (root / ".gitignore").write_text("scratch.py\n", encoding="utf-8")
    named = [root / "app" / "scratch.py"]
    assert _discover(root, named) == ["app/scratch.py"]
    assert _discover(root, named, force_exclude=True) == []


def test_named_excluded_directory_is_walked_but_its_own_excludes_hold(tmp_path: Path) -> None:
    touch(tmp_path, "build/tool/gen.py", "build/tool/.venv/lib.py", "build/other.py")
    assert _discover(tmp_path) == []
    assert _discover(tmp_path, [tmp_path / "build"]) == ["build/other.py", "build/tool/gen.py"]
    assert _discover(tmp_path, [tmp_path / "build"], force_exclude=True) == []


def test_symlinked_directories_are_not_followed(tmp_path: Path) -> None:
    touch(tmp_path, "app/handler.py", "outside/secret.py")
    (tmp_path / "app" / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "app" / "loop").symlink_to(tmp_path / "app", target_is_directory=True)
    files = _discover(tmp_path, [tmp_path / "app"])
    assert files == ["app/handler.py"]
    # Named explicitly, a link to a directory is still not followed.
    assert _discover(tmp_path, [tmp_path / "app" / "linked"]) == []


def test_symlinked_file_keeps_its_own_path(tmp_path: Path) -> None:
    touch(tmp_path, "shared/ids.py")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "ids.py").symlink_to(tmp_path / "shared" / "ids.py")
    assert _discover(tmp_path) == ["app/ids.py", "shared/ids.py"]


def test_nonexistent_path_is_a_discovery_error(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match=r"path does not exist: .*missing\.py"):
        Discoverer(tmp_path, Settings()).discover([tmp_path / "missing.py"])


def test_nonexistent_path_through_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"app.py": "x = 1\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "app.py", "missing.py"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: path does not exist: missing.py\n"


def test_unreadable_directory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "app/ok.py", "locked/x.py")
    real = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)) == tmp_path / "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[call-overload]

    # Tests may run as root, which reads any directory: simulate the refusal.
    monkeypatch.setattr(os, "scandir", scandir)
    assert _discover(tmp_path) == ["app/ok.py"]


def _reference_walk(discoverer: Discoverer, start: Path) -> list[Path]:
    """The obvious walk: every entry asked ``_ignored`` by its full path."""
    out = []
    for current, dirs, files in os.walk(start):
        here = Path(current)
        dirs[:] = [d for d in dirs if not discoverer._ignored(here / d, True)]
        for name in files:
            if name.endswith((".py", ".pyi")) and not discoverer._ignored(here / name, False):
                out.append(here / name)
    return sorted(out)


def test_walk_matches_asking_every_path_in_full(tmp_path: Path) -> None:
    """The walk computes relative paths and .gitignore chains incrementally;
    it must exclude exactly what the path-by-path check excludes."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("*_generated.py\nproject/vendor/\n", encoding="utf-8")
    root = repo / "project"
    touch(
        root,
        "app/a.py",
        "app/a_generated.py",
        "app/gen/x.py",
        "app/gen/keep.py",
        "app/deep/er/snapshot_1.py",
        "app/deep/er/snapshot_keep.py",
        "app/deep/er/mod.pyi",
        "vendor/lib.py",
        "build/out.py",
        "tmp/scratch.py",
        "tools/tmp/t.py",
        "local_settings.py",
        "main.py",
    )
    (root / ".gitignore").write_text("tmp/\nlocal_settings.py\nsnapshot_*.py\n", encoding="utf-8")
    (root / "app" / ".gitignore").write_text("gen/*\n!gen/keep.py\n", encoding="utf-8")
    (root / "app" / "deep" / ".gitignore").write_text("!snapshot_keep.py\n", encoding="utf-8")
    discoverer = Discoverer(root, Settings(extend_exclude=["tools"]))
    for start in (root, root / "app", root / "app" / "deep"):
        walked = discoverer.discover([start])
        assert walked == _reference_walk(discoverer, start), start
    names = {p.relative_to(root).as_posix() for p in discoverer.discover([root])}
    assert names == {
        "app/a.py",
        "app/gen/keep.py",
        "app/deep/er/snapshot_keep.py",
        "app/deep/er/mod.pyi",
        "main.py",
    }


def test_one_regex_prefilter_gives_every_pattern_verdict() -> None:
    """The combined regex only says "no pattern matches"; wherever some
    pattern does, the verdict is still ``check_file``'s (negations, order,
    directory-only and anchored patterns included)."""
    import pathspec

    from ssot_lint.discovery import _Ignore

    lines = [
        "# comment",
        "",
        "build/",
        "/dist",
        "*_pb2.py",
        "!keep_pb2.py",
        "generated/**/*.py",
        "docs/*/conf.py",
        "**/migrations",
        ".venv",
        "a?c.py",
        "[xy]z.py",
        "!generated/keep/",
        "\\#hash.py",
    ]
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    ignore = _Ignore(Path("/p"), spec)
    assert ignore.any_pattern is not None
    names = [
        "build",
        "dist",
        "x_pb2.py",
        "keep_pb2.py",
        "generated",
        "keep",
        "conf.py",
        "migrations",
        ".venv",
        "abc.py",
        "a/c.py",
        "yz.py",
        "zz.py",
        "#hash.py",
        "ok.py",
        "docs",
        "api",
    ]
    paths = {n for n in names}
    for _ in range(2):
        paths |= {f"{a}/{b}" for a in list(paths)[:40] for b in names}
    checked = 0
    for rel in sorted(paths):
        for is_dir in (False, True):
            expected = spec.check_file(rel + "/" if is_dir else rel).include
            assert ignore.verdict_rel(rel, is_dir) is expected, (rel, is_dir)
            checked += expected is not None
    assert checked > 50  # the patterns really matched, not only the fast "no"
