"""Progress over git history: a fixture repository whose series is known exactly.

The repository is built here, commit by commit:

1. initial        two agents and a test use DeepAgentState; the bridge uses the
                  canonical UserExecutionContext
2. dup tracker    a monitoring module re-implements AgentStateTracker (SSOT001)
3. drop tracker   ... and is deleted again
4. migrate triage triage moves to UserExecutionContext
5. move state     DeepAgentState MOVES to app/legacy/state_model.py and is
                  re-exported from app/agents/state.py; the reporter imports it
                  from its new home, so it no longer imports the deprecated
                  module, yet still uses the deprecated class
6. regression     a new planner imports the class under an alias
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssot_lint.cli import main
from ssot_lint.config import load_config
from ssot_lint.history import GitHistory, HistoryError
from ssot_lint.progress import progress_for, read_history

CONFIG = """\
[tool.ssot-lint]
src = ["app", "tests"]

[[tool.ssot-lint.canonical]]
class = "app.core.execution_tracker.AgentExecutionTracker"
absorbs = ["AgentStateTracker"]

[[tool.ssot-lint.deprecated]]
symbol = "app.agents.state.DeepAgentState"
replacement = "app.services.user_context.UserExecutionContext"

[[tool.ssot-lint.consolidations]]
name = "user-context"
deprecated = ["app.agents.state", "app.agents.state.DeepAgentState"]
canonical = "app.services.user_context"
"""

STATE_CLASS = '''"""Shared run state, deprecated in favour of UserExecutionContext."""

from dataclasses import dataclass, field


@dataclass
class DeepAgentState:
    user_request: str = ""
    messages: list = field(default_factory=list)
'''

BASE_FILES = {
    "pyproject.toml": CONFIG,
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/execution_tracker.py": '''"""The canonical execution tracker."""


class AgentExecutionTracker:
    def start_execution(self, agent_name: str) -> str:
        return agent_name

    def complete_execution(self, execution_id: str) -> None:
        return None
''',
    "app/agents/__init__.py": "",
    "app/agents/state.py": STATE_CLASS,
    "app/agents/triage.py": """from app.agents.state import DeepAgentState


def triage(state: DeepAgentState) -> str:
    return state.user_request.strip()
""",
    "app/agents/reporter.py": """from app.agents.state import DeepAgentState


def report(state: DeepAgentState) -> str:
    return "\\n".join(m["content"] for m in state.messages)
""",
    "app/agents/supervisor.py": """from app.agents.reporter import report
from app.agents.triage import triage
from app.core.execution_tracker import AgentExecutionTracker

TRACKER = AgentExecutionTracker()


def run(state) -> str:
    TRACKER.start_execution("supervisor")
    return report(state) + triage(state)
""",
    "app/services/__init__.py": "",
    "app/services/user_context.py": """from dataclasses import dataclass


@dataclass(frozen=True)
class UserExecutionContext:
    user_id: str
    thread_id: str
    run_id: str
""",
    "app/services/bridge.py": """from app.services.user_context import UserExecutionContext


async def notify(context: UserExecutionContext, event: str) -> dict:
    return {"user_id": context.user_id, "event": event}
""",
    "tests/__init__.py": "",
    "tests/test_triage.py": """from app.agents.state import DeepAgentState
from app.agents.triage import triage


def test_triage_strips() -> None:
    assert triage(DeepAgentState(user_request=" hi ")) == "hi"
""",
}

DUPLICATE_TRACKER = '''"""Phase tracking for the monitoring dashboard."""


class AgentStateTracker:
    def __init__(self) -> None:
        self.phases: dict[str, str] = {}

    def set_phase(self, execution_id: str, phase: str) -> None:
        self.phases[execution_id] = phase
'''

MIGRATED_TRIAGE = """from app.services.user_context import UserExecutionContext


def triage(context: UserExecutionContext, request: str) -> str:
    return request.strip()
"""

STATE_SHIM = '''"""Moved to app.legacy.state_model; re-exported for old callers."""

from app.legacy.state_model import DeepAgentState

__all__ = ["DeepAgentState"]
'''

MOVED_REPORTER = """from app.legacy.state_model import DeepAgentState


def report(state: DeepAgentState) -> str:
    return "\\n".join(m["content"] for m in state.messages)
"""

PLANNER = """from app.legacy.state_model import DeepAgentState as PlanState


def plan(state: PlanState) -> list[str]:
    return [m["content"] for m in state.messages if m.get("role") == "user"]
