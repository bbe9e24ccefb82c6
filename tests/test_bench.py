"""The benchmark runs for anyone: a small corpus, one repetition, no Fixit.

Nothing here looks at a time (machines are shared and noisy); it checks that
every measurement is taken, that all planted violations are found, and that
cold, warm, 1-job and N-job runs agree.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from bench import corpus
from bench import run as bench


def test_benchmark_on_a_small_corpus_finds_every_planted_violation(tmp_path: Path, capsys) -> None:
    argv = ["--reps", "1", "--limit", "40", "--no-fixit", "--verify-fast-path"]
    bench.main([*argv, "--workdir", str(tmp_path)])
    printed = capsys.readouterr().out
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for name in ("floor", "cold", "warm", "precommit"):
        assert results[name]["median_s"] > 0, name
    assert results["cold"]["peak_rss_bytes"] > 0
    planted = sum(corpus.planted().values())
    assert results["recall"] == {"found": planted, "planted": planted}
    assert results["identical_diagnostics"] is True
    assert f"recall of planted violations: {planted}/{planted}" in printed
    assert "| (c) ssot-lint check, warm, nothing changed |" in printed
    fast_path = results["fast_path"]
    assert fast_path["facts_differ"] == [] and fast_path["diagnostics_identical"] is True
    # The stdlib files and the planted ones, all compared (libcst parses them all).
    assert fast_path["files_compared"] >= 40 and fast_path["diagnostics"] > 0


def test_precommit_edit_moves_every_line_and_keeps_the_file_valid(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text('"""Doc."""\nimport os\n\n\ndef f():\n    return os.sep\n', encoding="utf-8")
    before = ast.parse(path.read_text(encoding="utf-8"))
    bench.edit_for_precommit(path, 3)
    after = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.dump(before) == ast.dump(after)  # same code (positions aside)
    assert [n.lineno for n in before.body] == [1, 2, 5]
    assert [n.lineno for n in after.body] == [1, 3, 6]  # the first line stays first
    assert ast.get_docstring(after) == "Doc."
