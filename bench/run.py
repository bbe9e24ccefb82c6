"""Benchmark: ssot-lint against the parse floor and against Fixit.

    python -m bench [--reps 3] [--limit N] [--no-fixit] [--workdir DIR] [--verify-fast-path]

Builds a corpus from the running interpreter's standard library plus planted
SSOT violations (``bench/corpus.py``), then measures in ONE run, each a median
of ``--reps`` repetitions:

  (a) floor: ``ast.parse`` of every file, one process, in-process timing
  (b) cold ``ssot-lint check`` (``--no-cache``), a fresh process each time,
      each repetition right after one of (a), so that pairs share the
      machine's speed of the moment
  (c) warm check, nothing changed
  (d) warm check after 10 files changed, only those paths given (pre-commit)
  (e) Fixit (in its own virtual environment) with equivalent rules, cold
  (f) peak RSS of the whole process tree of each command (sampled from /proc)

with each one's CPU time too (user + system, workers included), which a busy
neighbour on a shared machine disturbs far less than wall time. It prints
recall of the planted violations, whether cold/warm/1-job/N-job diagnostics
are identical, and the ratios (b)/(a), (c)/(a), (d)/(a), (e)/(b).
Nothing here asserts a time: the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import venv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from bench import corpus


@dataclass
class Measurement:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system, all processes
    peak_rss: int = 0  # bytes

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    def add(self, run: Run) -> None:
        self.seconds.append(run.seconds)
        self.cpu.append(run.cpu)
        self.peak_rss = max(self.peak_rss, run.peak_rss)


class Run(NamedTuple):
    seconds: float  # wall time
    peak_rss: int  # bytes, whole process tree
    stderr: str
    cpu: float  # user + system seconds of the command and every process it waited for


def _tree_rss(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    ok_codes: tuple[int, ...] = (0, 1),
) -> Run:
    """Run a command; wall time, peak RSS of its process tree, stderr, CPU time.

    Any exit status outside ``ok_codes`` is a failed measurement. CPU time
    counts the workers too (a process pool waits for its workers before the
    command exits, and the kernel adds theirs to it).
    """
    env = env if env is not None else _TOOL_ENV
    cpu_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    done.set()
    sampler.join()
    if process.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(cmd)} exited {process.returncode}:\n{err[-2000:]}")
    return Run(elapsed, peak[0], err, cpu)


# Commands run as an installed tool does: with its bytecode compiled (pip
# compiles on install). PYTHONDONTWRITEBYTECODE, set on some machines, would
# otherwise make every run compile ssot-lint from source; the bytecode goes
# to the benchmark's own directory (set in main), not into the checkout.
_TOOL_ENV: dict[str, str] = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def edit_for_precommit(path: Path, rep: int) -> None:
    """A change that moves every line of the file (so its facts, positions
    and per-file results really change) without changing what it defines."""
    text = path.read_text(encoding="utf-8")
    first, newline, rest = text.partition("\n")
    path.write_text(f"{first}{newline}# benchmark edit {rep}\n{rest}", encoding="utf-8")


def _editable(path: Path) -> bool:
    """UTF-8, no coding declaration to push out of the first two lines."""
    try:
        head = path.read_text(encoding="utf-8").split("\n", 2)[:2]
    except UnicodeDecodeError:
        return False
    return not any("coding" in line for line in head)


def floor(files: list[Path]) -> Run:
    """One repetition of the floor: ``ast.parse`` of every file, in this process."""
    cpu_start = time.process_time()
    start = time.perf_counter()
    for path in files:
        # A bare try/except, not contextlib.suppress: the floor must not pay
        # for a context manager per file.
        try:  # noqa: SIM105
            ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            pass
    return Run(time.perf_counter() - start, 0, "", time.process_time() - cpu_start)


def ssot_cmd(root: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ssot_lint",
        "check",
        *extra,
        "--output-format",
        "json",
        "--output-file",
        str(out),
        "--exit-zero",
    ]


def diagnostics(path: Path) -> Counter[tuple[str, int, int, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Counter(
        (d["path"], d["location"]["row"], d["location"]["column"], d["code"]) for d in data
    )


def fixit_env(workdir: Path) -> Path:
    """A virtual environment with Fixit (pins click<8.2, so kept apart from ours)."""
    env_dir = workdir / "fixit-venv"
    python = env_dir / "bin" / "python"
    if not python.exists():
        print("  creating a virtual environment for Fixit ...", flush=True)
        venv.create(env_dir, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "fixit>=2.1"],
            check=True,
        )
    return env_dir / "bin" / "fixit"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="use only N stdlib files")
    parser.add_argument("--no-fixit", action="store_true", help="skip the Fixit comparison")
    parser.add_argument("--fixit-reps", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--verify-fast-path",
        action="store_true",
        help="also prove facts and diagnostics identical to full libcst analysis (minutes)",
    )
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ssot-lint-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    _TOOL_ENV["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    root = workdir / "corpus"
    files_count, lines = corpus.build(root, args.limit)
    files = sorted(p for p in root.rglob("*.py") if p.name != "ssot_fixit_rules.py")
    print(f"corpus: {files_count} files, {lines:,} lines in {root}")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {cpus} cores, Python {sys.version.split()[0]}")

    results: dict[str, Measurement] = {}
    out = workdir / "out.json"
    cache_dir = workdir / "cache"
    # A cache left by an earlier run in the same --workdir already holds the
    # corpus (rebuilt identical above) and even the pre-commit edits, which
    # would turn (c) and (d) into plain cache hits: every run starts empty.
    shutil.rmtree(cache_dir, ignore_errors=True)
    # The floor and the cold check alternate, so that each pair shares the
    # machine's state of the moment (a shared VM's speed drifts by tens of
    # per cent over minutes): the ratio compares like with like.
    print("(a) floor: ast.parse in one process, alternating with", flush=True)
    print("(b) cold check, no cache ...", flush=True)
    base = results["floor"] = Measurement()
    cold = results["cold"] = Measurement()
    for _ in range(args.reps):
        base.add(floor(files))
        cold.add(timed(ssot_cmd(root, out, "--no-cache"), root))
    cold_diags = diagnostics(out)

    print("(c) warm check, nothing changed ...", flush=True)
    timed(ssot_cmd(root, out, "--cache-dir", str(cache_dir)), root)  # fill the cache
    time.sleep(2.5)  # let the racy-stat window pass, as it would between commits
    timed(ssot_cmd(root, out, "--cache-dir", str(cache_dir)), root)
    warm = results["warm"] = Measurement()
    for _ in range(args.reps):
        warm.add(timed(ssot_cmd(root, out, "--cache-dir", str(cache_dir)), root))
    warm_diags = diagnostics(out)

    print("(d) pre-commit: 10 changed files, only those paths given ...", flush=True)
    stdlib_files = [f for f in files if f.relative_to(root).parts[0] == "stdlib" and _editable(f)]
    step = max(1, len(stdlib_files) // 10)
    changed = stdlib_files[::step][:10]
    precommit = results["precommit"] = Measurement()
    for rep in range(args.reps):
        for path in changed:
            edit_for_precommit(path, rep)
        cmd = ssot_cmd(root, out, "--cache-dir", str(cache_dir), *map(str, changed))
        precommit.add(timed(cmd, root))

    print("    consistency: 1 job vs all cores, cache vs none ...", flush=True)
    timed(ssot_cmd(root, out, "--no-cache", "--jobs", "1"), root)
    one_job = diagnostics(out)
    timed(ssot_cmd(root, out, "--no-cache"), root)
    n_jobs = diagnostics(out)
    timed(ssot_cmd(root, out, "--cache-dir", str(cache_dir)), root)
    cached = diagnostics(out)
    identical = one_job == n_jobs == cached and cold_diags == warm_diags

    expected = corpus.planted()
    found = Counter({(p, line, code): n for (p, line, _col, code), n in cold_diags.items()})
    hits = sum(min(n, found[key]) for key, n in expected.items())
    missing = [key for key in expected if found[key] < expected[key]]

    if not args.no_fixit:
        print("(e) Fixit, equivalent rules, cold ...", flush=True)
        fixit = fixit_env(workdir)
        fx = results["fixit"] = Measurement()
        for _ in range(args.fixit_reps):
            # Fixit's exit status is a bit mask (1: lint errors, 2: fixes available).
            cmd = [str(fixit), "lint", "stdlib", "platform_app"]
            fx.add(timed(cmd, root, ok_codes=(0, 1, 2, 3)))

    report(results, hits, sum(expected.values()), missing, identical, files_count, lines)
    verdict = None
    if args.verify_fast_path:
        from bench.verify import describe, verify_fast_path

        print("verifying the fast path against full libcst analysis ...", flush=True)
        verdict = verify_fast_path(root)
        print(describe(verdict))
    summary = {
        name: {
            "median_s": m.median,
            "runs_s": m.seconds,
            "cpu_median_s": m.cpu_median,
            "cpu_runs_s": m.cpu,
            "peak_rss_bytes": m.peak_rss,
        }
        for name, m in results.items()
    }
    summary["recall"] = {"found": hits, "planted": sum(expected.values())}
    summary["identical_diagnostics"] = identical
    if verdict is not None:
        summary["fast_path"] = {
            "files_compared": verdict.files,
            "facts_differ": verdict.facts_differ,
            "not_comparable": verdict.not_comparable,
            "diagnostics": verdict.diagnostics,
            "diagnostics_identical": verdict.diagnostics_identical,
            "libcst_failed": verdict.libcst_failed,
        }
    (workdir / "results.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"results: {workdir / 'results.json'}")


def report(
    results: dict[str, Measurement],
    hits: int,
    planted: int,
    missing: list[tuple[str, int, str]],
    identical: bool,
    files: int,
    lines: int,
) -> None:
    base = results["floor"].median
    print()
    print(
        f"| measurement ({files} files, {lines:,} lines) | median | x floor"
        " | CPU (all processes) | peak RSS |"
    )
    print("|---|---:|---:|---:|---:|")
    names = {
        "floor": "(a) floor: ast.parse, 1 process",
        "cold": "(b) ssot-lint check, cold (no cache)",
        "warm": "(c) ssot-lint check, warm, nothing changed",
        "precommit": "(d) ssot-lint check, warm, 10 changed files given",
        "fixit": "(e) Fixit, equivalent rules, cold",
    }
    for key, label in names.items():
        if key not in results:
            continue
        m = results[key]
        rss = f"{m.peak_rss / 2**20:,.0f} MiB" if m.peak_rss else "-"
        cpu = f"{m.cpu_median:.2f} s" if m.cpu else "-"
        print(f"| {label} | {m.median:.2f} s | {m.median / base:.3f} | {cpu} | {rss} |")
    print()
    pairs = [c / f for f, c in zip(results["floor"].seconds, results["cold"].seconds, strict=True)]
    print(
        f"(b)/(a) pair by pair (each cold run against the floor measured just before it): "
        f"median {statistics.median(pairs):.3f}, range {min(pairs):.3f}-{max(pairs):.3f}"
    )
    print(
        f"recall of planted violations: {hits}/{planted}"
        + (f" missing {missing}" if missing else "")
    )
    print(f"identical diagnostics (cold/warm, 1 job/N jobs, cache/no cache): {identical}")
    if "fixit" in results:
        ratio = results["fixit"].median / results["cold"].median
        print(f"(e)/(b): Fixit takes {ratio:.1f}x as long as ssot-lint cold")


if __name__ == "__main__":
    main()
