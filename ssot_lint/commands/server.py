"""``ssot-lint server``: the language server, speaking LSP on stdin/stdout.

pygls is an optional dependency (``pip install 'ssot-lint[lsp]'``); it is
imported only when this command runs, so ``ssot-lint check`` never loads it.
"""

from __future__ import annotations

import gc
from pathlib import Path

import click

from ssot_lint.cli import fail


@click.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this pyproject.toml instead of the nearest one to the workspace root.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the on-disk cache.")
def server(config_file: Path | None, no_cache: bool) -> None:
    """Run the language server (LSP over stdio) for editors.

    Diagnostics as you type, with links to the rule docs; quick fixes, "ignore
    this line" and fix-all code actions. See docs/editor.md for VS Code and
    Neovim set-ups.
    """
    try:
        from ssot_lint.server import serve
    except ImportError as exc:
        # Only a missing pygls (or its lsprotocol) means "install the extra";
        # any other import failure is a bug and must show as one.
        missing = (exc.name or "").split(".")[0]
        if missing not in ("pygls", "lsprotocol"):
            raise
        fail(
            f"the language server needs pygls ({exc}); install it with "
            "`pip install 'ssot-lint[lsp]'`"
        )
        return
    # The console entry point turns the collector off for one-shot runs; a
    # language server lives for hours and needs it.
    gc.enable()
    serve(config_file=config_file.resolve() if config_file else None, use_cache=not no_cache)


command = server
