"""The HTML audit report, rendered by a real headless browser.

Debian's chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: no port, no websocket, stdlib only). The test
loads the report from disk, records every console message, exception and
network request, asserts on the rendered DOM, and saves a screenshot in its
temporary directory. A missing browser FAILS the test (CI installs it).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_history import build_repo

from ssot_lint.cli import main

BROWSER_NAMES = ("chromium", "chromium-browser")
WINDOW = (1280, 2000)


def _browser() -> str:
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "chromium is not installed: the audit report is tested in a real headless browser. "
        "Install Debian's chromium (apt-get install -y chromium), as .ci/run does."
    )
    raise AssertionError("unreachable")


class DevTools:
    """A minimal DevTools-protocol client over chromium's debugging pipe
    (file descriptors 3 and 4, NUL-separated JSON messages)."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # runs in the child, before exec
            inbound, outbound = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(inbound, 3)
            os.dup2(outbound, 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            preexec_fn=wire_pipes,  # no threads here; the pipes must be fds 3 and 4
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the browser did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise EOFError("the browser closed the debugging pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive(deadline))

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        # Already gone: the process is reaped below anyway.
        with contextlib.suppress(Exception):
            self.call("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def render(url: str, tmp_path: Path) -> tuple[DevTools, dict[str, Any]]:
    """Open ``url``; return the client (events recorded) and a DOM summary."""
    browser = DevTools(_browser(), tmp_path / "profile")
    target = browser.call("Target.createTarget", {"url": "about:blank"})
    attached = browser.call(
        "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
    )
    browser.session = attached["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", {"url": url})
    browser.wait_for("Page.loadEventFired")
    dom = browser.evaluate(DOM_SUMMARY)
    return browser, dom


# Everything the assertions need from the rendered page, in one round trip.
DOM_SUMMARY = """(() => {
  const q = (s) => Array.from(document.querySelectorAll(s));
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  return {
    title: document.title,
    sections: q("section[id]").map((s) => s.id),
    cards: Object.fromEntries(q(".card").map((c) => [c.dataset.card,
      Number(c.querySelector(".value").textContent)])),
    rules: q("#by-rule tbody tr").map((r) => [r.cells[0].textContent,
      Number(r.cells[2].textContent)]),
    directories: q("#by-directory tbody tr").map((r) => [r.cells[0].textContent,
      Number(r.cells[1].textContent)]),
    consolidations: q("#progress h3").map((h) => h.textContent),
    progressRows: q("#progress table").map((t) => Array.from(t.tBodies[0].rows).map(
      (r) => Array.from(r.cells).map((c) => c.textContent))),
    burndown: q("#burndown svg").map(box),
    burndownSeries: q("#burndown path.series").map((p) => p.dataset.series),
    burndownPoints: q("#burndown circle.point").length,
    graphs: q("#graphs figure.graph").map((f) => ({
      module: f.dataset.module,
      size: box(f.querySelector("svg")),
      nodes: Array.from(f.querySelectorAll("g.node")).map((n) => n.dataset.module),
      edges: f.querySelectorAll("path.edge").length,
    })),
    violations: q("#violations tbody tr").length,
    scripts: q("script").length,
    external: q("[src], link[href]").map((e) => e.getAttribute("src") || e.getAttribute("href")),
  };
})()"""


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    base = tmp_path_factory.mktemp("audit")
    root = base / "platform"
    shas = build_repo(root)
    html = base / "report" / "audit.html"
    code, text = _invoke("audit", str(root), "--html", str(html), "--git", "HEAD", "--no-cache")
    assert code == 0, text
    return root, html, shas


def test_report_is_one_self_contained_file(report: tuple[Path, Path, list[str]]) -> None:
    _, html, _ = report
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # The only URL is the SVG namespace, which is a name, never fetched.
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>)]*", text))
    assert urls == {"http://www.w3.org/2000/svg"}
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert not re.search(r"\b(src|href)=", text)


def test_report_renders_in_a_real_browser(
    report: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    root, html, shas = report
    url = html.resolve().as_uri()
    browser, dom = render(url, tmp_path)
    try:
        shot = browser.call(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
    finally:
        browser.close()
    screenshot = tmp_path / "audit.png"
    screenshot.write_bytes(base64.b64decode(shot["data"]))

    # -- nothing went wrong, nothing was fetched
    errors = [
        e
        for e in browser.events
        if (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requested = {
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    }
    assert requested == {url}
    assert dom["scripts"] == 0 and dom["external"] == []

    # -- the page
    assert dom["title"] == "ssot-lint audit — platform"
    assert dom["sections"] == [
        "summary",
        "by-rule",
        "by-directory",
        "progress",
        "burndown",
        "graphs",
        "violations",
    ]
    code, text = _invoke("check", str(root), "--output-format", "json", "--no-cache", "--exit-zero")
    assert code == 0
    expected = json.loads(text)
    assert dom["cards"]["violations"] == len(expected) == dom["violations"]
    by_rule: dict[str, int] = {}
    for item in expected:
        by_rule[item["code"]] = by_rule.get(item["code"], 0) + 1
    assert dict(dom["rules"]) == by_rule
    assert sum(count for _, count in dom["directories"]) == len(expected)
    assert dom["cards"]["files-analysed"] == len(list(root.rglob("*.py")))

    # -- progress table as the CLI computes it
    assert dom["consolidations"] == ["user-context", "AgentStateTracker → AgentExecutionTracker"]
    code, text = _invoke("progress", str(root), "--format", "json", "--no-cache")
    figures = json.loads(text)["consolidations"][0]["figures"]
    rows = {row[0]: row[1:] for row in dom["progressRows"][0]}
    symbol = figures["symbol_importers"]
    assert rows["modules importing deprecated symbols"] == [
        str(symbol["production"]),
        str(symbol["test"]),
        str(symbol["total"]),
    ]
    assert rows["share migrated"] == ["50.0%", "0.0%", "40.0%"]

    # -- the burndown: one point per commit, for every series, drawn for real
    width, height = dom["burndown"][0]
    assert width > 600 and height > 250
    assert dom["burndownSeries"] == [
        "user-context",
        "AgentStateTracker → AgentExecutionTracker",
        "SSOT001 duplicates",
    ]
    assert dom["burndownPoints"] == 3 * len(shas)  # the working tree is the last commit

    # -- a picture of each deprecated module's neighbourhood
    pictures = {g["module"]: g for g in dom["graphs"]}
    assert set(pictures) == {"app.agents.state", "app.legacy.state_model"}
    state = pictures["app.legacy.state_model"]
    assert set(state["nodes"]) == {
        "app.legacy.state_model",
        "app.agents.state",
        "app.agents.reporter",
        "app.agents.planner",
    }
    assert state["edges"] == 3
    assert state["size"][0] > 200 and state["size"][1] > 80

    # -- the screenshot
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    png_width = int.from_bytes(data[16:20], "big")
    png_height = int.from_bytes(data[20:24], "big")
    assert png_width == WINDOW[0] and png_height > 1500
    assert len(data) > 50_000


def test_audit_from_a_recorded_history(tmp_path: Path) -> None:
    root = tmp_path / "platform"
    build_repo(root)
    history = tmp_path / "progress.jsonl"
    code, _ = _invoke(
        "progress", str(root), "--git", "HEAD~2", "--record", str(history), "--no-cache"
    )
    assert code == 0
    html = tmp_path / "audit.html"
    code, text = _invoke(
        "audit", str(root), "--html", str(html), "--history", str(history), "--no-cache"
    )
    assert code == 0
    assert "5 burndown point(s)" in text  # four recorded commits and the working tree
    page = html.read_text()
    assert page.count('<circle class="point"') == 3 * 5
    assert "5 points from" in page


def test_audit_needs_an_html_file(tmp_path: Path) -> None:
    code, _ = _invoke("audit", str(tmp_path))
    assert code == 2
