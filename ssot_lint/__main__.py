"""``python -m ssot_lint`` is the same as the ``ssot-lint`` command."""

from ssot_lint.cli import run

if __name__ == "__main__":
    run()
