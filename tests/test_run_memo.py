"""Reusing a whole run (``run_memo.py``) and project knowledge across runs.

A warm check of an unchanged project answers from one memo; everything the
outcome depends on must invalidate it: file contents, settings, the rule
selection, the registry, and what the file system says about modules that
exist but are not analysed. Each test compares with a run without cache.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from support import check, write_project

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _age(root: Path, seconds: float = 10.0) -> None:
    """Backdate files so the racy-stat guard trusts them (as between commits)."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def _keys(result) -> list[tuple[str, int, int, str, str]]:
    return [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".ssot-lint-cache"))
    _age(root)
    return root


def _warm(root: Path, cache_dir: Path, **options: object):
    """A run after a first one filled the cache."""
    check(root, cache_dir=cache_dir, **options)
    return check(root, cache_dir=cache_dir, **options)


def test_unchanged_project_reuses_the_whole_run(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = check(project, cache_dir=cache_dir)
    assert not first.stats.whole_run_reused
    again = check(project, cache_dir=cache_dir)
    assert again.stats.whole_run_reused
    assert again.stats.facts_computed == 0
    assert _keys(again) == _keys(first) == _keys(check(project, use_cache=False))
    assert again.suppressed == first.suppressed
    assert again.knowledge == first.knowledge


def test_reused_run_still_builds_the_project_index_on_demand(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = check(project, cache_dir=cache_dir)
    again = check(project, cache_dir=cache_dir)
    assert again.stats.whole_run_reused
    assert set(again.project.files) == set(first.project.files)
    assert {f.rel_path for f in again.project.targets} == {
        f.rel_path for f in first.project.targets
    }


@pytest.mark.parametrize(
    "change",
    ["content", "settings", "selection", "registry", "targets"],
)
def test_each_input_invalidates_the_reused_run(project: Path, tmp_path: Path, change: str) -> None:
    cache_dir = tmp_path / "cache"
    options: dict[str, object] = {}
    paths: list[Path] = [project]
    _warm(project, cache_dir)
    if change == "content":
        target = project / "netra_backend" / "app" / "agents" / "triage_agent.py"
        target.write_text(
            target.read_text(encoding="utf-8") + "\nimport uuid\nrun_id = str(uuid.uuid4())\n",
            encoding="utf-8",
        )
    elif change == "settings":
        config = project / "pyproject.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text + '\n[tool.ssot-lint.per-file-ignores]\n"shared/*" = ["SSOT002"]\n')
    elif change == "selection":
        options = {"ignore": ["SSOT004"]}
    elif change == "registry":
        registry = project / "SSOT_IMPORT_REGISTRY.md"
        registry.write_text(
            registry.read_text(encoding="utf-8").replace("## VERIFIED IMPORTS", "## VERIFIED"),
            encoding="utf-8",
        )
    else:
        paths = [project / "netra_backend"]
    after = check(paths, cache_dir=cache_dir, **options)
    assert not after.stats.whole_run_reused
    reference = check(paths, use_cache=False, **options)
    assert _keys(after) == _keys(reference)
    # ... and the new outcome is then reused in turn.
    assert check(paths, cache_dir=cache_dir, **options).stats.whole_run_reused


def test_module_appearing_on_disk_outside_the_analysed_files_invalidates_it(
    tmp_path: Path,
) -> None:
    """A compiled extension (or an excluded file) turns "not found" into
    "exists but is not analysed": the run asked the file system, so the
    memo must ask again."""
    root = write_project(
        tmp_path / "proj",
        {"app/__init__.py": "", "app/main.py": "from app.fast import speedup\n"},
    )
    _age(root)
    cache_dir = tmp_path / "cache"
    before = _warm(root, cache_dir)
    assert before.stats.whole_run_reused
    assert [d.code for d in before.diagnostics] == ["SSOT005"]
    (root / "app" / "fast.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    after = check(root, cache_dir=cache_dir)
    assert not after.stats.whole_run_reused
    assert after.diagnostics == [] == check(root, use_cache=False).diagnostics


def test_knowledge_is_reused_across_body_edits_and_rebuilt_for_new_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Knowledge (here: the re-exports of the deprecated class) depends on
    names, not positions: an edit inside a function keeps it, a new
    re-export changes it, and SSOT004 follows."""
    root = write_project(
        tmp_path / "proj",
        {
            "app/__init__.py": "",
            "app/state.py": "class DeepAgentState:\n    pass\n",
            "app/compat.py": "def helper():\n    return 1\n",
            "app/user.py": "from app.compat import Legacy\n",
        },
        'deprecated = [{symbol = "app.state.DeepAgentState", replacement = "app.ctx.Ctx"}]',
    )
    _age(root)
    from ssot_lint import engine

    gathered: list[object] = []
    real = engine.gather_knowledge
    monkeypatch.setattr(engine, "gather_knowledge", lambda p: gathered.append(p) or real(p))
    cache_dir = tmp_path / "cache"
    first = check(root, cache_dir=cache_dir)
    assert "app.state.DeepAgentState" not in first.knowledge.aliases
    assert len(gathered) == 1
    compat = root / "app" / "compat.py"
    compat.write_text("\n\ndef helper():\n    x = 2\n    return x\n", encoding="utf-8")
    edited = check(root, cache_dir=cache_dir)
    assert not edited.stats.whole_run_reused  # the file changed: rules ran again
    assert len(gathered) == 1, "same names: the knowledge was reused"
    assert edited.knowledge == first.knowledge
    compat.write_text("from app.state import DeepAgentState as Legacy\n", encoding="utf-8")
    renamed = check(root, cache_dir=cache_dir)
    assert len(gathered) == 2
    assert "app.compat.Legacy" in renamed.knowledge.aliases_for("app.state.DeepAgentState")
    assert _keys(renamed) == _keys(check(root, use_cache=False))
    assert ("app/user.py", "SSOT004") in {(d.path, d.code) for d in renamed.diagnostics}
