"""SSOT005 registry-import: broken lines, re-exports, unresolvable imports, strict mode,
and the fixes that rewrite an import to its registered path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import check, expected, found, write_project

from ssot_lint.commands.fix import fix_project
from ssot_lint.diagnostics import Applicability
from ssot_lint.engine import RunOptions

FIXTURES = Path(__file__).parent / "fixtures"
PLATFORM = FIXTURES / "registry_platform"
STRICT = FIXTURES / "registry_strict_toml"
CODES = {"SSOT005"}
SUPERVISOR = "netra_backend/app/agents/supervisor_agent.py"


@pytest.fixture(scope="module")
def platform_result():
    return check(PLATFORM, use_cache=False)


def _by_line(result, path: str = SUPERVISOR) -> dict[int, object]:
    return {d.line: d for d in result.diagnostics if d.path == path and d.code == "SSOT005"}


def test_platform_findings_match_the_markers(platform_result) -> None:
    assert not platform_result.errors
    assert found(platform_result, CODES) == expected(PLATFORM, CODES)


def test_strict_toml_findings_match_the_markers() -> None:
    result = check(STRICT, use_cache=False)
    assert not result.errors
    assert found(result, CODES) == expected(STRICT, CODES)


# -- (a) broken lines ------------------------------------------------------------


def test_broken_import_quotes_use_instead_and_registry_lines(platform_result) -> None:
    diag = _by_line(platform_result)[8]
    assert diag.message == (
        "`from netra_backend.app.core.isolated_environment import IsolatedEnvironment` is listed "
        "as broken in docs/SSOT_IMPORT_REGISTRY.md:51 (BROKEN PATH); USE INSTEAD: "
        "`from shared.isolated_environment import IsolatedEnvironment, get_env` "
        "(docs/SSOT_IMPORT_REGISTRY.md:52)"
    )
    # Reported at the imported name.
    assert (diag.column, diag.end_column) == (57, 76)


def test_broken_module_listing_matches_any_name_from_it(platform_result) -> None:
    # `from netra_backend.app.legacy_models import [ANY_MODEL]  # ❌`
    diag = _by_line(platform_result)[24]
    assert diag.message == (
        "`from netra_backend.app.legacy_models import User` is listed as broken in "
        "docs/SSOT_IMPORT_REGISTRY.md:55 (module retired); the registry gives no replacement"
    )
    assert diag.fix is None


def test_marker_comment_in_a_block_marks_the_lines_below(platform_result) -> None:
    # The "❌ BEFORE (vulnerable):" migration example lists the DeepAgentState import.
    assert "is listed as broken in docs/SSOT_IMPORT_REGISTRY.md:87" in (
        _by_line(platform_result)[32].message
    )


# -- (b) registered symbols through other paths ------------------------------------


def test_reexport_of_a_registered_symbol(platform_result) -> None:
    by_line = _by_line(platform_result)
    assert by_line[9].message == (
        "`get_execution_tracker` is registered as "
        "`from netra_backend.app.core.agent_execution_tracker import get_execution_tracker` "
        "(docs/SSOT_IMPORT_REGISTRY.md:14); import it from there, not through "
        "`netra_backend.app.core`"
    )
    # Through a first-party star import.
    assert "not through `netra_backend.app.agents.registry_compat`" in by_line[13].message
    # The registry prefers a package re-export: the defining module is the detour.
    assert by_line[25].message.startswith(
        "`ToolResultAggregator` is registered as `from netra_backend.app.tools import "
        "ToolResultAggregator`"
    )


def test_reexport_modules_that_make_registered_paths_work_are_not_reported(
    platform_result,
) -> None:
    paths = {d.path for d in platform_result.diagnostics}
    # tools/__init__.py imports ToolResultAggregator from its defining module:
    # that import is how the registered path works.
    assert "netra_backend/app/tools/__init__.py" not in paths
    assert "netra_backend/app/core/__init__.py" not in paths
    assert "netra_backend/app/core/compat.py" not in paths


def test_tests_get_reexport_diagnostics_too(platform_result) -> None:
    assert _by_line(platform_result, "tests/test_supervisor.py")[2].message.startswith(
        "`AgentExecutionTracker` is registered as"
    )


def test_same_name_different_object_is_not_a_reexport(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: SSOT_IMPORT_REGISTRY.md
        ## ✅ VERIFIED IMPORTS
        ```python
        from pkg.core.tracker import ExecutionState
        ```
        # file: pkg/__init__.py
        # file: pkg/core/__init__.py
        # file: pkg/core/tracker.py
        from enum import Enum

        class ExecutionState(Enum):
            RUNNING = "running"
        # file: pkg/registry/states.py
        from enum import Enum

        class ExecutionState(Enum):
            ACTIVE = "active"
        # file: pkg/registry/api.py
        from pkg.registry.states import ExecutionState
        """,
        'src = ["pkg"]\nselect = ["SSOT005"]',
    )
    assert check(root, use_cache=False).diagnostics == []


