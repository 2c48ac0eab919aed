#!/usr/bin/env python3
"""Validate the template packs in templates-market/ against schemas/ and the rules a schema cannot express.

Usage:
    python3 scripts/validate-packs.py                 # every templates-market/*/pack.yaml
    python3 scripts/validate-packs.py templates-market/sales

Prints one line per problem (`file: where: what`) and exits 1 if there is any;
otherwise prints a summary such as `1 pack, 8 entities, 7 roles, 1 assignment rule, 2 automations, 97 fields: ok`.
Needs `pip install jsonschema pyyaml`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO_ROOT / "schemas"
MARKET_DIR = REPO_ROOT / "templates-market"

COMMON_FIELD_PROPERTIES = {"name", "type", "label", "help", "required", "unique", "indexed", "default"}
EXTRA_PROPERTIES = {
    "text": {"max_length"},
    "long_text": {"max_length"},
    "number": {"min", "max"},
    "decimal": {"min", "max"},
    "money": {"min", "max"},
    "percent": {"min", "max"},
    "select": {"options"},
    "multi_select": {"options", "max_selections"},
    "relation": {"target"},
    "attachment": {"min_count", "max_count", "accept"},
    "auto_number": {"pattern"},
}
NO_DEFAULT_TYPES = {"relation", "attachment", "auto_number", "user"}
DEFAULT_MAX_LENGTH = {"text": 1000, "long_text": 100_000}
# Types whose values are arrays or JSON: a unique constraint on them means nothing useful.
NOT_UNIQUE_TYPES = {"multi_select", "attachment", "location"}
# Types that cannot serve as a record's title.
NOT_TITLE_TYPES = {"multi_select", "attachment", "location"}
# Roles: the built-in administrator, the key for every entity a role does not name, and the record actions.
ADMIN_ROLE = "admin"
EVERY_ENTITY = "*"
ROLE_ACTIONS = ("create", "read", "update", "delete")
# Automations: the members each trigger (by `on`) and each action (by `type`) may have, and the field
# types an action cannot write (the server computes them).
TRIGGER_MEMBERS = {
    "create": {"on"},
    "update": {"on", "fields", "becomes_true"},
    "stage_change": {"on", "from", "to"},
    "delete": {"on"},
    "time": {"on", "field", "offset"},
    "inactive": {"on", "field", "after"},
    "sla": {"on", "start", "stop"},
    "schedule": {"on", "cron"},
}
ACTION_MEMBERS = {
    "set": {"type", "values"},
    "create": {"type", "entity", "values"},
    "update_related": {"type", "relation", "values"},
    "notify": {"type", "to", "channel", "message"},
    "webhook": {"type", "url"},
    "assign": {"type", "rule"},
    "lock": {"type", "duration"},
    "stage_back": {"type"},
    "escalate": {"type", "levels", "role", "field", "message"},
}
COMPUTED_TYPES = {"formula", "auto_number"}
ROLE_PREFIX = "role:"
# The folder of a pack's assignment rules (listed in pack.yaml as `assignment_rules`).
ASSIGNMENT_RULES_DIR = "assignment-rules"
DATE_TYPES = ("date", "datetime")
# System columns an sla trigger may start from (as the server resolves them: both are datetimes).
SYSTEM_DATETIMES = ("created_at", "updated_at")
# A lock lasts from one minute to 30 days (microseconds, as the server counts durations).
LOCK_MIN, LOCK_MAX = 60_000_000, 30 * 86_400_000_000
DURATION_UNITS = (("ms", 1000), ("us", 1), ("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000))
# Cron fields: name, lowest and highest value (day of week 0-7: 0 and 7 are Sunday).
CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
# Messages for a `not: {required: [...]}` in the schemas: members that may not appear (together) there.
NOT_WITH = {
    ("actions",): "an sla automation has steps, each with its actions, not actions",
    ("steps",): "steps belong to sla triggers; other triggers have actions",
    ("to",): "'to' is not allowed with a named channel: a channel posts to its group; to applies to inbox and email",
    ("levels", "role"): "name levels or role, not both",
    ("weight",): "weight applies only to strategy weighted",
}
# Assignment rules: the members one of which names a pool (in a route, pool or fallback).
POOL_KINDS = ("team", "role", "users")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


@dataclass
class Report:
    """The outcome of validating packs: the problems found and what was looked at."""

    problems: list[Problem] = field(default_factory=list)
    packs: int = 0
    entities: int = 0
    roles: int = 0
    automations: int = 0
    fields: int = 0
    assignment_rules: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        def count(n: int, word: str, plural: str) -> str:
            return f"{n} {word if n == 1 else plural}"

        return ", ".join(
            [
                count(self.packs, "pack", "packs"),
                count(self.entities, "entity", "entities"),
                count(self.roles, "role", "roles"),
                count(self.assignment_rules, "assignment rule", "assignment rules"),
                count(self.automations, "automation", "automations"),
                count(self.fields, "field", "fields"),
            ]
        )


# --- YAML --------------------------------------------------------------------------------------


class PackYAMLError(Exception):
    """A YAML document that cannot be read unambiguously."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and YAML 1.1 yes/no/on/off boolean values, and keeps dates as strings.

    Plain mapping keys are read as their text, as the server reads them: a trigger's `on:` is the key "on".
    """


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_BOOL_TAG = "tag:yaml.org,2002:bool"
_STR_TAG = "tag:yaml.org,2002:str"


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _BOOL_TAG and key_node.style is None:
            key_node.tag = _STR_TAG  # `on:` (or `yes:`) as a key is that text to the server, not a boolean
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise PackYAMLError(f"line {mark.line + 1}: duplicate key {key!r}")
        seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _construct_bool(loader: _StrictLoader, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if text.lower() not in ("true", "false"):
        raise PackYAMLError(
            f"line {node.start_mark.line + 1}: {text!r} reads as a boolean in YAML 1.1 but as a string elsewhere; "
            f"write true/false, or quote it"
        )
    return text.lower() == "true"


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def load_yaml(path: Path) -> Any:
    """Read one YAML document strictly; raises PackYAMLError with a line number."""
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.load(f, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        context = f" ({e.context})" if e.context else ""
        raise PackYAMLError(f"invalid YAML: {where}{e.problem}{context}") from e
    except yaml.YAMLError as e:
        raise PackYAMLError(f"invalid YAML: {e}") from e
    except UnicodeDecodeError as e:
        raise PackYAMLError(f"not UTF-8: {e}") from e


# --- schemas ------------------------------------------------------------------------------------


class Schemas:
    """The pack, entity, role, assignment-rule and automation validators, with cross-file $refs resolved from schemas/."""

    def __init__(self, schema_dir: Path = SCHEMA_DIR):
        resources = []
        docs = {}
        for path in sorted(schema_dir.glob("*.schema.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            docs[path.name] = doc
            resources.append((doc["$id"], Resource.from_contents(doc)))
        registry = Registry().with_resources(resources)
        self.pack = Draft202012Validator(docs["pack.schema.json"], registry=registry)
        self.entity = Draft202012Validator(docs["entity.schema.json"], registry=registry)
        self.role = Draft202012Validator(docs["role.schema.json"], registry=registry)
        self.automation = Draft202012Validator(docs["automation.schema.json"], registry=registry)
        self.assignment_rule = Draft202012Validator(docs["assignment-rule.schema.json"], registry=registry)


_schemas: Schemas | None = None


def schemas() -> Schemas:
    global _schemas
    if _schemas is None:
        _schemas = Schemas()
    return _schemas


def _where(doc: Any, path: Iterable[Any]) -> str:
    """A readable location such as `fields[3] (source_channel).options[0].key`."""
    out = ""
    node = doc
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str) and out.startswith("fields") and out.count("[") == 1:
                out += f" ({node['name']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _schema_message(error) -> str | None:
    """A readable message for one schema error, or None when another error already says it."""
    validator = error.validator
    instance = error.instance
    if validator is None:
        # A `false` subschema (e.g. `default` on a relation); the unevaluatedProperties error names it better.
        return None
    if validator == "not" and error.validator_value == {"const": ADMIN_ROLE}:
        return f"{instance!r} is the built-in tenant administrator role and cannot be redefined"
    if validator == "not" and error.validator_value == {"const": "id"}:
        return f"{instance!r} cannot name a figure: a weight reads user.id as the candidate's id"
    if validator == "not" and isinstance(error.validator_value, dict) and isinstance(error.validator_value.get("required"), list):
        return NOT_WITH.get(tuple(error.validator_value["required"]), error.message)
    if validator == "required" and error.validator_value == ["steps"]:
        return "'steps' is a required property: an sla automation has 1 to 10 steps {after: \"4h\", actions: [...]}"
    if validator == "required" and error.validator_value == ["condition"]:
        return "condition is required with trigger.becomes_true: the automation runs when the condition becomes true"
    if validator == "required" and error.validator_value == ["pool"]:
        return "pool is required when there are no routes: {team: ...}, {role: ...} or {users: [emails]}"
    if validator == "oneOf" and isinstance(instance, dict) and error.validator_value == [{"required": [k]} for k in POOL_KINDS]:
        named = [k for k in POOL_KINDS if k in instance]
        return f"name exactly one of team, role or users (here: {', '.join(named) if named else 'none'})"
    if validator == "not" and isinstance(instance, str):
        return f"{instance!r} is a reserved name (system columns and query-string words cannot be field names)"
    if validator == "unevaluatedProperties" and isinstance(instance, dict) and error.schema.get("$ref") == "#/$defs/actions":
        # A role's permission for one entity (or for "*"). As for fields below, a failing action counts as
        # unevaluated too; report only properties that are really not allowed.
        every = bool(error.path) and error.path[-1] == EVERY_ENTITY
        if every and "fields" in instance:
            return "field access needs a named entity, not '*': 'fields' is not allowed here"
        allowed = set(ROLE_ACTIONS) | (set() if every else {"fields"})
        bad = sorted(str(k) for k in instance if k not in allowed)
        return f"not allowed in a permission: {', '.join(bad)} (allowed: {', '.join(sorted(allowed))})" if bad else None
    if validator == "unevaluatedProperties" and isinstance(instance, dict) and "on" in error.schema.get("properties", {}):
        # An automation's trigger: `on` decides its other members (as for fields below, report only those
        # really not allowed; an unknown `on` is reported by itself).
        on = instance.get("on")
        if not isinstance(on, str) or on not in TRIGGER_MEMBERS:
            return None
        bad = sorted(str(k) for k in instance if k not in TRIGGER_MEMBERS[on])
        allowed = ", ".join(sorted(TRIGGER_MEMBERS[on] - {"on"})) or "nothing else"
        return f"not allowed in a trigger on {on!r}: {', '.join(bad)} (allowed: {allowed})" if bad else None
    if validator == "unevaluatedProperties" and isinstance(instance, dict) and _is_action_schema(error.schema):
        kind = instance.get("type")
        if not isinstance(kind, str) or kind not in ACTION_MEMBERS:
            return None
        bad = sorted(str(k) for k in instance if k not in ACTION_MEMBERS[kind])
        allowed = ", ".join(sorted(ACTION_MEMBERS[kind] - {"type"})) or "nothing else"
        article = "an" if kind[:1] in "aeiou" else "a"
        return f"not allowed in {article} {kind!r} action: {', '.join(bad)} (allowed: {allowed})" if bad else None
    if validator == "additionalProperties" and "expression" in error.schema.get("properties", {}) and isinstance(instance, dict):
        bad = sorted(str(k) for k in instance if k != "expression")
        return f"an expression value is {{expression: \"...\"}} alone; not allowed with it: {', '.join(bad)}"
    if validator == "unevaluatedProperties" and isinstance(instance, dict):
        # When a type's branch fails (say, empty options) its properties count as unevaluated too;
        # report only properties the type really does not allow.
        ftype = instance.get("type") if isinstance(instance.get("type"), str) else None
        allowed = COMMON_FIELD_PROPERTIES | EXTRA_PROPERTIES.get(ftype, set())
        bad = set(k for k in instance if k not in allowed)
        if ftype in NO_DEFAULT_TYPES and "default" in instance:
            bad.add("default")
        return f"not allowed for a field of type {ftype!r}: {', '.join(sorted(bad))}" if bad else None
    if validator == "additionalProperties" and "patternProperties" in error.schema and isinstance(instance, dict):
        bad = sorted(k for k in instance if not re.fullmatch(r"[a-z]{2}(-[A-Za-z]{2,4})?", str(k)))
        return (
            f"not locale tags: {', '.join(map(repr, bad))} (a label is {{zh-CN: ..., en: ...}}; "
            f"an unquoted ',' or ': ' inside a {{...}} mapping splits the text - quote it or use '，')"
        )
    if validator == "pattern" and error.path and error.path[-1] == "channel":
        return f"{instance!r}: a notify's channel is inbox, email or the API name of one of the tenant's channels (settings.channels)"
    if validator == "pattern":
        if error.validator_value == "^(\\*|[a-z][a-z0-9_]{0,47})$":
            return f"{instance!r} is neither an entity name (lowercase ASCII letter first, then a-z 0-9 _, at most 48) nor '*'"
        if error.validator_value == "^[a-z][a-z0-9_]{0,47}$":
            return f"{instance!r} is not a valid name: lowercase ASCII letter first, then a-z 0-9 _ (at most 48)"
        if isinstance(error.schema, dict) and error.schema.get("description"):
            return f"{instance!r} is not valid: {error.schema['description']}"
    if validator == "enum" and instance == "assigned" and error.path and error.path[-1] == "create":
        return "'assigned' applies to existing records, not to create (use none, own, team, subordinates or all)"
    path = list(error.path)
    if validator == "enum" and path == ["trigger", "on"]:
        return f"unknown trigger {instance!r} (use {_or_list(TRIGGER_MEMBERS)})"
    if validator == "enum" and len(path) >= 3 and path[-3] == "actions" and path[-1] == "type":
        return f"unknown action type {instance!r} (use {_or_list(ACTION_MEMBERS)})"
    if validator == "maxItems" and path[-1:] == ["actions"]:
        return f"{len(instance)} actions; an automation {'step ' if len(path) > 1 else ''}has at most {error.validator_value}"
    if validator == "maxItems" and path == ["steps"]:
        return f"{len(instance)} steps; an sla automation has at most {error.validator_value}"
    if validator == "enum" and error.path and error.path[-1] == "type":
        return f"unknown field type {instance!r}"
    return error.message


def _or_list(names: Iterable[str]) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _is_action_schema(schema: Any) -> bool:
    kind = schema.get("properties", {}).get("type") if isinstance(schema, dict) else None
    return isinstance(kind, dict) and "webhook" in kind.get("enum", [])


def _schema_problems(validator: Draft202012Validator, doc: Any, file: str) -> list[Problem]:
    problems = []
    def order(error) -> list[tuple]:
        return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]

    for error in sorted(validator.iter_errors(doc), key=order):
        message = _schema_message(error)
        if message is not None:
            problems.append(Problem(file, _where(doc, error.absolute_path), message))
    return problems


# --- single documents ---------------------------------------------------------------------------


def check_pack_manifest(doc: Any, file: str = "pack.yaml") -> list[Problem]:
    """Problems of one pack.yaml document on its own (schema only; files are checked by check_pack_dir)."""
    return _schema_problems(schemas().pack, doc, file)


def check_entity(doc: Any, file: str = "entity.yaml") -> list[Problem]:
    """Problems of one entity document on its own: the schema, then what the schema cannot say."""
    problems = _schema_problems(schemas().entity, doc, file)
    if not isinstance(doc, dict):
        return problems

    def report(where: str, message: str) -> None:
        problems.append(Problem(file, where, message))

    fields = doc.get("fields") if isinstance(doc.get("fields"), list) else []
    by_name: dict[str, dict] = {}
    for i, f in enumerate(fields):
        if not isinstance(f, dict):
            continue
        name = f.get("name")
        where = f"fields[{i}] ({name})" if isinstance(name, str) else f"fields[{i}]"
        if isinstance(name, str):
            if name in by_name:
                report(where, f"duplicate field name {name!r}")
            else:
                by_name[name] = f
        problems.extend(Problem(file, where + w, m) for w, m in _field_semantics(f))

    for i, rule in enumerate(doc.get("rules") if isinstance(doc.get("rules"), list) else []):
        if isinstance(rule, dict):
            problems.extend(Problem(file, f"rules[{i}] ({rule.get('name')})" + w, m) for w, m in _rule_references(rule, by_name))
    for i, f in enumerate(fields):
        if isinstance(f, dict) and isinstance(f.get("stage"), dict):
            problems.extend(Problem(file, f"fields[{i}] ({f.get('name')}).stage" + w, m) for w, m in _stage_references(f, by_name))

    title = doc.get("title_field")
    if isinstance(title, str):
        target = by_name.get(title)
        if target is None:
            report("title_field", f"{title!r} is not a field of this entity")
        elif isinstance(target.get("type"), str) and target["type"] in NOT_TITLE_TYPES:
            report("title_field", f"{title!r} is a {target.get('type')} field and cannot be a record's title")
    return problems


def _rule_references(rule: dict, by_name: dict[str, dict]) -> list[tuple[str, str]]:
    """Fields a rule names must exist (its expressions are type-checked by the server on install)."""
    out: list[tuple[str, str]] = []
    names: list[tuple[str, Any]] = [(".field", rule.get("field")), (".link_field", rule.get("link_field"))]
    for key in ("fields", "required", "match", "copy"):
        names += [(f".{key}", n) for n in rule.get(key, []) if isinstance(rule.get(key), list)]
    if isinstance(rule.get("set"), dict):
        names += [(".set", n) for n in rule["set"]]
    for where, name in names:
        if isinstance(name, str) and name not in by_name:
            out.append((where, f"{name!r} is not a field of this entity"))
    link = by_name.get(rule.get("link_field")) if isinstance(rule.get("link_field"), str) else None
    if link is not None and link.get("type") != "relation":
        out.append((".link_field", f"{rule['link_field']!r} must be a relation field"))
    return out


def _stage_references(f: dict, by_name: dict[str, dict]) -> list[tuple[str, str]]:
    """Stage keys must be options of the field; exit conditions must name fields."""
    out: list[tuple[str, str]] = []
    stage = f["stage"]
    keys = {o.get("key") for o in f.get("options", []) if isinstance(o, dict)}
    mentioned: list[tuple[str, Any]] = []
    for source, targets in (stage.get("transitions") or {}).items():
        mentioned.append((".transitions", source))
        mentioned += [(f".transitions.{source}", t) for t in targets if isinstance(targets, list)]
    for key in ("initial", "exempt"):
        mentioned += [(f".{key}", k) for k in stage.get(key, []) if isinstance(stage.get(key), list)]
    for source, conditions in (stage.get("exit") or {}).items():
        mentioned.append((".exit", source))
        if isinstance(conditions, dict):
            for name in list(conditions.get("required") or []) + list((conditions.get("min_attachments") or {}).keys()):
                if name not in by_name:
                    out.append((f".exit.{source}", f"{name!r} is not a field of this entity"))
    for where, key in mentioned:
        if isinstance(key, str) and key not in keys:
            out.append((where, f"{key!r} is not an option of {f.get('name')}"))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _field_semantics(f: dict) -> list[tuple[str, str]]:
    """(location suffix, message) pairs for one field: cross-property rules a schema cannot state."""
    out: list[tuple[str, str]] = []
    ftype = f.get("type") if isinstance(f.get("type"), str) else None
    default = f.get("default")
    has_default = "default" in f

    if _is_number(f.get("min")) and _is_number(f.get("max")) and f["min"] > f["max"]:
        out.append(("", f"min {f['min']} is greater than max {f['max']}"))
    if _is_number(f.get("min_count")) and _is_number(f.get("max_count")) and f["min_count"] > f["max_count"]:
        out.append(("", f"min_count {f['min_count']} is greater than max_count {f['max_count']}"))
    if ftype == "attachment" and f.get("max_count") == 0:
        out.append((".max_count", "max_count 0 allows no file at all"))

    options = f.get("options") if isinstance(f.get("options"), list) else []
    keys = [o.get("key") for o in options if isinstance(o, dict) and isinstance(o.get("key"), str)]
    seen: set = set()
    for j, key in enumerate(keys):
        if key in seen:
            out.append((f".options[{j}]", f"duplicate option key {key!r}"))
        seen.add(key)
    max_sel = f.get("max_selections")
    if ftype == "multi_select" and _is_number(max_sel) and keys and max_sel > len(keys):
        out.append((".max_selections", f"max_selections {max_sel} is more than the {len(keys)} options"))

    if has_default and ftype not in NO_DEFAULT_TYPES:
        if ftype == "select" and isinstance(default, str) and keys and default not in keys:
            out.append((".default", f"{default!r} is not one of the options"))
        if ftype == "multi_select" and isinstance(default, list):
            unknown = [k for k in default if k not in keys]
            if keys and unknown:
                out.append((".default", f"not options: {', '.join(map(str, unknown))}"))
            if _is_number(max_sel) and len(default) > max_sel:
                out.append((".default", f"{len(default)} selections but max_selections is {max_sel}"))
        if ftype in ("number", "decimal", "money", "percent") and _is_number(default):
            if _is_number(f.get("min")) and default < f["min"]:
                out.append((".default", f"{default} is below min {f['min']}"))
            if _is_number(f.get("max")) and default > f["max"]:
                out.append((".default", f"{default} is above max {f['max']}"))
        if ftype in DEFAULT_MAX_LENGTH and isinstance(default, str):
            limit = f.get("max_length") if _is_number(f.get("max_length")) else DEFAULT_MAX_LENGTH[ftype]
            if len(default) > limit:
                out.append((".default", f"{len(default)} characters but max_length is {limit}"))

    if f.get("unique") is True and ftype in NOT_UNIQUE_TYPES:
        out.append((".unique", f"a {ftype} field cannot be unique"))
    return out


def _is_api_name(name: str) -> bool:
    return re.fullmatch(r"[a-z][a-z0-9_]{0,47}", name) is not None


def check_role(doc: Any, file: str = "role.yaml", entities: dict[str, set[str] | None] | None = None) -> list[Problem]:
    """Problems of one role document: the schema, then (given `entities`) the entities and fields it names.

    `entities` maps each entity the role may name to its field names (None when the entity file could not
    be read; its problems are reported there). Without `entities` only the schema is checked.
    """
    problems = _schema_problems(schemas().role, doc, file)
    if entities is None or not isinstance(doc, dict) or not isinstance(doc.get("permissions"), dict):
        return problems
    for entity_name, permission in doc["permissions"].items():
        if entity_name == EVERY_ENTITY or not isinstance(entity_name, str) or not _is_api_name(entity_name):
            continue  # `*`, or a bad name the schema already reported (likewise for field names below)
        where = f"permissions.{entity_name}"
        if entity_name not in entities:
            problems.append(Problem(file, where, f"no entity {entity_name!r} in this pack or the packs it requires"))
            continue
        field_names = entities[entity_name]
        fields = permission.get("fields") if isinstance(permission, dict) else None
        if field_names is None or not isinstance(fields, dict):
            continue
        for field_name in fields:
            if isinstance(field_name, str) and _is_api_name(field_name) and field_name not in field_names:
                problems.append(Problem(file, f"{where}.fields.{field_name}", f"{field_name!r} is not a field of the entity {entity_name!r}"))
    return problems


def check_automation(
    doc: Any,
    file: str = "automation.yaml",
    entities: dict[str, dict[str, dict] | None] | None = None,
    roles: Iterable[str] | None = None,
    rules: dict[str, str | None] | None = None,
) -> list[Problem]:
    """Problems of one automation document: the schema and what it cannot say (cron ranges, durations),
    then (given `entities`) the names it uses.

    `entities` maps each entity the automation may name to its fields by name (None when the entity file
    could not be read; its problems are reported there). `roles` are the roles a notify or escalate may
    address besides `admin`. `rules` maps the pack's assignment rules to the entity each assigns (None when
    its file could not be read). Without `entities` only the document itself is checked; without `roles`
    notify and escalate roles are not, and without `rules` assign actions are not.
    Conditions and expressions are type-checked by the server on install, not here.
    """
    problems = _schema_problems(schemas().automation, doc, file)
    if not isinstance(doc, dict):
        return problems
    problems.extend(Problem(file, w, m) for w, m in _automation_semantics(doc))
    if entities is None:
        return problems
    known_roles = None if roles is None else set(roles)

    def report(where: str, message: str) -> None:
        problems.append(Problem(file, where, message))

    def lookup(where: str, name: Any) -> dict[str, dict] | None:
        """The fields of entity `name`, or None (reported when the entity does not exist)."""
        if not isinstance(name, str) or not _is_api_name(name):
            return None  # a bad name the schema already reported (likewise for field names below)
        if name not in entities:
            report(where, f"no entity {name!r} in this pack or the packs it requires")
            return None
        return entities[name]

    def check_role(where: str, role_name: Any) -> None:
        if known_roles is None or not isinstance(role_name, str) or not _is_api_name(role_name):
            return
        if role_name != ADMIN_ROLE and role_name not in known_roles:
            report(where, f"no role {role_name!r} in this pack (pack.yaml roles) and it is not {ADMIN_ROLE!r}")

    entity_name = doc.get("entity")
    fields = lookup("entity", entity_name)
    stage = None if fields is None else next((f for f in fields.values() if isinstance(f.get("stage"), dict)), None)

    trigger = doc.get("trigger")
    if fields is not None and isinstance(trigger, dict):
        on = trigger.get("on")
        if on == "update" and isinstance(trigger.get("fields"), list):
            for i, name in enumerate(trigger["fields"]):
                if isinstance(name, str) and _is_api_name(name) and name not in fields:
                    report(f"trigger.fields[{i}]", f"{name!r} is not a field of the entity {entity_name!r}")
        if on in ("time", "inactive"):
            name = trigger.get("field")
            field = fields.get(name) if isinstance(name, str) else None
            if field is None or field.get("type") not in DATE_TYPES:
                report("trigger.field", f"{name!r} is not a date or datetime field of the entity {entity_name!r}")
        if on == "sla":
            start, stop = trigger.get("start"), trigger.get("stop")
            if isinstance(start, str) and _is_api_name(start) and start not in SYSTEM_DATETIMES and not _is_date_field(fields.get(start)):
                report("trigger.start", f"{start!r} is not a date or datetime field of the entity {entity_name!r} (nor created_at)")
            if isinstance(stop, str) and _is_api_name(stop):
                if stop not in fields:
                    report("trigger.stop", f"{stop!r} is not a field of the entity {entity_name!r}")
                elif fields[stop].get("type") == "formula":
                    report("trigger.stop", f"{stop!r} is a formula field: nothing sets it, so it cannot stop the clock")
        if on == "stage_change":
            if stage is None:
                report("trigger.on", f"the entity {entity_name!r} has no stage field (a select field with `stage`)")
            else:
                keys = _option_keys(stage)
                for key in ("from", "to"):
                    value = trigger.get(key)
                    if isinstance(value, str) and _is_api_name(value) and value not in keys:
                        report(f"trigger.{key}", f"{value!r} is not a stage of {stage.get('name')} (its options: {', '.join(keys)})")

    for where, action in _automation_actions(doc):
        kind = action.get("type")
        if kind == "set" and fields is not None:
            problems.extend(Problem(file, w, m) for w, m in _value_references(f"{where}.values", action.get("values"), entity_name, fields))
        elif kind == "create":
            target = lookup(f"{where}.entity", action.get("entity"))
            if target is not None:
                problems.extend(Problem(file, w, m) for w, m in _value_references(f"{where}.values", action.get("values"), action["entity"], target))
        elif kind == "update_related" and fields is not None:
            name = action.get("relation")
            if not isinstance(name, str) or not _is_api_name(name):
                continue
            relation = fields.get(name)
            if relation is None or relation.get("type") != "relation":
                report(f"{where}.relation", f"{name!r} is not a relation field of the entity {entity_name!r}")
                continue
            target_name = relation.get("target")
            # A target outside the pack is reported on the entity's file; its fields cannot be checked here.
            if isinstance(target_name, str) and entities.get(target_name) is not None:
                problems.extend(
                    Problem(file, w, m) for w, m in _value_references(f"{where}.values", action.get("values"), target_name, entities[target_name])
                )
        elif kind == "notify":
            to = action.get("to")
            if isinstance(to, str) and to.startswith(ROLE_PREFIX):
                check_role(f"{where}.to", to[len(ROLE_PREFIX):])
        elif kind == "assign" and rules is not None:
            rule = action.get("rule")
            if not isinstance(rule, str) or not _is_api_name(rule):
                continue
            if rule not in rules:
                report(f"{where}.rule", f"no assignment rule {rule!r} in this pack (pack.yaml assignment_rules)")
            elif rules[rule] is not None and fields is not None and rules[rule] != entity_name:
                report(f"{where}.rule", f"the rule {rule!r} assigns {rules[rule]!r} records, not {entity_name!r}")
        elif kind == "stage_back" and fields is not None and stage is None:
            report(f"{where}.type", f"the entity {entity_name!r} has no stage field to move back (a select field with `stage`)")
        elif kind == "escalate":
            check_role(f"{where}.role", action.get("role"))
            name = action.get("field")
            if fields is not None and isinstance(name, str) and _is_api_name(name):
                if fields.get(name) is None or fields[name].get("type") != "user":
                    report(f"{where}.field", f"{name!r} is not a user field of the entity {entity_name!r}")
    return problems


def _automation_actions(doc: dict) -> list[tuple[str, dict]]:
    """Each action of an automation with its location: `actions[i]`, or `steps[i].actions[j]` for an sla."""
    out: list[tuple[str, dict]] = []
    lists = [("actions", doc.get("actions"))]
    steps = doc.get("steps") if isinstance(doc.get("steps"), list) else []
    lists += [(f"steps[{i}].actions", step.get("actions")) for i, step in enumerate(steps) if isinstance(step, dict)]
    for where, actions in lists:
        if isinstance(actions, list):
            out += [(f"{where}[{i}]", a) for i, a in enumerate(actions) if isinstance(a, dict)]
    return out


def _automation_semantics(doc: dict) -> list[tuple[str, str]]:
    """(location, message) pairs for what the automation schema cannot state: cron ranges, step order,
    duration bounds. Texts the schema's patterns refuse are left to it."""
    out: list[tuple[str, str]] = []

    def unsigned(text: Any) -> int | None:
        """A duration without a sign (the only ones these members' patterns take), or None."""
        return parse_duration(text) if isinstance(text, str) and not text.startswith("-") else None

    trigger = doc.get("trigger") if isinstance(doc.get("trigger"), dict) else {}
    on = trigger.get("on")
    if on == "schedule" and isinstance(trigger.get("cron"), str):
        problem = _cron_problem(trigger["cron"])
        if problem:
            out.append(("trigger.cron", problem))
    if on == "inactive" and unsigned(trigger.get("after")) == 0:
        out.append(("trigger.after", f"{trigger['after']!r} must be a positive duration like \"72h\" or \"14d\""))
    if on == "sla" and isinstance(doc.get("steps"), list):
        last: tuple[int, str] | None = None
        for i, step in enumerate(doc["steps"]):
            after = unsigned(step.get("after")) if isinstance(step, dict) else None
            if after is None:
                continue  # not a duration: the schema says so
            if after <= 0:
                out.append((f"steps[{i}].after", f"{step['after']!r} must be a positive duration like \"4h\""))
            elif last is not None and after <= last[0]:
                out.append((f"steps[{i}].after", f"{step['after']!r} must be later than the step before ({last[1]!r})"))
            else:
                last = (after, step["after"])
    for where, action in _automation_actions(doc):
        if action.get("type") == "lock":
            duration = unsigned(action.get("duration"))
            if duration is not None and not LOCK_MIN <= duration <= LOCK_MAX:
                out.append((f"{where}.duration", f"{action['duration']!r} must be a duration from 1m to 30d, like \"2h\""))
    return out


