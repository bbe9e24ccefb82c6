"""The fast path against full libcst analysis, on the whole benchmark corpus.

``python -m bench --verify-fast-path`` runs it after the timings. Two proofs:

* facts: for every file, the facts ssot-lint extracts with ``ast`` (bodies
  skipped unwalked included) equal those of an independent libcst visitor
  with ``PositionProvider`` (``libcst_oracle``);
* diagnostics: a check with the trigger prefilter (and hot-chunk analysis)
  reports exactly what a check giving every file's whole tree to every libcst
  rule reports.

The tests run the same comparisons on a sample of the standard library; this
is the same on all of it (a few minutes: libcst is the slow path).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.libcst_oracle import fast_facts, oracle_facts
from ssot_lint.engine import RunOptions, run_check
from ssot_lint.workers import default_jobs


@dataclass
class Verdict:
    files: int = 0  # files whose facts were compared
    facts_differ: list[str] = field(default_factory=list)
    not_comparable: list[str] = field(default_factory=list)  # libcst cannot parse them
    diagnostics: int = 0
    diagnostics_identical: bool = False
    libcst_failed: list[str] = field(default_factory=list)  # full analysis failed there

    @property
    def ok(self) -> bool:
        return not self.facts_differ and self.diagnostics_identical


def _compare(task: tuple[str, str, str, bool, object]) -> tuple[str, bool | None]:
    """One file: True when its facts agree, None when libcst cannot parse it."""
    rel, path, module, is_package, facts = task
    try:
        expected = oracle_facts(Path(path).read_bytes(), module, is_package)
    except Exception:  # libcst's parser rejects a file ast accepts: nothing to compare
        return rel, None
    return rel, fast_facts(facts) == expected  # type: ignore[arg-type]


def diagnostic_keys(result: object) -> list[tuple[str, int, int, str, str]]:
    """What identical diagnostics must share: place, code and message, in order."""
    return [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]  # type: ignore[attr-defined]


def verify_fast_path(root: Path) -> Verdict:
    verdict = Verdict()
    fast = run_check(RunOptions(paths=[root], use_cache=False))
    full = run_check(RunOptions(paths=[root], use_cache=False, prefilter=False))
    # Where full analysis itself fails (libcst's parser rejects a file CPython
    # accepts, or its tree is too deep to walk), there is nothing to compare.
    fast_unparsed = {d.path for d in fast.diagnostics if d.code == "SSOT000"}
    failed = {e.path for e in full.errors} | {
        d.path for d in full.diagnostics if d.code == "SSOT000" and d.path not in fast_unparsed
    }
    verdict.libcst_failed = sorted(failed)
    verdict.diagnostics = len(fast.diagnostics)
    verdict.diagnostics_identical = not fast.errors and [
        k for k in diagnostic_keys(fast) if k[0] not in failed
    ] == [k for k in diagnostic_keys(full) if k[0] not in failed]
    # Files ssot-lint reports as unparsable (SSOT000) have no facts to compare.
    tasks = [
        (rel, str(file.path), file.facts.module, file.facts.is_package, file.facts)
        for rel, file in sorted(fast.project.files.items())
        if rel not in fast_unparsed
    ]
    with ProcessPoolExecutor(max_workers=default_jobs()) as pool:
        for rel, equal in pool.map(_compare, tasks, chunksize=16):
            if equal is None:
                verdict.not_comparable.append(rel)
                continue
            verdict.files += 1
            if not equal:
                verdict.facts_differ.append(rel)
    return verdict


def describe(verdict: Verdict) -> str:
    lines = [
        f"fast path vs full libcst: facts identical on {verdict.files - len(verdict.facts_differ)}"
        f"/{verdict.files} files"
        + (f" (differ: {', '.join(verdict.facts_differ[:5])})" if verdict.facts_differ else ""),
        f"fast path vs full libcst: {verdict.diagnostics} diagnostics, identical: "
        f"{verdict.diagnostics_identical}",
    ]
    if verdict.not_comparable or verdict.libcst_failed:
        lines.append(
            f"  (not compared, libcst fails on them: {len(verdict.not_comparable)} files' facts,"
            f" {len(verdict.libcst_failed)} files' diagnostics)"
        )
    return "\n".join(lines)
