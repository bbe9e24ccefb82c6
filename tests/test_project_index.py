"""The project index: per-file facts and the cross-file questions asked of them.

Most cases use ``fixtures/index_multi_root``: three first-party roots (one of
them a namespace package, one living below the project root), a relative
import three levels up, ``from pkg import submodule``, re-exports through
``__init__``, aliases, a star import, a lazy ``__getattr__`` package, a
guarded import of a missing optional plugin. The whole fixture must resolve:
SSOT005 reports nothing there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import check, expected, found, write_project

from ssot_lint.facts import extract_facts, resolve_relative
from ssot_lint.project import Found, Project

FIXTURES = Path(__file__).parent / "fixtures"
INDEX = FIXTURES / "index_multi_root"
RUN_STEP = "netra_backend.app.agents.supervisor.pipeline.run_step"


@pytest.fixture(scope="module")
def project() -> Project:
    return check(INDEX, select=["SSOT000"], use_cache=False).project


# -- module names and packages -------------------------------------------------


def test_every_root_maps_files_to_dotted_module_names(project: Project) -> None:
    assert set(project.modules) == {
        "auth_service",
        "auth_service.core",
        "auth_service.core.tokens",
        "netra_backend",
        "netra_backend.app",
        "netra_backend.app.agents",
        "netra_backend.app.agents.supervisor",
        "netra_backend.app.agents.supervisor.pipeline",
        RUN_STEP,
        "netra_backend.app.agents.tools",
        "netra_backend.app.agents.tools.registry",
        "netra_backend.app.core",
        "netra_backend.app.core.agent_execution_tracker",
        "netra_backend.app.core.base_enums",
        "netra_backend.app.core.unified_id_manager",
        "netra_backend.app.plugins",
        "shared.logging.structured",
        "shared.types.ids",
        "tests.unit.test_run_step",
    }
    assert project.modules["auth_service.core.tokens"].rel_path == (
        "services/auth_service/core/tokens.py"
    )


def test_namespace_packages_are_packages_without_a_file(project: Project) -> None:
    for namespace in ("shared", "shared.types", "shared.logging", "tests", "tests.unit"):
        assert namespace not in project.modules
        assert project.is_package(namespace)
        assert project.module_state(namespace) is Found.YES
    assert not project.is_package("shared.types.ids")
    assert project.is_package("netra_backend.app.core")


def test_module_state_distinguishes_missing_unanalysed_and_third_party(
    project: Project,
) -> None:
    assert project.module_state("netra_backend.app.core.timeout_manager") is Found.NO
    assert project.module_state("shared.types.user_ids") is Found.NO
    assert project.module_state("auth_service.core.sessions") is Found.NO
    # Not first-party: nothing can be said.
    assert project.module_state("requests.adapters") is Found.UNKNOWN


# -- per-file facts --------------------------------------------------------------


def _imports(project: Project, module: str) -> dict[str, object]:
    return {
        (imp.name if imp.name is not None else imp.module): imp
        for imp in project.modules[module].facts.imports
    }


def test_import_facts_record_kind_position_and_absolute_module(project: Project) -> None:
    imports = _imports(project, RUN_STEP)
    tools = imports["ToolRegistry"]
    assert (tools.module, tools.level, tools.line, tools.column) == (
        "netra_backend.app.agents.tools",
        3,
        8,
        22,
    )
    assert (tools.stmt_line, tools.stmt_column, tools.stmt_names) == (8, 1, 2)
    tracker = imports["ExecutionTracker"]
    assert (tracker.module, tracker.level) == ("netra_backend.app.core", 4)
    alias = imports["netra_backend.app.core.agent_execution_tracker"]
    assert (alias.name, alias.asname, alias.level) == (None, "aet", 0)
    telemetry = imports["emit_span"]
    assert telemetry.guarded and not telemetry.in_except and not telemetry.in_function
    slack = imports["slack_notifier"]
    assert slack.in_function and not slack.guarded
    assert slack.stmt_column == 9  # indented inside the method


def test_type_checking_and_except_flags() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.state import DeepAgentState\n"
        "try:\n"
        "    from pkg.fast import encode\n"
        "except ModuleNotFoundError:\n"
        "    from pkg.slow import encode\n"
    )
    facts, _ = extract_facts(source, "pkg.mod", False)
    by_module = {imp.module: imp for imp in facts.imports}
    assert by_module["pkg.state"].type_checking
    assert by_module["pkg.fast"].guarded and not by_module["pkg.fast"].in_except
    assert by_module["pkg.slow"].in_except and not by_module["pkg.slow"].guarded
    assert {"DeepAgentState", "encode", "TYPE_CHECKING"} <= facts.bindings


def test_class_facts_bases_public_methods_and_members(project: Project) -> None:
    facts = project.modules["netra_backend.app.core.agent_execution_tracker"].facts
    classes = {c.name: c for c in facts.classes}
    state = classes["ExecutionState"]
    assert state.bases == ("netra_backend.app.core.base_enums.StrEnumBase",)
    assert state.members == (
        ("PENDING", "'pending'"),
        ("RUNNING", "'running'"),
        ("COMPLETED", "'completed'"),
        ("FAILED", "'failed'"),
    )
    tracker = classes["AgentExecutionTracker"]
    # Public methods only (async too); `_prune` and dunders are private.
    assert tracker.methods == (
        "start_execution",
        "update_execution_state",
        "record_heartbeat",
        "wait_for_completion",
        "attach_step",
    )
    assert (tracker.line, tracker.column) == (21, 7)
    base = project.modules["netra_backend.app.core.base_enums"].facts.classes[0]
    assert base.bases == ("str", "enum.Enum") and base.is_enum_by_bases


def test_module_level_bindings_getattr_and_star_imports(project: Project) -> None:
    tokens = project.modules["auth_service.core.tokens"].facts
    # `global revoked_tokens` inside a function binds it at module level.
    assert {"SECRET", "global_token_cache", "verify_token", "revoked_tokens", "hmac"} <= (
        tokens.bindings
    )
    assert project.modules["netra_backend.app.plugins"].facts.has_getattr
    assert not tokens.has_getattr
    tools = project.modules["netra_backend.app.agents.tools"].facts
    assert [imp.module for imp in tools.star_imports] == ["netra_backend.app.agents.tools.registry"]
    registry = project.modules["netra_backend.app.agents.tools.registry"].facts
    assert registry.all_names == ("ToolRegistry", "default_tools")


def test_getattr_bound_by_assignment_counts_as_module_getattr() -> None:
    facts, _ = extract_facts("__getattr__ = make_lazy_loader(__name__)\n", "pkg.lazy", False)
    assert facts.has_getattr


@pytest.mark.parametrize(
    ("module", "is_package", "level", "name", "absolute"),
    [
        ("pkg.a.b.c.mod", False, 1, "x", "pkg.a.b.c.x"),
        ("pkg.a.b.c.mod", False, 3, "x", "pkg.a.x"),
        ("pkg.a.b.c.mod", False, 4, None, "pkg"),
        ("pkg.sub", True, 1, None, "pkg.sub"),
        ("pkg.sub", True, 2, "other", "pkg.other"),
        # Climbing out of the top-level package cannot work.
        ("pkg.mod", False, 2, "x", ""),
        ("pkg", True, 2, "x", ""),
        ("script", False, 1, "helpers", ""),
    ],
)
def test_relative_imports_at_any_level(
    module: str, is_package: bool, level: int, name: str | None, absolute: str
) -> None:
    assert resolve_relative(module, is_package, level, name) == absolute


# -- resolving names -------------------------------------------------------------


def test_resolve_follows_reexports_aliases_and_relative_imports(project: Project) -> None:
    canonical = "netra_backend.app.core.agent_execution_tracker.AgentExecutionTracker"
    assert project.resolve("netra_backend.app.core.AgentExecutionTracker") == canonical
    assert project.resolve("netra_backend.app.core.ExecutionTracker") == canonical  # X = Y
    assert project.resolve(f"{RUN_STEP}.ExecutionTracker") == canonical  # `from ....core`
    assert project.resolve(f"{RUN_STEP}.aet.AgentExecutionTracker") == canonical
    assert project.resolve(f"{RUN_STEP}.core_services.ExecutionState") == (
        "netra_backend.app.core.agent_execution_tracker.ExecutionState"
    )
    # Through a first-party star import in a package __init__.
    assert project.resolve(f"{RUN_STEP}.ToolRegistry") == (
        "netra_backend.app.agents.tools.registry.ToolRegistry"
    )
    # Through an alias across roots into the namespace package.
    assert project.resolve(f"{RUN_STEP}.AccountID") == "shared.types.ids.UserID"
    # The alias was qualified through core/__init__'s own import when its facts
    # were extracted, so the chain goes straight from the alias to the class.
    assert project.resolution_chain(f"{RUN_STEP}.ExecutionTracker") == [
        f"{RUN_STEP}.ExecutionTracker",
        "netra_backend.app.core.ExecutionTracker",
        canonical,
    ]


def test_resolve_leaves_unknown_and_third_party_names_alone(project: Project) -> None:
    assert project.resolve("netra_backend.app.core.NoSuchThing") == (
        "netra_backend.app.core.NoSuchThing"
    )
    assert project.resolve("logging.getLogger") == "logging.getLogger"


def test_lookup_answers_whether_from_import_can_work(project: Project) -> None:
    yes = [
        ("netra_backend.app.core", "get_execution_tracker"),  # re-export in __init__
        ("netra_backend.app.core", "ExecutionTracker"),  # alias assignment
        ("netra_backend.app", "core"),  # from pkg import submodule
        ("shared.types", "ids"),  # submodule of a namespace package
        ("netra_backend.app.agents.tools", "default_tools"),  # star import followed
        ("auth_service.core.tokens", "revoked_tokens"),  # `global` in a function
        ("auth_service.core.tokens", "__file__"),  # every module has it
        ("netra_backend.app.core", "__path__"),  # every package has it
    ]
    for module, name in yes:
        assert project.lookup(module, name).found is Found.YES, (module, name)
    no = [
        ("netra_backend.app.core", "AgentStateTracker"),
        ("shared.types", "UserID"),  # a namespace package has only submodules
        ("netra_backend.app.core.timeout_manager", "AgentExecutionTimeoutManager"),
        # The star import skips private names (no __all__ entry).
        ("netra_backend.app.agents.tools", "_internal_reset"),
        ("auth_service.core.tokens", "__path__"),  # a module is no package
    ]
    for module, name in no:
        assert project.lookup(module, name).found is Found.NO, (module, name)
    # A module-level __getattr__: not guessed.
    lazy = project.lookup("netra_backend.app.plugins", "slack_notifier")
    assert lazy.found is Found.UNKNOWN and "__getattr__" in lazy.reason


def test_star_import_that_cannot_be_followed_makes_lookup_unknown(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/vendored.py": "from optimizer_sdk import *\nLOCAL = 1\n",
            "pkg/user.py": "from pkg.vendored import Optimizer, LOCAL\n",
        },
        'src = ["pkg"]',
    )
    project = check(root, select=["SSOT000"], use_cache=False).project
    assert project.lookup("pkg.vendored", "Optimizer").found is Found.UNKNOWN
    assert project.lookup("pkg.vendored", "LOCAL").found is Found.YES


def test_excluded_files_exist_but_are_not_guessed_about(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/migrations/0001_initial.py": "STEP = 1\n",
            "pkg/app.py": "from pkg.migrations import initial\n",
        },
        'src = ["pkg"]\nexclude = ["**/migrations/**"]',
    )
    project = check(root, select=["SSOT000"], use_cache=False).project
    assert "pkg.migrations.0001_initial" not in project.modules
    # The directory is on disk: its contents are unknown, not missing.
    assert project.module_state("pkg.migrations") is Found.UNKNOWN
    assert project.module_state("pkg.seeds") is Found.NO


def test_enums_through_first_party_bases_and_inheritance(project: Project) -> None:
    hit = project.class_at("netra_backend.app.core.ExecutionState")
    assert hit is not None
    file, cls = hit
    assert not cls.is_enum_by_bases  # its base is a project class...
    assert project.is_enum(file, cls)  # ...that derives from enum.Enum
    tracker = project.class_at(
        "netra_backend.app.core.agent_execution_tracker.AgentExecutionTracker"
    )
    assert tracker is not None and not project.is_enum(*tracker)
    assert project.inherits_from(file, cls, lambda base: base == "enum.Enum")


def test_importers_count_modules_through_reexports(project: Project) -> None:
    importers = project.importers_of(
        "netra_backend.app.core.agent_execution_tracker.get_execution_tracker"
    )
    # core/__init__ (relative import) and run_step (through the re-export).
    assert importers == {"netra_backend.app.core", RUN_STEP}
    assert project.importers_of(
        "netra_backend.app.agents.supervisor.pipeline.run_step.RunStep", include_tests=False
    ) == {"netra_backend.app.core.agent_execution_tracker"}
    assert "tests.unit.test_run_step" in project.importers_of(f"{RUN_STEP}.RunStep")


# -- the whole fixture resolves ----------------------------------------------------


def test_every_import_of_the_fixture_resolves() -> None:
    result = check(INDEX, use_cache=False)
    assert found(result, {"SSOT005"}) == expected(INDEX, {"SSOT005"})
    assert not result.errors


def test_guarded_import_of_a_missing_plugin_is_reported_with_the_option(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(INDEX, root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8")
        + "\n[tool.ssot-lint.imports]\nreport-guarded = true\n",
        encoding="utf-8",
    )
    result = check(root, use_cache=False)
    reported = [(d.path, d.line, d.code) for d in result.diagnostics]
    assert reported == [("netra_backend/app/agents/supervisor/pipeline/run_step.py", 18, "SSOT005")]
    assert "netra_backend.app.plugins.telemetry" in result.diagnostics[0].message


@pytest.mark.parametrize(
    "patterns",
    [
        None,  # the defaults
        ["tests/", "!tests/helpers.py", "*_spec.py"],
        ["**/fixtures/**", "conftest.py", "e2e_*"],
    ],
)
def test_test_matcher_answers_as_the_patterns_say(patterns: list[str] | None) -> None:
    # The matcher prefilters with one regex and keeps its answers; it must
    # still say exactly what the gitignore-style patterns and name globs say.
    import fnmatch

    import pathspec

    from ssot_lint.config import Settings
    from ssot_lint.project import make_test_matcher

    settings = Settings() if patterns is None else Settings(test_patterns=patterns)
    paths = [
        "tests/test_a.py",
        "tests/helpers.py",
        "pkg/tests/unit/test_b.py",
        "pkg/test_c.py",
        "pkg/c_test.py",
        "pkg/conftest.py",
        "pkg/fixtures/data/x.py",
        "pkg/service.py",
        "pkg/foo_spec.py",
        "e2e_run.py",
        "pkg/contest.py",
    ]
    spec = pathspec.GitIgnoreSpec.from_lines(settings.test_patterns)
    names = [p for p in settings.test_patterns if "/" not in p]
    is_test = make_test_matcher(settings)
    for _ in range(2):  # the second round answers from the kept answers
        for rel in paths:
            name = rel.rsplit("/", 1)[-1]
            want = spec.match_file(rel) or any(fnmatch.fnmatchcase(name, p) for p in names)
            assert is_test(rel) is want, rel
    assert any(is_test(rel) for rel in paths) and not all(is_test(rel) for rel in paths)
