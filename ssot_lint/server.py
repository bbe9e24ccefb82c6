"""``ssot-lint server``: a language server (LSP over stdio, built on pygls).

What the editor gets:

* diagnostics for every open Python file on open, on each change and on
  save — rule code, message, and a link to the rule's documentation — the
  same ones ``ssot-lint check`` reports for the text in the editor, unsaved
  changes included;
* cross-file rules answered from a warm project index (``Workspace``):
  editing one module updates its entry, and the open files whose SSOT001 /
  SSOT005 diagnostics changed are published again, so breaking an import in
  another open file shows there at once;
* code actions: each fix as a quick fix (unsafe ones say so), "ignore this
  line" (writes or extends a ``# ssot: ignore[CODE]`` comment) and
  ``source.fixAll.ssot-lint`` (every safe fix of the file).

Changes are coalesced: the analysis of a file runs once for the latest text
when several edits arrive while it is busy. Everything runs on the event
loop's thread except the initial load of the index, so results are always
computed and published in the order of the edits.

Initialization options (all optional): ``configuration`` (a pyproject.toml,
like ``--config``), ``docsUrl`` (a template with ``{code}`` for the rule links;
by default the rule pages are written next to the cache and linked as
files), ``unsafeFixes`` (offer unsafe fixes as quick fixes; default true —
the editor shows the change before it is made).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ssot_lint import __version__
from ssot_lint.config import ConfigError
from ssot_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from ssot_lint.source import split_lines
from ssot_lint.workspace import Workspace, suppression_edit

logger = logging.getLogger("ssot_lint.server")

SOURCE = "ssot-lint"
FIX_ALL = "source.fixAll.ssot-lint"
_META = frozenset({"SSOT000", "SSOT100", "SSOT101"})  # no "ignore this line" for these
_CONFIG_NAMES = ("pyproject.toml",)


def path_of(uri: str) -> Path | None:
    """The local path of a ``file:`` URI (None for other schemes: untitled buffers)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if sys.platform == "win32" and path.startswith("/") and path[2:3] == ":":
        path = path[1:]
    return Path(path)


