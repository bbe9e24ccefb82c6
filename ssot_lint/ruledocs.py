"""Rule documentation in ruff's shape, from the rule classes themselves.

The same text is printed by ``ssot-lint rule CODE``, exported as JSON, and
written to ``rules/<CODE>.md`` (a test keeps those files in sync).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from ssot_lint import config as config_module
from ssot_lint.rules.base import Rule

SECTIONS = (
    ("What it does", "what_it_does"),
    ("Why is this bad?", "why_bad"),
    ("Example", "example"),
    ("Use instead", "use_instead"),
)


def option_docs(rule: type[Rule]) -> list[tuple[str, str, str]]:
    """(key, default, description) for each option the rule reads."""
    out = []
    defaults = config_module.Settings()
    for dotted in rule.options:
        parts = dotted.split(".")
        owner: Any = defaults
        cls: Any = config_module.Settings
        doc = ""
        value: Any = None
        for part in parts:
            field = _field(cls, part)
            if field is None:
                value, doc = None, ""
                break
            doc = field.metadata.get("doc", "")
            value = getattr(owner, field.name) if owner is not None else None
            hint = typing.get_type_hints(cls)[field.name]
            inner = typing.get_args(hint)[0] if typing.get_args(hint) else hint
            cls = inner if dataclasses.is_dataclass(inner) else hint
            owner = value if dataclasses.is_dataclass(value) else None
        out.append((dotted, _toml_value(value), doc))
    return out


def _field(cls: Any, key: str) -> dataclasses.Field[Any] | None:
    if not dataclasses.is_dataclass(cls):
        return None
    for f in dataclasses.fields(cls):
        if f.metadata.get("key", f.name.replace("_", "-")) == key:
            return f
    return None


def _toml_value(value: Any) -> str:
    if dataclasses.is_dataclass(value):
        return "(table)"
    if isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
        return "(array of tables)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if value is None:
        return "(unset)"
    return str(value)


def render_rule_text(rule: type[Rule]) -> str:
    return render_rule_markdown(rule)


def render_rule_markdown(rule: type[Rule]) -> str:
    lines = [f"# {rule.name} ({rule.code})", ""]
    lines.append(f"{rule.summary}.")
    lines.append("")
    status = "enabled by default" if rule.default_enabled else "opt-in (select it to enable)"
    fix = "has an automatic fix" if rule.fixable else "has no automatic fix"
    lines.append(f"This rule is {status} and {fix}.")
    lines.append("")
    for title, attribute in SECTIONS:
        lines.append(f"## {title}")
        body = rule.doc(attribute)
        if attribute in ("example", "use_instead"):
            lines += ["```python", body, "```"]
        else:
            lines.append(body)
        lines.append("")
    lines.append("## Options")
    options = option_docs(rule)
    if rule.example_config:
        lines += ["The examples above run with:", "```toml", "[tool.ssot-lint]"]
        lines += [rule.example_config.strip(), "```"]
    if options:
        for key, default, doc in options:
            lines.append(f"- `{key}` (default `{default}`): {doc}".rstrip(": "))
    elif not rule.example_config:
        lines.append("None.")
    lines.append("")
    lines.append("## Fix safety")
    lines.append(rule.doc("fix_safety"))
    return "\n".join(lines).rstrip() + "\n"


def rule_summary(rule: type[Rule]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "kind": rule.kind,
        "default_enabled": rule.default_enabled,
        "fixable": rule.fixable,
        "what_it_does": rule.doc("what_it_does"),
        "why_bad": rule.doc("why_bad"),
        "example": rule.doc("example"),
        "use_instead": rule.doc("use_instead"),
        "options": [{"key": k, "default": d, "doc": doc} for k, d, doc in option_docs(rule)],
        "fix_safety": rule.doc("fix_safety"),
    }
