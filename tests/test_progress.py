"""Consolidation progress on one snapshot: the figures, the table, the history file
and the regression ratchet. (Figures over git history: test_history.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import write_project

from ssot_lint.cli import main
from ssot_lint.config import Settings, load_config
from ssot_lint.graph import load_run
from ssot_lint.progress import (
    FIGURES,
    ProgressError,
    append_records,
    consolidations,
    progress_for,
    read_history,
    regressions,
)

# A class MOVED to another module and re-exported from its old one; importers
# reach it through every kind of path.
SOURCE = '''
# file: app/__init__.py
# file: app/agents/__init__.py
from app.agents.state import DeepAgentState
# file: app/agents/state.py
"""Old home of DeepAgentState: kept as a re-export."""
from app.schemas.legacy_state import DeepAgentState

LegacyState = DeepAgentState
# file: app/schemas/__init__.py
# file: app/schemas/legacy_state.py
class DeepAgentState:
    pass
# file: app/agents/triage.py
from app.agents.state import DeepAgentState
# file: app/agents/planner.py
from app.schemas.legacy_state import DeepAgentState as PlanState
# file: app/agents/reporter.py
from app.agents import DeepAgentState
# file: app/agents/summariser.py
from app.agents.state import LegacyState
# file: app/agents/notifier.py
from app.agents import state as agent_state


def notify(s: "agent_state.DeepAgentState") -> None:
    pass
# file: app/agents/router.py
from app.services.user_context import UserExecutionContext
# file: app/agents/hybrid.py
from app.services.user_context import UserExecutionContext
from app.schemas.legacy_state import DeepAgentState
# file: app/services/__init__.py
# file: app/services/user_context.py
class UserExecutionContext:
    pass
# file: app/services/bridge.py
from app.services.user_context import UserExecutionContext
from app.agents.router import UserExecutionContext as Ctx
# file: app/schemas/unrelated.py
class DeepAgentState:
    """Same name, different class: not the deprecated one."""
# file: app/services/dashboard.py
from app.schemas.unrelated import DeepAgentState
# file: tests/test_triage.py
from app.agents.state import DeepAgentState
from app.agents.triage import DeepAgentState as Again
# file: tests/test_router.py
from app.services.user_context import UserExecutionContext
'''

CONFIG = """
canonical = []

[[tool.ssot-lint.deprecated]]
symbol = "app.agents.state.DeepAgentState"
replacement = "app.services.user_context.UserExecutionContext"
"""


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("moved"), SOURCE, CONFIG)


def _only(report, name: str | None = None):
    items = report.consolidations
    if name is not None:
        items = [c for c in items if c.name == name]
    assert len(items) == 1
    return items[0]


def test_symbol_importers_are_found_through_every_path(moved: Path) -> None:
    item = _only(progress_for(load_run(moved, use_cache=False).project))
    assert item.name == "DeepAgentState → UserExecutionContext"
    assert item.details["legacy_modules"] == ["app.schemas.legacy_state"]
    assert item.details["symbol_importers"] == [
        "app/agents/__init__.py",  # re-export of the re-export
        "app/agents/hybrid.py",
        "app/agents/notifier.py",  # module object: agent_state.DeepAgentState
        "app/agents/planner.py",  # new home, under an alias
        "app/agents/reporter.py",  # through the package re-export
        "app/agents/state.py",  # the old home's re-export and alias
        "app/agents/summariser.py",  # an alias of the class
        "app/agents/triage.py",
        "tests/test_triage.py",
    ]
    # state.py binds it twice (import + alias), test_triage.py imports it twice.
    assert item.values["references"].total == 11
    assert item.values["symbol_importers"].production == 8
    assert item.values["symbol_importers"].test == 1
    # app/services/dashboard.py imports an unrelated class of the same name.
    assert "app/services/dashboard.py" not in item.details["remaining"]


def test_canonical_path_and_share(moved: Path) -> None:
    item = _only(progress_for(load_run(moved, use_cache=False).project))
    # hybrid.py uses both: still on a deprecated path, not counted as migrated.
    assert item.details["canonical"] == [
        "app/agents/router.py",
        "app/services/bridge.py",
        "tests/test_router.py",
    ]
    migrated = item.values["migrated"]
    assert (migrated.production, migrated.test, migrated.total) == (
        round(2 / 10, 4),
        0.5,
        round(3 / 12, 4),
    )
    # The deprecated *module* figure: nothing is configured as a module here.
    assert item.values["importers"].total == 0
    # Everything that reaches app.schemas.legacy_state through imports.
    assert item.details["dependants"] == [
        "app/agents/__init__.py",
        "app/agents/hybrid.py",
        "app/agents/notifier.py",
        "app/agents/planner.py",
        "app/agents/reporter.py",
        "app/agents/state.py",
        "app/agents/summariser.py",
        "app/agents/triage.py",
        "tests/test_triage.py",
    ]


def test_a_bare_name_matches_by_name(tmp_path: Path) -> None:
    # Zero-config style: `DeepAgentState` matches any class of that name.
    config = 'canonical = []\n[[tool.ssot-lint.deprecated]]\nsymbol = "DeepAgentState"\n'
    root = write_project(tmp_path, SOURCE, config)
    item = _only(progress_for(load_run(root, use_cache=False).project))
    assert "app/services/dashboard.py" in item.details["symbol_importers"]
    assert set(item.details["legacy_modules"]) == {
        "app.schemas.legacy_state",
        "app.schemas.unrelated",
    }


TRACKERS = """
# file: core/__init__.py
# file: core/tracking/__init__.py
# file: core/tracking/execution_tracker.py
class AgentExecutionTracker:
    pass
