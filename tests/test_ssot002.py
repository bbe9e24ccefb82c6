"""SSOT002 manual-id-generation: ID-like names, sinks, wrappers, resolution,
hard negatives, strict mode, positions and fixes."""

from __future__ import annotations

import ast
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from support import check, expected, found, write_project

from ssot_lint.config import Settings
from ssot_lint.diagnostics import Applicability, Diagnostic
from ssot_lint.fixes import apply_fixes
from ssot_lint.idnames import (
    id_kind,
    is_id_factory_name,
    is_id_like,
    significant_words,
    split_words,
)
from ssot_lint.rules.ssot002_manual_id_generation import ManualIdGeneration

CODE = "SSOT002"
FIXTURE = Path(__file__).parent / "fixtures" / "ids"
MANAGER = "netra_backend.app.core.unified_id_manager"
FIX_IMPORTS = f"""
ids.fix-imports = ["{MANAGER}.UnifiedIDManager", "{MANAGER}.IDType"]
"""
MODULE = "netra_backend/app/services/engine.py"


def _clean(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


def lint(
    tmp_path: Path, source: str, config: str = "", extra: dict[str, str] | None = None
) -> tuple[Path, list[Diagnostic]]:
    """Check ``source`` as netra_backend/app/services/engine.py; SSOT002 only."""
    files = {MODULE: _clean(source)}
    files.update({path: _clean(text) for path, text in (extra or {}).items()})
    root = write_project(tmp_path / "project", files, 'select = ["SSOT002"]\n' + config)
    result = check(root, use_cache=False, jobs=1)
    assert not result.errors, result.errors
    return root, [d for d in result.diagnostics if d.code == CODE]


def marked_lines(source: str) -> list[int]:
    """Lines carrying ``# expect: SSOT002`` (one entry per expected diagnostic)."""
    lines = []
    for number, line in enumerate(_clean(source).splitlines(), 1):
        if "# expect:" in line:
            lines += [number] * line.split("# expect:")[1].count(CODE)
    return lines


def assert_marked(tmp_path: Path, source: str, config: str = "") -> list[Diagnostic]:
    _, diagnostics = lint(tmp_path, source, config)
    assert sorted(d.line for d in diagnostics) == marked_lines(source), [
        (d.line, d.column, d.message) for d in diagnostics
    ]
    return diagnostics


def fixed(root: Path, diagnostic: Diagnostic) -> str:
    """The file's text after applying this one diagnostic's fix."""
    assert diagnostic.fix is not None, diagnostic.message
    text = (root / diagnostic.path).read_text(encoding="utf-8")
    outcome = apply_fixes(text, [diagnostic.fix])
    assert outcome.applied == [diagnostic.fix], outcome.failed
    return outcome.text


def recheck(root: Path, text: str) -> list[Diagnostic]:
    (root / MODULE).write_text(text, encoding="utf-8")
    result = check(root, use_cache=False, jobs=1)
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == CODE]


# ---------------------------------------------------------------------------
# ID-like names (pure functions).


@pytest.mark.parametrize(
    "name",
    [
        "execution_id",
        "runId",
        "X-Request-ID",
        "x-request-id",
        "thread_ids",
        "user_id_2",
        "ID",
        "id",
        "_id",
        "requestID",
        "userIDs",
        "URLId",
        "session.uuid",
        "device guid",
        "correlationUUID",
        "traceId2",
        "RUN_ID",
    ],
)
def test_id_like_names(name: str) -> None:
    assert is_id_like(name)


@pytest.mark.parametrize(
    "name",
    [
        "jti",
        "uuid_str",
        "id_value",
        "valid",
        "paid",
        "idempotency_key",
        "Idempotency-Key",
        "ids_by_user",
        "identity",
        "trace:id",  # only _ - . and spaces separate words
        "",
        "2",
    ],
)
def test_not_id_like_names(name: str) -> None:
    assert not is_id_like(name)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("requestID", ["request", "ID"]),
        ("URLId", ["URL", "Id"]),
        ("userIDs", ["user", "IDs"]),
        ("HTTPSConnection", ["HTTPS", "Connection"]),
        ("X-Request-ID", ["X", "Request", "ID"]),
        ("websocket.connection id", ["websocket", "connection", "id"]),
        ("getHTTPResponseID", ["get", "HTTP", "Response", "ID"]),
        ("Isolated", ["Isolated"]),
        ("userId2", ["user", "Id", "2"]),
        ("__thread_id__", ["thread", "id"]),
    ],
)
def test_split_words(name: str, words: list[str]) -> None:
    assert split_words(name) == words