# -- (c) imports that cannot resolve ------------------------------------------------


def test_unresolvable_imports_say_why(platform_result) -> None:
    by_line = _by_line(platform_result)
    assert by_line[16].message == (
        "cannot resolve `from netra_backend.app.agents.state_persistence import save_snapshot`: "
        "module `netra_backend.app.agents.state_persistence` not found"
    )
    assert by_line[19].message == (
        "cannot resolve `from netra_backend.app.agents.tool_dispatcher import dispatch_tool`: "
        "module `netra_backend.app.agents.tool_dispatcher` neither defines, imports nor "
        "re-exports `dispatch_tool`, and has no such submodule"
    )
    # `import a.b.c` is reported at the dotted name.
    assert (by_line[22].column, by_line[22].end_column) == (8, 59)
    assert "module `netra_backend.app.agents.optimization_agents.helper` not found" in (
        by_line[22].message
    )


def test_relative_import_is_checked_as_its_absolute_module(platform_result) -> None:
    assert _by_line(platform_result)[21].message.startswith(
        "cannot resolve `from netra_backend.app.services.user_execution_context import "
        "InvalidContextError`"
    )


def test_type_checking_function_and_except_imports_are_checked(platform_result) -> None:
    by_line = _by_line(platform_result)
    assert "agents.state_schema` not found" in by_line[33].message  # TYPE_CHECKING
    assert "services.metrics_fallback` not found" in by_line[38].message  # except body
    assert "`get_bridge`" in by_line[51].message  # inside a method
    # The guarded import above the fallback is not reported by default.
    assert 36 not in by_line


def test_getattr_modules_and_unfollowable_star_imports_are_skipped(platform_result) -> None:
    by_line = _by_line(platform_result)
    assert 14 not in by_line  # lazy_tools has a module-level __getattr__
    assert 15 not in by_line  # vendored does `from optimizer_sdk.public import *`
    assert 29 not in by_line  # auth_service is not first-party here


def test_guarded_imports_are_reported_with_the_option(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PLATFORM, root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8")
        + "\n[tool.ssot-lint.imports]\nreport-guarded = true\n",
        encoding="utf-8",
    )
    result = check(root, use_cache=False)
    by_line = _by_line(result)
    assert "services.metrics_exporter` not found" in by_line[36].message
    assert len(found(result, CODES)) == len(expected(PLATFORM, CODES)) + 1


def test_import_of_a_deleted_module_and_a_suggestion(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: netra_backend/__init__.py
        # file: netra_backend/app/__init__.py
        # file: netra_backend/app/core/__init__.py
        # file: netra_backend/app/core/agent_execution_tracker.py
        class AgentExecutionTracker:
            pass
        # file: netra_backend/app/agents/triage/steps/classify.py
        from ....core.agent_state_tracker import AgentExecutionTracker
        """,
        'src = ["netra_backend"]\nselect = ["SSOT005"]',
    )
    result = check(root, use_cache=False)
    assert [(d.path, d.line, d.column) for d in result.diagnostics] == [
        ("netra_backend/app/agents/triage/steps/classify.py", 1, 42)
    ]
    assert result.diagnostics[0].message == (
        "cannot resolve `from netra_backend.app.core.agent_state_tracker import "
        "AgentExecutionTracker`: module `netra_backend.app.core.agent_state_tracker` not found; "
        "`AgentExecutionTracker` is defined in `netra_backend.app.core.agent_execution_tracker`"
    )


def test_without_a_registry_only_unresolvable_imports_are_reported(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: pkg/__init__.py
        from pkg.impl import Tracker
        # file: pkg/impl.py
        class Tracker:
            pass
        # file: pkg/user.py
        from pkg import Tracker
        from pkg.impl import Tracker as Same, Missing
        from . import impl, gone
        """,
        'src = ["pkg"]\nselect = ["SSOT005"]\nimports.strict = true',
    )
    result = check(root, use_cache=False)
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (
            2,
            "cannot resolve `from pkg.impl import Missing`: module `pkg.impl` neither defines, "
            "imports nor re-exports `Missing`, and has no such submodule",
        ),
        (
            3,
            "cannot resolve `from pkg import gone`: module `pkg` neither defines, imports nor "
            "re-exports `gone`, and has no such submodule",
        ),
    ]