def parse_duration(text: Any) -> int | None:
    """A duration such as "4h", "1d12h", "90m" or "-1d" in microseconds, read as the server reads it; None if it is not one."""
    if not isinstance(text, str):
        return None
    rest, sign = (text[1:], -1) if text.startswith("-") else (text, 1)
    if not rest:
        return None
    total = 0
    while rest:
        digits = re.match(r"[0-9]*", rest).group()
        if not digits or len(digits) > 12:
            return None
        rest = rest[len(digits):]
        unit = next(((u, n) for u, n in DURATION_UNITS if rest.startswith(u)), None)
        if unit is None:
            return None
        total += int(digits) * unit[1]
        rest = rest[len(unit[0]):]
    return sign * total


def _cron_problem(text: str) -> str | None:
    """Why a five-field cron text the schema's pattern accepts is still no schedule (a value out of its
    field's range, a backwards range, a zero step), or None."""
    parts = [part for part in text.split(" ") if part]  # as the server splits it: on spaces only
    if len(parts) != len(CRON_FIELDS):
        return None  # the schema's pattern says so
    for part, (name, low, high) in zip(parts, CRON_FIELDS):
        for item in part.split(","):
            m = re.fullmatch(r"(\*|([0-9]{1,2})(?:-([0-9]{1,2}))?)(?:/([0-9]{1,2}))?", item)
            if m is None:
                return None  # the schema's pattern says so
            start = low if m.group(1) == "*" else int(m.group(2))
            end = int(m.group(3)) if m.group(3) else (high if m.group(1) == "*" or m.group(4) else start)
            step = int(m.group(4)) if m.group(4) else 1
            if not (low <= start <= end <= high) or not 1 <= step <= high:
                return (
                    f"{text!r}: the {name} field {part!r} must be *, a number from {low} to {high}, "
                    f"a range a-b, a step */n or a list"
                )
    return None


