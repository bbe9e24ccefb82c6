"""``ssot-lint server`` end to end: a real LSP client (pytest-lsp) over stdio.

Each test starts ``python -m ssot_lint server`` on a fixture project in
``tmp_path``, speaks to it as an editor does and checks what it publishes
and which code actions it offers. Every wait has a timeout: a broken server
fails the test, it does not hang it.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol  # noqa: F401 - the client's protocol

from ssot_lint.engine import RunOptions, run_check
from tests.support import write_project

pytestmark = pytest.mark.asyncio

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIMEOUT = 30.0  # seconds for any one answer; the machine may be busy

PROJECT = {
    "pkg/__init__.py": "",
    "pkg/a.py": "class Thing:\n    pass\n",
    "pkg/b.py": "from pkg.a import Thing\n\n\ndef use():\n    return Thing()\n",
    "pkg/ids.py": (
        "import uuid\n\n\ndef new_run():\n"
        '    run_id = f"run_{uuid.uuid4().hex[:8]}"\n'
        "    return run_id\n"
    ),
}


# -- the client ----------------------------------------------------------------------


class Client(LanguageClient):
    """pytest-lsp's client, also keeping every publication with its version."""

    published: list[types.PublishDiagnosticsParams]


def _make_client() -> Client:
    client = Client(converter_factory=default_converter)
    client.published = []

    def publish(ls: Client, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append(params)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    register_lsp_features(client, features)
    return client


@contextlib.asynccontextmanager
async def session(root: Path, options: dict[str, Any] | None = None) -> AsyncIterator[Client]:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "ssot_lint", "server", "--no-cache"],
        client_factory=_make_client,
    )
    client = await config.start()
    assert isinstance(client, Client)
    try:
        await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(),
                    root_uri=root.as_uri(),
                    workspace_folders=[types.WorkspaceFolder(root.as_uri(), root.name)],
                    initialization_options=options,
                )
            ),
            TIMEOUT,
        )
        yield client
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        finally:
            await client.stop()
            server = client._server
            if server is not None and server.returncode is None:
                server.kill()


async def wait_for(predicate: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def diagnostics(
    client: Client, uri: str, version: int | None, after: int = 0
) -> list[types.Diagnostic]:
    """The first publication for ``uri`` (at ``version``, if given) after index ``after``."""

    def find() -> list[types.Diagnostic] | None:
        for params in client.published[after:]:
            if params.uri == uri and (version is None or params.version == version):
                return list(params.diagnostics) or [None]  # type: ignore[list-item]
        return None

    found = await wait_for(find, f"diagnostics of {uri} v{version}")
    return [d for d in found if d is not None]


def open_doc(client: Client, path: Path, version: int = 1) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text))
    )
    return uri, text


def change(client: Client, uri: str, version: int, text: str) -> int:
    """Replace the whole text (unsaved); returns the publication index to wait after."""
    mark = len(client.published)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )
    return mark


async def code_actions(
    client: Client, uri: str, diags: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    whole = types.Range(types.Position(0, 0), types.Position(10_000, 0))
    result = await asyncio.wait_for(
        client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri),
                diags[0].range if len(diags) == 1 else whole,
                types.CodeActionContext(diagnostics=diags, only=only),
            )
        ),
        TIMEOUT,
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def apply(text: str, action: types.CodeAction, uri: str) -> str:
    """Apply a code action's text edits as an editor does (positions in UTF-16 units)."""
    assert action.edit is not None and action.edit.changes is not None
    edits = action.edit.changes[uri]
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return starts[position.line] + index
            units += 2 if ord(char) > 0xFFFF else 1
        return starts[position.line] + len(line.rstrip("\r\n"))

    spans = sorted((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits)
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def _check_messages(root: Path, rel: str) -> list[tuple[str, int, str]]:
    result = run_check(RunOptions(paths=[root], use_cache=False, jobs=1))
    return [(d.code, d.line, d.message) for d in result.diagnostics if d.path == rel]


def _summary(diags: list[types.Diagnostic]) -> list[tuple[str, int, str]]:
    return [(str(d.code), d.range.start.line + 1, d.message) for d in diags]


# -- diagnostics -----------------------------------------------------------------------


async def test_diagnostics_on_open_change_and_save(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PROJECT)
    ids = root / "pkg" / "ids.py"
    async with session(root) as client:
        uri, text = open_doc(client, ids)
        found = await diagnostics(client, uri, 1)
        assert _summary(found) == _check_messages(root, "pkg/ids.py")
        (diag,) = found
        assert diag.code == "SSOT002" and diag.source == "ssot-lint"
        assert diag.severity == types.DiagnosticSeverity.Warning
        assert diag.range == types.Range(types.Position(4, 20), types.Position(4, 32))
        # The link opens the rule's page, the one `ssot-lint rule SSOT002` prints.
        assert diag.code_description is not None
        href = diag.code_description.href
        assert href.startswith("file://") and href.endswith("SSOT002.md")
        page = Path(href.removeprefix("file://"))
        assert "SSOT002" in page.read_text(encoding="utf-8")

        # An unsaved change: the buffer's text is analysed, not the file on disk.
        edited = text + '\n\ndef other():\n    request_id = f"req_{uuid.uuid4().hex}"\n'
        mark = change(client, uri, 2, edited)
        found = await diagnostics(client, uri, 2, mark)
        assert [(d.code, d.range.start.line) for d in found] == [("SSOT002", 4), ("SSOT002", 9)]

        # Saved: the file on disk now matches; diagnostics are published again.
        ids.write_text(edited, encoding="utf-8")
        mark = len(client.published)
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri))
        )
        found = await diagnostics(client, uri, 2, mark)
        assert _summary(found) == _check_messages(root, "pkg/ids.py")