def test_relative_import_beyond_the_top_level_package(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": "from ..shared import helpers\n",
            # Outside the configured roots its module name is a guess: not checked.
            "tools/release.py": "from .changelog import render\n",
        },
        'src = ["pkg"]\nselect = ["SSOT005"]',
    )
    result = check(root, use_cache=False)
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (
            1,
            "cannot resolve `from .. import helpers`: relative import climbs above the "
            "top-level package",
        )
    ]


# -- (d) strict ------------------------------------------------------------------------


def test_strict_mode_messages() -> None:
    result = check(STRICT, use_cache=False)
    messages = {d.line: d.message for d in result.diagnostics}
    assert messages[12] == (
        "`import auth_service.models.oauth_user` is not in the import registry "
        "config/ssot-registry.toml (strict mode)"
    )
    assert messages[10].startswith(
        "`from auth_service.app.services.auth_service import AuthService` is listed as broken "
        "in config/ssot-registry.toml:20 (the app/ tree was removed in the auth_core move); "
        "USE INSTEAD: `from auth_service.core.auth_service import AuthService` "
        "(config/ssot-registry.toml:23)"
    )


def test_strict_mode_is_off_by_default(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(STRICT, root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace("strict = true", "strict = false"),
        encoding="utf-8",
    )
    result = check(root, use_cache=False)
    assert [d.line for d in result.diagnostics] == [10]


# -- pre-commit mode ---------------------------------------------------------------------


def test_pre_commit_mode_uses_the_whole_project_but_reports_on_named_files() -> None:
    result = check([PLATFORM / "tests" / "test_supervisor.py"], use_cache=False)
    assert [(d.path, d.line) for d in result.diagnostics] == [("tests/test_supervisor.py", 2)]
    # Knowing it is a re-export needs core/__init__.py and the registry in docs/.
    assert "docs/SSOT_IMPORT_REGISTRY.md:14" in result.diagnostics[0].message


# -- fixes --------------------------------------------------------------------------------


def _fix(root: Path, unsafe: bool = False) -> None:
    report = fix_project(RunOptions(paths=[root], use_cache=False), unsafe=unsafe, write=True)
    assert not report.problems, report.problems


def test_fix_applicability(platform_result) -> None:
    by_line = _by_line(platform_result)
    safe = {
        line for line, d in by_line.items() if d.fix and d.fix.applicability is Applicability.SAFE
    }
    unsafe = {
        line for line, d in by_line.items() if d.fix and d.fix.applicability is Applicability.UNSAFE
    }
    # Module rewrites of one-name statements (the aliased `import ... as` too) are safe.
    assert safe == {7, 8, 9, 10, 13, 25, 27}
    assert unsafe == set()
    assert all(by_line[line].fix is None for line in (16, 19, 21, 22, 24, 32, 33, 38, 51))


def test_safe_fixes_rewrite_imports_to_the_registered_paths(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PLATFORM, root)
    _fix(root)
    text = (root / SUPERVISOR).read_text(encoding="utf-8").splitlines()
    assert text[6] == (
        "from netra_backend.app.services.agent_websocket_bridge import "
        "create_agent_websocket_bridge  # expect: SSOT005"
    )
    assert (
        text[7] == "from shared.isolated_environment import IsolatedEnvironment  # expect: SSOT005"
    )
    assert text[8] == (
        "from netra_backend.app.core.agent_execution_tracker import get_execution_tracker"
        "  # expect: SSOT005"
    )
    assert text[24] == (
        "from netra_backend.app.tools import ToolResultAggregator  # expect: SSOT005"
    )
    assert text[26] == (
        "import netra_backend.app.websocket_core.websocket_manager as ws_manager  # expect: SSOT005"
    )
    test_file = (root / "tests" / "test_supervisor.py").read_text(encoding="utf-8")
    assert "from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker" in (
        test_file
    )
    # Idempotent: what the fixes touched is clean now.
    remaining = {d.line for d in check(root, use_cache=False).diagnostics if d.path == SUPERVISOR}
    assert remaining.isdisjoint({7, 8, 9, 10, 13, 25, 27})


def test_relative_import_is_rewritten_to_the_registered_absolute_path(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: SSOT_IMPORT_REGISTRY.md
        ```python
        from pkg.core.tracker import get_execution_tracker
        ```
        # file: pkg/__init__.py
        # file: pkg/core/__init__.py
        from .tracker import get_execution_tracker
        # file: pkg/core/tracker.py
        def get_execution_tracker() -> object:
            return object()
        # file: pkg/agents/__init__.py
        # file: pkg/agents/triage.py
        def run() -> object:
            from ..core import (  # the shared tracker
                get_execution_tracker,
            )

            return get_execution_tracker()
        """,
        'src = ["pkg"]\nselect = ["SSOT005"]',
    )
    _fix(root)
    assert (root / "pkg/agents/triage.py").read_text(encoding="utf-8") == (
        "def run() -> object:\n"
        "    from pkg.core.tracker import (  # the shared tracker\n"
        "        get_execution_tracker,\n"
        "    )\n"
        "\n"
        "    return get_execution_tracker()\n"
    )


def test_statement_with_other_names_is_split_by_an_unsafe_fix(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: SSOT_IMPORT_REGISTRY.md
        ## VERIFIED IMPORTS
        ```python
        from pkg.context import UserExecutionContext
        ```
        # file: pkg/__init__.py
        # file: pkg/services/__init__.py
        from pkg.context import UserExecutionContext
        VERSION = "2"
        # file: pkg/context.py
        class UserExecutionContext:
            pass
        # file: pkg/api.py
        from pkg.services import VERSION, UserExecutionContext


        def handler() -> tuple:
            return VERSION, UserExecutionContext
        """,
        'src = ["pkg"]\nselect = ["SSOT005"]',
    )
    result = check(root, use_cache=False)
    [diag] = result.diagnostics
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    _fix(root)  # safe fixes only: nothing changes
    assert (
        "from pkg.services import VERSION, UserExecutionContext"
        in (root / "pkg/api.py").read_text()
    )
    _fix(root, unsafe=True)
    assert (
        (root / "pkg/api.py")
        .read_text(encoding="utf-8")
        .startswith(
            "from pkg.services import VERSION\nfrom pkg.context import UserExecutionContext\n"
        )
    )
    assert check(root, use_cache=False).diagnostics == []


def test_use_instead_with_another_name_is_an_unsafe_aliasing_fix(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: SSOT_IMPORT_REGISTRY.md
        ## ❌ BROKEN IMPORTS
        ```python
        from pkg.timeouts import AgentExecutionTimeoutManager  # ❌ absorbed (#220)
        # USE INSTEAD: from pkg.tracker import AgentExecutionTracker
        ```
        # file: pkg/__init__.py
        # file: pkg/tracker.py
        class AgentExecutionTracker:
            pass
        # file: pkg/timeouts.py
        class AgentExecutionTimeoutManager:
            pass
        # file: pkg/supervisor.py
        from pkg.timeouts import AgentExecutionTimeoutManager

        MANAGER = AgentExecutionTimeoutManager()
        """,
        'src = ["pkg"]\nselect = ["SSOT005"]',
    )
    [diag] = check(root, use_cache=False).diagnostics
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    _fix(root, unsafe=True)
    assert (root / "pkg/supervisor.py").read_text(encoding="utf-8") == (
        "from pkg.tracker import AgentExecutionTracker as AgentExecutionTimeoutManager\n"
        "\n"
        "MANAGER = AgentExecutionTimeoutManager()\n"
    )


def test_malformed_registry_stops_the_check_with_its_location(tmp_path: Path) -> None:
    from ssot_lint.config import ConfigError

    root = write_project(
        tmp_path,
        {
            "SSOT_IMPORT_REGISTRY.md": "## VERIFIED\n```python\nfrom pkg.core import\n```\n",
            "pkg/__init__.py": "",
        },
        'src = ["pkg"]',
    )
    with pytest.raises(ConfigError) as caught:
        check(root, use_cache=False)
    assert str(caught.value).startswith(f"{(root / 'SSOT_IMPORT_REGISTRY.md').resolve()}:3: ")