# file: core/tracking/timeouts.py
class AgentExecutionTimeoutManager:
    def check(self) -> None:
        pass
# file: core/legacy_tracker.py
class AgentStateTracker:
    def set_phase(self) -> None:
        pass
# file: core/monitor.py
from core.legacy_tracker import AgentStateTracker
from core.tracking.timeouts import AgentExecutionTimeoutManager
# file: core/runner.py
from core.tracking.execution_tracker import AgentExecutionTracker
"""


def test_absorbed_classes_join_a_configured_consolidation(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        TRACKERS,
        """
        [[tool.ssot-lint.canonical]]
        class = "core.tracking.execution_tracker.AgentExecutionTracker"
        absorbs = ["AgentStateTracker", "AgentExecutionTimeoutManager"]
        absorbed-modules = ["core.legacy_tracker"]

        [[tool.ssot-lint.consolidations]]
        name = "tracking"
        deprecated = []
        canonical = "core.tracking"
        """,
    )
    project = load_run(root, use_cache=False).project
    found = consolidations(project.settings, project)
    assert [c.name for c in found] == ["tracking", "DeepAgentState → UserExecutionContext"]
    assert found[0].deprecated == [
        "AgentStateTracker",
        "AgentExecutionTimeoutManager",
        "core.legacy_tracker",
    ]
    item = _only(progress_for(project), "tracking")
    assert item.details["importers"] == ["core/monitor.py"]
    assert item.details["symbol_importers"] == ["core/monitor.py"]
    assert item.values["references"].total == 2
    assert item.details["canonical"] == ["core/runner.py"]
    # The timeout manager lives in the canonical package: it is not legacy code.
    assert item.details["legacy_modules"] == ["core.legacy_tracker"]


def test_absorbed_classes_make_their_own_consolidation(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        TRACKERS,
        """
        [[tool.ssot-lint.canonical]]
        class = "core.tracking.execution_tracker.AgentExecutionTracker"
        absorbs = ["AgentStateTracker"]
        """,
    )
    report = progress_for(load_run(root, use_cache=False).project)
    item = _only(report, "AgentStateTracker → AgentExecutionTracker")
    assert item.canonical == "core.tracking.execution_tracker.AgentExecutionTracker"
    assert item.details["symbol_importers"] == ["core/monitor.py"]
    assert item.values["duplicates"].total == 1  # SSOT001 (a): the absorbed class
    assert item.details["duplicates"] == ["core/legacy_tracker.py:1"]
    assert report.duplicates.total == 1


def test_no_consolidations_at_all(tmp_path: Path) -> None:
    settings = Settings(canonical=[], deprecated=[])
    root = write_project(tmp_path, "# file: a.py\nX = 1\n", "canonical = []\ndeprecated = []\n")
    project = load_run(root, use_cache=False).project
    assert consolidations(settings, project) == []
    code, text = _invoke("progress", str(root), "--no-cache")
    assert code == 0
    assert text.startswith("No consolidations")


# -- output -----------------------------------------------------------------


def test_table_shows_every_figure_split(moved: Path) -> None:
    code, text = _invoke("progress", str(moved), "--no-cache")
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "DeepAgentState → UserExecutionContext"
    header = next(line for line in lines if "production" in line)
    assert header.split() == ["production", "test", "total"]
    rows = {line.strip().rsplit(None, 3)[0]: line.split()[-3:] for line in lines[4:12]}
    assert [f.label for f in FIGURES] == list(rows)
    assert rows["modules importing deprecated symbols"] == ["8", "1", "9"]
    assert rows["share migrated"] == ["20.0%", "50.0%", "25.0%"]


def test_json_output_has_figures_and_details(moved: Path) -> None:
    code, text = _invoke("progress", str(moved), "--format", "json", "--no-cache")
    assert code == 0
    data = json.loads(text)
    (item,) = data["consolidations"]
    assert set(item["figures"]) == {f.key for f in FIGURES}
    assert item["figures"]["references"] == {"production": 9, "test": 2, "total": 11}
    assert "tests/test_triage.py:2" in item["details"]["references"]
    assert data["commit"] is None  # not a git repository


# -- history and the ratchet ------------------------------------------------


def test_record_appends_and_fail_on_regression(moved: Path, tmp_path: Path) -> None:
    history = tmp_path / "hist" / "progress.jsonl"
    code, text = _invoke("progress", str(moved), "--record", str(history), "--no-cache")
    assert code == 0
    assert f"Recorded 1 record(s) in {history}" in text
    (first,) = read_history(history)
    assert first["commit"] is None
    figures = first["consolidations"]["DeepAgentState → UserExecutionContext"]
    assert figures["symbol_importers"] == {"production": 8, "test": 1, "total": 9}
    # Unchanged figures: no regression, recorded again.
    code, _ = _invoke(
        "progress", str(moved), "--record", str(history), "--fail-on-regression", "--no-cache"
    )
    assert code == 0
    assert len(read_history(history)) == 2
    # One more importer of the deprecated class.
    extra = moved / "app" / "agents" / "extra.py"
    extra.write_text("from app.agents.state import DeepAgentState\n")
    try:
        code, text = _invoke(
            "progress", str(moved), "--record", str(history), "--fail-on-regression", "--no-cache"
        )
    finally:
        extra.unlink()
    assert code == 1
    assert (
        "regression: DeepAgentState → UserExecutionContext: modules importing deprecated "
        "symbols (production) got worse: 8 -> 9" in text
    )
    assert "share migrated (production) got worse: 20.0% -> 18.2%" in text
    assert len(read_history(history)) == 2


def test_fail_on_regression_needs_a_history(moved: Path) -> None:
    code, _ = _invoke("progress", str(moved), "--fail-on-regression", "--no-cache")
    assert code == 2


def test_regressions_know_which_way_is_better() -> None:
    def record(remaining: int, canonical: int, migrated: float, dups: int) -> dict:
        return {
            "consolidations": {
                "c": {
                    "remaining": {"production": remaining, "test": 0, "total": remaining},
                    "canonical": {"production": canonical, "test": 0, "total": canonical},
                    "migrated": {"production": migrated, "test": 1.0, "total": migrated},
                }
            },
            "totals": {"duplicates": {"production": dups, "test": 0, "total": dups}},
        }

    assert regressions(record(5, 3, 0.375, 2), record(4, 4, 0.5, 2)) == []
    found = regressions(record(5, 3, 0.375, 2), record(6, 2, 0.25, 3))
    described = {(r.consolidation, r.figure.key, r.split, r.before, r.after) for r in found}
    assert described == {
        ("c", "remaining", "production", 5, 6),
        ("c", "remaining", "total", 5, 6),
        ("c", "canonical", "production", 3, 2),
        ("c", "canonical", "total", 3, 2),
        ("c", "migrated", "production", 0.375, 0.25),
        ("c", "migrated", "total", 0.375, 0.25),
        ("whole project", "duplicates", "production", 2, 3),
        ("whole project", "duplicates", "total", 2, 3),
    }
    # A consolidation the last record did not have cannot have regressed.
    assert regressions({"consolidations": {}}, record(9, 0, 0.0, 0)) == []


def test_history_file_is_appended_with_care(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    path.write_text('{"consolidations": {}, "date": "2024-01-01"}')  # no final newline
    append_records(path, [{"consolidations": {"a": {}}, "date": "2024-01-02"}])
    append_records(path, [{"consolidations": {"b": {}}, "date": "2024-01-03"}])
    assert [r["date"] for r in read_history(path)] == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert path.read_text().count("\n") == 3


def test_corrupt_history_is_a_clear_error(moved: Path, tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    path.write_text('{"consolidations": {}}\n{"consolidations": \n')
    with pytest.raises(ProgressError, match=r"progress.jsonl:2: not a JSON record"):
        read_history(path)
    code, _ = _invoke("progress", str(moved), "--record", str(path), "--no-cache")
    assert code == 2
    path.write_text("[1, 2]\n")
    with pytest.raises(ProgressError, match=r":1: not a progress record"):
        read_history(path)


def test_chart_option_writes_a_burndown(moved: Path, tmp_path: Path) -> None:
    history = tmp_path / "progress.jsonl"
    records = []
    for day, remaining in enumerate([14, 12, 11], 1):
        records.append(
            {
                "date": f"2024-05-0{day}T09:00:00+00:00",
                "commit": f"{day:040d}",
                "consolidations": {
                    "DeepAgentState → UserExecutionContext": {
                        "remaining": {"production": remaining, "test": 0, "total": remaining}
                    }
                },
                "totals": {"duplicates": {"production": 1, "test": 0, "total": 1}},
            }
        )
    append_records(history, records)
    chart = tmp_path / "burndown.svg"
    code, _ = _invoke(
        "progress", str(moved), "--history", str(history), "--chart", str(chart), "--no-cache"
    )
    assert code == 0
    svg = chart.read_text()
    assert svg.startswith("<svg")
    # Three recorded points and "now" for each of the two series.
    assert svg.count('<circle class="point"') == 8
    assert "DeepAgentState → UserExecutionContext: 9 — now" in svg
    assert len(read_history(history)) == 3  # --history never appends


def test_settings_consolidations_key_loads(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        "# file: a.py\n",
        """
        [[tool.ssot-lint.consolidations]]
        name = "ids"
        deprecated = ["app.utils.make_id"]
        canonical = "app.core.unified_id_manager"
        """,
    )
    (item,) = load_config([root]).settings.consolidations
    assert (item.name, item.deprecated, item.canonical) == (
        "ids",
        ["app.utils.make_id"],
        "app.core.unified_id_manager",
    )


def test_deleted_deprecated_modules_still_count_leftover_imports(tmp_path: Path) -> None:
    # The absorbed module is gone, but one file still imports it (a broken
    # leftover); a configured name that exists nowhere gets a warning.
    root = write_project(
        tmp_path,
        """
        # file: core/__init__.py
        # file: core/execution_tracker.py
        class AgentExecutionTracker:
            pass
        # file: core/monitor.py
        from core.legacy_tracker import AgentStateTracker
        """,
        """
        [[tool.ssot-lint.canonical]]
        class = "core.execution_tracker.AgentExecutionTracker"
        absorbed-modules = ["core.legacy_tracker"]

        [[tool.ssot-lint.consolidations]]
        name = "ids"
        deprecated = ["core.id_utils"]
        canonical = "core.unified_id_manager"
        """,
    )
    report = progress_for(load_run(root, use_cache=False).project)
    tracker = _only(report, "legacy_tracker → AgentExecutionTracker")
    assert tracker.details["importers"] == ["core/monitor.py"]
    assert tracker.warnings == []
    ids = _only(report, "ids")
    assert ids.warnings == [
        "`core.id_utils` is neither a module nor a symbol of the project (removed, or misspelt?)"
    ]