async def test_docs_url_option_and_utf16_positions(tmp_path: Path) -> None:
    files = dict(PROJECT)
    # A non-BMP character before the violation: LSP columns count UTF-16 units.
    files["pkg/ids.py"] = (
        'import uuid\n\n\ndef new_run():\n    label = "🚀"; run_id = f"run_{uuid.uuid4().hex}"\n'
        "    return label, run_id\n"
    )
    root = write_project(tmp_path / "p", files)
    options = {"docsUrl": "https://docs.example.invalid/rules/{code}.html"}
    async with session(root, options) as client:
        uri, text = open_doc(client, root / "pkg" / "ids.py")
        (diag,) = await diagnostics(client, uri, 1)
        assert diag.code_description is not None
        assert diag.code_description.href == "https://docs.example.invalid/rules/SSOT002.html"
        line = text.splitlines()[4]
        column = line.index("uuid.uuid4()")
        assert diag.range.start.character == column + 1  # the rocket is two UTF-16 units


# -- code actions ----------------------------------------------------------------------


# The fix fixtures (tests/fixtures/fix_*) and the fixable rule each is about.
FIXED_BY = {
    "fix_ids": "SSOT002",
    "fix_states": "SSOT003",
    "fix_registry": "SSOT005",
    "fix_singletons": "SSOT006",
}


def _fixture_case(name: str) -> tuple[str, str]:
    unsafe = FIXTURES / name / "expected-unsafe"
    return name, "expected-unsafe" if unsafe.is_dir() else "expected"