def test_trailing_digits_are_ignored() -> None:
    assert significant_words("user_id_2") == ["user", "id"]
    assert significant_words("runId42") == ["run", "Id"]
    assert significant_words("v2_run_id") == ["v", "2", "run", "id"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("execution_id", "EXECUTION"),
        ("X-Request-ID", "REQUEST"),
        ("runId", "RUN"),
        ("thread_ids", "THREAD"),
        ("user_id_2", "USER"),
        ("websocket_connection_id", "CONNECTION"),
        ("sessionUUID", "SESSION"),
        ("id", None),
        ("ID", None),
        ("jti", None),
        ("execution_name", None),
    ],
)
def test_id_kind(name: str, kind: str | None) -> None:
    assert id_kind(name) == kind


@pytest.mark.parametrize(
    "name",
    [
        "execution_id",
        "_new_run_id",
        "__anonymous_user_id",
        "thread_ids",
        "generate_trace",
        "generate_id",
        "generateToken",
        "new_id",
        "new_correlation_id",
        "new_uuid",
        "newRunId",
        "make_run_guid",
        "makeSessionId",
        "executionId",
    ],
)
def test_id_factory_names(name: str) -> None:
    assert is_id_factory_name(name)


@pytest.mark.parametrize(
    "name",
    ["id", "generate", "new_valid", "make_paid", "new_session", "random_suffix", "session_uuid"],
)
def test_not_id_factory_names(name: str) -> None:
    assert not is_id_factory_name(name)


# ---------------------------------------------------------------------------
# The fixture project: several packages, aliases, relative imports, the
# manager module, TYPE_CHECKING, string annotations, many hard negatives.


def test_fixture_project() -> None:
    result = check(FIXTURE, use_cache=False, jobs=1)
    assert not result.errors, result.errors
    assert found(result, {CODE}) == expected(FIXTURE, {CODE})
    assert sum(expected(FIXTURE, {CODE}).values()) >= 40  # the fixture really exercises it


def test_fixture_triggers_do_not_hide_anything() -> None:
    """The text prefilter (``triggers``) must not change a single result."""
    fast = check(FIXTURE, use_cache=False, jobs=1)
    slow = check(FIXTURE, use_cache=False, jobs=1, prefilter=False)
    assert fast.diagnostics == slow.diagnostics


def test_manager_module_is_never_reported() -> None:
    result = check(FIXTURE, use_cache=False, jobs=1)
    manager = "agent_platform/core/unified_id_manager.py"
    assert "uuid.uuid4()" in (FIXTURE / manager).read_text(encoding="utf-8")
    assert [d for d in result.diagnostics if d.path == manager] == []


# ---------------------------------------------------------------------------
# Sinks: one case per kind of sink.

SINKS = {
    "assignment": """
        import uuid
        execution_id = str(uuid.uuid4())  # expect: SSOT002
        """,
    "annotated": """
        import uuid
        execution_id: str = str(uuid.uuid4())  # expect: SSOT002
        """,
    "augmented": """
        import uuid
        run_id = "run"
        run_id += uuid.uuid4().hex  # expect: SSOT002
        """,
    "walrus": """
        import uuid
        if (run_id := str(uuid.uuid4())):  # expect: SSOT002
            print(run_id)
        """,
    "several targets": """
        import uuid
        current = run_id = str(uuid.uuid4())  # expect: SSOT002
        """,
    "attribute": """
        import uuid
        class Engine:
            def __init__(self) -> None:
                self.execution_id = uuid.uuid4().hex  # expect: SSOT002
        """,
    "constant subscript key": """
        import uuid
        ctx = {}
        ctx["thread_id"] = str(uuid.uuid4())  # expect: SSOT002
        """,
    "nested subscript key": """
        import uuid
        ctx = {"x": {}}
        ctx['x']["run_id"] = str(uuid.uuid4())  # expect: SSOT002
        """,
    "header key": """
        import uuid
        headers = {}
        headers["X-Request-ID"] = str(uuid.uuid4())  # expect: SSOT002
        """,
    "keyword argument": """
        import uuid
        def start(**kwargs): ...
        start(agent="triage", run_id=str(uuid.uuid4()))  # expect: SSOT002
        """,
    "dict() keyword": """
        import uuid
        ctx = dict(thread_id=uuid.uuid4().hex)  # expect: SSOT002
        """,
    "dict key": """
        import uuid
        message = {"type": "agent_started", "thread_id": str(uuid.uuid4())}  # expect: SSOT002
        """,
    "dict.get default": """
        import uuid
        def owner(payload: dict) -> str:
            return payload.get("user_id", str(uuid.uuid4()))  # expect: SSOT002
        """,
    "setdefault default": """
        import uuid
        def bind(context: dict) -> None:
            context.setdefault("trace_id", uuid.uuid4().hex)  # expect: SSOT002
        """,
    "getattr default": """
        import uuid
        def correlation(request: object) -> str:
            return getattr(request, "correlation_id", str(uuid.uuid4()))  # expect: SSOT002
        """,
    "return in *_id": """
        import uuid
        def anonymous_user_id() -> str:
            return f"anon_{uuid.uuid4().hex}"  # expect: SSOT002
        """,
    "return in *_ids": """
        import uuid
        def thread_ids(n: int) -> list[str]:
            return [str(uuid.uuid4()) for _ in range(n)]  # expect: SSOT002
        """,
    "return in generate_*": """
        import uuid
        def generate_trace() -> str:
            return uuid.uuid4().hex  # expect: SSOT002
        """,
    "return in new_*id": """
        import uuid
        def _new_correlation_id() -> str:
            return uuid.uuid4().hex  # expect: SSOT002
        """,
    "return in make_*id": """
        import uuid
        class Ids:
            @staticmethod
            def make_session_guid() -> str:
                return str(uuid.uuid4())  # expect: SSOT002
        """,
    "return in camelCase factory": """
        import uuid
        def newRunId() -> str:
            return str(uuid.uuid4())  # expect: SSOT002
        """,
    "dataclass default_factory": """
        import uuid
        from dataclasses import dataclass, field
        @dataclass
        class Session:
            session_id: str = field(default_factory=lambda: str(uuid.uuid4()))  # expect: SSOT002
        """,
    "bare factory": """
        import uuid
        from dataclasses import dataclass, field
        @dataclass
        class Session:
            correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)  # expect: SSOT002
        """,
    "pydantic Field default_factory": """
        from uuid import uuid4
        from pydantic import BaseModel, Field
        class RunRequest(BaseModel):
            run_id: str = Field(default_factory=lambda: uuid4().hex)  # expect: SSOT002
        """,
    "plain class attribute default": """
        import uuid
        from sqlalchemy import Column
        class ThreadRow:
            thread_id = Column(default=lambda: str(uuid.uuid4()))  # expect: SSOT002
        """,
    "parameter default": """
        import uuid
        def forward(frame: dict, run_id: str = str(uuid.uuid4())) -> None:  # expect: SSOT002
            frame["run"] = run_id
        """,
}


