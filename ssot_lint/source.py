"""Reading Python files exactly as CPython would, and naming their modules."""

from __future__ import annotations

import ast
import codecs
import io
import os
import re
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ssot_lint.hashing import blake2b

_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as the tokenizer counts them (not str.splitlines, which also
    breaks on form feeds and other characters Python does not treat as newlines)."""
    if "\r" not in text:
        return text.split("\n")  # the same lines, ~10x faster than the pattern
    return _NEWLINE.split(text)


def parse_python(text: str) -> ast.Module:
    """``ast.parse``, without the compiler's warnings about the code it reads.

    An invalid escape such as ``"\\d"`` is a SyntaxWarning on stderr from
    Python 3.12 (a DeprecationWarning before): noise about the user's code,
    and, under ``-W error`` or ``PYTHONWARNINGS=error``, a SyntaxError that
    would report a valid file as unparsable.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)


class SourceError(Exception):
    """A file that cannot be turned into text (reported as SSOT000)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        # Set when the bytes were read but cannot be decoded: the failure is
        # then a property of the content, cacheable like any other result.
        self.digest: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    data: bytes  # the bytes on disk: hashed for caching, handed to libcst for fixes
    text: str  # decoded text, universal newlines NOT applied (CRLF stays)
    encoding: str
    digest: str


def content_digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def decode_source(data: bytes) -> tuple[str, str]:
    """Decode like the interpreter: BOM, then a PEP 263 coding line, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # tokenize says "invalid or missing encoding declaration" when one of
        # the first two lines is not UTF-8; the bad byte is the useful news.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "utf-8"
        else:
            raise SourceError(f"cannot determine encoding: {exc.msg}", exc.lineno or 1) from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"cannot decode as {encoding}: invalid byte {data[exc.start : exc.start + 1]!r}", line
        ) from None
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding


# Unsaved editor buffers, by absolute path (set by the language server): read
# instead of the file, so that whatever is computed from "the file" (a project
# rule's fix, suppression comments) matches the text the editor shows.
_OVERLAY: dict[str, str] = {}


def set_overlay(path: Path, text: str | None) -> None:
    """Make ``read_source(path)`` return ``text`` (None: read the file again)."""
    key = os.path.abspath(path)
    if text is None:
        _OVERLAY.pop(key, None)
    else:
        _OVERLAY[key] = text


def read_bytes(path: Path) -> bytes:
    """The file's bytes as ``read_source`` sees them (an overlay's, if any);
    OSError as ``Path.read_bytes`` raises it."""
    if _OVERLAY:
        text = _OVERLAY.get(os.path.abspath(path))
        if text is not None:
            return _from_overlay(text).data
    return path.read_bytes()


def _from_overlay(text: str) -> Source:
    encoding = "utf-8"
    data = text.encode(encoding, "surrogatepass")
    try:
        declared, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data = text.encode(declared)  # a PEP 263 coding line: bytes as they would be saved
        encoding = declared
    except (SyntaxError, LookupError, UnicodeEncodeError):
        pass
    return Source(data, text, encoding, content_digest(data))


def read_source(path: Path) -> Source:
    """Read and decode a file; every failure becomes a SourceError."""
    if _OVERLAY:
        text = _OVERLAY.get(os.path.abspath(path))
        if text is not None:
            return _from_overlay(text)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SourceError("is a directory, not a Python file") from None
    except FileNotFoundError:
        # A dangling link is listed like any file: say so, not "disappeared".
        if path.is_symlink():
            raise SourceError(f"broken symbolic link to {os.readlink(path)}") from None
        raise SourceError("file disappeared before it could be read") from None
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        text, encoding = decode_source(data)
    except SourceError as exc:
        exc.digest = content_digest(data)
        raise
    return Source(data, text, encoding, content_digest(data))


# ---------------------------------------------------------------------------
# Module names.


def _abs(path: Path) -> Path:
    # Absolute without resolving symbolic links: a linked file keeps its place.
    return Path(os.path.abspath(path))


def _is_identifier_path(parts: tuple[str, ...]) -> bool:
    return all(p.isidentifier() for p in parts)


@dataclass
class ProjectLayout:
    """Where first-party code lives and how paths map to dotted module names.

    ``packages`` maps each first-party top-level name to its directory (or, for
    a single-module top level, to the ``.py`` file). Namespace packages
    (directories without ``__init__.py``) are packages like any other.
    """

    root: Path
    packages: dict[str, Path]

    @classmethod
    def from_settings(cls, root: Path, src: list[str], files: list[Path]) -> ProjectLayout:
        root = _abs(root)
        packages: dict[str, Path] = {}
        if src:
            for entry in src:
                path = _abs(root / entry)
                name = path.stem if path.suffix in (".py", ".pyi") else path.name
                packages[name] = path
            return cls(root, packages)
        # No configuration: every importable top-level directory or module at the
        # root (or under src/) that holds discovered Python files.
        for file in files:
            try:
                rel = _abs(file).relative_to(root)
            except ValueError:
                continue
            parts = rel.parts
            base = root
            if parts and parts[0] == "src" and len(parts) > 1:
                base, parts = root / "src", parts[1:]
            top = parts[0]
            if len(parts) == 1:
                top = PurePosixPath(top).stem
                if top.isidentifier() and top not in packages:
                    packages[top] = base / parts[0]
            elif top.isidentifier():
                packages.setdefault(top, base / top)
        return cls(root, packages)

    def module_name(self, path: Path) -> str:
        """Dotted module name of ``path`` (best effort outside first-party roots)."""
        # Plain string arithmetic: called for every file of every run, where
        # pathlib's parsing cost more than the rest of a warm run.
        text = os.path.abspath(path)
        for name, location in self.packages.items():
            where = str(location)
            if text == where:
                return name
            if location.suffix not in (".py", ".pyi") and text.startswith(where + os.sep):
                parts = [name, *text[len(where) + 1 :].split(os.sep)]
                stem, dot, _ = parts[-1].rpartition(".")
                if dot and stem:  # as PurePath.with_suffix(""): "a.b.py" -> "a.b"
                    parts[-1] = stem
                if parts[-1] == "__init__":
                    parts.pop()
                return ".".join(parts)
        return self._fallback_module_name(Path(text))

    def _fallback_module_name(self, path: Path) -> str:
        # Walk up through regular packages, as the import system would find them.
        parts = [path.stem] if path.stem != "__init__" else []
        directory = path.parent
        while (directory / "__init__.py").is_file() and directory.name.isidentifier():
            parts.insert(0, directory.name)
            if directory == directory.parent:
                break
            directory = directory.parent
        if not parts:
            parts = [path.parent.name]
        return ".".join(parts)

    def is_first_party(self, module: str) -> bool:
        return module.split(".", 1)[0] in self.packages

    def relative_path(self, path: Path) -> str:
        """Project-relative POSIX path (absolute if outside the project)."""
        text = os.path.abspath(path)
        root = str(self.root)
        if text == root:
            return "."
        prefix = root if root.endswith(os.sep) else root + os.sep
        if text.startswith(prefix):
            rel = text[len(prefix) :]
            return rel if os.sep == "/" else rel.replace(os.sep, "/")
        return Path(text).as_posix()


def is_package_init(path: Path) -> bool:
    return path.name in ("__init__.py", "__init__.pyi")