@pytest.mark.parametrize(
    ("name", "expected_dir"),
    [_fixture_case(n) for n in FIXED_BY],
    ids=lambda v: str(v),
)
async def test_quick_fixes_give_what_ssot_lint_fix_gives(
    name: str, expected_dir: str, tmp_path: Path
) -> None:
    """Applying every quick fix, one at a time as a user would, ends at the text
    `ssot-lint fix` writes (--unsafe-fixes: the editor offers unsafe fixes too)."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name / "input", root)
    expected_root = FIXTURES / name / expected_dir
    targets = sorted(p for p in expected_root.rglob("*.py"))
    assert targets
    codes_fixed: set[str] = set()
    async with session(root) as client:
        for expected in targets:
            rel = expected.relative_to(expected_root)
            uri, text = open_doc(client, root / rel)
            version = 1
            found = await diagnostics(client, uri, version)
            for _ in range(50):
                fixable = [d for d in found if isinstance(d.data, dict) and d.data.get("fixable")]
                if not fixable:
                    break
                actions = await code_actions(client, uri, [fixable[0]], ["quickfix"])
                fixes = [a for a in actions if not a.title.startswith("Ignore ")]
                assert fixes, f"no quick fix offered for {fixable[0].code}"
                assert list(fixes[0].diagnostics or []) == [fixable[0]]
                codes_fixed.add(str(fixable[0].code))
                text = apply(text, fixes[0], uri)
                version += 1
                mark = change(client, uri, version, text)
                found = await diagnostics(client, uri, version, mark)
            assert text == expected.read_text(encoding="utf-8"), rel
    assert FIXED_BY[name] in codes_fixed


async def test_fix_all_gives_the_safe_fixes(tmp_path: Path) -> None:
    name = "fix_ids"
    root = tmp_path / name
    shutil.copytree(FIXTURES / name / "input", root)
    expected_root = FIXTURES / name / "expected"
    async with session(root) as client:
        for expected in sorted(expected_root.rglob("*.py")):
            rel = expected.relative_to(expected_root)
            uri, text = open_doc(client, root / rel)
            await diagnostics(client, uri, 1)
            actions = await code_actions(client, uri, [], [types.CodeActionKind.SourceFixAll])
            (fix_all,) = actions
            assert fix_all.kind == "source.fixAll.ssot-lint"
            assert apply(text, fix_all, uri) == expected.read_text(encoding="utf-8"), rel
        # Only quick fixes asked for: no fix-all.
        actions = await code_actions(client, uri, [], ["quickfix"])
        assert all(a.kind == types.CodeActionKind.QuickFix for a in actions)


async def test_ignore_this_line_writes_the_suppression(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PROJECT)
    async with session(root) as client:
        uri, text = open_doc(client, root / "pkg" / "ids.py")
        (diag,) = await diagnostics(client, uri, 1)
        actions = await code_actions(client, uri, [diag], ["quickfix"])
        (ignore,) = [a for a in actions if a.title == "Ignore SSOT002 on this line"]
        fixed = apply(text, ignore, uri)
        assert fixed.splitlines()[4] == (
            '    run_id = f"run_{uuid.uuid4().hex[:8]}"  # ssot: ignore[SSOT002]'
        )
        mark = change(client, uri, 2, fixed)
        assert await diagnostics(client, uri, 2, mark) == []


# -- the warm index across files -------------------------------------------------------------


async def test_breaking_an_import_shows_in_the_other_open_file(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PROJECT)
    async with session(root) as client:
        uri_b, _ = open_doc(client, root / "pkg" / "b.py")
        assert await diagnostics(client, uri_b, 1) == []
        uri_a, text_a = open_doc(client, root / "pkg" / "a.py")
        assert await diagnostics(client, uri_a, 1) == []

        # Rename the class in a.py (unsaved): b.py's import no longer resolves.
        mark = change(client, uri_a, 2, text_a.replace("class Thing", "class Other"))
        found = await diagnostics(client, uri_b, 1, mark)
        assert [(d.code, d.range.start.line) for d in found] == [("SSOT005", 0)]
        assert "Thing" in found[0].message

        # Mid-edit, a.py does not parse: it reports SSOT000, and b.py's import
        # does not flicker (the index keeps a.py's last facts that parsed).
        mark = change(client, uri_a, 3, "class Thing(:\n    pass\n")
        broken = await diagnostics(client, uri_a, 3, mark)
        assert [d.code for d in broken] == ["SSOT000"]
        assert broken[0].severity == types.DiagnosticSeverity.Error
        await code_actions(client, uri_a, [])  # answers once every change is analysed
        assert [p for p in client.published[mark:] if p.uri == uri_b] == []

        # Reverted: the diagnostic goes away.
        mark = change(client, uri_a, 4, text_a)
        assert await diagnostics(client, uri_b, 1, mark) == []
        assert await diagnostics(client, uri_a, 4, mark) == []


async def test_closing_a_file_clears_its_diagnostics(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PROJECT)
    async with session(root) as client:
        uri, _ = open_doc(client, root / "pkg" / "ids.py")
        assert len(await diagnostics(client, uri, 1)) == 1
        mark = len(client.published)
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
        )
        assert await diagnostics(client, uri, None, mark) == []


# -- failures ----------------------------------------------------------------------------


async def test_bad_configuration_is_shown_not_fatal(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PROJECT, config="select = 42")
    async with session(root) as client:
        message = await wait_for(
            lambda: next((m for m in client.messages if m.type == types.MessageType.Error), None),
            "window/showMessage",
        )
        assert message.message.startswith("ssot-lint:") and "select" in message.message
        # The server is still there and answers.
        uri, _ = open_doc(client, root / "pkg" / "ids.py")
        assert await code_actions(client, uri, []) == []
        assert client._server is not None and client._server.returncode is None
        # Fixed on disk: the configuration is reloaded and the open file analysed.
        config = root / "pyproject.toml"
        config.write_text("[tool.ssot-lint]\n", encoding="utf-8")
        mark = len(client.published)
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                [types.FileEvent(config.as_uri(), types.FileChangeType.Changed)]
            )
        )
        found = await diagnostics(client, uri, 1, mark)
        assert [d.code for d in found] == ["SSOT002"]


async def test_files_outside_the_project_or_excluded_are_not_linted(tmp_path: Path) -> None:
    files = dict(PROJECT)
    files["generated/ids.py"] = PROJECT["pkg/ids.py"]
    root = write_project(tmp_path / "p", files, config='extend-exclude = ["generated"]')
    outside = tmp_path / "elsewhere.py"
    outside.write_text(PROJECT["pkg/ids.py"], encoding="utf-8")
    async with session(root) as client:
        mark = len(client.published)
        excluded_uri, _ = open_doc(client, root / "generated" / "ids.py")
        outside_uri, _ = open_doc(client, outside)
        uri, _ = open_doc(client, root / "pkg" / "ids.py")
        assert len(await diagnostics(client, uri, 1, mark)) == 1
        await code_actions(client, uri, [])  # every open is analysed by now
        published = {p.uri for p in client.published[mark:]}
        assert excluded_uri not in published and outside_uri not in published


async def test_check_never_imports_pygls(tmp_path: Path) -> None:
    import subprocess

    root = write_project(tmp_path / "p", PROJECT)
    code = (
        "import sys\n"
        "from ssot_lint.cli import main\n"
        "try:\n"
        "    main(['check', '--no-cache', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


async def test_server_without_pygls_says_how_to_install_it() -> None:
    import subprocess

    code = (
        "import sys\n"
        "sys.modules['pygls'] = None  # as if it were not installed\n"
        "from ssot_lint.cli import main\n"
        "main(['server'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 2
    assert "pip install 'ssot-lint[lsp]'" in out.stderr