@pytest.mark.parametrize("source", SINKS.values(), ids=SINKS.keys())
def test_sink(tmp_path: Path, source: str) -> None:
    assert_marked(tmp_path, source)


def test_tuple_assignment_is_pairwise(tmp_path: Path) -> None:
    source = """
        import time
        import uuid
        run_id, started = str(uuid.uuid4()), time.time()  # expect: SSOT002
        nonce, span_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]  # expect: SSOT002
        (thread_id, label), count = (uuid.uuid4().hex, uuid.uuid4().hex), 2  # expect: SSOT002
        first, second = uuid.uuid4().hex, uuid.uuid4().hex
        """
    diagnostics = assert_marked(tmp_path, source)
    by_line = {d.line: d for d in diagnostics}
    # Only span_id's value counts: the second call on the line.
    assert by_line[4].column == len("nonce, span_id = uuid.uuid4().hex, ") + 1
    assert "`span_id`" in by_line[4].message
    assert by_line[5].column == len("(thread_id, label), count = (") + 1
    assert "`thread_id`" in by_line[5].message


def test_unpacking_a_non_tuple_concerns_the_whole_value(tmp_path: Path) -> None:
    source = """
        import uuid
        def pair(value):
            return value, value
        run_id, label = pair(str(uuid.uuid4()))  # expect: SSOT002
        """
    (diagnostic,) = assert_marked(tmp_path, source, FIX_IMPORTS)
    assert "`run_id`" in diagnostic.message
    assert diagnostic.fix is None  # one ID cannot replace a value split over two names


def test_innermost_sink_names_the_diagnostic(tmp_path: Path) -> None:
    source = """
        import uuid
        def start(**kwargs): return kwargs
        run_id = start(agent="triage", trace_id=uuid.uuid4().hex)  # expect: SSOT002
        """
    (diagnostic,) = assert_marked(tmp_path, source)
    assert "`trace_id`" in diagnostic.message


def test_one_diagnostic_per_generator_occurrence(tmp_path: Path) -> None:
    source = """
        import uuid
        execution_id = f"{uuid.uuid4().hex}-{uuid.uuid4().hex}"  # expect: SSOT002, SSOT002
        """
    diagnostics = assert_marked(tmp_path, source)
    assert [d.column for d in diagnostics] == [19, 38]


# ---------------------------------------------------------------------------
# Wrappers: the generator may sit anywhere inside the value.

