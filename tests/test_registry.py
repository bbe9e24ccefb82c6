"""The SSOT import registry: Markdown as teams write it, ssot-lint's TOML format,
malformed input, discovery, and the `registry check` / `registry export` commands."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from support import write_project

from ssot_lint.cli import main
from ssot_lint.config import ConfigError, Settings
from ssot_lint.registry import (
    Registry,
    RegistryError,
    Status,
    find_registry,
    load_registry,
    parse_markdown,
    parse_toml,
    to_toml,
)

FIXTURES = Path(__file__).parent / "fixtures"
PLATFORM = FIXTURES / "registry_platform"
STRICT = FIXTURES / "registry_strict_toml"

# Written the way the platform team writes it: emoji headings, prose, comment
# groups, trailing markers, placeholders, mock paths, path patterns, a class
# body and a migration example in the same file.
TEAM_REGISTRY = """\
# SSOT IMPORT REGISTRY
**SINGLE SOURCE OF TRUTH - MASTER IMPORT REFERENCE**

## SERVICE IMPORT PATTERNS

### netra_backend Service

#### ✅ VERIFIED IMPORTS (Working):
```python
# Agent Framework
from netra_backend.app.agents.base_agent import BaseAgent, AgentState
from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    UserContextManager as ContextManager,
)
import netra_backend.app.core.agent_execution_tracker as tracker_module

# Models (Verified Files)
from auth_service.auth_core.models.auth_models import [AUTH_MODEL_CLASSES]  # ❓ Classes need verification
from netra_backend.app.agents.corpus_admin_sub_agent import CorpusAdminSubAgent  # ❓
from netra_backend.app.db.clickhouse_client import ClickHouseClient  # Compatibility import (deprecated)
```

#### ❌ BROKEN IMPORTS (Do Not Use):
```python
# THESE PATHS DO NOT EXIST:
from netra_backend.app.agents.reporting_agents.uvs_reporting_agent import UVSReportingAgent  # ❌

from netra_backend.app.core.isolated_environment import IsolatedEnvironment  # ❌ BROKEN PATH
# USE INSTEAD: from shared.isolated_environment import IsolatedEnvironment, get_env

from netra_backend.app.schemas.agent_schemas import RequestModel  # ❌
from netra_backend.app.schemas.agent_schemas import AgentExecutionResult  # ❌
# USE INSTEAD: from netra_backend.app.schemas.request import RequestModel
# USE INSTEAD: from shared.types.agent_types import AgentExecutionResult

from test_framework.ssot.database_test_utility import DatabaseTestUtility  # ❌ WRONG MODULE/CLASS NAME

# USE INSTEAD: from test_framework.database_test_utilities import DatabaseTestUtilities
from netra_backend.app.agents.legacy import OldAgent  # ❌ USE INSTEAD: from netra_backend.app.agents.new import NewAgent
```

#### ✅ CORRECT MOCK PATHS:
```python
@patch('netra_backend.app.agents.reporting_sub_agent.ReportingSubAgent.run')
```

#### INCORRECT MOCK PATHS
```python
@patch("netra_backend.app.agents.reporting_agents.uvs_reporting_agent.UVSReportingAgent.run")
```

### Path Patterns:
```
netra_backend.app.{component}.{specific_module}
```

```bash
python -c "from netra_backend.app.x import broken_on_purpose"
from this line is shell, not python
```

Legacy aliases NOT WORKING since #220
-------------------------------------
```python
from netra_backend.app.core.execution_tracker import ExecutionTracker
```

## ✅ COMPLETED SSOT CONSOLIDATION

```python
# CANONICAL IMPORT PATH (RECOMMENDED):
from netra_backend.app.core.agent_execution_tracker import ExecutionState

# States Available:
class ExecutionState(Enum):
    PENDING = "pending"       # Initial state

# ❌ BEFORE (vulnerable):
from netra_backend.app.agents.state import DeepAgentState
async def execute_agent(context, state: DeepAgentState) -> None:
    ...

# ✅ AFTER (secure):
from netra_backend.app.services.user_execution_context import UserExecutionContext
```