def _is_date_field(f: dict | None) -> bool:
    """A date or datetime field, or a formula whose result is one."""
    if not isinstance(f, dict):
        return False
    return f.get("type") in DATE_TYPES or (f.get("type") == "formula" and f.get("result") in DATE_TYPES)


def check_assignment_rule(
    doc: Any,
    file: str = "assignment-rule.yaml",
    entities: dict[str, dict[str, dict] | None] | None = None,
    roles: Iterable[str] | None = None,
) -> list[Problem]:
    """Problems of one assignment rule document: the schema, then (given `entities`) the names it uses.

    `entities` maps each entity the rule may name (its own and its figures') to its fields by name, as for
    check_automation. `roles` are the roles a pool may name besides `admin`. Without `entities` only the
    schema is checked; without `roles` the pools' roles are not. Teams are data (the pack cannot know
    them), and `when`, `where` and `weight` are type-checked by the server on install, not here.
    """
    problems = _schema_problems(schemas().assignment_rule, doc, file)
    if entities is None or not isinstance(doc, dict):
        return problems
    known_roles = None if roles is None else set(roles)

    def report(where: str, message: str) -> None:
        problems.append(Problem(file, where, message))

    def check_entity_name(where: str, name: Any) -> None:
        if isinstance(name, str) and _is_api_name(name) and name not in entities:
            report(where, f"no entity {name!r} in this pack or the packs it requires")

    check_entity_name("entity", doc.get("entity"))
    figures = doc.get("figures") if isinstance(doc.get("figures"), dict) else {}
    for name, figure in figures.items():
        if isinstance(figure, dict):
            check_entity_name(f"figures.{name}.entity", figure.get("entity"))

    pools: list[tuple[str, Any]] = [("pool", doc.get("pool")), ("fallback", doc.get("fallback"))]
    routes = doc.get("routes") if isinstance(doc.get("routes"), list) else []
    pools += [(f"routes[{i}]", route) for i, route in enumerate(routes)]
    for where, pool in pools:
        role_name = pool.get("role") if isinstance(pool, dict) else None
        if known_roles is None or not isinstance(role_name, str) or not _is_api_name(role_name):
            continue
        if role_name != ADMIN_ROLE and role_name not in known_roles:
            report(f"{where}.role", f"no role {role_name!r} in this pack (pack.yaml roles) and it is not {ADMIN_ROLE!r}")
    return problems