WRAPPERS = {
    "str()": "str(uuid.uuid4())",
    "typed constructor": "UserID(str(uuid.uuid4()))",
    "ensure_*": "ensure_user_id(uuid.uuid4().hex)",
    ".hex": "uuid.uuid4().hex",
    "slice": "uuid.uuid4().hex[:8]",
    "f-string": 'f"exec_{uuid.uuid4().hex[:8]}"',
    "concatenation": '"exec_" + uuid.uuid4().hex',
    "percent format": '"exec_%s" % uuid.uuid4()',
    ".format": '"exec_{}".format(uuid.uuid4())',
    "or": "existing or str(uuid.uuid4())",
    "conditional": "existing if existing else str(uuid.uuid4())",
    "list": "[uuid.uuid4().hex]",
    "tuple": "(existing, uuid.uuid4())",
    "set": "{uuid.uuid4()}",
    "dict value": '{"value": uuid.uuid4()}',
    "list comprehension": "[str(uuid.uuid4()) for _ in range(3)]",
    "generator expression": "tuple(str(uuid.uuid4()) for _ in range(3))",
    "dict comprehension": "{n: uuid.uuid4() for n in range(3)}",
    "lambda": "lambda: str(uuid.uuid4())",
    "await": "await asyncio.to_thread(uuid.uuid4)",
    "method call": "str(uuid.uuid4()).replace('-', '')",
}


@pytest.mark.parametrize("wrapped", WRAPPERS.values(), ids=WRAPPERS.keys())
def test_wrapper(tmp_path: Path, wrapped: str) -> None:
    source = f"""
        import asyncio
        import uuid

        from shared.types import UserID, ensure_user_id


        async def start(existing: str | None) -> None:
            execution_id = {wrapped}  # expect: SSOT002
            print(execution_id)
        """
    assert_marked(tmp_path, source)


# ---------------------------------------------------------------------------
# Hard negatives from the spec.

NEGATIVES = {
    "not ID-like names": """
        import uuid
        jti = str(uuid.uuid4())
        token_uuid_str = str(uuid.uuid4())
        id_value = uuid.uuid4().int
        valid = bool(uuid.uuid4())
        paid = uuid.uuid4().hex
        headers = {"Idempotency-Key": uuid.uuid4().hex, "nonce": jti}
        """,
    "positional arguments, whatever the callee": """
        import logging
        import uuid
        from shared.types import UserID
        def register(value): ...
        register(uuid.uuid4())
        UserID(str(uuid.uuid4()))
        logging.info("run %s", uuid.uuid4())
        obj = object()
        setattr(obj, "run_id", str(uuid.uuid4()))
        """,
    "other mapping methods and non-constant keys": """
        import uuid
        ctx = {}
        key = "run_id"
        ctx[key] = uuid.uuid4()
        ctx.get(key, uuid.uuid4())
        ctx.pop("run_id", uuid.uuid4())
        ctx.get("name", uuid.uuid4())
        getattr(ctx, "name", uuid.uuid4())
        """,
    "the key side of a dict": """
        import uuid
        names = {str(uuid.uuid4()): "thread_id"}
        """,
    "an assignment target is not the value": """
        import uuid
        ctx = {}
        ctx[str(uuid.uuid4())] = "run_id"
        """,
    "nested def in an ID factory": """
        import uuid
        def generate_report_name(agent: str) -> str:
            def suffix() -> str:
                return uuid.uuid4().hex[:6]
            return f"{agent}-{suffix()}"
        """,
    "not a factory name": """
        import uuid
        def random_suffix() -> str:
            return uuid.uuid4().hex[:6]
        def new_valid() -> bool:
            return bool(uuid.uuid4())
        def session_uuid_str() -> str:
            return str(uuid.uuid4())
        """,
    "not a generator": """
        import uuid
        parent_id = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        namespace_id = uuid.NAMESPACE_DNS
        raw_id = str(uuid.UUID(int=5))
        """,
    "text is not resolution": """
        import logging
        def uuid4() -> str:
            return "fixed"
        run_id = uuid4()
        label_id = "uuid.uuid4()"  # uuid.uuid4() in a comment
        logging.info("uuid.uuid4 is not called: %s", run_id)
        """,
    "no import at all": """
        run_id = uuid4()
        trace_id = uuid.uuid4()
        """,
    "shadowed by a parameter": """
        import uuid
        def tag(uuid, frame: dict) -> None:
            frame["frame_id"] = uuid.uuid4()
        def label(frame: dict) -> None:
            frame["trace_id"] = (lambda uuid: uuid.uuid4())(frame)
        """,
    "an attribute of something else": """
        import uuid
        class Session:
            def __init__(self, factory) -> None:
                self.factory = factory
                self.session_id = self.factory.uuid4()
                self.thread_id = factory.uuid.uuid4()
        """,
    "TYPE_CHECKING imports and string annotations": """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from uuid import UUID
        def parse(raw_id: "UUID", run_id: "uuid.uuid4 | None" = None) -> "UUID":
            return raw_id
        """,
    "a generator mentioned but not used as a value": """
        import uuid
        from uuid import uuid4
        assert uuid.uuid4 is not None
        print(uuid4.__name__)
        """,
}


