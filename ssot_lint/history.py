"""Project snapshots from git history, read from the object database.

Nothing is checked out: commits, trees and blobs are read through ONE
long-lived ``git cat-file --batch`` process, so the user's working tree, index
and HEAD are never touched (``GIT_OPTIONAL_LOCKS=0`` keeps even git's
opportunistic index refresh away). Trees are cached by object id, so a
directory unchanged between commits is listed once; file facts are cached by
blob id (and by content digest in the on-disk cache shared with ``check``),
so a blob present in twenty commits is parsed once. The cost grows with the
number of distinct blobs, not with commits x files.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import pathspec

from ssot_lint.analysis import FactsResult, parse_error
from ssot_lint.config import Settings
from ssot_lint.facts import FileFacts, extract_facts
from ssot_lint.project import Project, ProjectFile, make_test_matcher
from ssot_lint.source import ProjectLayout, SourceError, content_digest, decode_source

PYTHON_SUFFIXES = (".py", ".pyi")
_REGULAR_FILE_MODES = (b"100644", b"100755")
_TREE_MODE = b"40000"


class HistoryError(Exception):
    """Git is missing, the project is not in a repository, or a revision is unknown."""


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    date: str  # committer date, strict ISO 8601
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:9]


@dataclass
class HistoryStats:
    commits: int = 0
    file_versions: int = 0  # python files summed over every commit analysed
    unique_blobs: int = 0  # distinct blob ids among them
    parsed: int = 0  # facts actually computed (the rest came from a cache)
    skipped: int = 0  # commits from before the project's directory existed
    _blobs: set[str] = field(default_factory=set, repr=False)

    def describe(self) -> str:
        skipped = (
            f" ({self.skipped} earlier commits skipped: no project directory yet)"
            if self.skipped
            else ""
        )
        return (
            f"{self.commits} commit{'' if self.commits == 1 else 's'}{skipped}, "
            f"{self.file_versions} file versions in total, "
            f"{self.unique_blobs} unique blobs ({self.parsed} parsed: one per blob and "
            "module name; the rest from the cache)"
        )


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # never refresh (write) the index behind the user's back
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def _git(cwd: Path, *args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=_git_env(),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise HistoryError("git is not installed (needed for --git)") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return completed.stdout.decode("utf-8", "replace")


def head_commit(root: Path) -> str | None:
    """The commit checked out at ``root``, or None outside a repository."""
    try:
        return _git(root, "rev-parse", "--verify", "-q", "HEAD").strip() or None
    except HistoryError:
        return None


class ObjectReader:
    """One ``git cat-file --batch`` process answering object reads in turn."""

    def __init__(self, repo: Path) -> None:
        try:
            self._process = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=repo,
                env=_git_env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise HistoryError("git is not installed (needed for --git)") from None
        self.reads = 0

    def read(self, oid: str) -> tuple[str, bytes]:
        """(object type, content) of one object."""
        stdin: IO[bytes] = self._process.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = self._process.stdout  # type: ignore[assignment]
        stdin.write(oid.encode("ascii") + b"\n")
        stdin.flush()
        header = stdout.readline()
        if not header:
            raise HistoryError("git cat-file stopped unexpectedly")
        parts = header.split()
        if len(parts) < 3 or parts[1] == b"missing":
            raise HistoryError(f"git object {oid} is missing")
        kind, size = parts[1].decode(), int(parts[2])
        data = stdout.read(size)
        stdout.read(1)  # the newline after the content
        self.reads += 1
        return kind, data

    def close(self) -> None:
        if self._process.poll() is None:
            if self._process.stdin:
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GitHistory:
    """Read project snapshots of the repository that contains ``root``."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root.resolve()
        self.settings = settings
        toplevel = _git(self.root, "rev-parse", "--show-toplevel").strip()
        if not toplevel:
            raise HistoryError(f"{root} is not inside a git repository")
        self.toplevel = Path(toplevel).resolve()
        # The project may be a subdirectory of the repository (its config's dir).
        prefix = self.root.relative_to(self.toplevel).as_posix()
        self.prefix = "" if prefix == "." else prefix
        self._reader = ObjectReader(self.toplevel)
        self._trees: dict[str, list[tuple[bytes, str, str]]] = {}
        self._files: dict[str, tuple[tuple[str, str], ...]] = {}
        self._facts: dict[tuple[str, str, bool], FileFacts] = {}
        patterns = [*settings.exclude, *settings.extend_exclude]
        self._exclude = pathspec.GitIgnoreSpec.from_lines(patterns)
        self._is_test = make_test_matcher(settings)
        self.stats = HistoryStats()

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> GitHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commits -------------------------------------------------------------

    def commits(self, rev_range: str | None, every: int | None = None) -> list[Commit]:
        """Commits of ``rev_range`` (default ``HEAD``), oldest first, along first parents.

        First parents give one line of history (the main branch as it was),
        which is what a burndown plots; ``every`` keeps every N-th commit and
        always the newest.
        """
        spec = rev_range or "HEAD"
        if spec.startswith("-"):
            raise HistoryError(f"not a revision range: {spec}")
        output = _git(
            self.toplevel,
            "rev-list",
            "--first-parent",
            "--reverse",
            "--format=%x01%H%x00%T%x00%cI%x00%s",
            spec,
            "--",
        )
        commits = []
        for line in output.splitlines():
            if not line.startswith("\x01"):
                continue  # rev-list's own "commit <sha>" lines
            sha, tree, date, subject = [*line[1:].split("\x00"), "", "", ""][:4]
            commits.append(Commit(sha, tree, date, subject))
        if every and every > 1 and commits:
            newest = len(commits) - 1
            keep = [i for i in range(newest, -1, -every)]
            commits = [commits[i] for i in sorted(keep)]
        return commits

    # -- trees ---------------------------------------------------------------

    def _entries(self, tree: str) -> list[tuple[bytes, str, str]]:
        """(mode, name, object id) of one tree object, cached by id."""
        cached = self._trees.get(tree)
        if cached is not None:
            return cached
        kind, data = self._reader.read(tree)
        if kind != "tree":
            raise HistoryError(f"{tree} is a {kind}, not a tree")
        width = 20 if len(tree) == 40 else 32  # SHA-1 or SHA-256 repositories
        entries = []
        position = 0
        while position < len(data):
            space = data.index(b" ", position)
            nul = data.index(b"\x00", space)
            mode = data[position:space]
            name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
            oid = data[nul + 1 : nul + 1 + width].hex()
            entries.append((mode, name, oid))
            position = nul + 1 + width
        self._trees[tree] = entries
        return entries

    def _subtree(self, tree: str, path: str) -> str | None:
        for part in [p for p in path.split("/") if p]:
            match = next(
                (
                    oid
                    for mode, name, oid in self._entries(tree)
                    if name == part and mode == _TREE_MODE
                ),
                None,
            )
            if match is None:
                return None
            tree = match
        return tree

    def _python_files(self, tree: str, base: str = "") -> tuple[tuple[str, str], ...]:
        """(project-relative path, blob id) of every Python file under ``tree``."""
        key = f"{tree}:{base}"
        cached = self._files.get(key)
        if cached is not None:
            return cached
        found: list[tuple[str, str]] = []
        for mode, name, oid in self._entries(tree):
            rel = f"{base}{name}"
            if mode == _TREE_MODE:
                if not self._exclude.match_file(rel + "/"):
                    found.extend(self._python_files(oid, rel + "/"))
            elif (
                mode in _REGULAR_FILE_MODES
                and name.endswith(PYTHON_SUFFIXES)
                and not self._exclude.match_file(rel)
            ):
                found.append((rel, oid))
        result = tuple(found)
        self._files[key] = result
        return result

    # -- snapshots -----------------------------------------------------------

    def project_at(self, commit: Commit, cache: Any | None = None) -> Project | None:
        """The project as it was at ``commit``, from cached or freshly parsed facts;
        None when the project's directory did not exist yet in that commit."""
        tree = self._subtree(commit.tree, self.prefix) if self.prefix else commit.tree
        if tree is None:
            self.stats.skipped += 1
            return None
        files = self._python_files(tree)
        paths = [self.root / rel for rel, _ in files]
        layout = ProjectLayout.from_settings(self.root, self.settings.src, paths)
        project = Project(layout, self.settings)
        self.stats.commits += 1
        for (rel, blob), path in zip(files, paths, strict=True):
            module = layout.module_name(path)
            is_package = PurePosixPath(rel).name in ("__init__.py", "__init__.pyi")
            facts = self._facts_for(rel, blob, module, is_package, cache)
            project.add(ProjectFile(path, rel, facts, self._is_test(rel), True))
            self.stats.file_versions += 1
            if blob not in self.stats._blobs:
                self.stats._blobs.add(blob)
                self.stats.unique_blobs += 1
        return project

    def _facts_for(
        self, rel: str, blob: str, module: str, is_package: bool, cache: Any | None
    ) -> FileFacts:
        key = (blob, module, is_package)
        facts = self._facts.get(key)
        if facts is not None:
            return facts
        _, data = self._reader.read(blob)
        digest = content_digest(data)
        disk_key = (digest, module, is_package)
        cached = cache.get_facts(disk_key) if cache is not None else None
        if cached is not None:
            facts = cached.facts
        else:
            try:
                text, _ = decode_source(data)
            except SourceError as exc:
                # Undecodable: no facts (as for the working tree), and nothing
                # cached under a digest, exactly like `check` does.
                facts = FileFacts(module=module, is_package=is_package)
                facts.syntax_error = (str(exc), exc.line, exc.column)
            else:
                facts, _tree = extract_facts(text, module, is_package)
                if cache is not None:
                    cache.put_facts(disk_key, _facts_result(rel, digest, facts, text))
            self.stats.parsed += 1
        self._facts[key] = facts
        return facts

    def snapshots(
        self,
        commits: list[Commit],
        cache: Any | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[tuple[Commit, Project]]:
        for index, commit in enumerate(commits, 1):
            project = self.project_at(commit, cache)
            if project is not None:
                yield commit, project
            if progress:
                progress(index, len(commits))


def _facts_result(rel: str, digest: str, facts: FileFacts, text: str) -> FactsResult:
    """The cache entry `check` would have stored for the same content."""
    error = None
    if facts.syntax_error is not None:
        message, line, column = facts.syntax_error
        error = parse_error(rel, message, line, column)
    return FactsResult(rel, digest, facts, error, text.count("\n") + 1)