def _option_keys(f: dict) -> list[str]:
    options = f.get("options") if isinstance(f.get("options"), list) else []
    return [o["key"] for o in options if isinstance(o, dict) and isinstance(o.get("key"), str)]


def _is_expression_value(value: Any) -> bool:
    return isinstance(value, dict) and "expression" in value


def _value_references(where: str, values: Any, entity_name: str, fields: dict[str, dict] | None) -> list[tuple[str, str]]:
    """An action's `values` may write only real, writable fields; constant option keys must be options."""
    out: list[tuple[str, str]] = []
    if not isinstance(values, dict) or fields is None:
        return out
    for name, value in values.items():
        if not isinstance(name, str) or not _is_api_name(name):
            continue
        at = f"{where}.{name}"
        f = fields.get(name)
        if f is None:
            out.append((at, f"{name!r} is not a field of the entity {entity_name!r}"))
            continue
        ftype = f.get("type")
        if ftype in COMPUTED_TYPES:
            out.append((at, f"{name!r} is {'an' if ftype == 'auto_number' else 'a'} {ftype} field: the server computes it, so an automation cannot write it"))
            continue
        if _is_expression_value(value):
            continue
        keys = _option_keys(f)
        if ftype == "select" and isinstance(value, str) and keys and value not in keys:
            out.append((at, f"{value!r} is not an option of {name} (its options: {', '.join(keys)})"))
        if ftype == "multi_select" and isinstance(value, list) and keys:
            unknown = [k for k in value if isinstance(k, str) and k not in keys]
            if unknown:
                out.append((at, f"not options of {name}: {', '.join(unknown)}"))
    return out


