"""Prompt templates: shipped YAML files plus overrides saved in the database as new versions.

A template's version is a short hash of its content, so the same text always has
the same version. The shipped file is never overwritten: an admin's edit becomes a
`PromptVersionRow`, and `PromptActivationRow` records which version is active.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import select

from prompts.textdiff import Change, line_changes
from shifu.errors import NotFoundError, ShifuError
from shifu.settings import Settings
from shifu.store import session_scope
from shifu.tables import PromptActivationRow, PromptVersionRow

SHIPPED = "shipped"


class TemplateError(ShifuError):
    """A template file or override is invalid, or rendering lacked a variable."""


class TemplateSpec(BaseModel):
    """What one template YAML file holds."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str
    system: str
    user: str
    variables: list[str]
    sample: dict[str, Any] = {}

    @field_validator("name")
    @classmethod
    def _name_is_a_word(cls, value: str) -> str:
        if not value.replace("_", "").isalnum():
            raise ValueError("name must be letters, digits and underscores")
        return value


@dataclass(frozen=True)
class PromptTemplate:
    """One version of a template: its spec, content hash and where it came from."""

    spec: TemplateSpec
    version: str
    body: str  # the YAML text
    origin: str  # "shipped" or "override"
    created_by: str | None = None
    created_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered template: chat messages plus which template version made them."""

    name: str
    version: str
    messages: list[dict[str, str]]  # [{"role": "system"|"user", "content": ...}]


_env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)


def content_version(spec: TemplateSpec) -> str:
    """Short content hash: equal content, equal version, whatever the YAML formatting."""
    canonical = json.dumps(spec.model_dump(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def parse_template(yaml_text: str, source: str = "template") -> TemplateSpec:
    """Validate YAML text as a template; errors name the source and the problem."""
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{source} is not valid YAML ({exc}); fix the syntax and try again") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{source} must be a YAML mapping with name, description, system, user, variables")
    try:
        spec = TemplateSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'template'}: {e['msg']}" for e in exc.errors())
        raise TemplateError(f"{source} is not a valid template ({problems}); fix these fields") from exc
    _check_variables(spec, source)
    return spec


def _used_variables(spec: TemplateSpec, source: str) -> set[str]:
    used: set[str] = set()
    for part in ("system", "user"):
        try:
            used |= meta.find_undeclared_variables(_env.parse(getattr(spec, part)))
        except TemplateSyntaxError as exc:
            raise TemplateError(f"{source}: the {part} text has a Jinja2 error on line {exc.lineno}: {exc.message}") from exc
    return used


def _check_variables(spec: TemplateSpec, source: str) -> None:
    undeclared = _used_variables(spec, source) - set(spec.variables)
    if undeclared:
        raise TemplateError(
            f"{source} uses variables not listed under `variables`: {', '.join(sorted(undeclared))}; "
            "add them to the list or remove them from the text"
        )


# --- shipped templates -------------------------------------------------------------


TEMPLATES_DIR = Path(__file__).parent / "templates"  # package data; never written to


def _shipped_files() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(TEMPLATES_DIR.glob("*.yaml"))}


def shipped(name: str) -> PromptTemplate:
    """The template as shipped in prompts/templates/NAME.yaml."""
    files = _shipped_files()
    if name not in files:
        raise NotFoundError(f"no prompt template named {name!r}; `shifu prompts ls` lists them ({', '.join(sorted(files))})")
    spec = parse_template(files[name], f"prompts/templates/{name}.yaml")
    if spec.name != name:
        raise TemplateError(f"prompts/templates/{name}.yaml says name: {spec.name}; the name must match the file name")
    return PromptTemplate(spec=spec, version=content_version(spec), body=files[name], origin=SHIPPED)


def template_names() -> list[str]:
    """Names of all shipped templates."""
    return sorted(_shipped_files())


# --- versions in the database ------------------------------------------------------------


def _override(row: PromptVersionRow) -> PromptTemplate:
    spec = parse_template(row.body, f"saved version {row.version} of {row.name}")
    return PromptTemplate(spec=spec, version=row.version, body=row.body, origin="override",
                          created_by=row.created_by, created_at=row.created_at)


def versions(settings: Settings, name: str) -> list[PromptTemplate]:
    """Every version of a template, shipped first, then overrides oldest first."""
    out = [shipped(name)]
    with session_scope(settings) as session:
        rows = session.scalars(
            select(PromptVersionRow).where(PromptVersionRow.name == name).order_by(PromptVersionRow.id)
        ).all()
        out += [_override(row) for row in rows if row.version != out[0].version]
    return out


def _activations(settings: Settings, name: str) -> list[PromptActivationRow]:
    with session_scope(settings) as session:
        return list(session.scalars(
            select(PromptActivationRow).where(PromptActivationRow.name == name).order_by(PromptActivationRow.id)
        ).all())


def active_version(settings: Settings, name: str) -> str:
    """The version in use: the newest activation, else the shipped file."""
    acts = _activations(settings, name)
    return acts[-1].version if acts else shipped(name).version


def get_template(settings: Settings, name: str, version: str | None = None) -> PromptTemplate:
    """A template by name: the active version, or the version asked for."""
    wanted = version or active_version(settings, name)
    for candidate in versions(settings, name):
        if candidate.version == wanted or (version and len(version) >= 4 and candidate.version.startswith(version)):
            return candidate
    raise NotFoundError(f"template {name} has no version {wanted}; `shifu prompts show {name}` lists its versions")


def list_templates(settings: Settings) -> list[dict[str, Any]]:
    """One row per template: name, description, active version, whether it is overridden, count of versions."""
    out = []
    for name in template_names():
        every = versions(settings, name)
        active = active_version(settings, name)
        current = next((t for t in every if t.version == active), every[0])
        out.append({
            "name": name,
            "description": current.spec.description,
            "active": active,
            "origin": current.origin,
            "versions": len(every),
        })
    return out


def save_override(settings: Settings, name: str, yaml_text: str, created_by: str | None = None,
                  note: str | None = None, activate_now: bool = False) -> PromptTemplate:
    """Save edited YAML as a new version of NAME (validated); the shipped file stays as it is."""
    base = shipped(name)
    spec = parse_template(yaml_text, f"the edited {name} template")
    if spec.name != name:
        raise TemplateError(f"the edited template says name: {spec.name}; keep name: {name}")
    extra = set(spec.variables) - set(base.spec.variables)
    if extra:
        raise TemplateError(
            f"the edited {name} template needs variables shifu does not pass: {', '.join(sorted(extra))}; "
            f"use only {', '.join(base.spec.variables)}"
        )
    version = content_version(spec)
    known = {t.version for t in versions(settings, name)}
    if version not in known:
        with session_scope(settings) as session:
            session.add(PromptVersionRow(name=name, version=version, body=yaml_text, note=note, created_by=created_by))
    if activate_now:
        activate(settings, name, version, created_by)
    return get_template(settings, name, version)


def activate(settings: Settings, name: str, version: str, activated_by: str | None = None,
             *, is_rollback: bool = False) -> PromptTemplate:
    """Make VERSION the active one for NAME (a new row, so history is kept)."""
    template = get_template(settings, name, version)
    with session_scope(settings) as session:
        session.add(PromptActivationRow(name=name, version=template.version, activated_by=activated_by,
                                        is_rollback=is_rollback))
    return template


def _trail(settings: Settings, name: str) -> list[str]:
    """The versions a rollback walks back through, oldest (the shipped file) first, current last."""
    trail = [shipped(name).version]
    for act in _activations(settings, name):
        if act.is_rollback and len(trail) > 1:
            trail.pop()  # a rollback undid the activation before it
        if trail[-1] != act.version:
            trail.append(act.version)
    return trail


def rollback(settings: Settings, name: str, activated_by: str | None = None) -> PromptTemplate:
    """Go back to the version that was active before the current one; again walks further back."""
    trail = _trail(settings, name)
    if len(trail) < 2:
        raise TemplateError(
            f"template {name} is at its shipped version {trail[0]}; there is nothing to roll back "
            f"(`shifu prompts activate {name} VERSION` picks a saved version)"
        )
    return activate(settings, name, trail[-2], activated_by, is_rollback=True)


def history(settings: Settings, name: str) -> list[dict[str, Any]]:
    """Activations oldest first: version, who, when (the shipped version is the implicit first)."""
    return [
        {"version": a.version, "activated_by": a.activated_by, "at": a.created_at, "rollback": a.is_rollback}
        for a in _activations(settings, name)
    ]


def diff(settings: Settings, name: str, v1: str, v2: str) -> str:
    """Unified diff of two versions' YAML text."""
    a, b = get_template(settings, name, v1), get_template(settings, name, v2)
    lines = difflib.unified_diff(
        a.body.splitlines(keepends=True), b.body.splitlines(keepends=True),
        fromfile=f"{name}@{a.version}", tofile=f"{name}@{b.version}",
    )
    return "".join(lines)


