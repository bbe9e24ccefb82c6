"""Benchmark: how soon the language server publishes diagnostics after an edit.

    python -m bench.lsp_bench [--files 5000] [--lines 2000] [--edits 20] [--workdir DIR]

Generates a project of ``--files`` modules with one module of ``--lines``
lines (``bench/lsp_project.py``), starts ``ssot-lint server`` over stdio as
an editor would, opens the large module, waits for the index to be warm (the
first diagnostics), then edits the module again and again. Each edit is a
``textDocument/didChange`` (incremental, as editors send them), and its
latency is the time from writing the change to reading the
``textDocument/publishDiagnostics`` for that document version. Two kinds of
edit alternate, both in the middle of the file:

* ``in-line``: one character changes inside a function body (the commonest
  keystroke: no line moves);
* ``new-line``: a line is inserted (or removed again): every definition below
  moves, so the file's facts change and the cross-file rules run again.

Prints the median (and the 90th percentile and maximum) per kind and over
all edits. Nothing here asserts a time: the figures are for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.lsp_project import generate


class Client:
    """A minimal LSP client: JSON-RPC over the server's stdin/stdout."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self._next_id = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.stderr: list[str] = []

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = stream.read(length)
            received = time.perf_counter()
            message = json.loads(body)
            if "method" in message and "id" in message:
                # A request from the server (registerCapability, progress): accept it.
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            self.messages.put((received, message))

    def _drain_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        for line in stream:
            self.stderr.append(line.decode("utf-8", "replace"))

    def _send(self, message: dict[str, Any]) -> float:
        body = json.dumps(message).encode("utf-8")
        stdin = self.process.stdin
        assert stdin is not None
        with self._lock:
            sent = time.perf_counter()
            stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            stdin.flush()
        return sent

    def request(self, method: str, params: Any, timeout: float = 600) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        _, message = self.wait(lambda m: m.get("id") == ident, timeout)
        return message.get("result")

    def notify(self, method: str, params: Any) -> float:
        return self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, accept: Any, timeout: float) -> tuple[float, dict[str, Any]]:
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(
                    "no answer from the server; its stderr:\n" + "".join(self.stderr)
                )
            try:
                # Short waits: a server that died (an import error, a crash) is
                # reported at once instead of after the whole timeout.
                received, message = self.messages.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if self.process.poll() is not None and self.messages.empty():
                    time.sleep(0.2)  # let the stderr thread read the last lines
                    raise RuntimeError(
                        f"the server exited with status {self.process.returncode}; "
                        "its stderr:\n" + "".join(self.stderr)
                    ) from None
                continue
            if accept(message):
                return received, message

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=30)
            self.notify("exit", None)
            self.process.wait(timeout=30)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            self.process.kill()


def _diagnostics_for(uri: str, version: int) -> Any:
    def accept(message: dict[str, Any]) -> bool:
        params = message.get("params") or {}
        return (
            message.get("method") == "textDocument/publishDiagnostics"
            and params.get("uri") == uri
            and params.get("version") == version
        )

    return accept


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on every platform
        return None


def run(files: int, lines: int, edits: int, workdir: Path, pause: float) -> dict[str, Any]:
    load_start = _load()
    started = time.perf_counter()
    big = generate(workdir, files=files, big_lines=lines)
    generated = time.perf_counter() - started
    text = big.read_text(encoding="utf-8")
    source_lines = text.splitlines()
    middle = next(
        i
        for i, line in enumerate(source_lines)
        if i >= len(source_lines) // 2 and '["stage"]' in line
    )
    client = Client([sys.executable, "-m", "ssot_lint", "server"], cwd=workdir)
    try:
        begin = time.perf_counter()
        client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": workdir.as_uri(),
                "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
            },
        )
        client.notify("initialized", {})
        uri = big.as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        _, first = client.wait(_diagnostics_for(uri, 1), timeout=1200)
        ready = time.perf_counter() - begin
        found = len(first["params"]["diagnostics"])
        latencies: dict[str, list[float]] = {"in-line": [], "new-line": []}
        version = 1
        inserted = False
        for number in range(edits):
            version += 1
            if number % 2 == 0:
                kind = "in-line"
                old = source_lines[middle]
                # Replace the digit(s) after "= " with a new value, one keystroke's worth.
                column = old.rindex("= ") + 2
                change = {
                    "range": {
                        "start": {"line": middle, "character": column},
                        "end": {"line": middle, "character": len(old)},
                    },
                    "text": str(number),
                }
                source_lines[middle] = old[:column] + str(number)
            else:
                kind = "new-line"
                if not inserted:
                    change = {
                        "range": {
                            "start": {"line": middle + 1, "character": 0},
                            "end": {"line": middle + 1, "character": 0},
                        },
                        "text": '        result["edited"] = True\n',
                    }
                else:
                    change = {
                        "range": {
                            "start": {"line": middle + 1, "character": 0},
                            "end": {"line": middle + 2, "character": 0},
                        },
                        "text": "",
                    }
                inserted = not inserted
            sent = client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [change],
                },
            )
            received, _ = client.wait(_diagnostics_for(uri, version), timeout=120)
            latencies[kind].append(received - sent)
            time.sleep(pause)
    finally:
        client.close()
    every = [x for values in latencies.values() for x in values]
    return {
        # The figures mean little on a busy machine: say how busy it was.
        "load_average_1min": {"start": load_start, "end": _load()},
        "cpus": os.cpu_count(),
        "files": files,
        "big_file_lines": len(text.splitlines()),
        "generate_seconds": generated,
        "first_diagnostics_seconds": ready,
        "diagnostics_in_big_file": found,
        "latency_ms": {
            kind: _summary(values) for kind, values in [*latencies.items(), ("all", every)]
        },
    }


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(values) * 1000, 1),
        "p90": round(p90 * 1000, 1),
        "max": round(max(values) * 1000, 1),
        "n": len(values),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.2, help="Seconds between edits.")
    parser.add_argument("--workdir", type=Path, help="Where to generate the project.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ssot-lsp-bench-") as scratch:
        workdir = (args.workdir or Path(scratch) / "project").resolve()
        figures = run(args.files, args.lines, args.edits, workdir, args.pause)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"project: {figures['files']} files; edited module: {figures['big_file_lines']} lines "
        f"(generated in {figures['generate_seconds']:.1f} s)"
    )
    print(
        f"server start to first diagnostics (index build, cold cache): "
        f"{figures['first_diagnostics_seconds']:.1f} s; "
        f"{figures['diagnostics_in_big_file']} diagnostics in the edited module"
    )
    load = figures["load_average_1min"]
    print(
        f"machine: {figures['cpus']} CPUs; 1-minute load average {load['start']} at the start, "
        f"{load['end']} at the end"
    )
    print("publish latency after an edit, warm index (ms):")
    for kind, summary in figures["latency_ms"].items():
        print(
            f"  {kind:<9} median {summary['median']:>7.1f}   p90 {summary['p90']:>7.1f}   "
            f"max {summary['max']:>7.1f}   ({summary['n']} edits)"
        )


if __name__ == "__main__":
    main()