# --- packs --------------------------------------------------------------------------------------


@dataclass
class _Pack:
    dir: Path
    manifest: Any
    problems: list[Problem]

    @property
    def id(self) -> str | None:
        pack_id = self.manifest.get("id") if isinstance(self.manifest, dict) else None
        return pack_id if isinstance(pack_id, str) else None

    def _listed(self, key: str) -> list[str]:
        names = self.manifest.get(key) if isinstance(self.manifest, dict) else None
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def listed_entities(self) -> list[str]:
        return self._listed("entities")

    def listed_roles(self) -> list[str]:
        return self._listed("roles")

    def listed_automations(self) -> list[str]:
        return self._listed("automations")

    def listed_assignment_rules(self) -> list[str]:
        return self._listed("assignment_rules")

    def assignment_rule_entities(self) -> dict[str, str | None]:
        """Each listed assignment rule → the entity it assigns (None when its file cannot be read or names none)."""
        out: dict[str, str | None] = {}
        for name in self.listed_assignment_rules():
            try:
                doc = load_yaml(self.dir / ASSIGNMENT_RULES_DIR / f"{name}.yaml")
            except (PackYAMLError, OSError):
                doc = None
            entity = doc.get("entity") if isinstance(doc, dict) else None
            out[name] = entity if isinstance(entity, str) else None
        return out

    def entity_fields(self) -> dict[str, dict[str, dict] | None]:
        """Each listed entity → its fields by name (None when its file cannot be read)."""
        out: dict[str, dict[str, dict] | None] = {}
        for name in self.listed_entities():
            try:
                doc = load_yaml(self.dir / "entities" / f"{name}.yaml")
            except (PackYAMLError, OSError):
                doc = None
            out[name] = _fields_by_name(doc)
        return out