def changes(settings: Settings, name: str, v1: str, v2: str) -> list[Change]:
    """What version v2 added, removed or changed against v1, line by line with the changed words."""
    a, b = get_template(settings, name, v1), get_template(settings, name, v2)
    return line_changes(a.body, b.body)


# --- rendering ----------------------------------------------------------------------


def render_template(template: PromptTemplate, variables: dict[str, Any]) -> RenderedPrompt:
    """Render system and user text; a missing variable raises, never a half-rendered prompt."""
    source = f"template {template.name}@{template.version}"
    missing = sorted(_used_variables(template.spec, source) - set(variables))
    if missing:
        raise TemplateError(f"{source} needs variable(s) {', '.join(missing)}; pass them when rendering")
    messages = []
    for role, part in (("system", template.spec.system), ("user", template.spec.user)):
        try:
            text = _env.from_string(part).render(**variables)
        except UndefinedError as exc:  # e.g. a field of a list item that is missing
            raise TemplateError(f"{source}: {exc.message}; pass complete values when rendering") from exc
        messages.append({"role": role, "content": text.strip()})
    return RenderedPrompt(name=template.name, version=template.version, messages=messages)


def render(settings: Settings, name: str, variables: dict[str, Any], version: str | None = None) -> RenderedPrompt:
    """Render the active (or a given) version of NAME with VARIABLES."""
    return render_template(get_template(settings, name, version), variables)


def preview(settings: Settings, name: str, version: str | None = None) -> RenderedPrompt:
    """Render a template with its own sample values, for the admin's preview."""
    template = get_template(settings, name, version)
    if not template.spec.sample:
        raise TemplateError(f"template {name} has no `sample` values to preview with; add them to its YAML")
    return render_template(template, template.spec.sample)


__all__ = [
    "PromptTemplate", "RenderedPrompt", "TemplateError", "TemplateSpec", "activate",
    "active_version", "content_version", "diff", "get_template", "history", "list_templates",
    "parse_template", "preview", "render", "render_template", "rollback", "save_override",
    "shipped", "template_names", "versions",
]