@pytest.mark.parametrize("source", NEGATIVES.values(), ids=NEGATIVES.keys())
def test_negative(tmp_path: Path, source: str) -> None:
    assert_marked(tmp_path, source)


def test_id_manager_modules_are_exempt(tmp_path: Path) -> None:
    source = """
        import uuid

        def generate_id(kind: str) -> str:
            execution_id = f"{kind}_{uuid.uuid4().hex}"
            return execution_id
        """
    manager = {"shared/ids/unified_id_manager.py": textwrap.dedent(source)}
    # A bare configured name matches any module ending in it.
    _, diagnostics = lint(tmp_path / "bare", "x = 1\n", extra=manager)
    assert diagnostics == []
    # A dotted configuration matches exactly that module, not a namesake.
    config = 'ids.managers = ["netra_backend.app.core.unified_id_manager"]\n'
    _, diagnostics = lint(tmp_path / "dotted", "x = 1\n", config, extra=manager)
    assert [(d.path, d.line) for d in diagnostics] == [("shared/ids/unified_id_manager.py", 4)]
    exact = {"netra_backend/app/core/unified_id_manager.py": textwrap.dedent(source)}
    _, diagnostics = lint(tmp_path / "exact", "x = 1\n", config, extra=exact)
    assert diagnostics == []


# ---------------------------------------------------------------------------
# Resolution through imports and aliases.

RESOLUTION = {
    "import as": """
        import uuid as u
        run_id = str(u.uuid4())  # expect: SSOT002
        """,
    "from import as": """
        from uuid import uuid4 as new_id
        handoff = {"handoff_id": new_id().hex}  # expect: SSOT002
        """,
    "star import": """
        from uuid import *
        request_id = str(uuid1())  # expect: SSOT002
        """,
    "import inside the function": """
        def lazy_request_id() -> str:
            import uuid as _uuid
            return _uuid.uuid4().hex  # expect: SSOT002
        """,
    "module-level alias": """
        import uuid
        make = uuid.uuid4
        trace_id = make().hex  # expect: SSOT002
        """,
    "uuid3 and uuid5": """
        import uuid
        agent_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, "triage"))  # expect: SSOT002
        tool_id = str(uuid.uuid3(uuid.NAMESPACE_URL, "search"))  # expect: SSOT002
        """,
    "factory inside a keyword value": """
        from functools import partial
        import uuid
        def submit(**kwargs): ...
        submit(thread_id=partial(uuid.uuid5, uuid.NAMESPACE_DNS, "thread"))  # expect: SSOT002
        """,
}


@pytest.mark.parametrize("source", RESOLUTION.values(), ids=RESOLUTION.keys())
def test_resolution(tmp_path: Path, source: str) -> None:
    assert_marked(tmp_path, source)


def test_configured_generators(tmp_path: Path) -> None:
    tokens = """
        import secrets

        def short_token() -> str:
            return secrets.token_hex(4)

        def session_token_id() -> str:
            return "sess_" + short_token()
        """
    source = """
        from netra_backend.app.core import tokens as t
        from ..core.tokens import short_token as tok

        supervisor_id = tok()  # expect: SSOT002
        handoff = {"handoff_id": t.short_token()}  # expect: SSOT002
        label = t.short_token()
        """
    extra = {"netra_backend/app/core/tokens.py": textwrap.dedent(tokens)}
    config = 'ids.generators = ["netra_backend.app.core.tokens.short_token"]\n'
    _, diagnostics = lint(tmp_path, source, config, extra)
    assert Counter((d.path, d.line) for d in diagnostics) == Counter(
        {(MODULE, 4): 1, (MODULE, 5): 1, ("netra_backend/app/core/tokens.py", 7): 1}
    )
    # A different function of the same name elsewhere is not the configured one.
    other = """
        def short_token() -> str:
            return "x"
        run_id = short_token()
        """
    _, diagnostics = lint(tmp_path / "other", other, config)
    assert diagnostics == []


def test_bare_configured_generator_matches_by_name(tmp_path: Path) -> None:
    source = """
        from vendor.ids import make_token
        run_id = make_token()  # expect: SSOT002
        """
    assert_marked(tmp_path, source, 'ids.generators = ["make_token"]\n')


def test_triggers() -> None:
    settings = Settings()
    # Words, not substrings: `uuid` no longer stands for `uuid4`.
    uuids = {"uuid", "uuid1", "uuid3", "uuid4", "uuid5"}
    assert set(ManualIdGeneration.triggers(settings)) == uuids
    settings.ids.generators = ["netra_backend.app.core.tokens.short_token", "make_token"]
    assert set(ManualIdGeneration.triggers(settings)) == uuids | {"short_token", "make_token"}