def _fields_by_name(doc: Any) -> dict[str, dict] | None:
    """An entity document's fields by name (the first of duplicates), or None when it has no field list."""
    fields = doc.get("fields") if isinstance(doc, dict) else None
    if not isinstance(fields, list):
        return None
    out: dict[str, dict] = {}
    for f in fields:
        if isinstance(f, dict) and isinstance(f.get("name"), str):
            out.setdefault(f["name"], f)
    return out


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_pack(pack_dir: Path) -> _Pack:
    manifest_path = pack_dir / "pack.yaml"
    file = _display(manifest_path)
    try:
        manifest = load_yaml(manifest_path)
    except (PackYAMLError, OSError) as e:
        return _Pack(pack_dir, None, [Problem(file, "", str(e))])
    problems = check_pack_manifest(manifest, file)
    if isinstance(manifest, dict) and isinstance(manifest.get("id"), str) and manifest["id"] != pack_dir.name:
        problems.append(Problem(file, "id", f"{manifest['id']!r} differs from the folder name {pack_dir.name!r}"))
    return _Pack(pack_dir, manifest, problems)


def _version_tuple(version: str) -> tuple:
    core = version.split("-", 1)[0]
    return tuple(int(p) for p in core.split(".")) if re.fullmatch(r"\d+\.\d+\.\d+", core) else ()