~~~
from netra_backend.app.unlabelled import Helper
from netra_backend.app.unlabelled import
~~~
"""  # noqa: E501 -- registry lines are as long as teams write them


@pytest.fixture(scope="module")
def team() -> Registry:
    return parse_markdown(TEAM_REGISTRY, Path("/repo/SSOT_IMPORT_REGISTRY.md"), "REG.md")


def _entry(registry: Registry, line: int):
    return next(e for e in registry.entries if e.line == line)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_statuses_come_from_headings_markers_and_marker_comments(team: Registry) -> None:
    statuses = {e.text: e.status for e in team.entries}
    verified = [t for t, s in statuses.items() if s is Status.VERIFIED]
    broken = [t for t, s in statuses.items() if s is Status.BROKEN]
    unverified = [t for t, s in statuses.items() if s is Status.UNVERIFIED]
    assert verified == [
        "from netra_backend.app.agents.base_agent import BaseAgent, AgentState",
        "from netra_backend.app.services.user_execution_context import ( UserExecutionContext, "
        "UserContextManager as ContextManager, )",
        "import netra_backend.app.core.agent_execution_tracker as tracker_module",
        "from netra_backend.app.db.clickhouse_client import ClickHouseClient",
        "from netra_backend.app.core.agent_execution_tracker import ExecutionState",
        "from netra_backend.app.services.user_execution_context import UserExecutionContext",
        "from netra_backend.app.unlabelled import Helper",
    ]
    assert unverified == [
        "from auth_service.auth_core.models.auth_models import [AUTH_MODEL_CLASSES]",
        "from netra_backend.app.agents.corpus_admin_sub_agent import CorpusAdminSubAgent",
    ]
    assert broken == [
        "from netra_backend.app.agents.reporting_agents.uvs_reporting_agent import "
        "UVSReportingAgent",
        "from netra_backend.app.core.isolated_environment import IsolatedEnvironment",
        "from netra_backend.app.schemas.agent_schemas import RequestModel",
        "from netra_backend.app.schemas.agent_schemas import AgentExecutionResult",
        "from test_framework.ssot.database_test_utility import DatabaseTestUtility",
        "from netra_backend.app.agents.legacy import OldAgent",
        # A setext heading "... NOT WORKING ...".
        "from netra_backend.app.core.execution_tracker import ExecutionTracker",
        # After the "# ❌ BEFORE" marker comment, until "# ✅ AFTER".
        "from netra_backend.app.agents.state import DeepAgentState",
    ]
    after = _line_of(TEAM_REGISTRY, "# ✅ AFTER")
    assert _entry(team, after + 1).status is Status.VERIFIED


def test_items_aliases_and_multi_line_statements(team: Registry) -> None:
    context = _entry(team, _line_of(TEAM_REGISTRY, "user_execution_context import ("))
    assert [(i.module, i.name, i.asname) for i in context.items] == [
        ("netra_backend.app.services.user_execution_context", "UserExecutionContext", None),
        (
            "netra_backend.app.services.user_execution_context",
            "UserContextManager",
            "ContextManager",
        ),
    ]
    module = _entry(team, _line_of(TEAM_REGISTRY, "as tracker_module"))
    assert [(i.module, i.name, i.asname) for i in module.items] == [
        ("netra_backend.app.core.agent_execution_tracker", None, "tracker_module")
    ]


def test_placeholders_register_the_module_only(team: Registry) -> None:
    placeholder = _entry(team, _line_of(TEAM_REGISTRY, "[AUTH_MODEL_CLASSES]"))
    assert placeholder.statement.placeholders == ("[AUTH_MODEL_CLASSES]",)
    assert [i.name for i in placeholder.items] == ["*"]
    assert placeholder.note == "Classes need verification"
    assert team.registers_module("auth_service.auth_core.models.auth_models")
    assert team.is_registered("auth_service.auth_core.models.auth_models", "OAuthUser")
    assert not team.is_registered("auth_service.auth_core.models.auth_models", None)


def test_use_instead_lines_attach_to_the_broken_lines_above(team: Registry) -> None:
    def hints(needle: str) -> list[tuple[str, int]]:
        entry = _entry(team, _line_of(TEAM_REGISTRY, needle))
        return [(h.text, h.line) for h in entry.use_instead]

    env_line = _line_of(TEAM_REGISTRY, "import IsolatedEnvironment  # ❌")
    assert hints("import IsolatedEnvironment  # ❌") == [
        ("from shared.isolated_environment import IsolatedEnvironment, get_env", env_line + 1)
    ]
    # Two broken lines in a row share the two USE INSTEAD lines below them.
    request = hints("import RequestModel  # ❌")
    assert request == hints("import AgentExecutionResult  # ❌")
    assert [text for text, _ in request] == [
        "from netra_backend.app.schemas.request import RequestModel",
        "from shared.types.agent_types import AgentExecutionResult",
    ]
    # Separated from its broken line by a blank line: still that line's hint.
    assert hints("DatabaseTestUtility  # ❌") == [
        (
            "from test_framework.database_test_utilities import DatabaseTestUtilities",
            _line_of(TEAM_REGISTRY, "DatabaseTestUtilities"),
        )
    ]
    # On the broken line itself.
    assert [t for t, _ in hints("import OldAgent")] == [
        "from netra_backend.app.agents.new import NewAgent"
    ]
    assert hints("UVSReportingAgent  # ❌") == []


def test_notes_sections_patches_and_skipped_lines(team: Registry) -> None:
    assert _entry(team, _line_of(TEAM_REGISTRY, "ClickHouseClient")).note == (
        "Compatibility import (deprecated)"
    )
    assert _entry(team, _line_of(TEAM_REGISTRY, "BaseAgent, AgentState")).section == (
        "SERVICE IMPORT PATTERNS / netra_backend Service / VERIFIED IMPORTS (Working)"
    )
    assert [(p.target, p.status) for p in team.patches] == [
        ("netra_backend.app.agents.reporting_sub_agent.ReportingSubAgent.run", Status.VERIFIED),
        (
            "netra_backend.app.agents.reporting_agents.uvs_reporting_agent.UVSReportingAgent.run",
            Status.BROKEN,
        ),
    ]
    # A fenced path pattern is neither an import nor an error; bash blocks are skipped.
    assert all("broken_on_purpose" not in e.text for e in team.entries)
    assert all("{component}" not in e.text for e in team.entries)


def test_broken_lookup_and_conflicts() -> None:
    registry = parse_markdown(
        textwrap.dedent(
            """\
            ## ✅ VERIFIED
            ```python
            from pkg.state import DeepAgentState
            import pkg.websocket.manager
            ```
            ## ❌ BROKEN
            ```python
            from pkg.state import DeepAgentState
            from pkg.old import [EVERYTHING]
            import pkg.legacy
            from pkg.schemas import agent_schemas
            ```
            """
        ),
        Path("REG.md"),
    )
    assert registry.broken("pkg.state", "DeepAgentState") is None  # verified wins
    assert registry.broken("pkg.old", "Anything") is not None
    assert registry.broken("pkg.legacy", None) is not None  # import pkg.legacy
    assert registry.broken("pkg.legacy", "thing") is not None  # from pkg.legacy import thing
    assert registry.broken("pkg.schemas.agent_schemas", None) is not None  # same module
    assert registry.broken("pkg.fresh", "Thing") is None
    [(verified, broken, target)] = registry.conflicts()
    assert (verified.line, broken.line, target) == (3, 8, "pkg.state.DeepAgentState")


# -- malformed Markdown: clear errors with file:line, never a crash ----------------------

MALFORMED = [
    pytest.param(
        "## VERIFIED\n```python\nfrom pkg.core import Tracker\n",
        2,
        "code block opened here (```) is never closed",
        id="unclosed-fence",
    ),
    pytest.param(
        "## VERIFIED\n```python\nfrom pkg.core import\n```\n",
        3,
        "cannot parse import line `from pkg.core import`: nothing is imported",
        id="no-names",
    ),
    pytest.param(
        "```python\nfrom pkg.core import Tracker,, State\n```\n",
        2,
        "cannot parse import line `from pkg.core import Tracker,, State`: "
        "not a valid import statement",
        id="double-comma",
    ),
    pytest.param(
        "```python\n\nfrom .core import Tracker\n```\n",
        3,
        "relative import; registry lines must name the absolute module",
        id="relative",
    ),
    pytest.param(
        "## ❌ BROKEN\n```python\n# USE INSTEAD: from pkg.core import Tracker\n```\n",
        3,
        "`USE INSTEAD:` must follow the broken import line(s) it replaces",
        id="orphan-use-instead",
    ),
    pytest.param(
        "## ✅ VERIFIED\n```python\nfrom pkg.a import A\n# USE INSTEAD: from pkg.b import A\n```\n",
        4,
        "`USE INSTEAD:` must follow the broken import line(s) it replaces",
        id="use-instead-after-verified",
    ),
    pytest.param(
        "```python\nfrom pkg.a import A  # ❌\n# USE INSTEAD: from pkg.b import\n```\n",
        3,
        "cannot parse the USE INSTEAD line `from pkg.b import`",
        id="broken-use-instead",
    ),
    pytest.param(
        "```python\nfrom pkg.a import A  # ❌\n# USE INSTEAD:\n```\n",
        3,
        "`USE INSTEAD:` without a replacement",
        id="empty-use-instead",
    ),
    pytest.param(
        "```python\nfrom pkg.core import (\n    Tracker,\n```\n",
        2,
        "import statement is not closed before the code block ends",
        id="unclosed-parenthesis",
    ),
    pytest.param(
        "```python\nimport pkg.core.\n```\n",
        2,
        "cannot parse import line `import pkg.core.`",
        id="trailing-dot",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_malformed_markdown_is_a_clear_error(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "SSOT_IMPORT_REGISTRY.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(path, tmp_path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path.resolve()}:{line}: ")
    assert message in str(caught.value)
    assert isinstance(caught.value, ConfigError)  # exit 2 in the CLI


def test_registry_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "SSOT_IMPORT_REGISTRY.md"
    path.write_bytes(b"## VERIFIED\n```python\nfrom pkg import caf\xe9\n```\n")
    with pytest.raises(RegistryError, match=r":3: registry is not valid UTF-8"):
        load_registry(path)


def test_lenient_where_a_block_is_not_python(team: Registry) -> None:
    # The unlabelled ~~~ block holds one good line and one broken one: the good
    # one counts, the broken one is ignored (an unlabelled block may be prose).
    assert [e.text for e in team.entries if "unlabelled" in e.text] == [
        "from netra_backend.app.unlabelled import Helper"
    ]


# -- TOML ---------------------------------------------------------------------------------

TOML_REGISTRY = """\
# auth service registry
version = 1

