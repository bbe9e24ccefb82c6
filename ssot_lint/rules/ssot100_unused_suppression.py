"""SSOT100 unused-suppression."""

from ssot_lint.rules.base import MetaRule


class UnusedSuppression(MetaRule):
    code = "SSOT100"
    name = "unused-suppression"
    summary = "Suppression comment that suppresses nothing"
    what_it_does = """
        Reports `# ssot: ignore[...]`, `# ssot: ignore-file[...]` and
        `# noqa: SSOT...` comments, or single codes in them, that suppress no
        diagnostic: the violation was fixed, the code is unknown, or the rule
        is not enabled. Like ruff's RUF100 it is opt-in: enable it with
        `--report-unused-ignores`, `--extend-select SSOT100` or `select = ["SSOT"]`.
        A bare `# noqa` is never reported: it may belong to another tool.
        """
    why_bad = """
        A stale suppression hides the next real violation on that line, and
        makes the code look riskier than it is.
        """
    example = """
        def make_run_label(run_number: int) -> str:
            return f"run-{run_number}"  # ssot: ignore[SSOT002]
        """
    use_instead = """
        def make_run_label(run_number: int) -> str:
            return f"run-{run_number}"
        """
    example_config = 'extend-select = ["SSOT100"]'
    default_enabled = False
    fixable = True
    fix_safety = """
        The fix removes the unused codes from the comment, or the whole
        directive when none is left; other text in the comment is kept. It is
        always safe.
        """