def _check_listed_files(
    pack_dir: Path, manifest_file: str, kind: str, listed: list[str], check, report: Report, key: str | None = None
) -> int:
    """The files of one kind (roles/, assignment-rules/, automations/): each listed one exists, passes
    `check` and carries its file's name; every file is listed. `kind` is the folder and `key` the list
    in pack.yaml (default: the same). Returns how many were read."""
    folder = pack_dir / kind
    key = key or kind
    read = 0
    for index, name in enumerate(listed):
        path = folder / f"{name}.yaml"
        file = _display(path)
        if not path.is_file():
            report.problems.append(Problem(manifest_file, f"{key}[{index}]", f"no file {kind}/{name}.yaml"))
            continue
        try:
            doc = load_yaml(path)
        except PackYAMLError as e:
            report.problems.append(Problem(file, "", str(e)))
            continue
        read += 1
        report.problems.extend(check(doc, file))
        if isinstance(doc, dict) and doc.get("name") != name:
            report.problems.append(Problem(file, "name", f"{doc.get('name')!r} does not match the file name {name!r}"))
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml") and path.stem not in listed:
                report.problems.append(Problem(_display(path), "", f"not listed in pack.yaml {key}"))
    return read

def check_pack_dir(pack_dir: Path, known: dict[str, _Pack] | None = None) -> Report:
    """Validate one pack folder: manifest, entity, role, assignment-rule and automation files, and
    references between them.

    `known` maps pack ids to other packs of the market, for `requires` and for relations, roles,
    assignment rules and automations into them.
    """
    pack = _read_pack(pack_dir)
    report = Report(problems=list(pack.problems), packs=1)
    manifest_file = _display(pack_dir / "pack.yaml")
    if pack.manifest is None:
        return report
    known = known or {}

    # Entities a relation may point to or a role, assignment rule or automation may name: this pack's and those of the packs it requires.
    targets: set[str] = set(pack.listed_entities())
    # Their fields, for the fields a role or automation names (this pack's own are filled in as its files are read).
    entity_fields: dict[str, dict[str, dict] | None] = {}
    requires = pack.manifest.get("requires") if isinstance(pack.manifest.get("requires"), list) else []
    for i, req in enumerate(requires):
        if not isinstance(req, dict) or not isinstance(req.get("id"), str):
            continue
        other = known.get(req["id"])
        if other is None or other.manifest is None:
            report.problems.append(Problem(manifest_file, f"requires[{i}]", f"no pack {req['id']!r} in the market"))
            continue
        if req["id"] == pack.id:
            report.problems.append(Problem(manifest_file, f"requires[{i}]", "a pack cannot require itself"))
        wanted, have = req.get("min_version"), other.manifest.get("version")
        if isinstance(wanted, str) and isinstance(have, str) and _version_tuple(have) < _version_tuple(wanted):
            report.problems.append(
                Problem(manifest_file, f"requires[{i}]", f"pack {req['id']!r} is {have}, older than min_version {wanted}")
            )
        targets.update(other.listed_entities())
        entity_fields.update(other.entity_fields())

    entity_dir = pack_dir / "entities"
    listed = pack.listed_entities()
    for index, name in enumerate(listed):
        path = entity_dir / f"{name}.yaml"
        file = _display(path)
        entity_fields[name] = None
        if not path.is_file():
            report.problems.append(Problem(manifest_file, f"entities[{index}]", f"no file entities/{name}.yaml"))
            continue
        try:
            doc = load_yaml(path)
        except PackYAMLError as e:
            report.problems.append(Problem(file, "", str(e)))
            continue
        report.entities += 1
        entity_fields[name] = _fields_by_name(doc)
        report.problems.extend(check_entity(doc, file))
        if not isinstance(doc, dict):
            continue
        if doc.get("name") != name:
            report.problems.append(Problem(file, "name", f"{doc.get('name')!r} does not match the file name {name!r}"))
        fields = doc.get("fields") if isinstance(doc.get("fields"), list) else []
        report.fields += len(fields)
        for i, f in enumerate(fields):
            if isinstance(f, dict) and f.get("type") == "relation" and isinstance(f.get("target"), str):
                if f["target"] not in targets:
                    report.problems.append(
                        Problem(file, f"fields[{i}] ({f.get('name')}).target", f"no entity {f['target']!r} in this pack or the packs it requires")
                    )

    if entity_dir.is_dir():
        for path in sorted(entity_dir.iterdir()):
            if path.suffix in (".yaml", ".yml") and path.stem not in listed:
                report.problems.append(Problem(_display(path), "", "not listed in pack.yaml entities"))

    # Roles check field names only.
    field_names = {n: (None if f is None else set(f)) for n, f in entity_fields.items()}
    listed_roles = pack.listed_roles()
    report.roles += _check_listed_files(pack_dir, manifest_file, "roles", listed_roles, lambda doc, file: check_role(doc, file, field_names), report)
    # Assignment rules before automations: an assign action names one of this pack's rules.
    report.assignment_rules += _check_listed_files(
        pack_dir, manifest_file, ASSIGNMENT_RULES_DIR, pack.listed_assignment_rules(),
        lambda doc, file: check_assignment_rule(doc, file, entity_fields, listed_roles), report, key="assignment_rules",
    )
    rules = pack.assignment_rule_entities()
    report.automations += _check_listed_files(
        pack_dir, manifest_file, "automations", pack.listed_automations(),
        lambda doc, file: check_automation(doc, file, entity_fields, listed_roles, rules), report,
    )
    return report


