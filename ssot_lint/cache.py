"""On-disk cache of per-file results, keyed by content.

Two content-addressed stores and one shortcut:

* facts: ``(content digest, module, is_package)`` -> ``FactsResult`` (without
  its path). Shared by ``check`` and the git-history analysis, where the same
  blob appears in many commits.
* rule results: ``(content digest, path, module, test?, enabled CST rules,
  settings fingerprint, project-knowledge fingerprint)`` -> diagnostics.
* whole runs: a digest of everything a run's outcome depends on (every
  file's content digest, module and role, the settings, the selection, the
  registry) -> the run's diagnostics (``run_memo.py``). A check of an
  unchanged project is then a stat of every file and one lookup.
* stat index: path -> ``(mtime_ns, size, inode, digest)``, so an unchanged file
  is neither read nor hashed on a warm run. Like git's index it distrusts a
  file modified within ``RACY_SECONDS`` of the moment the index was written.

Values are stored pickled (bytes inside the store) and unpickled when asked
for: loading the store then costs a few milliseconds however many files it
describes, and a run that reuses a whole previous run never unpickles the
facts of files it does not look at.

Everything lives in one pickle file per tool version and project root, loaded
once and replaced atomically (temp file + ``os.replace``): two concurrent runs
cannot corrupt it (the last writer wins; the loser's entries are recomputed
next time). The pickle is followed by a checksum of it, so damage that still
unpickles (a flipped bit in a message) is detected too. A file that fails to
load or to verify is discarded with one warning and rebuilt. Entries unused
for ``MAX_IDLE_RUNS`` runs are pruned, so the cache stays bounded by what the
project (and its history) actually contains.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssot_lint import __version__
from ssot_lint.hashing import blake2b

CACHE_DIR_NAME = ".ssot-lint-cache"
# 2: the pickle is followed by _TRAILER_MAGIC + its blake2b-128;
# 3: whole-run results, values stored pickled;
# 4: the trailer's checksum is a CRC-32
FORMAT = 4
RACY_SECONDS = 2.0
MAX_IDLE_RUNS = 20
MAX_ENTRIES = 500_000
MAX_RUNS = 16  # whole-run results and project knowledge kept

StatKey = tuple[int, int, int]  # mtime_ns, size, inode

_TRAILER_MAGIC = b"SSOTcrc1"
_TRAILER_SIZE = len(_TRAILER_MAGIC) + 4


def _checksum(payload: bytes) -> bytes:
    # The trailer catches a truncated or damaged file, not an adversary: a
    # CRC-32 does that at 4 GB/s, where blake2b cost a pre-commit run ~8 ms
    # (the store is read and written whole, ~5 MB for 1,800 files).
    return zlib.crc32(payload).to_bytes(4, "big")


def default_cache_dir(root: Path) -> Path:
    env = os.environ.get("SSOT_LINT_CACHE_DIR")
    return Path(env) if env else root / CACHE_DIR_NAME


@dataclass
class _Store:
    run: int = 0
    written_at: float = 0.0
    stats: dict[str, tuple[StatKey, str]] = field(default_factory=dict)
    facts: dict[tuple[Any, ...], tuple[int, bytes]] = field(
        default_factory=dict
    )  # key -> (run, value)
    rules: dict[tuple[Any, ...], tuple[int, bytes]] = field(default_factory=dict)
    runs: dict[tuple[Any, ...], tuple[int, bytes]] = field(default_factory=dict)


class Cache:
    """A loaded cache. ``Cache.disabled()`` answers every lookup with a miss."""

    def __init__(self, path: Path | None, warn: Any = None) -> None:
        self.path = path
        self._warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
        self._dirty = False
        self._store = _Store()
        if path is not None:
            self._load()
        self._store.run += 1
        self.hits = 0
        self.misses = 0

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @classmethod
    def for_project(cls, cache_dir: Path, root: Path) -> Cache:
        # One file per build of the tool and project root: upgrading (or, in a
        # development checkout, editing) the tool, or linting another project,
        # never reads entries it cannot trust.
        tag = blake2b(f"{root}\0{code_fingerprint()}".encode(), digest_size=8).hexdigest()
        return cls(cache_dir / f"v{__version__}-f{FORMAT}" / f"{tag}.pickle")

    @property
    def enabled(self) -> bool:
        return self.path is not None

    # -- loading and saving --------------------------------------------------

    def _load(self) -> None:
        assert self.path is not None
        try:
            data = self.path.read_bytes()
            payload, trailer = data[:-_TRAILER_SIZE], data[-_TRAILER_SIZE:]
            if trailer != _TRAILER_MAGIC + _checksum(payload):
                raise ValueError("checksum mismatch")
            store = pickle.loads(payload)
            if not isinstance(store, _Store):
                raise TypeError(f"unexpected content {type(store).__name__}")
            self._store = store
        except FileNotFoundError:
            return
        except Exception as exc:  # corrupt, truncated, or from an incompatible build
            self._warn(
                f"discarding unreadable cache {self.path} ({type(exc).__name__}); rebuilding"
            )
            self._dirty = True

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        self._prune()
        self._store.written_at = time.time()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _mark_cache_dir(self.path.parent.parent)
            fd, tmp = _temp_file(self.path.parent)
            try:
                payload = pickle.dumps(self._store, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                    handle.write(_TRAILER_MAGIC + _checksum(payload))
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:  # read-only or full disk: the run's results stand
            self._warn(f"cannot write cache {self.path}: {exc.strerror or exc}")

    def _prune(self) -> None:
        run = self._store.run
        for table in (self._store.facts, self._store.rules, self._store.runs):
            stale = [k for k, (used, _) in table.items() if run - used > MAX_IDLE_RUNS]
            for key in stale:
                del table[key]
            limit = MAX_RUNS if table is self._store.runs else MAX_ENTRIES
            if len(table) > limit:
                oldest = sorted(table, key=lambda k: table[k][0])[: len(table) - limit]
                for key in oldest:
                    del table[key]

    # -- stat shortcut --------------------------------------------------------

    def digest_for(self, rel_path: str, stat: os.stat_result) -> str | None:
        """The content digest recorded for an unchanged file, else None."""
        entry = self._store.stats.get(rel_path)
        if entry is None:
            return None
        key, digest = entry
        if key != _stat_key(stat):
            return None
        # A file written in the same instant as the index may have changed
        # again without its mtime moving ("racy git"): re-read it.
        if stat.st_mtime >= self._store.written_at - RACY_SECONDS:
            return None
        return digest

    def record_stat(self, rel_path: str, stat: os.stat_result, digest: str) -> None:
        entry = (_stat_key(stat), digest)
        if self._store.stats.get(rel_path) != entry:
            self._store.stats[rel_path] = entry
            self._dirty = True
        elif stat.st_mtime >= self._store.written_at - RACY_SECONDS:
            # Verified by reading: rewrite the index so its time moves past
            # the file's and the next run can trust the stat.
            self._dirty = True

    def forget_missing(self, present: set[str]) -> None:
        gone = [p for p in self._store.stats if p not in present]
        for path in gone:
            del self._store.stats[path]
        self._dirty = self._dirty or bool(gone)

    # -- content stores -------------------------------------------------------

    def get_facts(self, key: tuple[Any, ...]) -> Any | None:
        return self._get(self._store.facts, key)

    def put_facts(self, key: tuple[Any, ...], value: Any) -> None:
        self._put(self._store.facts, key, value)

    def get_rules(self, key: tuple[Any, ...]) -> Any | None:
        return self._get(self._store.rules, key)

    def put_rules(self, key: tuple[Any, ...], value: Any) -> None:
        self._put(self._store.rules, key, value)

    def get_run(self, key: tuple[Any, ...]) -> Any | None:
        return self._get(self._store.runs, key)

    def put_run(self, key: tuple[Any, ...], value: Any) -> None:
        self._put(self._store.runs, key, value)

    def _get(self, table: dict[tuple[Any, ...], tuple[int, bytes]], key: tuple[Any, ...]) -> Any:
        if self.path is None:
            return None
        entry = table.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        if entry[0] != self._store.run:
            table[key] = (self._store.run, entry[1])
            # Touching only matters for pruning; it does not force a rewrite.
        try:
            return pickle.loads(entry[1])
        except Exception:  # verified by the checksum, so only a changed class: a miss
            del table[key]
            self._dirty = True
            return None

    def _put(
        self, table: dict[tuple[Any, ...], tuple[int, bytes]], key: tuple[Any, ...], value: Any
    ) -> None:
        if self.path is None:
            return
        table[key] = (self._store.run, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self._dirty = True


def code_fingerprint() -> str:
    """Identifies this build of ssot-lint: its version and its own source files.

    A release changes the version; an editable install changes files without
    changing the version, so their sizes and modification times count too
    (a few dozen stat calls).
    """
    package = Path(__file__).resolve().parent
    digest = blake2b(__version__.encode(), digest_size=8)
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def _temp_file(directory: Path) -> tuple[int, str]:
    """A new file beside the store, as ``tempfile.mkstemp`` makes (exclusive,
    owner-only) but without importing it: the module and its dependencies
    cost a pre-commit run more than writing the store does."""
    stem = f".tmp-{os.getpid()}-{time.monotonic_ns()}"
    for attempt in range(100):
        name = os.path.join(directory, f"{stem}-{attempt}")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


def _stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _mark_cache_dir(directory: Path) -> None:
    """CACHEDIR.TAG and a catch-all .gitignore, as ruff and pytest do."""
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# ssot-lint cache\n")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Automatically created by ssot-lint.\n*\n")
