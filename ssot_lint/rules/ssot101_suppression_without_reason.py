"""SSOT101 suppression-without-reason."""

from ssot_lint.rules.base import MetaRule


class SuppressionWithoutReason(MetaRule):
    code = "SSOT101"
    name = "suppression-without-reason"
    summary = "Suppression comment without a reason (when reasons are required)"
    what_it_does = """
        With `[tool.ssot-lint.suppressions] require-reasons = true`, reports a
        suppression comment that does not say why, e.g. `# ssot: ignore[SSOT002]`
        instead of `# ssot: ignore[SSOT002](legacy client ids)`. A `# noqa`
        comment cannot carry a reason, so it is reported too. The suppression
        itself still applies.
        """
    why_bad = """
        Consolidation is a long campaign: a suppression without a reason cannot
        be reviewed later, and tends to outlive the legacy it excused.
        """
    example = """
        import uuid

        client_id = str(uuid.uuid4())  # ssot: ignore[SSOT002]
        """
    use_instead = """
        import uuid

        client_id = str(uuid.uuid4())  # ssot: ignore[SSOT002](legacy client ids)
        """
    options = ("suppressions.require-reasons",)
    example_config = "suppressions.require-reasons = true"