def check_market(market_dir: Path = MARKET_DIR, only: Iterable[Path] | None = None) -> Report:
    """Validate every pack under templates-market/ (or just `only`, resolving requires against the market)."""
    pack_dirs = sorted(p.parent for p in market_dir.glob("*/pack.yaml"))
    known: dict[str, _Pack] = {}
    for d in pack_dirs:
        pack = _read_pack(d)
        if pack.id is not None:
            known.setdefault(pack.id, pack)
    selected = [Path(p) for p in only] if only else pack_dirs
    total = Report()
    for d in selected:
        if not (d / "pack.yaml").is_file():
            total.problems.append(Problem(_display(d), "", "no pack.yaml in this folder"))
            continue
        r = check_pack_dir(d, known)
        total.problems.extend(r.problems)
        total.packs += r.packs
        total.entities += r.entities
        total.roles += r.roles
        total.assignment_rules += r.assignment_rules
        total.automations += r.automations
        total.fields += r.fields
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate Tessera template packs.")
    parser.add_argument("packs", nargs="*", type=Path, help="pack folders (default: every templates-market/*/)")
    parser.add_argument("--market", type=Path, default=MARKET_DIR, help="the templates-market folder")
    args = parser.parse_args(argv)

    report = check_market(args.market, args.packs or None)
    if report.packs == 0 and not report.problems:
        print(f"{_display(args.market)}: no packs found", file=sys.stderr)
        return 1
    for problem in report.problems:
        print(problem)
    if report.problems:
        n = len(report.problems)
        print(f"{report.summary()}: {n} problem{'s' if n != 1 else ''}")
        return 1
    print(f"{report.summary()}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