"""

# (subject, files written, files deleted)
STEPS: list[tuple[str, dict[str, str], list[str]]] = [
    ("initial platform", BASE_FILES, []),
    (
        "monitoring: phase tracker",
        {"app/monitoring/__init__.py": "", "app/monitoring/state_tracker.py": DUPLICATE_TRACKER},
        [],
    ),
    ("monitoring: use the canonical tracker", {}, ["app/monitoring/state_tracker.py"]),
    ("triage: take UserExecutionContext", {"app/agents/triage.py": MIGRATED_TRIAGE}, []),
    (
        "move DeepAgentState to app.legacy",
        {
            "app/legacy/__init__.py": "",
            "app/legacy/state_model.py": STATE_CLASS,
            "app/agents/state.py": STATE_SHIM,
            "app/agents/reporter.py": MOVED_REPORTER,
        },
        [],
    ),
    ("planner agent", {"app/agents/planner.py": PLANNER}, []),
]

# The expected series, one tuple per commit, for the "user-context" consolidation
# (production figures) and the tracker consolidation's duplicates.
USER_CONTEXT = "user-context"
TRACKER = "AgentStateTracker → AgentExecutionTracker"
EXPECTED_PRODUCTION = {
    # figure: values at commits 1..6
    "importers": [2, 2, 2, 1, 0, 0],  # the module-based figure: "done" at commit 5
    "symbol_importers": [2, 2, 2, 1, 1, 2],  # ... while the class is still in use
    "references": [2, 2, 2, 1, 1, 2],
    "remaining": [2, 2, 2, 1, 1, 2],
    "dependants": [3, 3, 3, 2, 2, 3],  # triage/reporter/supervisor/planner
    "canonical": [1, 1, 1, 2, 2, 2],
    "migrated": [0.3333, 0.3333, 0.3333, 0.6667, 0.6667, 0.5],
}
EXPECTED_TEST = {"importers": [1] * 6, "symbol_importers": [1] * 6, "dependants": [1] * 6}
EXPECTED_TRACKER_DUPLICATES = [0, 1, 0, 0, 0, 0]


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, **(env or {})}
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        full_env.pop(key, None)
    return subprocess.run(
        ["git", *args], cwd=repo, env=full_env, check=True, capture_output=True, text=True
    ).stdout


def build_repo(root: Path) -> list[str]:
    """Create the fixture repository; returns the commit ids, oldest first."""
    root.mkdir(parents=True, exist_ok=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Platform Dev")
    _git(root, "config", "user.email", "dev@example.com")
    _git(root, "config", "commit.gpgsign", "false")
    shas = []
    for day, (subject, written, deleted) in enumerate(STEPS, 1):
        for rel, text in written.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for rel in deleted:
            (root / rel).unlink()
        _git(root, "add", "-A")
        date = f"2024-03-{day:02d}T10:00:00+00:00"
        _git(
            root,
            "commit",
            "-q",
            "-m",
            subject,
            env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
        )
        shas.append(_git(root, "rev-parse", "HEAD").strip())
    return shas


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("history") / "platform"
    return root, build_repo(root)


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _series(reports: list, name: str, figure: str, split: str = "production") -> list[float]:
    out = []
    for report in reports:
        item = next(c for c in report.consolidations if c.name == name)
        out.append(getattr(item.values[figure], split))
    return out


def _git_reports(root: Path, rev_range: str | None, every: int | None = None):
    config = load_config([root])
    with GitHistory(config.root, config.settings) as history:
        commits = history.commits(rev_range, every)
        reports = []
        for commit, project in history.snapshots(commits):
            report = progress_for(project)
            report.commit = commit.sha
            reports.append(report)
        return commits, reports, history.stats


def test_series_over_every_commit_is_known_exactly(repo: tuple[Path, list[str]]) -> None:
    root, shas = repo
    commits, reports, _ = _git_reports(root, "HEAD")
    assert [c.sha for c in commits] == shas
    assert [c.subject for c in commits] == [s[0] for s in STEPS]
    for figure, values in EXPECTED_PRODUCTION.items():
        assert _series(reports, USER_CONTEXT, figure) == values, figure
    for figure, values in EXPECTED_TEST.items():
        assert _series(reports, USER_CONTEXT, figure, "test") == values, figure
    assert _series(reports, TRACKER, "duplicates") == EXPECTED_TRACKER_DUPLICATES
    assert [r.duplicates.total for r in reports] == EXPECTED_TRACKER_DUPLICATES
    assert _series(reports, USER_CONTEXT, "duplicates") == [0] * 6


def test_the_moved_class_is_still_counted_through_its_new_path(
    repo: tuple[Path, list[str]],
) -> None:
    root, _ = repo
    _, reports, _ = _git_reports(root, "HEAD")
    moved = next(c for c in reports[4].consolidations if c.name == USER_CONTEXT)
    assert moved.details["importers"] == ["tests/test_triage.py"]
    assert moved.details["symbol_importers"] == ["app/agents/reporter.py", "tests/test_triage.py"]
    assert moved.details["legacy_modules"] == ["app.agents.state", "app.legacy.state_model"]
    planner = next(c for c in reports[5].consolidations if c.name == USER_CONTEXT)
    assert "app/agents/planner.py:1" in planner.details["references"]


def test_git_figures_match_the_working_tree(repo: tuple[Path, list[str]]) -> None:
    root, _ = repo
    code, text = _invoke("progress", str(root), "--format", "json", "--no-cache")
    assert code == 0
    worktree = json.loads(text)
    _, reports, _ = _git_reports(root, "HEAD~1..HEAD")
    assert len(reports) == 1
    from_git = reports[0].as_json()
    assert worktree["consolidations"] == from_git["consolidations"]
    assert worktree["commit"] == from_git["commit"]


def test_each_distinct_blob_is_parsed_once(
    repo: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, shas = repo
    import ssot_lint.history as history_module

    calls: list[str] = []
    real: Callable = history_module.extract_facts

    def counting(text: str, module: str, is_package: bool):
        calls.append(module)
        return real(text, module, is_package)

    monkeypatch.setattr(history_module, "extract_facts", counting)
    _, _, stats = _git_reports(root, "HEAD")
    # Independently: python blobs (and their paths) of every commit, from ls-tree.
    versions = 0
    blobs: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for sha in shas:
        for line in _git(root, "ls-tree", "-r", sha).splitlines():
            meta, path = line.split("\t")
            if path.endswith(".py"):
                versions += 1
                blobs.add(meta.split()[2])
                pairs.add((meta.split()[2], path))
    assert stats.commits == 6
    assert stats.file_versions == versions
    assert stats.unique_blobs == len(blobs)
    # Facts depend on the module name: an identical blob at two paths (the empty
    # __init__.py files, the class copied to app/legacy) is parsed per path.
    assert len(calls) == stats.parsed == len(pairs)
    assert stats.parsed < versions / 3


def test_git_every_and_a_range(repo: tuple[Path, list[str]]) -> None:
    root, shas = repo
    commits, _, _ = _git_reports(root, None, every=2)
    assert [c.sha for c in commits] == [shas[1], shas[3], shas[5]]
    commits, reports, _ = _git_reports(root, f"{shas[2]}..{shas[4]}")
    assert [c.sha for c in commits] == [shas[3], shas[4]]
    assert _series(reports, USER_CONTEXT, "importers") == [1, 0]


def test_progress_git_command_prints_the_series_and_blob_counts(
    repo: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = repo
    code, text = _invoke(
        "progress", str(root), "--git", "HEAD~5..HEAD", "--cache-dir", str(tmp_path / "c")
    )
    assert code == 0
    rows = [line for line in text.splitlines() if line[:9] in {s[:9] for s in shas}]
    assert [row.split()[0] for row in rows] == [s[:9] for s in shas[1:]]
    # [1] is the configured consolidation: its remaining modules (total), then share.
    assert [row.split()[2] for row in rows] == ["3", "3", "2", "2", "3"]
    assert "5 commits, " in text and " unique blobs (" in text
    first = text.split(" unique blobs (")[0].rsplit(",", 1)[1].strip()
    # A second run parses nothing: every blob's facts come from the cache.
    code, again = _invoke(
        "progress", str(root), "--git", "HEAD~5..HEAD", "--cache-dir", str(tmp_path / "c")
    )
    assert code == 0
    assert "(0 parsed: one per blob and module name; the rest from the cache)" in again
    assert first in again


def test_git_json_output(repo: tuple[Path, list[str]]) -> None:
    root, shas = repo
    code, text = _invoke(
        "progress", str(root), "--git", "HEAD", "--git-every", "3", "--format", "json", "--no-cache"
    )
    assert code == 0
    data = json.loads(text)
    assert [c["commit"] for c in data["commits"]] == [shas[2], shas[5]]
    assert data["stats"]["commits"] == 2
    assert data["stats"]["unique_blobs"] <= data["stats"]["file_versions"]
    assert data["commits"][1]["subject"] == "planner agent"


def test_record_backfills_history_from_git_and_the_ratchet_fires(
    repo: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = repo
    history = tmp_path / "progress.jsonl"
    # Backfill commits 1..5 (everything before the regression).
    code, _ = _invoke(
        "progress", str(root), "--git", "HEAD~1", "--record", str(history), "--no-cache"
    )
    assert code == 0
    records = read_history(history)
    assert [r["commit"] for r in records] == shas[:5]
    assert records[2]["date"] == "2024-03-03T10:00:00+00:00"
    assert [r["consolidations"][TRACKER]["duplicates"]["total"] for r in records] == [0, 1, 0, 0, 0]
    # Recording the same range again adds nothing.
    _invoke("progress", str(root), "--git", "HEAD~1", "--record", str(history), "--no-cache")
    assert len(read_history(history)) == 5
    # The working tree is commit 6: the planner made things worse.
    before = history.read_bytes()
    code, text = _invoke(
        "progress", str(root), "--record", str(history), "--fail-on-regression", "--no-cache"
    )
    assert code == 1
    assert (
        "regression: user-context: modules importing deprecated symbols (production) "
        "got worse: 1 -> 2" in text
    )
    assert "user-context: share migrated (production) got worse: 66.7% -> 50.0%" in text
    assert "not recorded" in text
    assert history.read_bytes() == before  # a regression is never recorded


def test_reading_git_objects_leaves_the_checkout_alone(
    repo: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = repo
    # A user mid-work: a modified tracked file, a staged file, an untracked file.
    reporter = root / "app/agents/reporter.py"
    original = reporter.read_text()
    staged = root / "app/agents/notes.py"
    untracked = root / "scratch.py"
    try:
        reporter.write_text(original + "\n# wip\n")
        staged.write_text("NOTES = []\n")
        _git(root, "add", "app/agents/notes.py")
        untracked.write_text("print('scratch')\n")

        def snapshot() -> tuple[str, str, bytes, int, dict[str, bytes]]:
            index = root / ".git" / "index"
            files = {
                p.relative_to(root).as_posix(): p.read_bytes()
                for p in root.rglob("*")
                if p.is_file() and ".git" not in p.parts
            }
            return (
                _git(root, "rev-parse", "HEAD"),
                # GIT_OPTIONAL_LOCKS=0: the test's own `git status` must not refresh
                # (rewrite) the index it is watching.
                _git(
                    root,
                    "status",
                    "--porcelain",
                    "--ignored",
                    "--untracked-files=all",
                    env={"GIT_OPTIONAL_LOCKS": "0"},
                ),
                index.read_bytes(),
                index.stat().st_mtime_ns,
                files,
            )

        before = snapshot()
        code, _ = _invoke(
            "progress", str(root), "--git", "HEAD", "--cache-dir", str(tmp_path / "cache")
        )
        assert code == 0
        assert snapshot() == before
    finally:
        _git(root, "reset", "-q", "app/agents/notes.py")
        staged.unlink()
        untracked.unlink()
        reporter.write_text(original)


def test_project_in_a_subdirectory_of_the_repository(tmp_path: Path) -> None:
    outer = tmp_path / "monorepo"
    build_repo(outer / "backend")
    # Make the repository the monorepo, with the project one level down.
    (outer / "backend" / ".git").rename(outer / ".git")
    _git(outer, "add", "-A")
    _git(outer, "commit", "-q", "-m", "monorepo layout")
    config = load_config([outer / "backend"])
    with GitHistory(config.root, config.settings) as history:
        assert history.prefix == "backend"
        commits = history.commits("HEAD")
        project = history.project_at(commits[-1])
    assert "app.agents.planner" in project.modules
    assert "app/agents/planner.py" in project.files
    # Older commits had the project at the top: no backend/ then, and a series
    # starts where the project does.
    with GitHistory(config.root, config.settings) as history:
        commits = history.commits("HEAD")
        assert history.project_at(commits[0]) is None
        assert [c.subject for c, _ in history.snapshots(commits)] == ["monorepo layout"]
        assert history.stats.skipped == 7
    code, text = _invoke("progress", str(outer / "backend"), "--git", "HEAD", "--no-cache")
    assert code == 0
    assert "1 commit (6 earlier commits skipped: no project directory yet)" in text


def test_unknown_revision_is_a_clear_error(repo: tuple[Path, list[str]]) -> None:
    root, _ = repo
    code, _ = _invoke("progress", str(root), "--git", "no-such-branch..HEAD", "--no-cache")
    assert code == 2
    config = load_config([root])
    with GitHistory(config.root, config.settings) as history, pytest.raises(HistoryError):
        history.commits("no-such-branch")


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    code, _ = _invoke("progress", str(tmp_path), "--git", "HEAD", "--no-cache")
    assert code == 2
