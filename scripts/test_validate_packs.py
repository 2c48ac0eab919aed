"""Self-checks for scripts/validate-packs.py: broken documents are reported, the real packs pass.

Run with `python3 -m pytest scripts/test_validate_packs.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("validate_packs", HERE / "validate-packs.py")
vp = importlib.util.module_from_spec(_spec)
sys.modules["validate_packs"] = vp
_spec.loader.exec_module(vp)

L = {"zh-CN": "标签", "en": "Label"}


def entity(name="thing", fields=None, **extra):
    doc = {"name": name, "label": dict(L), "fields": fields or [{"name": "title", "type": "text", "label": dict(L)}]}
    doc.update(extra)
    return doc


def field(name="f", type="text", **extra):
    return {"name": name, "type": type, "label": dict(L), **extra}


def role(name="rep", permissions=None, **extra):
    doc = {"name": name, "label": dict(L), "permissions": permissions if permissions is not None else {"thing": {"read": "own"}}}
    doc.update(extra)
    return doc


def automation(name="notify_rep", **extra):
    doc = {
        "name": name,
        "label": dict(L),
        "entity": "thing",
        "trigger": {"on": "create"},
        "actions": [{"type": "notify", "to": "owner", "message": dict(L)}],
    }
    doc.update(extra)
    return doc


def messages(problems):
    return [str(p) for p in problems]


def assert_reported(problems, *fragments):
    text = "\n".join(messages(problems))
    assert problems, "expected problems, got none"
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"


def write_pack(root: Path, pack_id="demo", entities=None, roles=None, automations=None, assignment_rules=None, **manifest_extra):
    """A pack folder under root/<pack_id> with the given entity (role, assignment rule, automation) documents; returns its path."""
    entities = entities if entities is not None else [entity()]
    pack_dir = root / pack_id
    (pack_dir / "entities").mkdir(parents=True)
    manifest = {
        "id": pack_id,
        "version": "1.0.0",
        "name": dict(L),
        "description": dict(L),
        "requires": [],
        "entities": [e["name"] for e in entities],
    }
    if roles is not None:
        manifest["roles"] = [r["name"] for r in roles]
        (pack_dir / "roles").mkdir()
        for r in roles:
            write_yaml(pack_dir / "roles" / f"{r['name']}.yaml", r)
    if assignment_rules is not None:
        manifest["assignment_rules"] = [r["name"] for r in assignment_rules]
        (pack_dir / "assignment-rules").mkdir()
        for r in assignment_rules:
            write_yaml(pack_dir / "assignment-rules" / f"{r['name']}.yaml", r)
    if automations is not None:
        manifest["automations"] = [a["name"] for a in automations]
        (pack_dir / "automations").mkdir()
        for a in automations:
            write_yaml(pack_dir / "automations" / f"{a['name']}.yaml", a)
    manifest.update(manifest_extra)
    (pack_dir / "pack.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    for e in entities:
        (pack_dir / "entities" / f"{e['name']}.yaml").write_text(yaml.safe_dump(e, allow_unicode=True), encoding="utf-8")
    return pack_dir


def write_yaml(path: Path, doc) -> None:
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


# --- the real packs --------------------------------------------------------------------------


def test_the_real_market_passes():
    report = vp.check_market()
    assert messages(report.problems) == []
    assert report.packs >= 1


def test_the_sales_pack_passes_and_has_its_eight_entities():
    report = vp.check_pack_dir(vp.MARKET_DIR / "sales", {})
    assert messages(report.problems) == []
    assert report.entities == 8
    manifest = vp.load_yaml(vp.MARKET_DIR / "sales" / "pack.yaml")
    assert manifest["entities"] == [
        "lead", "customer", "contact", "opportunity", "visit", "follow_up", "contract", "payment_milestone",
    ]


def test_the_sales_pack_keeps_the_seed_numbers():
    lead = vp.load_yaml(vp.MARKET_DIR / "sales" / "entities" / "lead.yaml")
    by_name = {f["name"]: f for f in lead["fields"]}
    assert by_name["pain_points"]["max_selections"] == 3
    assert len(by_name["funnel_stage"]["options"]) == 6
    follow_up = vp.load_yaml(vp.MARKET_DIR / "sales" / "entities" / "follow_up.yaml")
    required = {f["name"] for f in follow_up["fields"] if f.get("required")}
    assert {"source_channel", "first_touch", "pain_points", "funnel_stage", "next_follow_up_at"} <= required
    visit = vp.load_yaml(vp.MARKET_DIR / "sales" / "entities" / "visit.yaml")
    by_name = {f["name"]: f for f in visit["fields"]}
    assert len(by_name["key_questions"]["options"]) == 5
    assert by_name["photos"]["max_count"] == 9


def test_the_sales_pack_passes_with_its_nine_roles():
    report = vp.check_pack_dir(vp.MARKET_DIR / "sales", {})
    assert messages(report.problems) == []
    assert report.roles == 9
    manifest = vp.load_yaml(vp.MARKET_DIR / "sales" / "pack.yaml")
    assert manifest["roles"] == [
        "sales_rep", "sales_supervisor", "regional_manager", "sales_director", "finance", "presales", "delivery",
        "product_manager", "warehouse",
    ]
    for name in manifest["roles"]:
        doc = vp.load_yaml(vp.MARKET_DIR / "sales" / "roles" / f"{name}.yaml")
        assert vp.check_role(doc, name) == [] and doc["name"] == name
    assert vp.load_yaml(vp.MARKET_DIR / "sales" / "roles" / "sales_rep.yaml").get("default") is True


def test_main_prints_a_summary_and_exits_0(capsys):
    assert vp.main([]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith(": ok") and " entities, " in out and " roles, " in out and " assignment rule" in out and " automation" in out
    assert vp.Report(packs=1, entities=8, roles=7, automations=2, fields=97).summary() == "1 pack, 8 entities, 7 roles, 0 assignment rules, 2 automations, 97 fields"
    assert vp.Report(packs=2, entities=1, roles=1, assignment_rules=1, automations=1, fields=1).summary() == "2 packs, 1 entity, 1 role, 1 assignment rule, 1 automation, 1 field"
    assert vp.Report(packs=1, entities=8, roles=9, assignment_rules=2, automations=14, fields=161).summary() == (
        "1 pack, 8 entities, 9 roles, 2 assignment rules, 14 automations, 161 fields"
    )


# --- entity documents ------------------------------------------------------------------------


def test_a_valid_entity_has_no_problems():
    doc = entity(
        fields=[
            field("title", "text", required=True, max_length=100, default="x"),
            field("amount", "money", min=0, max=10, default=5),
            field("stage", "select", default="a", options=[{"key": "a", "label": L, "color": "#22c55e"}]),
            field("tags", "multi_select", max_selections=1, default=["a"], options=[{"key": "a", "label": L}]),
            field("owner_rep", "user"),
            field("photos", "attachment", min_count=0, max_count=9, accept=["image/*"]),
            field("no", "auto_number", pattern="CT-{YYYY}-{0000}"),
            field("where_at", "location", default={"lat": 31.23, "lng": 121.47, "address": "上海"}),
            field("due", "date", default="2026-01-31"),
        ],
        title_field="title",
    )
    assert messages(vp.check_entity(doc)) == []


def test_unknown_entity_property_is_reported():
    assert_reported(vp.check_entity(entity(views=[])), "'views' was unexpected")


def test_unknown_field_property_is_reported():
    assert_reported(vp.check_entity(entity(fields=[field(colour="red")])), "not allowed for a field of type 'text': colour")


def test_property_of_another_type_is_reported():
    problems = vp.check_entity(entity(fields=[field("n", "number", max_length=5), field("t", "text", options=[])]))
    assert_reported(problems, "type 'number': max_length", "type 'text': options")


@pytest.mark.parametrize("name", ["id", "owner_id", "created_at", "deleted_at", "version", "select", "order", "and"])
def test_reserved_field_name_is_reported(name):
    assert_reported(vp.check_entity(entity(fields=[field(name)])), f"'{name}' is a reserved name")


@pytest.mark.parametrize("name", ["Company", "1st", "has-dash", "_x", "a" * 49, "公司"])
def test_bad_names_are_reported(name):
    assert_reported(vp.check_entity(entity(fields=[field(name)])), "is not a valid name")
    assert_reported(vp.check_entity(entity(name=name)), "is not a valid name")


def test_missing_zh_cn_label_is_reported():
    no_zh = {"en": "Lead"}
    assert_reported(vp.check_entity({**entity(), "label": no_zh}), "label: 'zh-CN' is a required property")
    f = field()
    f["label"] = no_zh
    assert_reported(vp.check_entity(entity(fields=[f])), "(f).label: 'zh-CN' is a required property")
    opt = field("s", "select", options=[{"key": "a", "label": no_zh}])
    assert_reported(vp.check_entity(entity(fields=[opt])), "options[0].label: 'zh-CN' is a required property")


def test_missing_en_and_blank_labels_are_reported():
    assert_reported(vp.check_entity({**entity(), "label": {"zh-CN": "线索"}}), "'en' is a required property")
    assert_reported(vp.check_entity({**entity(), "label": {"zh-CN": " ", "en": "Lead"}}), "label.zh-CN")


def test_multi_select_with_max_selections_0_is_reported():
    f = field("tags", "multi_select", max_selections=0, options=[{"key": "a", "label": L}])
    assert_reported(vp.check_entity(entity(fields=[f])), "max_selections: 0 is less than the minimum of 1")


def test_max_selections_above_option_count_is_reported():
    f = field("tags", "multi_select", max_selections=3, options=[{"key": "a", "label": L}])
    assert_reported(vp.check_entity(entity(fields=[f])), "max_selections 3 is more than the 1 options")


def test_select_without_options_is_reported():
    assert_reported(vp.check_entity(entity(fields=[field("s", "select")])), "'options' is a required property")
    assert_reported(vp.check_entity(entity(fields=[field("s", "select", options=[])])), "should be non-empty")


def test_bad_option_key_and_color_are_reported():
    f = field("s", "select", options=[{"key": "Web", "label": L}, {"key": "ok", "label": L, "color": "blue"}])
    assert_reported(vp.check_entity(entity(fields=[f])), "'Web' is not a valid name", "'blue' is not valid")


def test_duplicate_field_names_and_option_keys_are_reported():
    dup_fields = entity(fields=[field("a"), field("a")])
    assert_reported(vp.check_entity(dup_fields), "duplicate field name 'a'")
    dup_keys = field("s", "select", options=[{"key": "x", "label": L}, {"key": "x", "label": L}])
    assert_reported(vp.check_entity(entity(fields=[dup_keys])), "duplicate option key 'x'")


def test_relation_needs_a_target_and_takes_no_default():
    assert_reported(vp.check_entity(entity(fields=[field("c", "relation")])), "'target' is a required property")
    f = field("c", "relation", target="customer", default="x")
    assert_reported(vp.check_entity(entity(fields=[f])), "type 'relation': default")


@pytest.mark.parametrize("pattern", ["CT-{YYYY}", "CT {0000}", "CT-{0000}-{00}", "{YYYYY}-{0000}", "CT-{Q}-{0000}"])
def test_bad_auto_number_pattern_is_reported(pattern):
    f = field("no", "auto_number", pattern=pattern)
    assert_reported(vp.check_entity(entity(fields=[f])), "pattern: ")


def test_unknown_field_type_is_reported():
    assert_reported(vp.check_entity(entity(fields=[field("x", "spreadsheet")])), "unknown field type 'spreadsheet'")


def test_formula_needs_expression_and_result_and_cannot_be_required():
    assert_reported(vp.check_entity(entity(fields=[field("x", "formula")])), "'expression' is a required property", "'result' is a required property")
    f = field("x", "formula", expression="record.a + 1", result="number", required=True)
    assert_reported(vp.check_entity(entity(fields=[f])), "required")
    assert vp.check_entity(entity(fields=[field("x", "formula", expression="1 + 1", result="number")])) == []


def test_rules_are_checked_by_kind_and_name_real_fields():
    dup = {"name": "r", "kind": "duplicate", "match": ["x"], "within": "30d", "action": "link", "link_field": "x"}
    assert_reported(vp.check_entity(entity(fields=[field("x")], rules=[dup])), "'x' must be a relation field")
    assert_reported(vp.check_entity(entity(rules=[dup])), "'x' is not a field")
    assert_reported(vp.check_entity(entity(rules=[{"name": "r", "kind": "magic"}])), "magic")
    assert_reported(vp.check_entity(entity(rules=[{"name": "r", "kind": "expression"}])), "'expression' is a required property")
    assert_reported(vp.check_entity(entity(rules=[{"name": "r", "kind": "expression", "expression": "true", "match": ["x"]}])), "match")
    assert_reported(vp.check_entity(entity(rules=[{"name": "r", "kind": "pattern", "field": "nope", "regex": "a"}])), "'nope' is not a field")
    ok = {"name": "r", "kind": "expression", "expression": "has(record.x)", "fields": ["x"], "message": {"zh-CN": "请填写x", "en": "x please"}}
    assert vp.check_entity(entity(fields=[field("x")], rules=[ok])) == []


def test_stage_keys_must_be_options():
    f = field("s", "select", options=[{"key": "a", "label": {"en": "A"}}], stage={"transitions": {"a": ["b"]}, "exit": {"a": {"required": ["nope"]}}})
    assert_reported(vp.check_entity(entity(fields=[f])), "'b' is not an option of s", "'nope' is not a field")
    bad = field("s", "select", options=[{"key": "a", "label": {"en": "A"}}], stage={"gates": {}})
    assert_reported(vp.check_entity(entity(fields=[bad])), "gates")


def test_title_field_must_exist():
    assert_reported(vp.check_entity(entity(title_field="nope")), "'nope' is not a field of this entity")


def test_min_above_max_and_min_count_above_max_count_are_reported():
    doc = entity(fields=[field("n", "decimal", min=10, max=1), field("a", "attachment", min_count=3, max_count=2)])
    assert_reported(vp.check_entity(doc), "min 10 is greater than max 1", "min_count 3 is greater than max_count 2")


def test_defaults_must_fit_the_field():
    doc = entity(
        fields=[
            field("s", "select", default="zz", options=[{"key": "a", "label": L}]),
            field("m", "multi_select", max_selections=1, default=["a", "b"], options=[{"key": "a", "label": L}, {"key": "b", "label": L}]),
            field("n", "number", default=1.5),
            field("p", "percent", min=0, max=100, default=120),
            field("b", "boolean", default="yes"),
            field("t", "text", max_length=2, default="abc"),
        ]
    )
    assert_reported(
        vp.check_entity(doc),
        "'zz' is not one of the options",
        "2 selections but max_selections is 1",
        "(n).default: 1.5 is not of type 'integer'",
        "120 is above max 100",
        "(b).default: 'yes' is not of type 'boolean'",
        "3 characters but max_length is 2",
    )


def test_garbage_documents_are_reported_not_crashed_on():
    for doc in [None, [], "lead", 3, {"fields": "x"}, {"fields": [None, [], {"type": ["x"], "options": [{"key": {}}]}]}]:
        assert vp.check_entity(doc)
    for doc in [None, [], {"id": ["x"], "entities": [1, None]}]:
        assert vp.check_pack_manifest(doc)


# --- pack manifests and folders --------------------------------------------------------------


def test_pack_manifest_rejects_unknown_property_and_bad_version():
    manifest = {"id": "demo", "version": "1.0", "name": L, "description": L, "entities": ["a"], "views": []}
    assert_reported(vp.check_pack_manifest(manifest), "'views' was unexpected", "version: '1.0' is not valid")


def test_bad_relation_target_is_reported(tmp_path):
    pack = write_pack(tmp_path, entities=[entity(fields=[field("c", "relation", target="customer")])])
    assert_reported(vp.check_pack_dir(pack).problems, "no entity 'customer' in this pack")


def test_relation_into_a_required_pack_is_allowed(tmp_path):
    write_pack(tmp_path, "crm", entities=[entity("customer")])
    pack = write_pack(
        tmp_path, "sales", entities=[entity(fields=[field("c", "relation", target="customer")])], requires=[{"id": "crm", "min_version": "1.0.0"}]
    )
    report = vp.check_market(tmp_path)
    assert messages(report.problems) == []
    assert report.packs == 2
    alone = vp.check_market(tmp_path, only=[pack])
    assert messages(alone.problems) == [] and alone.packs == 1


def test_missing_required_pack_and_too_old_version_are_reported(tmp_path):
    write_pack(tmp_path, "crm", entities=[entity("customer")])
    write_pack(tmp_path, "sales", requires=[{"id": "crm", "min_version": "2.0.0"}, {"id": "nope"}])
    assert_reported(vp.check_market(tmp_path).problems, "older than min_version 2.0.0", "no pack 'nope'")


def test_missing_entity_file_name_mismatch_and_unlisted_file_are_reported(tmp_path):
    pack = write_pack(tmp_path, entities=[entity("lead")])
    manifest = vp.load_yaml(pack / "pack.yaml")
    manifest["entities"] = ["lead", "visit"]
    (pack / "pack.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    (pack / "entities" / "lead.yaml").write_text(yaml.safe_dump(entity("leads"), allow_unicode=True), encoding="utf-8")
    (pack / "entities" / "extra.yaml").write_text(yaml.safe_dump(entity("extra"), allow_unicode=True), encoding="utf-8")
    assert_reported(
        vp.check_pack_dir(pack).problems,
        "no file entities/visit.yaml",
        "'leads' does not match the file name 'lead'",
        "not listed in pack.yaml entities",
    )


def test_pack_id_must_match_its_folder(tmp_path):
    pack = write_pack(tmp_path, "demo")
    manifest = vp.load_yaml(pack / "pack.yaml")
    manifest["id"] = "other"
    (pack / "pack.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    assert_reported(vp.check_pack_dir(pack).problems, "differs from the folder name 'demo'")


def test_each_problem_names_its_file_and_main_exits_1(tmp_path, capsys):
    write_pack(tmp_path, entities=[entity(fields=[field("id")])])
    assert vp.main(["--market", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "demo/entities/thing.yaml: fields[0] (id).name: 'id' is a reserved name" in out
    assert "1 problem" in out


# --- roles -----------------------------------------------------------------------------------


def test_a_valid_role_has_no_problems():
    doc = role(
        "regional_manager",
        default=True,
        permissions={
            "thing": {"create": "subordinates", "read": "assigned", "update": "team", "delete": "none", "fields": {"title": "read"}},
            "*": {"create": "own", "read": "all"},
        },
        special=["manage_metadata", "manage_users", "import", "export"],
    )
    assert messages(vp.check_role(doc)) == []
    assert messages(vp.check_role({"name": "viewer"})) == []
    assert messages(vp.check_role(doc, entities={"thing": {"title"}})) == []


def test_role_schema_errors_are_reported():
    assert_reported(vp.check_role(role(grants=[])), "'grants' was unexpected")
    assert_reported(vp.check_role(role(permissions={"thing": {"read": "mine"}})), "permissions.thing.read: 'mine' is not one of")
    assert_reported(vp.check_role(role(permissions={"thing": {"read": "own", "share": "all"}})), "permissions.thing: not allowed in a permission: share")
    assert_reported(vp.check_role(role(permissions={"thing": {"fields": {"title": "write"}}})), "permissions.thing.fields.title: 'write' is not one of")
    assert_reported(vp.check_role(role(permissions={"Thing": {}})), "permissions: 'Thing' is neither an entity name")
    assert_reported(vp.check_role(role(special=["export", "root"])), "special[1]: 'root' is not one of")
    assert_reported(vp.check_role(role(special=["export", "export"])), "has non-unique elements")
    assert_reported(vp.check_role(role(default="yes")), "default: 'yes' is not of type 'boolean'")
    assert_reported(vp.check_role(role(label={"en": "Rep"})), "label: 'zh-CN' is a required property")
    assert_reported(vp.check_role({"label": dict(L)}), "'name' is a required property")
    for doc in [None, [], "rep", {"name": "rep", "permissions": []}, {"name": "rep", "permissions": {"thing": None}}]:
        assert vp.check_role(doc, entities={"thing": {"title"}})


def test_role_named_admin_is_reported(tmp_path):
    assert_reported(vp.check_role(role("admin")), "name: 'admin' is the built-in tenant administrator role")
    pack = write_pack(tmp_path, roles=[role("admin")])
    assert_reported(vp.check_pack_dir(pack).problems, "pack.yaml: roles[0]: 'admin' is the built-in tenant administrator role")
    assert_reported(vp.check_pack_dir(pack).problems, "roles/admin.yaml: name: 'admin' is the built-in tenant administrator role")


def test_create_assigned_is_reported(tmp_path):
    pack = write_pack(tmp_path, roles=[role(permissions={"thing": {"create": "assigned", "read": "assigned"}})])
    problems = vp.check_pack_dir(pack).problems
    assert_reported(problems, "roles/rep.yaml: permissions.thing.create: 'assigned' applies to existing records, not to create")
    assert len(problems) == 1, messages(problems)


def test_fields_under_every_entity_is_reported(tmp_path):
    pack = write_pack(tmp_path, roles=[role(permissions={"*": {"read": "all", "fields": {"title": "read"}}})])
    problems = vp.check_pack_dir(pack).problems
    assert_reported(problems, "roles/rep.yaml: permissions.*: field access needs a named entity, not '*'")
    assert len(problems) == 1, messages(problems)


def test_role_naming_an_unknown_entity_is_reported(tmp_path):
    pack = write_pack(tmp_path, roles=[role(permissions={"thing": {"read": "own"}, "ghost": {"read": "all"}})])
    problems = vp.check_pack_dir(pack).problems
    assert_reported(problems, "roles/rep.yaml: permissions.ghost: no entity 'ghost' in this pack or the packs it requires")
    assert len(problems) == 1, messages(problems)


def test_role_naming_an_unknown_field_is_reported(tmp_path):
    perms = {"thing": {"read": "own", "fields": {"title": "read", "amount": "none", "owner_id": "read"}}}
    pack = write_pack(tmp_path, roles=[role(permissions=perms)])
    problems = vp.check_pack_dir(pack).problems
    assert_reported(
        problems,
        "roles/rep.yaml: permissions.thing.fields.amount: 'amount' is not a field of the entity 'thing'",
        "roles/rep.yaml: permissions.thing.fields.owner_id: 'owner_id' is not a field of the entity 'thing'",
    )
    assert len(problems) == 2, messages(problems)


def test_role_may_name_entities_and_fields_of_a_required_pack(tmp_path):
    write_pack(tmp_path, "crm", entities=[entity("customer", fields=[field("credit_limit", "money")])])
    ok = role(permissions={"thing": {"read": "own"}, "customer": {"read": "all", "fields": {"credit_limit": "read"}}})
    pack = write_pack(tmp_path, "sales", roles=[ok], requires=[{"id": "crm"}])
    report = vp.check_market(tmp_path)
    assert messages(report.problems) == []
    assert report.roles == 1 and report.summary() == "2 packs, 2 entities, 1 role, 0 assignment rules, 0 automations, 2 fields"
    write_yaml(pack / "roles" / "rep.yaml", role(permissions={"customer": {"fields": {"discount": "none"}}}))
    assert_reported(vp.check_market(tmp_path).problems, "permissions.customer.fields.discount: 'discount' is not a field of the entity 'customer'")
    # Without the requirement, the other pack's entity is out of reach.
    other = write_pack(tmp_path, "other", roles=[ok])
    assert_reported(vp.check_market(tmp_path, only=[other]).problems, "permissions.customer: no entity 'customer'")


def test_missing_role_file_name_mismatch_and_unlisted_file_are_reported(tmp_path):
    pack = write_pack(tmp_path, roles=[role("rep")])
    manifest = vp.load_yaml(pack / "pack.yaml")
    manifest["roles"] = ["rep", "boss"]
    write_yaml(pack / "pack.yaml", manifest)
    write_yaml(pack / "roles" / "rep.yaml", role("reps"))
    write_yaml(pack / "roles" / "extra.yaml", role("extra"))
    problems = vp.check_pack_dir(pack).problems
    assert_reported(
        problems,
        "pack.yaml: roles[1]: no file roles/boss.yaml",
        "roles/rep.yaml: name: 'reps' does not match the file name 'rep'",
        "roles/extra.yaml: not listed in pack.yaml roles",
    )
    assert len(problems) == 3, messages(problems)


def test_role_files_without_roles_in_the_manifest_are_reported(tmp_path):
    pack = write_pack(tmp_path)
    (pack / "roles").mkdir()
    write_yaml(pack / "roles" / "rep.yaml", role())
    assert_reported(vp.check_pack_dir(pack).problems, "roles/rep.yaml: not listed in pack.yaml roles")


def test_pack_manifest_roles_must_be_unique_names():
    manifest = {"id": "demo", "version": "1.0.0", "name": L, "description": L, "entities": ["a"], "roles": ["rep", "rep", "Boss"]}
    assert_reported(vp.check_pack_manifest(manifest), "roles: ['rep', 'rep', 'Boss'] has non-unique elements", "roles[2]: 'Boss' is not a valid name")


def test_each_role_problem_is_printed_with_its_file(tmp_path, capsys):
    write_pack(tmp_path, roles=[role(permissions={"ghost": {"read": "all"}})])
    assert vp.main(["--market", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "demo/roles/rep.yaml: permissions.ghost: no entity 'ghost' in this pack or the packs it requires" in out
    assert "1 pack, 1 entity, 1 role, 0 assignment rules, 0 automations, 1 field: 1 problem" in out


# --- automations -----------------------------------------------------------------------------


def deal_entities():
    """A `deal` with a stage field, computed fields and selects, and a `task` related to it."""
    options = [{"key": k, "label": dict(L)} for k in ("new", "won", "lost")]
    deal = entity(
        "deal",
        fields=[
            field("title"),
            field("amount", "money"),
            field("phase", "select", options=options, stage={"transitions": {"new": ["won", "lost"]}}),
            field("score", "formula", expression="record.amount * 2", result="money"),
            field("no", "auto_number", pattern="D-{0000}"),
            field("priority", "select", options=[{"key": "high", "label": dict(L)}, {"key": "low", "label": dict(L)}]),
            field("tags", "multi_select", options=[{"key": "vip", "label": dict(L)}]),
        ],
    )
    task = entity("task", fields=[field("title"), field("deal", "relation", target="deal"), field("due", "date")])
    return [deal, task]


def deal_automation(name="deal_won", **extra):
    doc = {
        "name": name,
        "label": dict(L),
        "entity": "deal",
        "trigger": {"on": "stage_change", "from": "new", "to": "won"},
        "condition": "record.amount > 0",
        "actions": [
            {"type": "set", "values": {"priority": "high", "tags": ["vip"], "title": {"expression": "record.title + ' (won)'"}}},
            {"type": "create", "entity": "task", "values": {"title": "Kick-off", "deal": {"expression": "record.id"}, "due": None}},
            {"type": "notify", "to": "role:rep", "channel": "inbox", "message": dict(L)},
            {"type": "notify", "to": "role:admin", "message": dict(L)},
            {"type": "notify", "to": "manager", "message": dict(L)},
            {"type": "webhook", "url": "https://hooks.example.com/tessera?deal=1"},
        ],
        "active": True,
    }
    doc.update(extra)
    return doc


def deal_fields():
    return {e["name"]: vp._fields_by_name(e) for e in deal_entities()}


def check_deal_automation(doc):
    return vp.check_automation(doc, "deal_won.yaml", deal_fields(), ["rep"])


def test_the_sales_pack_passes_with_its_automations():
    report = vp.check_pack_dir(vp.MARKET_DIR / "sales", {})
    assert messages(report.problems) == []
    manifest = vp.load_yaml(vp.MARKET_DIR / "sales" / "pack.yaml")
    assert "main_product_changed" in manifest["automations"]
    assert report.automations == len(manifest["automations"]) >= 1
    doc = vp.load_yaml(vp.MARKET_DIR / "sales" / "automations" / "main_product_changed.yaml")
    assert vp.check_automation(doc, "main_product_changed.yaml") == [] and doc["name"] == "main_product_changed"
    assert doc["trigger"]["on"] == "update"  # the key `on:` is read as the text "on", as the server reads it


def test_a_valid_automation_has_no_problems(tmp_path):
    assert messages(check_deal_automation(deal_automation())) == []
    assert messages(vp.check_automation(deal_automation())) == []
    for trigger in [{"on": "create"}, {"on": "delete"}, {"on": "update"}, {"on": "update", "fields": ["amount", "phase"]}, {"on": "stage_change"}]:
        assert messages(check_deal_automation(deal_automation(trigger=trigger))) == [], trigger
    minimal = {"name": "m", "entity": "deal", "trigger": {"on": "create"}, "actions": [{"type": "webhook", "url": "http://10.0.0.1:8080"}]}
    assert messages(check_deal_automation(minimal)) == []
    write_pack(tmp_path, entities=deal_entities(), roles=[role("rep", permissions={"deal": {"read": "own"}})], automations=[deal_automation()])
    report = vp.check_market(tmp_path)
    assert messages(report.problems) == []
    assert report.automations == 1 and report.summary() == "1 pack, 2 entities, 1 role, 0 assignment rules, 1 automation, 10 fields"


def test_automation_on_an_unknown_entity_is_reported(tmp_path):
    assert_reported(check_deal_automation(deal_automation(entity="ghost")), "deal_won.yaml: entity: no entity 'ghost' in this pack or the packs it requires")
    create = {"type": "create", "entity": "ticket", "values": {"title": "x"}}
    problems = check_deal_automation(deal_automation(actions=[create]))
    assert_reported(problems, "actions[0].entity: no entity 'ticket' in this pack")
    assert len(problems) == 1, messages(problems)
    pack = write_pack(tmp_path, automations=[automation(entity="ghost")])
    problems = vp.check_pack_dir(pack).problems
    assert_reported(problems, "automations/notify_rep.yaml: entity: no entity 'ghost' in this pack or the packs it requires")
    assert len(problems) == 1, messages(problems)


def test_automation_may_name_entities_of_a_required_pack(tmp_path):
    write_pack(tmp_path, "crm", entities=[entity("customer", fields=[field("name")])])
    create = {"type": "create", "entity": "customer", "values": {"name": {"expression": "record.title"}}}
    ok = automation(actions=[create])
    write_pack(tmp_path, "sales", automations=[ok], requires=[{"id": "crm"}])
    assert messages(vp.check_market(tmp_path).problems) == []
    other = write_pack(tmp_path, "other", automations=[ok])
    assert_reported(vp.check_market(tmp_path, only=[other]).problems, "actions[0].entity: no entity 'customer'")


def test_unknown_trigger_field_is_reported():
    problems = check_deal_automation(deal_automation(trigger={"on": "update", "fields": ["amount", "discount", "owner_id"]}))
    assert_reported(
        problems,
        "trigger.fields[1]: 'discount' is not a field of the entity 'deal'",
        "trigger.fields[2]: 'owner_id' is not a field of the entity 'deal'",
    )
    assert len(problems) == 2, messages(problems)


def test_unknown_set_field_is_reported():
    problems = check_deal_automation(deal_automation(actions=[{"type": "set", "values": {"priority": "low", "discount": 5}}]))
    assert_reported(problems, "actions[0].values.discount: 'discount' is not a field of the entity 'deal'")
    assert len(problems) == 1, messages(problems)
    create = {"type": "create", "entity": "task", "values": {"amount": 1}}
    assert_reported(check_deal_automation(deal_automation(actions=[create])), "actions[0].values.amount: 'amount' is not a field of the entity 'task'")


def test_writing_a_computed_field_is_reported():
    actions = [
        {"type": "set", "values": {"score": 10}},
        {"type": "set", "values": {"no": {"expression": "'D-1'"}}},
        {"type": "create", "entity": "deal", "values": {"title": "x", "score": 1}},
    ]
    problems = check_deal_automation(deal_automation(actions=actions))
    assert_reported(
        problems,
        "actions[0].values.score: 'score' is a formula field: the server computes it, so an automation cannot write it",
        "actions[1].values.no: 'no' is an auto_number field",
        "actions[2].values.score: 'score' is a formula field",
    )
    assert len(problems) == 3, messages(problems)


def test_constant_option_keys_must_be_options():
    actions = [{"type": "set", "values": {"priority": "urgent", "tags": ["vip", "gold"], "phase": {"expression": "'won'"}}}]
    problems = check_deal_automation(deal_automation(actions=actions))
    assert_reported(problems, "actions[0].values.priority: 'urgent' is not an option of priority", "actions[0].values.tags: not options of tags: gold")
    assert len(problems) == 2, messages(problems)


def test_notify_to_an_unknown_role_is_reported(tmp_path):
    problems = check_deal_automation(deal_automation(actions=[{"type": "notify", "to": "role:boss", "message": dict(L)}]))
    assert_reported(problems, "actions[0].to: no role 'boss' in this pack (pack.yaml roles)")
    assert len(problems) == 1, messages(problems)
    assert_reported(vp.check_automation(automation(actions=[{"type": "notify", "to": "everyone", "message": dict(L)}])), "actions[0].to: 'everyone' is not valid: owner")
    assert_reported(vp.check_automation(automation(actions=[{"type": "notify", "to": "role:Boss", "message": dict(L)}])), "'role:Boss' is not valid")
    # A role file that exists but is not listed in pack.yaml does not count.
    pack = write_pack(tmp_path, automations=[automation(actions=[{"type": "notify", "to": "role:rep", "message": dict(L)}])])
    (pack / "roles").mkdir()
    write_yaml(pack / "roles" / "rep.yaml", role())
    assert_reported(vp.check_pack_dir(pack).problems, "automations/notify_rep.yaml: actions[0].to: no role 'rep' in this pack", "roles/rep.yaml: not listed")


def test_bad_stage_in_stage_change_is_reported():
    problems = check_deal_automation(deal_automation(trigger={"on": "stage_change", "from": "draft", "to": "closed"}))
    assert_reported(
        problems,
        "trigger.from: 'draft' is not a stage of phase (its options: new, won, lost)",
        "trigger.to: 'closed' is not a stage of phase",
    )
    assert len(problems) == 2, messages(problems)
    no_stage = deal_automation(entity="task", trigger={"on": "stage_change", "to": "won"}, actions=[{"type": "notify", "to": "owner", "message": dict(L)}])
    assert_reported(check_deal_automation(no_stage), "trigger.on: the entity 'task' has no stage field")


def test_bad_trigger_on_and_members_are_reported():
    assert_reported(
        check_deal_automation(deal_automation(trigger={"on": "tomorrow"})),
        "trigger.on: unknown trigger 'tomorrow' (use create, update, stage_change, delete, time, inactive, sla or schedule)",
    )
    problems = check_deal_automation(deal_automation(trigger={"on": "tomorrow", "cron": "x"}))
    assert len(problems) == 1, messages(problems)
    problems = check_deal_automation(deal_automation(trigger={"on": "update", "to": "won"}))
    assert_reported(problems, "trigger: not allowed in a trigger on 'update': to (allowed: becomes_true, fields)")
    assert len(problems) == 1, messages(problems)
    assert_reported(check_deal_automation(deal_automation(trigger={"on": "create", "fields": ["amount"]})), "not allowed in a trigger on 'create': fields (allowed: nothing else)")
    assert_reported(check_deal_automation(deal_automation(trigger={"fields": []})), "trigger: 'on' is a required property")
    assert_reported(check_deal_automation(deal_automation(trigger="create")), "trigger: 'create' is not of type 'object'")


def test_automation_schema_errors_are_reported():
    def check(**extra):
        return vp.check_automation(automation(**extra))

    assert_reported(check(schedule="daily"), "'schedule' was unexpected")
    assert_reported(check(active="yes"), "active: 'yes' is not of type 'boolean'")
    assert_reported(check(label={"en": "x"}), "label: 'zh-CN' is a required property")
    assert_reported(check(name="Notify"), "name: 'Notify' is not a valid name")
    assert_reported(check(condition=""), "condition: '' should be non-empty")
    assert_reported(check(actions=[]), "actions: [] should be non-empty")
    assert_reported(check(actions=[{"type": "webhook", "url": "https://x.example"}] * 21), "actions: 21 actions; an automation has at most 20")
    assert_reported(check(actions=[{"type": "assign", "to": "owner"}]), "actions[0]: 'rule' is a required property", "actions[0]: not allowed in an 'assign' action: to (allowed: rule)")
    assert_reported(
        check(actions=[{"type": "email"}]),
        "actions[0].type: unknown action type 'email' (use set, create, update_related, notify, webhook, assign, lock, stage_back or escalate)",
    )
    assert_reported(check(actions=[{"type": "notify", "to": "owner", "message": dict(L), "channel": "SMS"}]), "actions[0].channel: 'SMS': a notify's channel is inbox, email or the API name")
    assert_reported(check(actions=[{"type": "notify", "to": "owner"}]), "actions[0]: 'message' is a required property")
    problems = check(actions=[{"type": "set", "values": {"title": "x"}, "entity": "thing"}])
    assert_reported(problems, "actions[0]: not allowed in a 'set' action: entity (allowed: values)")
    assert len(problems) == 1, messages(problems)
    assert_reported(check(actions=[{"type": "set", "values": {}}]), "actions[0].values: {} should be non-empty")
    assert_reported(check(actions=[{"type": "set", "values": {"Title": "x"}}]), "'Title' is not a valid name")
    assert_reported(check(actions=[{"type": "set", "values": {"title": {"expression": "1", "else": "x"}}}]), "actions[0].values.title: an expression value is {expression: \"...\"} alone; not allowed with it: else")
    assert_reported(check(actions=[{"type": "create", "values": {"title": "x"}}]), "'entity' is a required property")
    for url in ["ftp://x.example/f", "https://user:pw@x.example/hook", "https:///path", "x.example/hook", "https://x.example/a b"]:
        assert_reported(check(actions=[{"type": "webhook", "url": url}]), f"actions[0].url: {url!r} is not valid: an absolute http(s) URL")
    for doc in [
        None, [], "x", {"name": "a", "entity": "thing", "trigger": {"on": "update", "fields": "x"}, "actions": [None, {"type": "set", "values": []}]},
        {"name": "a", "entity": "thing", "trigger": {"on": "sla", "start": 1}, "steps": [None, {"after": 5, "actions": "x"}, {"actions": [None, {"type": "lock", "duration": 1}]}]},
        {"name": "a", "entity": "thing", "trigger": {"on": "schedule", "cron": ["* * * * *"]}, "actions": [{"type": "escalate", "field": 1, "role": []}, {"type": "assign", "rule": {}}]},
        {"name": "a", "entity": "thing", "trigger": {"on": "update", "becomes_true": 1}, "actions": [{"type": "update_related", "relation": None, "values": "x"}]},
    ]:
        assert vp.check_automation(doc, entities={"thing": {"title": {}}}, roles=[], rules={})


def test_missing_automation_file_name_mismatch_and_unlisted_file_are_reported(tmp_path):
    pack = write_pack(tmp_path, automations=[automation("notify_rep")])
    manifest = vp.load_yaml(pack / "pack.yaml")
    manifest["automations"] = ["notify_rep", "escalate"]
    write_yaml(pack / "pack.yaml", manifest)
    write_yaml(pack / "automations" / "notify_rep.yaml", automation("notify_reps"))
    write_yaml(pack / "automations" / "extra.yaml", automation("extra"))
    report = vp.check_pack_dir(pack)
    assert_reported(
        report.problems,
        "pack.yaml: automations[1]: no file automations/escalate.yaml",
        "automations/notify_rep.yaml: name: 'notify_reps' does not match the file name 'notify_rep'",
        "automations/extra.yaml: not listed in pack.yaml automations",
    )
    assert len(report.problems) == 3, messages(report.problems)
    assert report.automations == 1


def test_automation_files_without_automations_in_the_manifest_are_reported(tmp_path):
    pack = write_pack(tmp_path)
    (pack / "automations").mkdir()
    write_yaml(pack / "automations" / "notify_rep.yaml", automation())
    assert_reported(vp.check_pack_dir(pack).problems, "automations/notify_rep.yaml: not listed in pack.yaml automations")


def test_pack_manifest_automations_must_be_unique_names():
    manifest = {"id": "demo", "version": "1.0.0", "name": L, "description": L, "entities": ["a"], "automations": ["a1", "a1", "Notify"]}
    assert_reported(vp.check_pack_manifest(manifest), "automations: ['a1', 'a1', 'Notify'] has non-unique elements", "automations[2]: 'Notify' is not a valid name")
    manifest["automations"] = ["a1"]
    assert vp.check_pack_manifest(manifest) == []


def test_each_automation_problem_is_printed_with_its_file(tmp_path, capsys):
    write_pack(tmp_path, automations=[automation(trigger={"on": "update", "fields": ["ghost"]})])
    assert vp.main(["--market", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "demo/automations/notify_rep.yaml: trigger.fields[0]: 'ghost' is not a field of the entity 'thing'" in out
    assert "1 pack, 1 entity, 0 roles, 0 assignment rules, 1 automation, 1 field: 1 problem" in out


def test_on_as_a_key_is_read_as_text_but_not_as_a_value(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("trigger: {on: update, fields: [amount]}\nyes: 1\n", encoding="utf-8")
    assert vp.load_yaml(path) == {"trigger": {"on": "update", "fields": ["amount"]}, "yes": 1}
    path.write_text("trigger: {on: on}\n", encoding="utf-8")
    with pytest.raises(vp.PackYAMLError, match="reads as a boolean"):
        vp.load_yaml(path)


# --- YAML ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("key: no\n", "reads as a boolean in YAML 1.1"),
        ("label: {zh-CN: a, en: b?}\n", "line 1"),
    ],
)
def test_ambiguous_or_broken_yaml_is_reported(tmp_path, text, fragment):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(vp.PackYAMLError, match=fragment.replace("?", r"\?")):
        vp.load_yaml(path)


def test_an_unquoted_comma_in_a_label_gets_a_hint(tmp_path):
    pack = write_pack(tmp_path, entities=[entity()])
    (pack / "entities" / "thing.yaml").write_text(
        "name: thing\nlabel: {zh-CN: 标签, en: One, two}\nfields:\n- {name: title, type: text, label: {zh-CN: 标题, en: Title}}\n",
        encoding="utf-8",
    )
    assert_reported(vp.check_pack_dir(pack).problems, "not locale tags: 'two'", "quote it")


def test_time_triggers_need_a_date_or_datetime_field_and_a_duration():
    fields = deal_fields()
    fields["deal"]["closes_on"] = field("closes_on", "date")
    fields["deal"]["last_contact_at"] = field("last_contact_at", "datetime")

    def check(trigger):
        return vp.check_automation(deal_automation(trigger=trigger), "deal_won.yaml", fields, ["rep"])

    assert messages(check({"on": "time", "field": "closes_on", "offset": "-1d"})) == []
    assert messages(check({"on": "inactive", "field": "last_contact_at", "after": "72h"})) == []
    assert_reported(check({"on": "time", "field": "title", "offset": "1h"}), "trigger.field: 'title' is not a date or datetime field")
    assert_reported(check({"on": "inactive", "field": "last_contact_at"}), "trigger")
    assert messages(check({"on": "time", "field": "closes_on", "offset": "soon"}))


# --- sla and schedule triggers, the newer actions ------------------------------------------------


def rich_fields():
    """deal_fields() with date, datetime and user fields on the deal (for sla, escalate and time triggers)."""
    fields = deal_fields()
    fields["deal"]["closes_on"] = field("closes_on", "date")
    fields["deal"]["assigned_at"] = field("assigned_at", "datetime")
    fields["deal"]["first_response_at"] = field("first_response_at", "datetime")
    fields["deal"]["escalated_to"] = field("escalated_to", "user")
    fields["deal"]["next_step_on"] = field("next_step_on", "formula", expression="record.closes_on", result="date")
    return fields


RULES = {"deal_assignment": "deal", "task_assignment": "task"}


def check_rich(doc, rules=RULES):
    return vp.check_automation(doc, "deal_won.yaml", rich_fields(), ["rep"], rules)


def notify(**extra):
    return {"type": "notify", "to": "owner", "message": dict(L), **extra}


def sla_automation(steps=None, **extra):
    extra.setdefault("trigger", {"on": "sla", "start": "assigned_at", "stop": "first_response_at"})
    doc = deal_automation(
        "deal_first_response",
        steps=steps if steps is not None else [{"after": "4h", "actions": [notify()]}, {"after": "1d", "actions": [{"type": "escalate", "message": dict(L)}]}],
        **extra,
    )
    if "actions" not in extra:
        doc.pop("actions")
    return doc


def without(doc, *keys):
    for key in keys:
        doc.pop(key)
    return doc


def test_the_new_triggers_are_accepted():
    becomes_true = deal_automation(trigger={"on": "update", "fields": ["priority"], "becomes_true": True}, condition="record.priority == 'high'")
    assert messages(check_rich(becomes_true)) == []
    assert messages(check_rich(without(deal_automation(trigger={"on": "update", "becomes_true": False}), "condition"))) == []
    assert messages(check_rich(sla_automation())) == []
    for start in ["created_at", "updated_at", "closes_on", "next_step_on"]:
        assert messages(check_rich(sla_automation(trigger={"on": "sla", "start": start, "stop": "priority"}))) == [], start
    steps = [{"after": f"{h}h", "actions": [notify()]} for h in range(1, 11)]
    assert messages(check_rich(sla_automation(steps=steps))) == []
    for cron in ["0 9 * * 1-5", "*/15 8-18 * * *", "0 0 1,15 * *", "30 6 * 1-12/3 0,7", " 5 4  * * 0", "0 12 31 12 7", "5/10 * * * *"]:
        assert messages(check_rich(deal_automation(trigger={"on": "schedule", "cron": cron}))) == [], cron
    # The `on:` key of a YAML file is read as the text "on", as the server reads it.
    doc = vp.load_yaml(vp.MARKET_DIR / "sales" / "automations" / "lead_first_response_sla.yaml")
    assert doc["trigger"]["on"] == "sla" and len(doc["steps"]) == 2 and "actions" not in doc


def test_the_new_actions_are_accepted():
    actions = [
        {"type": "assign", "rule": "deal_assignment"},
        {"type": "lock", "duration": "2h"},
        {"type": "lock", "duration": "1m"},
        {"type": "lock", "duration": "30d"},
        {"type": "stage_back"},
        {"type": "escalate", "message": dict(L)},
        {"type": "escalate", "levels": 10, "field": "escalated_to", "message": dict(L)},
        {"type": "escalate", "role": "rep", "message": dict(L)},
        {"type": "escalate", "role": "admin", "field": "escalated_to", "message": dict(L)},
        notify(channel="email"),
        notify(channel="inbox", to="role:rep"),
        {"type": "notify", "channel": "sales_group", "message": dict(L)},
    ]
    assert messages(check_rich(deal_automation(actions=actions))) == []
    related = {"type": "update_related", "relation": "deal", "values": {"priority": "high", "amount": {"expression": "1"}, "closes_on": None}}
    task_rule = {"type": "assign", "rule": "task_assignment"}
    assert messages(check_rich(deal_automation(entity="task", trigger={"on": "create"}, actions=[related, task_rule]))) == []
    # Alone, the document is checked as far as it can be: the schema, cron ranges and durations.
    assert messages(vp.check_automation(deal_automation(actions=actions + [related]))) == []
    assert messages(vp.check_automation(sla_automation())) == []


def test_sla_steps_replace_actions():
    with_actions = sla_automation(actions=[notify()])
    problems = check_rich(with_actions)
    assert_reported(problems, "deal_won.yaml: an sla automation has steps, each with its actions, not actions")
    assert len(problems) == 1, messages(problems)
    assert_reported(check_rich(without(sla_automation(), "steps")), "deal_won.yaml: 'steps' is a required property")
    assert_reported(check_rich(sla_automation(steps=[])), "steps: [] should be non-empty")
    eleven = [{"after": f"{h}h", "actions": [notify()]} for h in range(1, 12)]
    assert_reported(check_rich(sla_automation(steps=eleven)), "steps: 11 steps; an sla automation has at most 10")
    problems = check_rich(deal_automation(trigger={"on": "create"}, steps=[{"after": "4h", "actions": [notify()]}]))
    assert_reported(problems, "deal_won.yaml: steps belong to sla triggers; other triggers have actions")
    assert len(problems) == 1, messages(problems)
    problems = check_rich(sla_automation(steps=[{"after": "4h"}, {"after": "8h", "actions": [notify()], "when": "x"}]))
    assert_reported(problems, "steps[0]: 'actions' is a required property", "steps[1]: Additional properties are not allowed ('when' was unexpected)")
    assert_reported(check_rich(sla_automation(steps=[{"after": "4h", "actions": [notify()] * 21}])), "steps[0].actions: 21 actions; an automation step has at most 20")


def test_sla_steps_must_come_later_and_later():
    steps = [{"after": "4h", "actions": [notify()]}, {"after": "2h", "actions": [notify()]}, {"after": "240m", "actions": [notify()]}, {"after": "1d", "actions": [notify()]}]
    problems = check_rich(sla_automation(steps=steps))
    assert_reported(
        problems,
        "steps[1].after: '2h' must be later than the step before ('4h')",
        "steps[2].after: '240m' must be later than the step before ('4h')",
    )
    assert len(problems) == 2, messages(problems)
    problems = check_rich(sla_automation(steps=[{"after": "0m", "actions": [notify()]}, {"after": "-1h", "actions": [notify()]}, {"after": "soon", "actions": [notify()]}]))
    assert_reported(
        problems,
        "steps[0].after: '0m' must be a positive duration",
        "steps[1].after: '-1h' is not valid: a positive duration",
        "steps[2].after: 'soon' is not valid: a positive duration",
    )
    assert len(problems) == 3, messages(problems)


def test_sla_start_and_stop_must_be_fields_of_the_entity():
    problems = check_rich(sla_automation(trigger={"on": "sla", "start": "title", "stop": "ghost"}))
    assert_reported(
        problems,
        "trigger.start: 'title' is not a date or datetime field of the entity 'deal' (nor created_at)",
        "trigger.stop: 'ghost' is not a field of the entity 'deal'",
    )
    assert len(problems) == 2, messages(problems)
    assert_reported(check_rich(sla_automation(trigger={"on": "sla", "start": "owner_id", "stop": "score"})), "trigger.start: 'owner_id'", "trigger.stop: 'score' is a formula field")
    assert_reported(check_rich(sla_automation(trigger={"on": "sla", "start": "assigned_at"})), "trigger: 'stop' is a required property")
    problems = check_rich(sla_automation(trigger={"on": "sla", "start": "assigned_at", "stop": "first_response_at", "cron": "* * * * *"}))
    assert_reported(problems, "trigger: not allowed in a trigger on 'sla': cron (allowed: start, stop)")
    assert len(problems) == 1, messages(problems)


def test_becomes_true_needs_a_condition():
    problems = check_rich(without(deal_automation(trigger={"on": "update", "becomes_true": True}), "condition"))
    assert_reported(problems, "deal_won.yaml: condition is required with trigger.becomes_true")
    assert len(problems) == 1, messages(problems)
    assert_reported(check_rich(deal_automation(trigger={"on": "update", "becomes_true": "yes"})), "trigger.becomes_true: 'yes' is not of type 'boolean'")
    assert_reported(check_rich(deal_automation(trigger={"on": "create", "becomes_true": True})), "not allowed in a trigger on 'create': becomes_true")


@pytest.mark.parametrize("cron", ["0 9 * *", "0 9 * * * *", "", "daily", "0 9 * * mon", "0\t9 * * *", "0\t99 * * *", "0 9 ** * *", "0 9 * * 1-", "100 9 * * *"])
def test_a_cron_that_is_not_five_fields_is_reported(cron):
    problems = check_rich(deal_automation(trigger={"on": "schedule", "cron": cron}))
    assert_reported(problems, f"trigger.cron: {cron!r} is not valid: a cron schedule of five fields")
    assert len(problems) == 1, messages(problems)


@pytest.mark.parametrize(
    "cron, name",
    [("60 9 * * *", "minute"), ("0 24 * * *", "hour"), ("0 9 0 * *", "day of month"), ("0 9 * 13 *", "month"),
     ("0 9 * * 8", "day of week"), ("*/0 * * * *", "minute"), ("0 9-5 * * *", "hour"), ("0 9 * * */8", "day of week")],
)
def test_a_cron_value_out_of_range_is_reported(cron, name):
    problems = check_rich(deal_automation(trigger={"on": "schedule", "cron": cron}))
    assert_reported(problems, f"trigger.cron: {cron!r}: the {name} field")
    assert len(problems) == 1, messages(problems)


def test_schedule_needs_a_cron_and_nothing_else():
    assert_reported(check_rich(deal_automation(trigger={"on": "schedule"})), "trigger: 'cron' is a required property")
    assert_reported(check_rich(deal_automation(trigger={"on": "schedule", "cron": "0 9 * * *", "field": "closes_on"})), "not allowed in a trigger on 'schedule': field (allowed: cron)")
    # Time and inactive triggers report members they do not take as well.
    problems = check_rich(deal_automation(trigger={"on": "time", "field": "closes_on", "after": "1h"}))
    assert_reported(problems, "trigger: not allowed in a trigger on 'time': after (allowed: field, offset)")
    assert len(problems) == 1, messages(problems)
    assert_reported(check_rich(deal_automation(trigger={"on": "inactive", "field": "assigned_at", "after": "0h"})), "trigger.after: '0h' must be a positive duration")
    assert_reported(check_rich(deal_automation(trigger={"on": "time", "field": "closes_on", "offset": "1ns"})), "trigger.offset: '1ns' is not valid")


def test_notify_channels():
    problems = check_rich(deal_automation(actions=[notify(channel="sales_group")]))
    assert_reported(problems, "actions[0]: 'to' is not allowed with a named channel: a channel posts to its group")
    assert len(problems) == 1, messages(problems)
    for channel in ["Sales-Group", "销售群", "", "1group", 7]:
        problems = check_rich(deal_automation(actions=[{"type": "notify", "channel": channel, "message": dict(L)}]))
        assert_reported(problems, "actions[0].channel")
        assert len(problems) == 1, (channel, messages(problems))
    assert_reported(check_rich(deal_automation(actions=[{"type": "notify", "channel": "Sales-Group", "message": dict(L)}])), "'Sales-Group': a notify's channel is inbox, email or the API name")
    for channel in [None, "inbox", "email"]:
        action = {"type": "notify", "message": dict(L)} if channel is None else {"type": "notify", "channel": channel, "message": dict(L)}
        assert_reported(check_rich(deal_automation(actions=[action])), "actions[0]: 'to' is a required property")
    assert_reported(check_rich(deal_automation(actions=[notify(channel="email", to="role:boss")])), "actions[0].to: no role 'boss' in this pack")


def test_update_related_needs_a_relation_and_fields_of_its_target():
    def on_task(*actions):
        return check_rich(deal_automation(entity="task", trigger={"on": "create"}, actions=list(actions)))

    problems = on_task({"type": "update_related", "relation": "title", "values": {"priority": "high"}}, {"type": "update_related", "relation": "ghost", "values": {"title": "x"}})
    assert_reported(
        problems,
        "actions[0].relation: 'title' is not a relation field of the entity 'task'",
        "actions[1].relation: 'ghost' is not a relation field of the entity 'task'",
    )
    assert len(problems) == 2, messages(problems)
    problems = on_task({"type": "update_related", "relation": "deal", "values": {"due": "2026-01-01", "score": 1, "priority": "urgent", "title": "x"}})
    assert_reported(
        problems,
        "actions[0].values.due: 'due' is not a field of the entity 'deal'",
        "actions[0].values.score: 'score' is a formula field",
        "actions[0].values.priority: 'urgent' is not an option of priority",
    )
    assert len(problems) == 3, messages(problems)
    assert_reported(on_task({"type": "update_related", "relation": "deal"}), "actions[0]: 'values' is a required property")
    assert_reported(on_task({"type": "update_related", "values": {"title": "x"}}), "actions[0]: 'relation' is a required property")
    assert_reported(on_task({"type": "update_related", "relation": "deal", "values": {"title": "x"}, "entity": "deal"}), "not allowed in an 'update_related' action: entity (allowed: relation, values)")


def test_assign_needs_a_rule_of_the_pack_for_the_same_entity():
    problems = check_rich(deal_automation(actions=[{"type": "assign", "rule": "ghost"}, {"type": "assign", "rule": "task_assignment"}]))
    assert_reported(
        problems,
        "actions[0].rule: no assignment rule 'ghost' in this pack (pack.yaml assignment_rules)",
        "actions[1].rule: the rule 'task_assignment' assigns 'task' records, not 'deal'",
    )
    assert len(problems) == 2, messages(problems)
    assert_reported(check_rich(deal_automation(actions=[{"type": "assign", "rule": "deal_assignment"}]), rules={}), "no assignment rule 'deal_assignment'")
    # A rule whose file could not be read is reported there, not again here.
    assert messages(check_rich(deal_automation(actions=[{"type": "assign", "rule": "broken"}]), rules={"broken": None})) == []
    # Without `rules`, assign actions are not checked (as notify roles without `roles`).
    assert messages(vp.check_automation(deal_automation(actions=[{"type": "assign", "rule": "ghost"}]), "a.yaml", rich_fields(), ["rep"])) == []
    assert_reported(check_rich(deal_automation(actions=[{"type": "assign", "rule": "Deal"}])), "actions[0].rule: 'Deal' is not a valid name")


def test_stage_back_needs_a_stage_field():
    problems = check_rich(deal_automation(entity="task", trigger={"on": "create"}, actions=[{"type": "stage_back"}]))
    assert_reported(problems, "actions[0].type: the entity 'task' has no stage field to move back")
    assert len(problems) == 1, messages(problems)
    assert_reported(check_rich(deal_automation(actions=[{"type": "stage_back", "to": "new"}])), "not allowed in a 'stage_back' action: to (allowed: nothing else)")
    sla = sla_automation(entity="task", trigger={"on": "sla", "start": "created_at", "stop": "due"}, steps=[{"after": "1d", "actions": [{"type": "stage_back"}]}])
    assert_reported(check_rich(sla), "steps[0].actions[0].type: the entity 'task' has no stage field")


def test_escalate_takes_levels_or_a_role_and_a_user_field():
    problems = check_rich(deal_automation(actions=[{"type": "escalate", "levels": 2, "role": "rep", "message": dict(L)}]))
    assert_reported(problems, "actions[0]: name levels or role, not both")
    assert len(problems) == 1, messages(problems)
    problems = check_rich(deal_automation(actions=[{"type": "escalate", "field": "title", "message": dict(L)}, {"type": "escalate", "field": "ghost", "message": dict(L)}]))
    assert_reported(
        problems,
        "actions[0].field: 'title' is not a user field of the entity 'deal'",
        "actions[1].field: 'ghost' is not a user field of the entity 'deal'",
    )
    assert len(problems) == 2, messages(problems)
    assert_reported(check_rich(deal_automation(actions=[{"type": "escalate", "role": "boss", "message": dict(L)}])), "actions[0].role: no role 'boss' in this pack (pack.yaml roles) and it is not 'admin'")
    assert_reported(check_rich(deal_automation(actions=[{"type": "escalate", "levels": 11, "message": dict(L)}])), "actions[0].levels: 11 is greater than the maximum of 10")
    assert_reported(check_rich(deal_automation(actions=[{"type": "escalate", "levels": 0, "message": dict(L)}])), "actions[0].levels: 0 is less than the minimum of 1")
    assert_reported(check_rich(deal_automation(actions=[{"type": "escalate", "levels": 1}])), "actions[0]: 'message' is a required property")
    assert_reported(check_rich(deal_automation(actions=[{"type": "escalate", "to": "manager", "message": dict(L)}])), "not allowed in an 'escalate' action: to (allowed: field, levels, message, role)")


@pytest.mark.parametrize("duration, fragment", [("30s", "must be a duration from 1m to 30d"), ("31d", "must be a duration from 1m to 30d"), ("0m", "from 1m to 30d"), ("soon", "is not valid: how long the lock lasts"), ("-1h", "is not valid"), ("2 h", "is not valid")])
def test_lock_with_a_bad_duration_is_reported(duration, fragment):
    problems = check_rich(deal_automation(actions=[{"type": "lock", "duration": duration}]))
    assert_reported(problems, f"actions[0].duration: {duration!r} ", fragment)
    assert len(problems) == 1, messages(problems)


def test_lock_needs_a_duration():
    assert_reported(check_rich(deal_automation(actions=[{"type": "lock"}])), "actions[0]: 'duration' is a required property")
    assert vp.parse_duration("1d12h") == 36 * 3_600_000_000 and vp.parse_duration("-1d") == -86_400_000_000
    assert vp.parse_duration("90m") == 90 * 60_000_000 and vp.parse_duration("1500ms") == 1_500_000
    assert [vp.parse_duration(t) for t in ["", "-", "h", "1", "1ns", "1 h", 3]] == [None] * 7


# --- assignment rules ------------------------------------------------------------------------


def assignment_rule(name="deal_assignment", **extra):
    doc = {
        "name": name,
        "label": dict(L),
        "entity": "deal",
        "routes": [
            {"when": "record.amount > 100000", "team": "华东大客户组"},
            {"when": "record.priority == 'high'", "role": "rep"},
            {"when": "true", "users": ["a@example.com", "b@example.com"]},
        ],
        "pool": {"role": "rep"},
        "fallback": {"role": "admin"},
        "strategy": "weighted",
        "weight": "1.0 + user.won",
        "figures": {"won": {"entity": "deal", "where": "record.phase == 'won'"}, "open_tasks": {"entity": "task"}},
    }
    doc.update(extra)
    return doc


def check_rule(doc):
    return vp.check_assignment_rule(doc, "deal_assignment.yaml", rich_fields(), ["rep"])


def test_a_valid_assignment_rule_has_no_problems():
    assert messages(check_rule(assignment_rule())) == []
    assert messages(vp.check_assignment_rule(assignment_rule())) == []
    minimal = {"name": "r", "entity": "deal", "pool": {"team": "East"}}
    assert messages(check_rule(minimal)) == []
    assert messages(check_rule({"name": "r", "entity": "deal", "routes": [{"when": "true", "users": ["x@y.z"]}], "strategy": "round_robin"})) == []
    doc = vp.load_yaml(vp.MARKET_DIR / "sales" / "assignment-rules" / "lead_assignment.yaml")
    assert vp.check_assignment_rule(doc, "lead_assignment.yaml") == [] and doc["name"] == "lead_assignment"


def test_assignment_rule_needs_a_pool_without_routes():
    for routes in [None, []]:
        doc = assignment_rule(routes=routes)
        doc.pop("pool")
        if routes is None:
            doc.pop("routes")
        problems = check_rule(doc)
        assert_reported(problems, "deal_assignment.yaml: pool is required when there are no routes")
        assert len(problems) == 1, messages(problems)


def test_a_pool_names_exactly_one_kind():
    problems = check_rule(assignment_rule(routes=[{"when": "true", "team": "East", "role": "rep"}], pool={}, fallback={"users": ["a@b.c"], "role": "rep"}))
    assert_reported(
        problems,
        "routes[0]: name exactly one of team, role or users (here: team, role)",
        "pool: name exactly one of team, role or users (here: none)",
        "fallback: name exactly one of team, role or users (here: role, users)",
    )
    assert len(problems) == 3, messages(problems)
    problems = check_rule(assignment_rule(routes=[{"team": "East"}, {"when": "true", "team": ""}, {"when": "true", "users": []}, {"when": "true", "users": ["not an email"]}]))
    assert_reported(
        problems,
        "routes[0]: 'when' is a required property",
        "routes[1].team: '' should be non-empty",
        "routes[2].users: [] should be non-empty",
        "routes[3].users[0]: 'not an email' is not valid: an email address",
    )
    assert_reported(check_rule(assignment_rule(routes=[{"when": "true", "team": "x" * 201}])), "routes[0].team")
    assert_reported(check_rule(assignment_rule(routes=[{"when": "true", "team": "East", "weight": 2}])), "routes[0]: Additional properties are not allowed ('weight' was unexpected)")
    assert_reported(check_rule(assignment_rule(routes=[{"when": "true", "role": "rep"}] * 51)), "routes: ", "is too long")


def test_weight_goes_with_the_weighted_strategy():
    problems = check_rule(assignment_rule(strategy="round_robin"))
    assert_reported(problems, "deal_assignment.yaml: weight applies only to strategy weighted")
    assert len(problems) == 1, messages(problems)
    no_strategy = assignment_rule()
    no_strategy.pop("strategy")
    assert_reported(check_rule(no_strategy), "weight applies only to strategy weighted")
    no_weight = assignment_rule()
    no_weight.pop("weight")
    assert_reported(check_rule(no_weight), "deal_assignment.yaml: 'weight' is a required property")
    assert_reported(check_rule(assignment_rule(strategy="random")), "strategy: 'random' is not one of ['round_robin', 'weighted']")


def test_assignment_rule_names_real_entities_and_roles():
    figures = {"won": {"entity": "ghost"}, "load": {"entity": "task", "where": "true"}}
    problems = check_rule(assignment_rule(entity="lead", figures=figures, weight="user.won"))
    assert_reported(
        problems,
        "deal_assignment.yaml: entity: no entity 'lead' in this pack or the packs it requires",
        "figures.won.entity: no entity 'ghost' in this pack or the packs it requires",
    )
    assert len(problems) == 2, messages(problems)
    problems = check_rule(assignment_rule(routes=[{"when": "true", "role": "boss"}], pool={"role": "chief"}, fallback={"role": "admin"}))
    assert_reported(
        problems,
        "routes[0].role: no role 'boss' in this pack (pack.yaml roles) and it is not 'admin'",
        "pool.role: no role 'chief' in this pack",
    )
    assert len(problems) == 2, messages(problems)
    # Without `roles` the pools' roles are not checked; without `entities` only the schema is.
    assert vp.check_assignment_rule(assignment_rule(pool={"role": "chief"}), "r.yaml", rich_fields()) == []
    assert vp.check_assignment_rule(assignment_rule(entity="lead"), "r.yaml") == []


def test_assignment_rule_schema_errors_are_reported():
    assert_reported(check_rule(assignment_rule(figures={"id": {"entity": "deal"}})), "figures: 'id' cannot name a figure")
    assert_reported(check_rule(assignment_rule(figures={"Won": {"entity": "deal"}})), "figures: 'Won' is not a valid name")
    assert_reported(check_rule(assignment_rule(figures={f"f{i}": {"entity": "deal"} for i in range(9)})), "figures: ", "has too many properties")
    assert_reported(check_rule(assignment_rule(figures={"won": {"where": "true"}})), "figures.won: 'entity' is a required property")
    assert_reported(check_rule(assignment_rule(figures={"won": {"entity": "deal", "owner": "x"}})), "figures.won: Additional properties are not allowed ('owner' was unexpected)")
    assert_reported(check_rule(assignment_rule(priority=1)), "'priority' was unexpected")
    assert_reported(check_rule(assignment_rule(weight="")), "weight: '' should be non-empty")
    assert_reported(check_rule({"label": dict(L)}), "'name' is a required property", "'entity' is a required property")
    for doc in [None, [], "rule", {"name": "r", "entity": "deal", "routes": "x", "pool": [], "figures": []}, {"name": "r", "entity": "deal", "routes": [None, 1], "figures": {"a": None}}]:
        assert check_rule(doc)


# --- assignment rules in packs ---------------------------------------------------------------


def test_the_sales_pack_passes_with_its_assignment_rule():
    report = vp.check_pack_dir(vp.MARKET_DIR / "sales", {})
    assert messages(report.problems) == []
    manifest = vp.load_yaml(vp.MARKET_DIR / "sales" / "pack.yaml")
    assert manifest["assignment_rules"] == ["lead_assignment"] and report.assignment_rules == 1
    doc = vp.load_yaml(vp.MARKET_DIR / "sales" / "automations" / "lead_auto_assign.yaml")
    assert doc["actions"][0] == {"type": "assign", "rule": "lead_assignment"}


def pack_rule(name="thing_assignment", **extra):
    doc = {"name": name, "label": dict(L), "entity": "thing", "pool": {"role": "rep"}}
    doc.update(extra)
    return doc


def test_a_pack_with_an_assignment_rule_passes(tmp_path):
    assign = automation("assign_things", actions=[{"type": "assign", "rule": "thing_assignment"}])
    write_pack(tmp_path, roles=[role()], assignment_rules=[pack_rule()], automations=[assign])
    report = vp.check_market(tmp_path)
    assert messages(report.problems) == []
    assert report.summary() == "1 pack, 1 entity, 1 role, 1 assignment rule, 1 automation, 1 field"


def test_pack_assignment_rule_references_are_checked(tmp_path):
    rule = pack_rule(routes=[{"when": "true", "role": "boss"}], figures={"won": {"entity": "ghost"}})
    other = pack_rule("other_assignment", entity="other")
    assign = automation("assign_things", actions=[{"type": "assign", "rule": "other_assignment"}, {"type": "assign", "rule": "ghost"}])
    pack = write_pack(tmp_path, entities=[entity(), entity("other")], roles=[role()], assignment_rules=[rule, other], automations=[assign])
    problems = vp.check_pack_dir(pack).problems
    assert_reported(
        problems,
        "assignment-rules/thing_assignment.yaml: routes[0].role: no role 'boss' in this pack",
        "assignment-rules/thing_assignment.yaml: figures.won.entity: no entity 'ghost' in this pack",
        "automations/assign_things.yaml: actions[0].rule: the rule 'other_assignment' assigns 'other' records, not 'thing'",
        "automations/assign_things.yaml: actions[1].rule: no assignment rule 'ghost' in this pack (pack.yaml assignment_rules)",
    )
    assert len(problems) == 4, messages(problems)


def test_assignment_rules_are_this_packs_own(tmp_path):
    # A rule of a required pack is not this pack's to assign by, as for roles.
    write_pack(tmp_path, "crm", entities=[entity("customer")], assignment_rules=[pack_rule("customer_assignment", entity="customer", pool={"team": "East"})])
    assign = automation("assign_customers", entity="customer", actions=[{"type": "assign", "rule": "customer_assignment"}])
    sales = write_pack(tmp_path, "sales", automations=[assign], requires=[{"id": "crm"}])
    assert_reported(vp.check_market(tmp_path, only=[sales]).problems, "actions[0].rule: no assignment rule 'customer_assignment' in this pack")
    # ... but its entities are this pack's rules' to assign.
    rule = pack_rule("customer_assignment", entity="customer", pool={"team": "East"}, figures={"mine": {"entity": "customer"}})
    write_pack(tmp_path, "shop", assignment_rules=[rule], automations=[assign], requires=[{"id": "crm"}])
    assert messages(vp.check_market(tmp_path, only=[tmp_path / "shop"]).problems) == []


def test_missing_assignment_rule_file_name_mismatch_and_unlisted_file_are_reported(tmp_path):
    pack = write_pack(tmp_path, assignment_rules=[pack_rule()])
    manifest = vp.load_yaml(pack / "pack.yaml")
    manifest["assignment_rules"] = ["thing_assignment", "lead_assignment"]
    write_yaml(pack / "pack.yaml", manifest)
    write_yaml(pack / "assignment-rules" / "thing_assignment.yaml", pack_rule("things", pool={"team": "East"}))
    write_yaml(pack / "assignment-rules" / "extra.yaml", pack_rule("extra", pool={"team": "East"}))
    report = vp.check_pack_dir(pack)
    assert_reported(
        report.problems,
        "pack.yaml: assignment_rules[1]: no file assignment-rules/lead_assignment.yaml",
        "assignment-rules/thing_assignment.yaml: name: 'things' does not match the file name 'thing_assignment'",
        "assignment-rules/extra.yaml: not listed in pack.yaml assignment_rules",
    )
    assert len(report.problems) == 3, messages(report.problems)
    assert report.assignment_rules == 1


def test_assignment_rule_files_without_assignment_rules_in_the_manifest_are_reported(tmp_path, capsys):
    pack = write_pack(tmp_path)
    (pack / "assignment-rules").mkdir()
    write_yaml(pack / "assignment-rules" / "thing_assignment.yaml", pack_rule(pool={"team": "East"}))
    assert vp.main(["--market", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "demo/assignment-rules/thing_assignment.yaml: not listed in pack.yaml assignment_rules" in out
    assert "1 pack, 1 entity, 0 roles, 0 assignment rules, 0 automations, 1 field: 1 problem" in out


def test_a_broken_assignment_rule_file_is_reported_once(tmp_path):
    assign = automation("assign_things", actions=[{"type": "assign", "rule": "thing_assignment"}])
    pack = write_pack(tmp_path, assignment_rules=[pack_rule(pool={"team": "East"})], automations=[assign])
    (pack / "assignment-rules" / "thing_assignment.yaml").write_text("name: thing_assignment\nname: again\n", encoding="utf-8")
    problems = vp.check_pack_dir(pack).problems
    assert_reported(problems, "assignment-rules/thing_assignment.yaml: line 2: duplicate key 'name'")
    assert len(problems) == 1, messages(problems)


def test_pack_manifest_assignment_rules_must_be_unique_names():
    manifest = {"id": "demo", "version": "1.0.0", "name": L, "description": L, "entities": ["a"], "assignment_rules": ["r1", "r1", "Rule"]}
    assert_reported(vp.check_pack_manifest(manifest), "assignment_rules: ['r1', 'r1', 'Rule'] has non-unique elements", "assignment_rules[2]: 'Rule' is not a valid name")
    manifest["assignment_rules"] = ["r1"]
    assert vp.check_pack_manifest(manifest) == []