# ---------------------------------------------------------------------------
# Strict mode.

STRICT_SOURCE = """
    import logging
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    def register(value): ...

    register(uuid.uuid4())  # expect: SSOT002
    logging.info("nonce %s", uuid.uuid4().hex)  # expect: SSOT002
    ThreadPoolExecutor().submit(uuid.uuid4)  # expect: SSOT002
    run_id = str(uuid.uuid4())  # expect: SSOT002
    assert uuid.uuid4 is not None
    """


def test_strict_flags_every_call_and_factory_argument(tmp_path: Path) -> None:
    diagnostics = assert_marked(tmp_path, STRICT_SOURCE, "ids.strict = true\n")
    messages = {d.line: d.message for d in diagnostics}
    assert messages[7] == (
        "manual ID: `uuid.uuid4()` called outside the ID manager; "
        "use `UnifiedIDManager.generate_id(IDType.<KIND>)`"
    )
    assert "`uuid.uuid4` passed as a factory" in messages[9]
    # A sink occurrence is still reported once, with its sink.
    assert messages[10].startswith("manual ID for `run_id`")


def test_without_strict_only_sinks_count(tmp_path: Path) -> None:
    source = STRICT_SOURCE.replace("# expect: SSOT002", "")
    source = source.replace("str(uuid.uuid4())  ", "str(uuid.uuid4())  # expect: SSOT002")
    assert_marked(tmp_path, source)


def test_strict_still_exempts_the_id_manager(tmp_path: Path) -> None:
    manager = {"netra_backend/app/core/unified_id_manager.py": "import uuid\nuuid.uuid4()\n"}
    _, diagnostics = lint(tmp_path, "x = 1\n", "ids.strict = true\n", extra=manager)
    assert diagnostics == []


# ---------------------------------------------------------------------------
# Positions and messages.


def test_reported_at_the_generator_call(tmp_path: Path) -> None:
    source = """
        import uuid
        execution_id = f"exec_{uuid.uuid4().hex[:8]}"
        thread_id = str(
            uuid.uuid4()
        )
        """
    _, (first, second) = lint(tmp_path, source)
    assert (first.line, first.column, first.end_line, first.end_column) == (2, 24, 2, 36)
    assert (second.line, second.column, second.end_line, second.end_column) == (4, 5, 4, 17)
    assert first.message == (
        "manual ID for `execution_id`; use `UnifiedIDManager.generate_id(IDType.EXECUTION)`"
    )


def test_bare_factory_reported_at_the_reference(tmp_path: Path) -> None:
    source = """
        import uuid
        from dataclasses import dataclass, field

        @dataclass
        class Run:
            run_id: uuid.UUID = field(default_factory=uuid.uuid4)
        """
    _, (diagnostic,) = lint(tmp_path, source)
    assert (diagnostic.line, diagnostic.column, diagnostic.end_column) == (6, 47, 57)
    assert diagnostic.snippet == "uuid.uuid4"


def test_messages(tmp_path: Path) -> None:
    source = """
        import uuid
        def generate_trace_id() -> str:
            return uuid.uuid4().hex
        headers = {"X-Request-ID": str(uuid.uuid4())}
        correlation_id = str(uuid.uuid4())
        """
    _, diagnostics = lint(tmp_path, source)
    assert [d.message for d in diagnostics] == [
        "manual ID returned by `generate_trace_id()`; "
        "use `UnifiedIDManager.generate_id(IDType.TRACE)`",
        "manual ID for `X-Request-ID`; use `UnifiedIDManager.generate_id(IDType.REQUEST)`",
        # CORRELATION is not a configured kind.
        "manual ID for `correlation_id`; use `UnifiedIDManager.generate_id(IDType.<KIND>)`",
    ]


# ---------------------------------------------------------------------------
# Fixes.

HEADER = f'''"""Execution engine."""

import uuid

from {MANAGER} import IDType, UnifiedIDManager

'''
NEW_IMPORT = f"from {MANAGER} import UnifiedIDManager, IDType\n"


def single_fix(tmp_path: Path, source: str, config: str = FIX_IMPORTS) -> tuple[Path, Diagnostic]:
    root, diagnostics = lint(tmp_path, source, config)
    assert len(diagnostics) == 1, [(d.line, d.message) for d in diagnostics]
    return root, diagnostics[0]


