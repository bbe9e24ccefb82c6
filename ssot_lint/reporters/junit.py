"""``junit``: JUnit XML, ONE TESTCASE PER VIOLATION.

* ``<testsuites name="ssot-lint">`` with the totals;
* one ``<testsuite>`` per file that has violations (``name`` = the path);
* one ``<testcase>`` per violation: ``classname`` = the path,
  ``name`` = ``CODE at line:col``, with a ``<failure type="CODE">`` whose
  ``message`` is the diagnostic message and whose text is the
  ``path:line:col: CODE message`` line;
* internal errors: a ``<testcase>`` with an ``<error>`` in a suite named
  after the file (``<project>`` for cross-file failures);
* no violations: one suite ``ssot-lint`` with one passing testcase, so CI
  dashboards show a green run rather than an empty report.

Per violation (not per file) because CI test dashboards count and track
testcases: a new violation in a file that already had one then shows up as a
new failure, not as an unchanged failing file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from ssot_lint.diagnostics import Diagnostic, InternalError
from ssot_lint.reporters.base import ReportContext, rule_name

# Characters XML 1.0 cannot carry at all (not even escaped).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _testcase(parent: ET.Element, diag: Diagnostic, path: str) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": _clean(path),
            "name": f"{diag.code} at {diag.line}:{diag.column}",
            "file": _clean(path),
            "line": str(diag.line),
        },
    )
    failure = ET.SubElement(
        case,
        "failure",
        {"type": diag.code, "message": _clean(f"{rule_name(diag.code)}: {diag.message}")},
    )
    failure.text = _clean(f"{path}:{diag.line}:{diag.column}: {diag.code} {diag.message}")


def _error_case(parent: ET.Element, error: InternalError) -> None:
    case = ET.SubElement(
        parent, "testcase", {"classname": _clean(error.path), "name": "ssot-lint internal error"}
    )
    element = ET.SubElement(case, "error", {"message": _clean(error.message)})
    element.text = _clean(f"{error.path}: {error.message}")


def render_junit(ctx: ReportContext) -> str:
    by_path: dict[str, list[Diagnostic]] = defaultdict(list)
    for diag in ctx.diagnostics:
        by_path[ctx.display_path(diag.path)].append(diag)
    errors_by_path: dict[str, list[InternalError]] = defaultdict(list)
    for error in ctx.errors:
        path = error.path if error.path.startswith("<") else ctx.display_path(error.path)
        errors_by_path[path].append(error)

    failures, errors = len(ctx.diagnostics), len(ctx.errors)
    tests = failures + errors
    suites = ET.Element(
        "testsuites",
        {
            "name": "ssot-lint",
            "tests": str(max(tests, 1)),
            "failures": str(failures),
            "errors": str(errors),
        },
    )
    for path in sorted(set(by_path) | set(errors_by_path)):
        found, broken = by_path.get(path, []), errors_by_path.get(path, [])
        suite = ET.SubElement(
            suites,
            "testsuite",
            {
                "name": _clean(path),
                "tests": str(len(found) + len(broken)),
                "failures": str(len(found)),
                "errors": str(len(broken)),
            },
        )
        for diag in found:
            _testcase(suite, diag, path)
        for error in broken:
            _error_case(suite, error)
    if not tests:
        suite = ET.SubElement(
            suites, "testsuite", {"name": "ssot-lint", "tests": "1", "failures": "0", "errors": "0"}
        )
        ET.SubElement(
            suite,
            "testcase",
            {"classname": "ssot-lint", "name": f"{ctx.files_checked} files checked"},
        )
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
