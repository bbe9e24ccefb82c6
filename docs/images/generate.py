"""Regenerate the README's images from the example project.

    python docs/images/generate.py

* ``graph-deep-agent-state.svg`` — ``ssot-lint graph examples --focus
  netra_backend.app.agents.state --format svg``: who still imports the module
  of the deprecated ``DeepAgentState``.
* ``burndown.svg`` (and ``burndown.png`` when chromium is installed) — the
  example project is committed to a scratch git repository as shipped, then
  its remaining migration is carried out one commit at a time (with one
  regression on the way, as happens), and ``ssot-lint progress --git HEAD
  --chart`` draws the series from those commits' objects.

Each step edits the example files by exact text replacement and stops if the
text is not there, so the script fails loudly when the examples change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXAMPLES = REPO / "examples"

CONTEXT_IMPORT = (
    "from netra_backend.app.services.user_execution_context import UserExecutionContext"
)
REPORT_AGENT = '''"""Weekly cost report agent (new)."""

from netra_backend.app.agents.state import DeepAgentState


def weekly_report(state: DeepAgentState) -> str:
    return f"{state.user_id}: {len(state.messages)} messages"
'''

# (commit subject, {file: [(old, new), ...]}, {new file: text}, [deleted files])
Step = tuple[str, dict[str, list[tuple[str, str]]], dict[str, str], list[str]]
STEPS: list[Step] = [
    (
        "triage: take UserExecutionContext (#271)",
        {
            "netra_backend/app/agents/triage_agent.py": [
                (
                    "from netra_backend.app.agents.state import DeepAgentState  # expect: SSOT004",
                    CONTEXT_IMPORT,
                ),
                (
                    "def execute_legacy(self, state: DeepAgentState) -> DeepAgentState:",
                    "def execute_legacy(self, state: UserExecutionContext)"
                    " -> UserExecutionContext:",
                ),
            ]
        },
        {},
        [],
    ),
    (
        "reporting: weekly cost report agent",
        {},
        {"netra_backend/app/agents/report_agent.py": REPORT_AGENT},
        [],
    ),
    (
        "supervisor: timeouts come from the execution tracker (#220)",
        {
            "netra_backend/app/agents/supervisor_agent.py": [
                (
                    "from netra_backend.app.core.timeout_manager import "
                    "AgentExecutionTimeoutManager  # expect: SSOT004, SSOT005",
                    "from netra_backend.app.core.agent_execution_tracker import "
                    "AgentExecutionTracker",
                ),
                (
                    "timeouts: Optional[AgentExecutionTimeoutManager] = None",
                    "timeouts: Optional[AgentExecutionTracker] = None",
                ),
                (
                    "self._timeouts = timeouts or AgentExecutionTimeoutManager()",
                    "self._timeouts = timeouts or self._tracker",
                ),
            ]
        },
        {},
        [],
    ),
    (
        "websocket bridge: forward UserExecutionContext snapshots",
        {
            "netra_backend/app/services/websocket_bridge.py": [
                (
                    "    from netra_backend.app.agents.state import DeepAgentState"
                    "  # expect: SSOT004",
                    "    pass",
                ),
                (
                    'state: "DeepAgentState") -> None:  # expect: SSOT004',
                    'state: "UserExecutionContext") -> None:',
                ),
            ]
        },
        {},
        [],
    ),
    (
        "report agent: use UserExecutionContext",
        {
            "netra_backend/app/agents/report_agent.py": [
                ("from netra_backend.app.agents.state import DeepAgentState", CONTEXT_IMPORT),
                ("state: DeepAgentState", "state: UserExecutionContext"),
            ]
        },
        {},
        [],
    ),
    (
        "agents: stop re-exporting DeepAgentState",
        {
            "netra_backend/app/agents/__init__.py": [
                (
                    "# Old reporting plugins still do `from netra_backend.app.agents import "
                    "DeepAgentState`.\nfrom .state import DeepAgentState  # expect: SSOT004\n",
                    "",
                ),
                ('"DeepAgentState", ', ""),
            ]
        },
        {},
        [],
    ),
    (
        "data helper: build a UserExecutionContext for the reporting plugin",
        {
            "netra_backend/app/agents/data_helper_agent.py": [
                ("from netra_backend.app.agents import state as agent_state\n", ""),
                ("agent_state.DeepAgentState(  # expect: SSOT004", "UserExecutionContext("),
            ]
        },
        {},
        [],
    ),
    (
        "tracker: delete the absorbed AgentStateTracker module (#220)",
        {
            "tests/unit/test_agent_state_migration.py": [
                (
                    "import netra_backend.app.core.agent_state_tracker as legacy_state_tracker"
                    "  # expect: SSOT004\n",
                    "",
                ),
            ]
        },
        {},
        ["netra_backend/app/core/agent_state_tracker.py"],
    ),
]


def ssot_lint(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        [sys.executable, "-m", "ssot_lint", *args], capture_output=True, text=True, env=env
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"ssot-lint {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def replay_migration(scratch: Path) -> Path:
    repo = scratch / "examples"
    shutil.copytree(EXAMPLES, repo, ignore=shutil.ignore_patterns(".ssot-lint-cache"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Netra Platform")
    git(repo, "config", "user.email", "platform@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "example project as shipped", date="2024-06-03T09:00:00Z")
    for day, (subject, edits, new_files, deleted) in enumerate(STEPS, 4):
        for rel, replacements in edits.items():
            path = repo / rel
            text = path.read_text(encoding="utf-8")
            for old, new in replacements:
                if old not in text:
                    raise SystemExit(f"{rel}: text to replace not found:\n{old}")
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")
        for rel, text in new_files.items():
            (repo / rel).write_text(text, encoding="utf-8")
        for rel in deleted:
            (repo / rel).unlink()
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", subject, date=f"2024-06-{day:02d}T09:00:00Z")
    return repo


def screenshot_svg(svg: Path, png: Path, size: tuple[int, int]) -> bool:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                f"--screenshot={png}",
                svg.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    return True


def main() -> None:
    graph = HERE / "graph-deep-agent-state.svg"
    ssot_lint(
        "graph",
        str(EXAMPLES),
        "--focus",
        "netra_backend.app.agents.state",
        "--format",
        "svg",
        "--no-cache",
        "-o",
        str(graph),
    )
    print(f"wrote {graph.relative_to(REPO)}")
    burndown = HERE / "burndown.svg"
    with tempfile.TemporaryDirectory() as scratch:
        repo = replay_migration(Path(scratch))
        table = ssot_lint(
            "progress", str(repo), "--git", "HEAD", "--chart", str(burndown), "--no-cache"
        )
    print(table)
    print(f"wrote {burndown.relative_to(REPO)}")
    text = burndown.read_text(encoding="utf-8")
    width = int(text.split('width="', 1)[1].split('"', 1)[0])
    height = int(text.split('height="', 1)[1].split('"', 1)[0])
    if screenshot_svg(burndown, HERE / "burndown.png", (width, height)):
        print(f"wrote {(HERE / 'burndown.png').relative_to(REPO)}")


if __name__ == "__main__":
    main()
