#!/usr/bin/env python3
"""Check every pack of templates-market/ against the JSON Schemas in schemas/ (Draft 2020-12).

The schemas are for editors and for the market's own conventions (zh-CN and en labels, for one);
what a pack may contain is decided by `tessera pack validate <dir>`, which runs the server's own
decoders. Prints `file: path: message` per problem and exits 1 if there is any.

Usage: python3 scripts/check-pack-schemas.py [market folder, default templates-market]
Needs `pip install jsonschema pyyaml`.
"""

import json
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parent.parent
# Each pack file, by folder, and the schema it follows.
KINDS = {
    "entities": "entity", "roles": "role", "automations": "automation", "assignment-rules": "assignment-rule", "views": "view",
    "forms/*": "form", "approvals": "approval", "dashboards": "dashboard", "extensions": "extension",
}


class _Loader(yaml.SafeLoader):
    """Reads keys as text (a trigger's `on:` is the key "on", as the server reads it) and keeps dates as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping(loader, node, deep=False):
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag == "tag:yaml.org,2002:bool" and key.style is None:
            key.tag = "tag:yaml.org,2002:str"
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def validators() -> dict[str, Draft202012Validator]:
    """One validator per schema file (`entity`, `pack`, …), with the $refs between the files resolved."""
    docs = {p.name.removesuffix(".schema.json"): json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "schemas").glob("*.schema.json"))}
    registry = Registry().with_resources((doc["$id"], Resource.from_contents(doc)) for doc in docs.values())
    return {name: Draft202012Validator(doc, registry=registry) for name, doc in docs.items()}


def problems(path: Path, validator: Draft202012Validator, base: Path) -> list[str]:
    file = path.relative_to(base)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        return [f"{file}: {e}"]
    out = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".") or "(document)"
        out.append(f"{file}: {where}: {error.message}")
    return out


def main() -> int:
    schemas = validators()
    market = (Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "templates-market").resolve()
    found = []
    files = 0
    for manifest in sorted(market.glob("*/pack.yaml")):
        checks = [(manifest, "pack")]
        checks += [(f, kind) for folder, kind in KINDS.items() for f in sorted(manifest.parent.glob(f"{folder}/*.yaml"))]
        for path, kind in checks:
            files += 1
            found += problems(path, schemas[kind], market.parent)
    for line in found:
        print(line)
    if files == 0:
        print(f"{market}: no packs found", file=sys.stderr)
        return 1
    print(f"{files} files: {len(found)} problem{'s' if len(found) != 1 else ''}" if found else f"{files} files: ok")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
