"""`.pre-commit-hooks.yaml`, installed and run for real by the `pre-commit` tool.

`pre-commit try-repo REPO HOOK` clones REPO at its HEAD; for a local
repository with uncommitted changes it commits tracked, modified files into a
shadow clone, but untracked files are left out. So the test does not point it
at this checkout (which may be a fresh CI clone, a tarball without `.git`, or
a working tree with new files): it copies what a package build needs into a
new git repository and commits it there. pre-commit then builds a virtualenv
and pip-installs the package with its dependencies from the index, as it
would for a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# What `pip install .` of the hook repository needs (pyproject's readme,
# version file, package) plus the hook manifest.
HOOK_REPO_CONTENT = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "ssot_lint"]
TIMEOUT = 1200  # seconds: the first run builds a virtualenv and installs from the index

LEGACY_HANDLER = '''\
"""Routes agent runs to the tracker."""

from app.state import DeepAgentState


def route(state: DeepAgentState) -> str:
    return state.user_id
'''
MIGRATED_HANDLER = '''\
"""Routes agent runs to the tracker."""

from app.context import UserExecutionContext


def route(context: UserExecutionContext) -> str:
    return context.user_id
'''


def _git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        HOME=str(home),  # no user-level git configuration or hooks leak in
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="ssot-lint tests",
        GIT_AUTHOR_EMAIL="tests@ssot-lint.invalid",
        GIT_COMMITTER_NAME="ssot-lint tests",
        GIT_COMMITTER_EMAIL="tests@ssot-lint.invalid",
    )
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _make_hook_repo(path: Path, env: dict[str, str]) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ssot-lint-cache")
    path.mkdir()
    for name in HOOK_REPO_CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, path / name, ignore=ignore)
        else:
            shutil.copy2(source, path / name)
    _git(path, env, "init", "-q")
    _git(path, env, "add", "-A")
    _git(path, env, "commit", "-q", "-m", "ssot-lint under test")


def _try_repo(target: Path, hook_repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hook_repo),
            "ssot-lint",
            "--all-files",
        ],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_manifest_declares_the_check_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    hook = by_id["ssot-lint"]
    assert hook["entry"].split()[:2] == ["ssot-lint", "check"]
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    assert hook["types_or"] == ["python", "pyi"]


def test_hook_runs_for_real_with_pre_commit(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _git_env(home)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-cache")
    env["NO_COLOR"] = "1"

    hook_repo = tmp_path / "hook-repo"
    _make_hook_repo(hook_repo, env)

    target = tmp_path / "platform"
    (target / "app").mkdir(parents=True)
    (target / "app" / "__init__.py").write_text("", encoding="utf-8")
    (target / "app" / "state.py").write_text(
        "class DeepAgentState:\n    user_id: str = ''\n", encoding="utf-8"
    )
    (target / "app" / "context.py").write_text(
        "class UserExecutionContext:\n    user_id: str = ''\n", encoding="utf-8"
    )
    (target / "app" / "handler.py").write_text(LEGACY_HANDLER, encoding="utf-8")
    (target / "README.md").write_text("not Python: the hook must not get it\n", encoding="utf-8")
    _git(target, env, "init", "-q")
    _git(target, env, "add", "-A")

    failing = _try_repo(target, hook_repo, env)
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "ssot-lint" in output and "Failed" in output
    assert (
        "app/handler.py:3:23: SSOT004 import of deprecated `DeepAgentState`; "
        "use `UserExecutionContext` instead"
    ) in output
    assert "README.md" not in output.split("Failed", 1)[1]

    (target / "app" / "handler.py").write_text(MIGRATED_HANDLER, encoding="utf-8")
    _git(target, env, "add", "-A")
    passing = _try_repo(target, hook_repo, env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
