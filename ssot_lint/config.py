"""``[tool.ssot-lint]`` settings: schema, defaults, discovery and validation.

The schema is a tree of dataclasses. TOML keys are the kebab-case field names
(``min-jaccard`` -> ``min_jaccard``), or ``metadata["key"]`` where a field name
would clash with Python (``class``). A single generic loader validates every
table, so an unknown key or a wrong type always produces the same kind of
message: file, dotted key, what was expected, and a suggestion.

With no configuration at all the defaults describe the platform ssot-lint was
first written for, matched by *name* (SPEC §5), so the first run is useful.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from ssot_lint.hashing import blake2b

try:
    import tomllib  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10 reads with tomlkit
    tomllib = None  # type: ignore[assignment]

CONFIG_FILE = "pyproject.toml"
SECTION = ("tool", "ssot-lint")


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI prints it and exits 2.

    The text names the file (with ``line:column`` when known) and the dotted
    key below ``[tool.ssot-lint]``, e.g.
    ``pyproject.toml: [tool.ssot-lint] key 'ids.strict': expected true or false``.
    """

    def __init__(
        self,
        message: str,
        file: Path | None = None,
        key: str | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.file = file
        self.key = key
        self.line = line
        self.column = column
        self.reason = message
        where = ""
        if file is not None:
            where = str(file)
            if line is not None:
                where += f":{line}" + (f":{column}" if column is not None else "")
            where += ": "
        what = f"[tool.ssot-lint] key '{key}': " if key else ""
        super().__init__(f"{where}{what}{message}")


# ---------------------------------------------------------------------------
# Schema. Field docs live in the metadata so `ssot-lint rule` can show them.


class Table:
    """Base of every schema table: fills nested defaults with real dataclasses."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value, tp = getattr(self, f.name), hints[f.name]
            if value is None and dataclasses.is_dataclass(tp):
                setattr(self, f.name, tp())
            elif _needs_materialising(value, tp):
                setattr(self, f.name, _convert(value, tp, f.name, None))

    def problem(self) -> tuple[str, str] | None:
        """A semantic error as (key, message), beyond what the types say; None if fine.

        Checked when the table is loaded from a file, so the message can name it.
        """
        return None


def _needs_materialising(value: Any, tp: Any) -> bool:
    if isinstance(value, dict) and dataclasses.is_dataclass(tp):
        return True
    args = typing.get_args(tp)
    return (
        isinstance(value, list)
        and bool(args)
        and dataclasses.is_dataclass(args[0])
        and any(isinstance(v, dict) for v in value)
    )


def _opt(default: Any = dataclasses.MISSING, *, key: str | None = None, doc: str = "") -> Any:
    meta = {"doc": doc}
    if key:
        meta["key"] = key
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: json.loads(json.dumps(d)), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class CanonicalClass(Table):
    """A canonical SSOT class and what it replaces."""

    class_: str = _opt(key="class", doc="Qualified (or bare) name of the canonical class.")
    absorbs: list[str] = _opt([], doc="Class names that re-implement it (SSOT001 a).")
    absorbed_modules: list[str] = _opt(
        [], doc="Modules folded into it; importing them is deprecated (SSOT004)."
    )
    accessor: str | None = _opt(None, doc="Singleton accessor to call instead (SSOT006).")
    allow: list[str] = _opt([], doc="Modules allowed to instantiate it directly (SSOT006).")

    @property
    def name(self) -> str:
        return self.class_.rsplit(".", 1)[-1]

    def problem(self) -> tuple[str, str] | None:
        if not self.class_.strip():
            return "class", "must name the canonical class"
        return None


@dataclass
class DeprecatedSymbol(Table):
    """A deprecated class/function (``symbol``) or whole module (``module``)."""

    symbol: str | None = _opt(None, doc="Qualified (or bare) name of the deprecated symbol.")
    module: str | None = _opt(None, doc="Dotted name of a deprecated module.")
    replacement: str = _opt("", doc="What to use instead (shown in the message).")

    def problem(self) -> tuple[str, str] | None:
        if not self.symbol and not self.module:
            return "", "needs 'symbol' or 'module'"
        return None


@dataclass
class IdsSettings(Table):
    managers: list[str] = _opt(
        ["unified_id_manager"],
        doc="ID-manager modules (dotted names; a bare name matches any module ending in it).",
    )
    fix: str = _opt(
        "UnifiedIDManager.generate_id(IDType.{KIND})",
        doc="Expression that replaces a manual ID; {KIND} becomes the ID kind.",
    )
    fix_imports: list[str] = _opt(
        [],
        doc="Qualified names the fix expression needs imported, e.g. "
        "'pkg.core.unified_id_manager.UnifiedIDManager'. Without them no fix is offered "
        "unless the file already imports the names.",
    )
    kinds: list[str] = _opt(
        [
            "EXECUTION",
            "USER",
            "THREAD",
            "RUN",
            "REQUEST",
            "WEBSOCKET",
            "AGENT",
            "SESSION",
            "TRACE",
            "CONNECTION",
            "MESSAGE",
        ],
        doc="ID kinds the fix may use; the kind is the word before 'id' in the sink name.",
    )
    generators: list[str] = _opt(
        [], doc="Extra ID generators besides uuid.uuid1/3/4/5 (qualified names)."
    )
    strict: bool = _opt(False, doc="Flag every generator call outside the ID managers.")


@dataclass
class StateShape(Table):
    """A dict literal shape that maps unambiguously to one state enum member."""

    match: dict[str, Any] = _opt({}, doc="Keys and constant values of the dict.")
    member: str = _opt("", doc="The enum member it means.")


@dataclass
class StateSettings(Table):
    functions: list[str] = _opt(
        ["update_execution_state"], doc="State-update functions, matched by name on any receiver."
    )
    enum: str = _opt("ExecutionState", doc="The state enum (qualified or bare name).")
    position: int = _opt(2, doc="1-based position of the state argument.")
    keywords: list[str] = _opt(["state", "new_state"], doc="Keyword names of the state argument.")
    members: dict[str, str] = _opt(
        {},
        doc="Enum members (NAME = value) for fixes; by default read from the enum's definition.",
    )
    shapes: list[StateShape] = _opt(
        [
            {"match": {"success": True, "completed": True}, "member": "COMPLETED"},
            {"match": {"success": False, "completed": True}, "member": "FAILED"},
        ],
        doc="Dict shapes with an unambiguous member.",
    )

    def problem(self) -> tuple[str, str] | None:
        if self.position < 1:
            return "position", f"must be 1 or more (1-based), got {self.position}"
        return None


@dataclass
class DuplicatesSettings(Table):
    patterns: list[str] = _opt(
        ["*Tracker", "*TimeoutManager", "*CircuitBreaker"],
        doc="Class-name patterns that must be defined once (SSOT001 b).",
    )
    min_shared_methods: int = _opt(4, doc="Shared public methods that make a re-implementation.")
    min_jaccard: float = _opt(0.5, doc="Jaccard similarity of public methods (SSOT001 d).")
    include_tests: bool = _opt(False, doc="Count and report test modules too (SSOT001 b-d).")

    def problem(self) -> tuple[str, str] | None:
        if not 0.0 <= self.min_jaccard <= 1.0:
            return "min-jaccard", f"must be between 0 and 1, got {self.min_jaccard}"
        if self.min_shared_methods < 1:
            return "min-shared-methods", f"must be 1 or more, got {self.min_shared_methods}"
        return None


@dataclass
class ImportsSettings(Table):
    strict: bool = _opt(False, doc="Every first-party import must be in the registry (SSOT005 d).")
    report_guarded: bool = _opt(
        False, doc="Also report unresolvable imports guarded by try/except ImportError."
    )


@dataclass
class SuppressionSettings(Table):
    require_reasons: bool = _opt(
        False, doc="Suppression comments must give a reason: # ssot: ignore[CODE](why)."
    )


@dataclass
class Consolidation(Table):
    """A migration from deprecated modules/symbols to a canonical module."""

    name: str = _opt("", doc="Label shown in reports.")
    deprecated: list[str] = _opt([], doc="Deprecated modules or qualified symbols.")
    canonical: str = _opt("", doc="The canonical module (or qualified symbol).")


DEFAULT_EXCLUDE = [
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    ".ssot-lint-cache",
]

DEFAULT_TEST_PATTERNS = [
    "**/tests/**",
    "**/test/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
]


@dataclass
class Settings(Table):
    src: list[str] = _opt(
        [],
        doc="First-party top-level packages, as paths relative to the config file "
        "(default: every package directory at the root and under src/).",
    )
    exclude: list[str] = _opt(DEFAULT_EXCLUDE, doc="Gitignore-style patterns never analysed.")
    extend_exclude: list[str] = _opt([], doc="Patterns excluded in addition to 'exclude'.")
    force_exclude: bool = _opt(False, doc="Apply exclusions to paths named on the command line.")
    respect_gitignore: bool = _opt(True, doc="Skip files ignored by .gitignore.")
    select: list[str] = _opt([], doc="Rule codes or prefixes to enable (default: SSOT000-SSOT006).")
    extend_select: list[str] = _opt([], doc="Rules enabled in addition to 'select'.")
    ignore: list[str] = _opt([], doc="Rule codes or prefixes to disable.")
    per_file_ignores: dict[str, list[str]] = _opt({}, doc="Glob -> codes ignored in those files.")
    test_patterns: list[str] = _opt(DEFAULT_TEST_PATTERNS, doc="Globs that identify test modules.")
    registry: str | None = _opt(None, doc="SSOT import registry (.md or .toml).")
    baseline: str | None = _opt(None, doc="Baseline file of known violations.")
    cache_dir: str | None = _opt(None, doc="Cache directory (default .ssot-lint-cache).")
    canonical: list[CanonicalClass] = _opt(
        [
            {
                "class": "AgentExecutionTracker",
                "absorbs": ["AgentStateTracker", "AgentExecutionTimeoutManager"],
                "accessor": "get_execution_tracker",
            }
        ]
    )
    deprecated: list[DeprecatedSymbol] = _opt(
        [{"symbol": "DeepAgentState", "replacement": "UserExecutionContext"}]
    )
    consolidations: list[Consolidation] = _opt([])
    ids: IdsSettings = _opt(None)
    state: StateSettings = _opt(None)
    duplicates: DuplicatesSettings = _opt(None)
    imports: ImportsSettings = _opt(None)
    suppressions: SuppressionSettings = _opt(None)

    def fingerprint(self) -> str:
        """A stable hash of every setting: part of every cache key."""
        blob = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)
        return blake2b(blob.encode(), digest_size=12).hexdigest()


# ---------------------------------------------------------------------------
# Generic TOML -> dataclass loading with precise errors.


def _toml_key(f: dataclasses.Field[Any]) -> str:
    return f.metadata.get("key") or f.name.replace("_", "-")


def _plain(value: Any) -> Any:
    """tomlkit items -> plain Python values."""
    if hasattr(value, "unwrap"):
        return value.unwrap()
    return value


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if origin is list:
        (inner,) = typing.get_args(tp)
        if dataclasses.is_dataclass(inner):
            return "an array of tables"
        return f"an array of {_type_name(inner).removeprefix('a ').removeprefix('an ')}s"
    if origin is dict:
        return "a table"
    if dataclasses.is_dataclass(tp):
        return "a table"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    return str(tp)


def _convert(value: Any, tp: Any, key: str, file: Path | None) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None and type(None) in typing.get_args(tp):
            return None
        errors = []
        for arg in args:
            try:
                return _convert(value, arg, key, file)
            except ConfigError as exc:
                errors.append(exc)
        raise ConfigError(f"expected {_type_name(tp)}, got {_describe(value)}", file, key)
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif origin is list:
        (inner,) = typing.get_args(tp)
        if isinstance(value, list):
            return [_convert(v, inner, f"{key}[{i}]", file) for i, v in enumerate(value)]
    elif origin is dict:
        _, inner = typing.get_args(tp)
        if isinstance(value, dict):
            return {
                str(k): _convert(v, inner, join_key(key, str(k)), file) for k, v in value.items()
            }
    elif dataclasses.is_dataclass(tp) and isinstance(value, dict):
        return load_table(tp, value, key, file)
    raise ConfigError(f"expected {_type_name(tp)}, got {_describe(value)}", file, key)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def load_table(cls: type[Any], table: dict[str, Any], prefix: str, file: Path | None) -> Any:
    """Build dataclass ``cls`` from a TOML table, rejecting unknown and missing keys."""
    hints = typing.get_type_hints(cls)
    by_key = {_toml_key(f): f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for raw_key, raw_value in table.items():
        key = str(raw_key)
        dotted = join_key(prefix, key)
        f = by_key.get(key)
        if f is None:
            import difflib  # only for a misspelt key

            close = difflib.get_close_matches(key, list(by_key), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            known = ", ".join(sorted(by_key))
            raise ConfigError(f"unknown key{hint}; known keys: {known}", file, dotted)
        kwargs[f.name] = _convert(_plain(raw_value), hints[f.name], dotted, file)
    for key, f in by_key.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and f.name not in kwargs:
            raise ConfigError("missing required key", file, join_key(prefix, key))
    value = cls(**kwargs)
    problem = value.problem() if isinstance(value, Table) else None
    if problem is not None:
        key, message = problem
        raise ConfigError(message, file, join_key(prefix, key) if key else prefix or None)
    return value


def join_key(prefix: str, key: str) -> str:
    # Keys that are not bare TOML keys (globs in per-file-ignores) are quoted.
    shown = key if _BARE_KEY.fullmatch(key) else json.dumps(key)
    return f"{prefix}.{shown}" if prefix else shown


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# ---------------------------------------------------------------------------
# Finding and reading configuration files.


@dataclass
class LoadedConfig:
    settings: Settings
    root: Path  # the project root: the config file's directory, or a guess
    file: Path | None  # the pyproject.toml the settings came from, if any


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file into plain values; every failure becomes a
    ConfigError naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", path) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a TOML file", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError("invalid TOML: not UTF-8", path, line=line, column=column) from None
    if tomllib is not None:
        # Every run reads its configuration; only ``fix`` and ``init`` write
        # one back. The standard library's parser costs a run a fraction of
        # tomlkit's import time (about 8 ms of a 0.3 s pre-commit run).
        try:
            return tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            pass  # tomlkit says what is wrong, in the words users see
    return _parse_with_tomlkit(text, path)


def _parse_with_tomlkit(text: str, path: Path) -> dict[str, Any]:
    import tomlkit
    import tomlkit.exceptions

    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        # tomlkit appends " at line L col C" (C 0-based) to its message: show it
        # as file:line:col instead, as compilers do.
        message = re.sub(r"\s*at line \d+ col \d+$", "", str(exc)).rstrip(". ")
        raise ConfigError(
            f"invalid TOML: {message}", path, line=exc.line, column=exc.col + 1
        ) from None
    except (tomlkit.exceptions.TOMLKitError, ValueError, RecursionError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    try:
        return document.unwrap()
    except (tomlkit.exceptions.TOMLKitError, ValueError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None


def _section(doc: Any) -> Any | None:
    node = doc
    for part in SECTION:
        if not hasattr(node, "get"):
            return None
        node = node.get(part)
        if node is None:
            return None
    return node


def _mentions_us(path: Path) -> bool:
    try:
        return b"ssot-lint" in path.read_bytes()
    except OSError:
        return True  # cannot tell: the read error is worth reporting


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.ssot-lint] section, walking up.

    As in ruff, a pyproject.toml without the section is passed over. One that
    cannot be parsed is passed over too, unless it mentions ssot-lint: then
    it is ours and broken, and the user must hear about it.
    """
    start = start.resolve()
    for directory in [start, *start.parents] if start.is_dir() else start.parents:
        candidate = directory / CONFIG_FILE
        if not candidate.is_file():
            continue
        try:
            doc = read_toml(candidate)
        except ConfigError:
            if _mentions_us(candidate):
                raise
            continue
        if _section(doc) is not None:
            return candidate
    return None


def guess_root(start: Path) -> Path:
    """Project root without a config: the nearest directory with pyproject.toml or .git."""
    start = start.resolve()
    base = start if start.is_dir() else start.parent
    for directory in [base, *base.parents]:
        if (directory / CONFIG_FILE).is_file() or (directory / ".git").exists():
            return directory
    return base


def load_settings_file(path: Path, *, required: bool = False) -> Settings:
    """Settings from ``path``'s [tool.ssot-lint] (defaults if absent, unless ``required``)."""
    doc = read_toml(path)
    section = _section(doc)
    if section is None:
        if required:
            raise ConfigError("has no [tool.ssot-lint] section", path)
        return Settings()
    table = section
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.ssot-lint] must be a table, got {_describe(table)}", path)
    settings = load_table(Settings, table, "", path)
    # Rule selectors can only be checked against the rule registry; doing it
    # here means the message names this file and the key.
    from ssot_lint.selection import validate_selectors

    validate_selectors(settings, path)
    return settings


def load_config(paths: list[Path], config_file: Path | None = None) -> LoadedConfig:
    """Settings for a run over ``paths``: explicit file, else found, else defaults."""
    if config_file is not None:
        config_file = config_file.resolve()
        settings = load_settings_file(config_file, required=True)
        return LoadedConfig(settings, config_file.parent, config_file)
    anchor = _common_ancestor(paths)
    found = find_config(anchor)
    if found is not None:
        return LoadedConfig(load_settings_file(found), found.parent, found)
    return LoadedConfig(Settings(), guess_root(anchor), None)


def _common_ancestor(paths: list[Path]) -> Path:
    resolved = [p.resolve() for p in paths] or [Path.cwd()]
    common = resolved[0]
    for p in resolved[1:]:
        while common != common.parent and not p.is_relative_to(common):
            common = common.parent
    return common