class SsotLanguageServer(LanguageServer):
    def __init__(self, *, config_file: Path | None = None, use_cache: bool = True) -> None:
        super().__init__(
            SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.config_file = config_file
        self.use_cache = use_cache
        self.options: dict[str, Any] = {}
        self.project: Workspace | None = None
        self.root: Path | None = None
        self.ready = asyncio.Event()
        self._queue: dict[str, None] = {}  # URIs whose latest text is not analysed yet
        self._worker: asyncio.Task[None] | None = None
        self._uris: dict[str, str] = {}  # rel path -> the client's URI for it
        self._published: dict[str, tuple[int | None, list[Diagnostic]]] = {}
        self._docs_dir: Path | None = None

    # -- loading -----------------------------------------------------------------

    def choose_root(self, params: types.InitializeParams) -> Path:
        for folder in params.workspace_folders or []:
            found = path_of(folder.uri)
            if found is not None:
                return found
        if params.root_uri:
            found = path_of(params.root_uri)
            if found is not None:
                return found
        if params.root_path:
            return Path(params.root_path)
        return Path.cwd()

    async def load(self) -> None:
        """Build the index (in a thread: the event loop keeps reading messages)."""
        assert self.root is not None
        configured = self.options.get("configuration")
        config_file = Path(configured) if configured else self.config_file
        project = Workspace(self.root, config_file, use_cache=self.use_cache)
        gc.unfreeze()  # a reload: the old index must be collectable again
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, project.load)
        except ConfigError as exc:
            self.project = None
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, f"ssot-lint: {exc}")
            )
        else:
            self.project = project
            self._docs_dir = None
            # The index is hundreds of thousands of long-lived objects; without
            # this every full collection walks them all (~200 ms on a 5,000-file
            # project), a pause that lands on a random keystroke. Frozen, they
            # are never scanned; what later edits allocate is collected as usual.
            gc.collect()
            gc.freeze()
            count = len(project.project.files)
            self.window_log_message(
                types.LogMessageParams(
                    types.MessageType.Info, f"ssot-lint: indexed {count} files under {project.root}"
                )
            )
        finally:
            self.ready.set()

    async def reload(self) -> None:
        """The configuration changed: rebuild the index, re-open the documents."""
        self.ready.clear()
        await self.load()
        # Every open document, not just those analysed before: after a bad
        # configuration none was, and they must show up once it is fixed.
        self._uris.clear()
        for uri in sorted(self._open_uris()):
            self.enqueue(uri)

    # -- analysis ------------------------------------------------------------------

    def enqueue(self, uri: str) -> None:
        self._queue[uri] = None
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._drain())

    async def settled(self) -> None:
        """Wait until every queued change is analysed."""
        await self.ready.wait()
        while self._worker is not None and not self._worker.done():
            await asyncio.shield(self._worker)

    async def _drain(self) -> None:
        await self.ready.wait()
        while self._queue:
            # Let notifications that already arrived in: several edits of one
            # file are then analysed once, for the latest text.
            await asyncio.sleep(0)
            uri = next(iter(self._queue))
            del self._queue[uri]
            try:
                self._analyse(uri)
            except Exception:  # a bug must not take the server down
                logger.exception("analysing %s failed", uri)
                self.window_log_message(
                    types.LogMessageParams(
                        types.MessageType.Error, f"ssot-lint: analysing {uri} failed; see stderr"
                    )
                )

    def _analyse(self, uri: str) -> None:
        project = self.project
        path = path_of(uri)
        if project is None or path is None:
            return
        try:
            document = self.workspace.get_text_document(uri)
        except Exception:
            return
        if uri not in self._open_uris():
            return  # closed before its turn came
        rel = project.rel_path(path)
        if not self._in_project(path):
            return
        self._uris[rel] = uri
        changed = project.update(path, document.source, document.version)
        self.publish(changed)

    def _open_uris(self) -> set[str]:
        return set(self.workspace.text_documents)

    def _in_project(self, path: Path) -> bool:
        """A Python file under the root that the configuration does not exclude:
        the files ``ssot-lint check`` on the project reports on (a library
        opened from site-packages or a generated file under ``exclude`` is not
        linted)."""
        project = self.project
        return project is not None and project.contains(path)

    def publish(self, rel_paths: set[str]) -> None:
        project = self.project
        if project is None:
            return
        for rel in sorted(rel_paths):
            uri = self._uris.get(rel)
            if uri is None:
                continue
            found = project.diagnostics(rel)
            version = project.document_version(rel)
            self._published[uri] = (version, found)
            text = project.document_text(rel) or ""
            lines = split_lines(text)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri,
                    version=version,
                    diagnostics=[self.to_lsp(d, lines, index) for index, d in enumerate(found)],
                )
            )

    def clear(self, uri: str) -> None:
        self._published.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    # -- conversions -----------------------------------------------------------------

    def position(self, lines: Sequence[str], line: int, column: int) -> types.Position:
        """1-based line and character column -> the client's position units."""
        if line - 1 >= len(lines):
            last = len(lines) - 1
            return types.Position(max(last, 0), self._units(lines[last]) if lines else 0)
        text = lines[line - 1]
        return types.Position(line - 1, self._units(text[: max(column - 1, 0)]))

    def _units(self, text: str) -> int:
        return self.workspace.position_codec.client_num_units(text)

    def to_range(self, lines: Sequence[str], d: Diagnostic | Edit) -> types.Range:
        return types.Range(
            self.position(lines, d.line, d.column), self.position(lines, d.end_line, d.end_column)
        )

    def to_lsp(self, d: Diagnostic, lines: Sequence[str], index: int) -> types.Diagnostic:
        return types.Diagnostic(
            range=self.to_range(lines, d),
            message=d.message,
            severity=types.DiagnosticSeverity.Error
            if d.code == "SSOT000"
            else types.DiagnosticSeverity.Warning,
            code=d.code,
            code_description=types.CodeDescription(href=self.docs_link(d.code)),
            source=SOURCE,
            tags=[types.DiagnosticTag.Unnecessary] if d.code == "SSOT100" else None,
            data={"index": index, "fixable": d.fix is not None},
        )

    def docs_link(self, code: str) -> str:
        template = self.options.get("docsUrl")
        if template:
            return str(template).replace("{code}", code)
        return self._docs_file(code).as_uri()

    def _docs_file(self, code: str) -> Path:
        """The rule's page (``ssot-lint rule CODE``), written next to the cache."""
        if self._docs_dir is None:
            self._docs_dir = self._write_docs()
        return self._docs_dir / f"{code}.md"

    def _write_docs(self) -> Path:
        import tempfile

        from ssot_lint.cache import default_cache_dir
        from ssot_lint.ruledocs import render_rule_markdown
        from ssot_lint.rules import all_rules

        base = default_cache_dir(self.project.root) if self.project else None
        directory = (base / "docs") if base is not None and self.use_cache else None
        for candidate in (directory, Path(tempfile.gettempdir()) / "ssot-lint-docs" / __version__):
            if candidate is None:
                continue
            try:
                candidate.mkdir(parents=True, exist_ok=True)
                for code, rule in all_rules().items():
                    page = candidate / f"{code}.md"
                    text = render_rule_markdown(rule)
                    if not page.is_file() or page.read_text(encoding="utf-8") != text:
                        page.write_text(text, encoding="utf-8")
                return candidate
            except OSError:
                continue
        return Path(tempfile.gettempdir())

    def text_edit(self, lines: Sequence[str], edit: Edit, text: str) -> types.TextEdit:
        if edit.line > len(lines):
            # Past the last line: the file has no final newline; write one first.
            end = self.position(lines, len(lines), len(lines[-1]) + 1 if lines else 1)
            newline = "" if text.endswith(("\n", "\r")) else "\n"
            return types.TextEdit(types.Range(end, end), newline + edit.content)
        return types.TextEdit(self.to_range(lines, edit), edit.content)

    # -- code actions ------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        project = self.project
        path = path_of(params.text_document.uri)
        if project is None or path is None:
            return []
        rel = project.rel_path(path)
        text = project.document_text(rel)
        if text is None:
            return []
        uri = params.text_document.uri
        found = project.diagnostics(rel)
        lines = split_lines(text)
        only = params.context.only
        actions: list[types.CodeAction] = []
        for client, diag in self._matching(uri, params.context.diagnostics, found, lines):
            if diag.fix is not None and self._offers(diag.fix) and _wanted(only, "quickfix"):
                action = self._fix_action(uri, client, diag, diag.fix, lines, text)
                if action is not None:
                    actions.append(action)
            if diag.code not in _META and _wanted(only, "quickfix"):
                facts = project.document_facts(rel)
                edit = suppression_edit(text, facts.suppressions if facts else [], diag)
                if edit is not None:
                    actions.append(
                        types.CodeAction(
                            title=f"Ignore {diag.code} on this line",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[client],
                            edit=self._workspace_edit(uri, [self.text_edit(lines, edit, text)]),
                        )
                    )
        safe = [d.fix for d in found if d.fix and d.fix.applicability is Applicability.SAFE]
        if safe and only and any(FIX_ALL.startswith(kind) for kind in only):
            fixed = _fix_all(text, safe)
            if fixed is not None and fixed != text:
                actions.append(
                    types.CodeAction(
                        title="ssot-lint: fix all safely fixable problems",
                        kind=FIX_ALL,
                        edit=self._workspace_edit(uri, [self.diff_edit(text, fixed)]),
                    )
                )
        return actions

    def _offers(self, fix: Fix) -> bool:
        return fix.applicability is Applicability.SAFE or bool(
            self.options.get("unsafeFixes", True)
        )

    def _matching(
        self,
        uri: str,
        client_diagnostics: Sequence[types.Diagnostic],
        found: list[Diagnostic],
        lines: Sequence[str],
    ) -> list[tuple[types.Diagnostic, Diagnostic]]:
        """Pair the client's diagnostics (from our last publication) with ours."""
        pairs = []
        for client in client_diagnostics:
            if client.source != SOURCE:
                continue
            match = None
            for candidate in found:
                if (
                    candidate.code == client.code
                    and candidate.message == client.message
                    and self.to_range(lines, candidate) == client.range
                ):
                    match = candidate
                    break
            if match is not None:
                pairs.append((client, match))
        return pairs

    def _fix_action(
        self,
        uri: str,
        client: types.Diagnostic,
        diag: Diagnostic,
        fix: Fix,
        lines: Sequence[str],
        text: str,
    ) -> types.CodeAction | None:
        unsafe = fix.applicability is Applicability.UNSAFE
        title = f"{fix.message} ({diag.code})" + (" — unsafe fix" if unsafe else "")
        # The fix goes through ``apply_fixes``, as ``ssot-lint fix`` applies it:
        # an import it adds is merged into an existing ``from m import (...)``
        # and the result is checked to parse. Its raw edits would give a text
        # ``fix`` never writes (a second ``from m import`` line).
        fixed = _fix_all(text, [fix])
        if fixed is None or fixed == text:
            return None
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[client],
            is_preferred=not unsafe,
            edit=self._workspace_edit(uri, [self.diff_edit(text, fixed)]),
        )

    def diff_edit(self, old: str, new: str) -> types.TextEdit:
        """One edit turning ``old`` into ``new``: the span between their common
        prefix and suffix (small, so the editor keeps cursors and folds)."""
        limit = min(len(old), len(new))
        start = 0
        while start < limit and old[start] == new[start]:
            start += 1
        end = 0
        while end < limit - start and old[-1 - end] == new[-1 - end]:
            end += 1
        # Never split a CRLF pair: LSP positions cannot point between \r and \n.
        if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
            start -= 1
        old_end = len(old) - end
        if 0 < old_end < len(old) and old[old_end - 1] == "\r" and old[old_end] == "\n":
            end -= 1
            old_end += 1
        return types.TextEdit(
            types.Range(self.offset_position(old, start), self.offset_position(old, old_end)),
            new[start : len(new) - end],
        )

    def offset_position(self, text: str, offset: int) -> types.Position:
        before = split_lines(text[:offset])
        return types.Position(len(before) - 1, self._units(before[-1]))

    def _workspace_edit(self, uri: str, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        return types.WorkspaceEdit(changes={uri: edits})


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    return not only or any(kind == o or kind.startswith(o + ".") for o in only)


def _fix_all(text: str, fixes: list[Fix]) -> str | None:
    from ssot_lint.fixes import apply_fixes

    try:
        return apply_fixes(text, fixes).text
    except Exception:  # a fix bug: offer nothing rather than a broken file
        logger.exception("fix-all failed")
        return None


# ---------------------------------------------------------------------------
# The features.


def create_server(*, config_file: Path | None = None, use_cache: bool = True) -> SsotLanguageServer:
    server = SsotLanguageServer(config_file=config_file, use_cache=use_cache)

    @server.feature(types.INITIALIZE)
    def initialize(ls: SsotLanguageServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        ls.options = dict(options) if isinstance(options, dict) else {}
        ls.root = ls.choose_root(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: SsotLanguageServer, params: types.InitializedParams) -> None:
        await ls.load()
        await _watch_files(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SsotLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.enqueue(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SsotLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.enqueue(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: SsotLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        await _files_changed(ls, [params.text_document.uri])
        ls.enqueue(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: SsotLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls._queue.pop(uri, None)
        await ls.settled()
        path = path_of(uri)
        project = ls.project
        ls.clear(uri)
        if project is None or path is None:
            return
        ls._uris.pop(project.rel_path(path), None)
        ls.publish(project.close(path))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(
        ls: SsotLanguageServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        await _files_changed(ls, [change.uri for change in params.changes])

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll],
            resolve_provider=False,
        ),
    )
    async def code_action(
        ls: SsotLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        await ls.settled()  # actions for the text the editor shows, not an older one
        return ls.code_actions(params)

    return server


async def _files_changed(ls: SsotLanguageServer, uris: list[str]) -> None:
    """Files saved or changed on disk: configuration, registry, or Python files."""
    await ls.ready.wait()
    project = ls.project
    reload = False
    registry = False
    touched: set[str] = set()
    for uri in uris:
        path = path_of(uri)
        if path is None:
            continue
        if path.name in _CONFIG_NAMES:
            reload = True
        elif path.suffix in (".md", ".toml") and "registry" in path.name.lower():
            registry = True
        elif project is not None and path.suffix in (".py", ".pyi") and ls._in_project(path):
            touched |= project.file_changed_on_disk(path)
    if reload:
        await ls.reload()
        return
    if project is not None and registry:
        touched |= project.registry_changed()
    ls.publish(touched)


async def _watch_files(ls: SsotLanguageServer) -> None:
    """Ask the client to report file changes on disk, if it can."""
    capabilities = ls.client_capabilities
    watched = capabilities.workspace and capabilities.workspace.did_change_watched_files
    if not watched or not watched.dynamic_registration:
        return
    watchers = [
        types.FileSystemWatcher(glob_pattern=pattern)
        for pattern in ("**/*.py", "**/*.pyi", "**/pyproject.toml", "**/*REGISTRY*")
    ]
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="ssot-lint-watched-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(
                            watchers=watchers
                        ),
                    )
                ]
            )
        )
    except Exception:  # the client refused: on-save updates still work
        logger.warning("file watching not available", exc_info=True)


def serve(*, config_file: Path | None = None, use_cache: bool = True) -> None:
    """Speak LSP on stdin/stdout until the client says exit."""
    stdin, stdout = _private_channel()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    create_server(config_file=config_file, use_cache=use_cache).start_io(stdin, stdout)


def _private_channel() -> tuple[BinaryIO, BinaryIO]:
    """The protocol's pipes, on file descriptors of their own.

    Descriptors 0 and 1 then point to /dev/null and stderr: a stray print (ours,
    a library's, a C extension's) cannot corrupt the protocol, and the worker
    processes forked for the first analysis — which close ``sys.stdin`` when
    they start — never touch the stream a pygls thread is blocked reading
    (its lock is held: closing it would deadlock the worker).
    """
    stdin = os.fdopen(os.dup(0), "rb")
    stdout = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stderr
    return stdin, stdout