[[imports]]
statement = "from auth_service.core.auth_service import AuthService"

[[imports]]
statement = "from auth_service.models.auth_models import [AUTH_MODEL_CLASSES]"
status = "unverified"

[[imports]]
statement = "from auth_service.app.services.auth_service import AuthService"
status = "broken"
note = "app/ was removed"
use-instead = [
    "from auth_service.core.auth_service import AuthService",
    "see the auth_core migration notes",
]

[[patches]]
target = "auth_service.core.auth_service.AuthService.authenticate_user"
status = "verified"
"""


def test_toml_registry_with_line_numbers() -> None:
    registry = parse_toml(TOML_REGISTRY, Path("reg.toml"))
    assert [(e.line, e.status, e.text) for e in registry.entries] == [
        (5, Status.VERIFIED, "from auth_service.core.auth_service import AuthService"),
        (8, Status.UNVERIFIED, "from auth_service.models.auth_models import [AUTH_MODEL_CLASSES]"),
        (12, Status.BROKEN, "from auth_service.app.services.auth_service import AuthService"),
    ]
    broken = registry.entries[2]
    assert broken.note == "app/ was removed"
    assert [(h.line, h.statement is not None) for h in broken.use_instead] == [
        (16, True),
        (17, False),  # prose: kept as a hint, no fix
    ]
    assert [(p.target, p.line) for p in registry.patches] == [
        ("auth_service.core.auth_service.AuthService.authenticate_user", 21)
    ]


MALFORMED_TOML = [
    pytest.param('version = 1\n[[imports]\nstatement = "x"\n', 2, "invalid TOML", id="syntax"),
    pytest.param(
        'version = 1\n\n[[imports]]\nstatment = "from a import b"\n',
        3,
        "unknown key `statment` in [[imports]]",
        id="unknown-key",
    ),
    pytest.param(
        '[[imports]]\nstatement = "from a import b"\nstatus = "broken"\nstatus = "verified"\n',
        4,
        'invalid TOML: Key "status" already exists',
        id="repeated-key",
    ),
    pytest.param("versoin = 1\n", 1, "unknown key `versoin`", id="unknown-top-level"),
    pytest.param("version = 2\n", 1, "unsupported registry version 2", id="version"),
    pytest.param(
        '[[imports]]\nstatement = "from a import b"\nstatus = "maybe"\n',
        2,
        "`status` must be one of verified, unverified, broken, got 'maybe'",
        id="status",
    ),
    pytest.param('[[imports]]\nstatus = "broken"\n', 1, "needs `statement`", id="no-statement"),
    pytest.param(
        '\n[[imports]]\nstatement = "from a import"\n',
        3,
        "cannot parse import line `from a import`",
        id="bad-statement",
    ),
    pytest.param(
        '[[imports]]\nstatement = "from a import b"\nuse-instead = "from c import b"\n',
        2,
        '`use-instead` only applies to entries with status = "broken"',
        id="hint-on-verified",
    ),
    pytest.param(
        '[[imports]]\nstatement = "from a import b"\nstatus = "broken"\nuse-instead = 3\n',
        2,
        "`use-instead` must be a string or an array of strings",
        id="hint-type",
    ),
    pytest.param('imports = "from a import b"\n', 1, "must be an array of tables", id="shape"),
    pytest.param('[[patches]]\ntarget = "not dotted"\n', 1, "a dotted name", id="patch"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED_TOML)
def test_malformed_toml_is_a_clear_error(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "registry.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert str(caught.value).startswith(f"{path.resolve()}:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_markdown_round_trips_through_toml(team: Registry) -> None:
    text = to_toml(team)
    again = parse_toml(text, Path("export.toml"))

    def shape(registry: Registry) -> list[tuple]:
        return [
            (
                e.statement.items,
                e.statement.placeholders,
                e.status,
                e.note,
                e.section,
                [h.text for h in e.use_instead],
            )
            for e in registry.entries
        ]

    assert shape(again) == shape(team)
    assert [(p.target, p.status) for p in again.patches] == [
        (p.target, p.status) for p in team.patches
    ]
    # Every exported entry points at its own statement line.
    lines = text.splitlines()
    for entry in again.entries:
        assert lines[entry.line - 1].startswith("statement = ")


# -- discovery ----------------------------------------------------------------------------


def test_discovery_order(tmp_path: Path) -> None:
    settings = Settings()
    assert find_registry(tmp_path, settings) is None
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "SSOT_IMPORT_REGISTRY.md").write_text("", encoding="utf-8")
    assert find_registry(tmp_path, settings) == tmp_path / "docs" / "SSOT_IMPORT_REGISTRY.md"
    (tmp_path / "SSOT_IMPORT_REGISTRY.md").write_text("", encoding="utf-8")
    assert find_registry(tmp_path, settings) == tmp_path / "SSOT_IMPORT_REGISTRY.md"
    settings.registry = "config/imports.toml"
    with pytest.raises(RegistryError, match="registry file not found"):
        find_registry(tmp_path, settings)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "imports.toml").write_text("version = 1\n", encoding="utf-8")
    assert find_registry(tmp_path, settings) == tmp_path / "config" / "imports.toml"


# -- commands -----------------------------------------------------------------------------


def test_registry_check_lists_stale_lines() -> None:
    result = CliRunner().invoke(main, ["registry", "check", str(PLATFORM), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "docs/SSOT_IMPORT_REGISTRY.md:38: `from netra_backend.app.agents.corpus_admin_sub_agent "
        "import CorpusAdminSubAgent`: module `netra_backend.app.agents.corpus_admin_sub_agent` "
        "not found (marked ❓ unverified)",
        "docs/SSOT_IMPORT_REGISTRY.md:68: `netra_backend.app.agents.reporting_sub_agent."
        "ReportingSubAgent.run`: `reporting_sub_agent` not found in `netra_backend.app.agents`",
        "Checked 16 registry lines: 2 do not resolve.",
    ]


def test_registry_check_json_and_clean_exit(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["registry", "check", str(STRICT), "--no-cache", "--output-format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == {
        "registry": "config/ssot-registry.toml",
        "checked": 6,
        "skipped": 0,
        "problems": [],
    }


def test_registry_check_symbol_gone_use_instead_and_conflicts(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "SSOT_IMPORT_REGISTRY.md": textwrap.dedent(
                """\
                ## ✅ VERIFIED
                ```python
                from pkg.tracker import AgentExecutionTracker, ExecutionTracker
                from pkg.state import DeepAgentState
                from requests import Session
                from pkg.models import [MODEL_CLASSES]
                ```
                ## ❌ BROKEN
                ```python
                from pkg.state import DeepAgentState
                from pkg.timeouts import TimeoutManager  # ❌
                # USE INSTEAD: from pkg.tracker import TimeoutTracker
                ```
                """
            ),
            "pkg/__init__.py": "",
            "pkg/tracker.py": "class AgentExecutionTracker:\n    pass\n",
            "pkg/state.py": "class DeepAgentState:\n    pass\n",
        },
        'src = ["pkg"]',
    )
    result = CliRunner().invoke(
        main, ["registry", "check", str(root), "--no-cache", "--output-format", "json"]
    )
    assert result.exit_code == 1
    problems = [(p["line"], p["problem"]) for p in json.loads(result.output)["problems"]]
    assert problems == [
        (
            3,
            "`ExecutionTracker` not found: module `pkg.tracker` neither defines, imports nor "
            "re-exports `ExecutionTracker`, and has no such submodule",
        ),
        (6, "module `pkg.models` not found"),
        (10, "`pkg.state.DeepAgentState` is listed as broken here and as verified at line 4"),
        (
            12,
            "`TimeoutTracker` not found: module `pkg.tracker` neither defines, imports nor "
            "re-exports `TimeoutTracker`, and has no such submodule",
        ),
    ]
    assert json.loads(result.output)["skipped"] == 1  # `requests` is not first-party


def test_registry_export_writes_toml(tmp_path: Path) -> None:
    out = tmp_path / "SSOT_IMPORT_REGISTRY.toml"
    result = CliRunner().invoke(main, ["registry", "export", str(PLATFORM), "-o", str(out)])
    assert result.exit_code == 0, result.output
    exported = parse_toml(out.read_text(encoding="utf-8"), out)
    original = load_registry(PLATFORM / "docs" / "SSOT_IMPORT_REGISTRY.md", PLATFORM)
    assert [(e.text, e.status) for e in exported.entries] == [
        (e.text, e.status) for e in original.entries
    ]
    assert len(exported.patches) == 3
    # Checking against the exported TOML gives the same answer as the Markdown.
    result = CliRunner().invoke(
        main, ["registry", "check", str(PLATFORM), "--registry", str(out), "--no-cache"]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Checked 16 registry lines: 2 do not resolve."


def test_registry_commands_report_malformed_and_missing_registries(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "broken",
        {"SSOT_IMPORT_REGISTRY.md": "```python\nfrom pkg import\n```\n", "pkg/__init__.py": ""},
    )
    for command in (["registry", "check"], ["registry", "export"], ["check"]):
        result = CliRunner().invoke(main, [*command, str(root)])
        assert result.exit_code == 2, (command, result.output)
        assert "SSOT_IMPORT_REGISTRY.md:2: cannot parse import line `from pkg import`" in (
            result.output
        )
        assert "Traceback" not in result.output
    empty = write_project(tmp_path / "empty", {"pkg/__init__.py": ""})
    result = CliRunner().invoke(main, ["registry", "check", str(empty)])
    assert result.exit_code == 2
    assert "no SSOT import registry found" in result.output


# -- no input crashes the parsers ------------------------------------------------------------

_PIECES = [
    "```python\n",
    "```\n",
    "~~~\n",
    "````py\n",
    "## ❌ BROKEN IMPORTS\n",
    "#### ✅ VERIFIED IMPORTS (Working):\n",
    "Heading\n---\n",
    "from pkg.core import Tracker  # ❌\n",
    "from pkg.core import (\n",
    "    Tracker,\n",
    ")\n",
    "from pkg import [PLACEHOLDER], Other  # ❓\n",
    "import pkg.a.b as c\n",
    "# USE INSTEAD: from pkg.new import Tracker\n",
    "# USE INSTEAD: call the factory\n",
    "# ✅ AFTER:\n",
    "@patch('pkg.mod.Cls.run')\n",
    "from .rel import x\n",
    "from pkg.{component} import y\n",
    "import\n",
    "from pkg import\n",
    "\\\n",
    "\n",
    "prose with `code` and **bold**\n",
    "\ufeff\x00\t\r\n",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=25), st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_markdown_parser_never_crashes(pieces: list[str], noise: str) -> None:
    text = "".join(pieces) + noise
    try:
        registry = parse_markdown(text, Path("fuzz.md"))
    except RegistryError as exc:
        assert exc.line is None or exc.line >= 1
        return
    for entry in registry.entries:
        assert entry.line >= 1 and entry.items
    # Whatever parses exports to TOML that parses back to the same entries.
    again = parse_toml(to_toml(registry), Path("fuzz.toml"))
    assert [(e.statement.items, e.status) for e in again.entries] == [
        (e.statement.items, e.status) for e in registry.entries
    ]


_TOML_PIECES = [
    "version = 1\n",
    "version = 'one'\n",
    "[[imports]]\n",
    "[[patches]]\n",
    "[imports]\n",
    'statement = "from pkg.core import Tracker"\n',
    'statement = "from pkg import [ALL]"\n',
    'statement = "import"\n',
    "statement = 42\n",
    'status = "broken"\n',
    'status = "unverified"\n',
    'status = ["broken"]\n',
    'use-instead = "from pkg.new import Tracker"\n',
    "use-instead = [1, 2]\n",
    'note = "moved"\n',
    "section = {}\n",
    'target = "pkg.mod.Cls.run"\n',
    "target = 'x'\n",
    "imports = []\n",
    "patches = 3\n",
    "= broken\n",
    "\n",
]


@given(st.lists(st.sampled_from(_TOML_PIECES), max_size=20))
@settings(max_examples=300, deadline=None)
def test_toml_parser_never_crashes(pieces: list[str]) -> None:
    try:
        registry = parse_toml("".join(pieces), Path("fuzz.toml"))
    except RegistryError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert all(entry.line >= 1 for entry in registry.entries)
