import Foundation
import TesseraCore
import Testing

/// Role files of a pack (`roles/<name>.yaml`), checked against the entities of the pack and of the packs it requires.
@Suite("Pack validation: roles")
struct PackValidatorRoleTests {
    typealias D = PackDocument
    static let file = "demo/roles/rep.yaml"

    /// Validates pack `demo` (the entity `thing`) with these roles.
    func check(_ roles: [PackDocument]) throws -> PackValidator.Report {
        let market = try PackMarket()
        try market.pack(roles: roles)
        return market.validate()
    }

    @Test("a role with scopes, field access, a '*' entry and special rights is valid; so is a role without permissions")
    func valid() throws {
        let permissions =
            "{thing: {create: subordinates, read: assigned, update: team, delete: none, fields: {title: read}}, \"*\": {create: own, read: all}}"
        let manager = D.role(
            "regional_manager", permissions: permissions, "default: true\nspecial: [manage_metadata, manage_users, import, export]\n")
        expectValid(try check([manager, D("viewer", "name: viewer\n")]))
    }

    @Test(
        "a role's own mistakes are refused at their path",
        arguments: [
            (D.role("rep", "grants: []\n"), "grants", "unknown_property"),
            (D.role("rep", permissions: "{thing: {read: mine}}"), "permissions.thing.read", "enum"),
            (D.role("rep", permissions: "{thing: {read: own, share: all}}"), "permissions.thing.share", "unknown_property"),
            (D.role("rep", permissions: "{thing: {fields: {title: write}}}"), "permissions.thing.fields.title", "enum"),
            (D.role("rep", permissions: "{Thing: {}}"), "permissions.Thing", "unknown_entity"),
            (D.role("rep", "special: [export, root]\n"), "special", "enum"),
            (D.role("rep", "default: \"yes\"\n"), "default", "type"),
            (D("rep", "label: \(D.label)\n"), "name", "name"),
        ])
    func schemaErrors(role: PackDocument, field: String, rule: String) throws {
        expectProblem(try check([role]), in: Self.file, field: field, rule: rule)
    }

    @Test(
        "a document that is not a role is refused, not crashed on",
        arguments: ["", "[]\n", "rep\n", "name: rep\npermissions: []\n", "name: rep\npermissions: {thing: null}\n"])
    func garbage(text: String) throws {
        expectProblem(try check([D("rep", text)]), in: Self.file)
    }

    @Test("a pack cannot define the built-in admin role")
    func admin() throws {
        expectProblem(try check([D.role("admin")]), in: "demo/roles/admin.yaml", field: "name", rule: "reserved", "'admin'")
    }

    @Test("create cannot be 'assigned': it applies to existing records")
    func createAssigned() throws {
        let report = try check([D.role(permissions: "{thing: {create: assigned, read: assigned}}")])
        expectProblem(report, in: Self.file, field: "permissions.thing.create", rule: "enum", "'assigned'")
        expectProblems(report, count: 1)
    }

    @Test("field access under '*' is refused: it needs a named entity")
    func fieldsUnderEveryEntity() throws {
        let report = try check([D.role(permissions: "{\"*\": {read: all, fields: {title: read}}}")])
        expectProblem(report, in: Self.file, field: "permissions.*.fields.title", rule: "unknown_field", "'*'")
        expectProblems(report, count: 1)
    }

    @Test("a role naming an entity the pack lacks is refused, in its own file")
    func unknownEntity() throws {
        let report = try check([D.role(permissions: "{thing: {read: own}, ghost: {read: all}}")])
        expectProblem(report, in: Self.file, field: "permissions.ghost", rule: "unknown_entity", "'ghost'")
        expectProblems(report, count: 1)
    }

    @Test("a role naming a field its entity lacks (system columns included) is refused")
    func unknownField() throws {
        let report = try check([D.role(permissions: "{thing: {read: own, fields: {title: read, amount: none, owner_id: read}}}")])
        expectProblem(report, in: Self.file, field: "permissions.thing.fields.amount", rule: "unknown_field", "'amount'")
        expectProblem(report, in: Self.file, field: "permissions.thing.fields.owner_id", rule: "unknown_field", "'owner_id'")
        expectProblems(report, count: 2)
    }

    @Test("a role may name entities and fields of a required pack, and only of one it requires")
    func requiredPack() throws {
        let market = try PackMarket()
        try market.pack("crm", entities: [D.entity("customer", fields: [D.field("credit_limit", "money")])])
        let ok = D.role(permissions: "{thing: {read: own}, customer: {read: all, fields: {credit_limit: read}}}")
        try market.pack("sales", roles: [ok], manifest: "requires: [{id: crm}]\n")
        expectValid(market.validate("sales"))
        expectValid(market.validate("crm"))
        try market.write("sales/roles/rep.yaml", D.role(permissions: "{customer: {fields: {discount: none}}}").text)
        expectProblem(market.validate("sales"), in: "sales/roles/rep.yaml", field: "permissions.customer.fields.discount", rule: "unknown_field")
        try market.pack("other", roles: [ok])
        expectProblem(market.validate("other"), in: "other/roles/rep.yaml", field: "permissions.customer", rule: "unknown_entity")
    }

    @Test("a listed role without its file, a role named unlike its file and a file pack.yaml does not list are refused")
    func files() throws {
        let market = try PackMarket()
        try market.pack(roles: [D.role("rep")])
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing"], roles: ["rep", "boss"]))
        try market.write("demo/roles/rep.yaml", D.role("reps").text)
        try market.write("demo/roles/extra.yaml", D.role("extra").text)
        let report = market.validate()
        expectProblem(report, rule: "missing_file", "roles/boss.yaml")
        expectProblem(report, in: Self.file, field: "name", rule: "mismatch", "'reps'")
        expectProblem(report, in: "demo/roles/extra.yaml", rule: "unlisted", "roles")
        expectProblems(report, count: 3)
    }

    @Test("role files are refused when pack.yaml lists no roles")
    func filesWithoutRoles() throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/roles/rep.yaml", D.role().text)
        expectProblem(market.validate(), in: Self.file, rule: "unlisted", "roles")
    }

    @Test("pack.yaml lists each role once, by an API name")
    func manifestNames() throws {
        let market = try PackMarket()
        try market.pack(roles: [D.role("rep")])
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing"], roles: ["rep", "rep", "Boss"]))
        let report = market.validate()
        expectProblem(report, in: "demo/pack.yaml", field: "roles[1]", rule: "duplicate", "'rep'")
        expectProblem(report, in: "demo/pack.yaml", field: "roles[2]", rule: "name", "'Boss'")
    }
}