FIX_CASES = [
    # (value as written, replacement, applicability)
    ("str(uuid.uuid4())", "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ("uuid.uuid4().hex", "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ("uuid.uuid4()", "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ("str(uuid.uuid4().hex)", "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ('f"run_{uuid.uuid4().hex}"', "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ('f"{uuid.uuid4()!s}"', "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ('"run_" f"{uuid.uuid4()}"', "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ('f"run_{uuid.uuid4().hex[:8]}"', "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ("uuid.uuid4().hex[:8]", "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ('f"{user}_{uuid.uuid4().hex}"', "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ('f"{uuid.uuid4():.8}"', "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ('f"{uuid.uuid4()!r}"', "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ('"run_" + uuid.uuid4().hex', "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ('"run_%s" % uuid.uuid4()', "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ("user or str(uuid.uuid4())", "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ("UserID(str(uuid.uuid4()))", "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ("str(uuid.uuid4()).upper()", "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ("uuid.uuid4().int", "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ("[str(uuid.uuid4())]", "UnifiedIDManager.generate_id(IDType.RUN)", "unsafe"),
    ("lambda: str(uuid.uuid4())", "lambda: UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
    ("uuid.uuid4", "lambda: UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
]


@pytest.mark.parametrize(("value", "replacement", "applicability"), FIX_CASES)
def test_fix_replaces_the_whole_value(
    tmp_path: Path, value: str, replacement: str, applicability: str
) -> None:
    source = HEADER + (
        "\n\ndef start(user: str, UserID=str) -> str:\n"
        "    # The run this engine executes.\n"
        f"    run_id = {value}  # primary\n"
        "    return run_id\n"
    )
    root, diagnostic = single_fix(tmp_path, source)
    assert diagnostic.fix is not None
    assert diagnostic.fix.applicability == Applicability(applicability)
    text = fixed(root, diagnostic)
    assert text == source.replace(f"run_id = {value}", f"run_id = {replacement}")
    ast.parse(text)
    assert "# The run this engine executes." in text and "# primary" in text
    assert recheck(root, text) == []


def test_fix_adds_the_imports(tmp_path: Path) -> None:
    source = '''"""Execution engine."""

from __future__ import annotations

import uuid  # stdlib


def start(tracker) -> None:
    tracker.start(
        "triage",
        execution_id=f"exec_{uuid.uuid4().hex}",  # keep this comment
    )
'''
    root, diagnostic = single_fix(tmp_path, source)
    assert diagnostic.fix is not None
    assert diagnostic.fix.applicability is Applicability.SAFE
    assert diagnostic.fix.message == "Replace with `UnifiedIDManager.generate_id(IDType.EXECUTION)`"
    text = fixed(root, diagnostic)
    assert text == source.replace(
        "import uuid  # stdlib\n", "import uuid  # stdlib\n" + NEW_IMPORT
    ).replace('f"exec_{uuid.uuid4().hex}"', "UnifiedIDManager.generate_id(IDType.EXECUTION)")
    ast.parse(text)
    assert recheck(root, text) == []


def test_fix_reuses_existing_bindings(tmp_path: Path) -> None:
    aliased = f"""
        import uuid
        from {MANAGER} import IDType as Kind, UnifiedIDManager as IDs

        thread_id = str(uuid.uuid4())
        """
    root, diagnostic = single_fix(tmp_path / "a", aliased)
    assert fixed(root, diagnostic) == _clean(aliased).replace(
        "str(uuid.uuid4())", "IDs.generate_id(Kind.THREAD)"
    )
    module_alias = """
        import uuid
        from netra_backend.app.core import unified_id_manager as ids

        thread_id = str(uuid.uuid4())
        """
    root, diagnostic = single_fix(tmp_path / "b", module_alias)
    text = fixed(root, diagnostic)
    assert text == _clean(module_alias).replace(
        "str(uuid.uuid4())", "ids.UnifiedIDManager.generate_id(ids.IDType.THREAD)"
    )
    assert recheck(root, text) == []


def test_no_fix_imports_needs_names_already_imported(tmp_path: Path) -> None:
    missing = """
        import uuid
        thread_id = str(uuid.uuid4())
        """
    _, diagnostic = single_fix(tmp_path / "a", missing, config="")
    assert diagnostic.fix is None
    present = f"""
        import uuid
        from {MANAGER} import IDType, UnifiedIDManager
        thread_id = str(uuid.uuid4())
        """
    root, diagnostic = single_fix(tmp_path / "b", present, config="")
    assert fixed(root, diagnostic) == _clean(present).replace(
        "str(uuid.uuid4())", "UnifiedIDManager.generate_id(IDType.THREAD)"
    )


def test_no_fix_when_names_are_only_bound_for_type_checking(tmp_path: Path) -> None:
    source = f"""
        import uuid
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from {MANAGER} import IDType, UnifiedIDManager
        thread_id = str(uuid.uuid4())
        """
    _, diagnostic = single_fix(tmp_path, source)
    assert diagnostic.fix is None


def test_no_fix_when_a_needed_name_means_something_else(tmp_path: Path) -> None:
    source = """
        import uuid
        from enum import Enum

        class IDType(Enum):
            THREAD = "t"

        thread_id = str(uuid.uuid4())
        """
    _, diagnostic = single_fix(tmp_path, source)
    assert diagnostic.fix is None


def test_no_fix_for_an_unknown_kind(tmp_path: Path) -> None:
    source = """
        import uuid
        correlation_id = str(uuid.uuid4())
        """
    _, diagnostic = single_fix(tmp_path / "a", source)
    assert diagnostic.fix is None
    config = FIX_IMPORTS + 'ids.kinds = ["Correlation"]\n'
    root, diagnostic = single_fix(tmp_path / "b", source, config)
    assert "generate_id(IDType.Correlation)" in fixed(root, diagnostic)


def test_custom_fix_template_without_kind(tmp_path: Path) -> None:
    source = """
        import uuid
        handoff_id = str(uuid.uuid4())
        """
    config = 'ids.fix = "new_platform_id()"\nids.fix-imports = ["shared.ids.new_platform_id"]\n'
    root, diagnostic = single_fix(tmp_path, source, config)
    assert diagnostic.message == "manual ID for `handoff_id`; use `new_platform_id()`"
    assert fixed(root, diagnostic) == (
        "import uuid\nfrom shared.ids import new_platform_id\nhandoff_id = new_platform_id()\n"
    )


def test_fix_of_each_sink_kind(tmp_path: Path) -> None:
    source = f"""
        import time
        import uuid
        from dataclasses import dataclass, field

        from {MANAGER} import IDType, UnifiedIDManager


        @dataclass
        class Session:
            session_id: str = field(default_factory=lambda: str(uuid.uuid4()))  # sess
            trace_id: uuid.UUID = field(default_factory=uuid.uuid4)


        def generate_run_id() -> str:
            return str(uuid.uuid4())


        def start(tracker, headers: dict, frame: dict, user_id: str = str(uuid.uuid4())):
            request_id = headers.get("X-Request-ID", uuid.uuid4().hex)
            thread_id, started = str(uuid.uuid4()), time.time()
            tracker.start(execution_id=str(uuid.uuid4()), frame={{"message_id": str(uuid.uuid4())}})
            frame["agent_id"] += str(uuid.uuid4())
        """
    root, diagnostics = lint(tmp_path, source, FIX_IMPORTS)
    results = []
    for diagnostic in diagnostics:
        assert diagnostic.fix is not None, diagnostic.message
        edit = next(e for e in diagnostic.fix.edits if "import" not in e.content)
        results.append((diagnostic.line, edit.content, diagnostic.fix.applicability.value))
        ast.parse(fixed(root, diagnostic))
    assert results == [
        (10, "lambda: UnifiedIDManager.generate_id(IDType.SESSION)", "safe"),
        (11, "lambda: UnifiedIDManager.generate_id(IDType.TRACE)", "safe"),
        (15, "UnifiedIDManager.generate_id(IDType.RUN)", "safe"),
        (18, "UnifiedIDManager.generate_id(IDType.USER)", "safe"),
        (19, "UnifiedIDManager.generate_id(IDType.REQUEST)", "safe"),
        (20, "UnifiedIDManager.generate_id(IDType.THREAD)", "safe"),
        (21, "UnifiedIDManager.generate_id(IDType.EXECUTION)", "safe"),
        (21, "UnifiedIDManager.generate_id(IDType.MESSAGE)", "safe"),
        # `+=` keeps the old value in front of the new ID.
        (22, "UnifiedIDManager.generate_id(IDType.AGENT)", "unsafe"),
    ]
    # Every fix together, in passes as `ssot-lint fix` does, leaves no SSOT002.
    text = (root / MODULE).read_text(encoding="utf-8")
    for _ in range(5):
        remaining = recheck(root, text)
        if not remaining:
            break
        text = apply_fixes(text, [d.fix for d in remaining if d.fix]).text
    assert recheck(root, text) == []
    assert "# sess" in text and "import uuid" in text
    assert "thread_id, started = UnifiedIDManager.generate_id(IDType.THREAD), time.time()" in text


def test_fix_keeps_the_value_parenthesised_and_multiline_layout(tmp_path: Path) -> None:
    source = """
        import uuid

        ctx = {
            # routing
            "thread_id": (
                str(uuid.uuid4())
            ),
            "agent": "triage",  # who
        }
        """
    root, diagnostic = single_fix(tmp_path, source, FIX_IMPORTS)
    text = fixed(root, diagnostic)
    ast.parse(text)
    assert text.endswith(
        "ctx = {\n"
        "    # routing\n"
        '    "thread_id": (\n'
        "        UnifiedIDManager.generate_id(IDType.THREAD)\n"
        "    ),\n"
        '    "agent": "triage",  # who\n'
        "}\n"
    )
