import Foundation
import TesseraCore
import Testing

/// Assignment rule files of a pack (`assignment-rules/<name>.yaml`): routes, pools, figures and the
/// weight, checked against the pack's entities (and those of the packs it requires) and its own roles.
@Suite("Pack validation: assignment rules")
struct PackValidatorAssignmentRuleTests {
    typealias D = PackDocument
    static let file = "demo/assignment-rules/deal_assignment.yaml"
    static let routes =
        "[{when: \"record.amount > 100000\", team: 华东大客户组}, {when: \"record.priority == 'high'\", role: rep}, "
        + "{when: \"true\", users: [a@example.com, b@example.com]}]"
    static let figures = "{won: {entity: deal, where: \"record.phase == 'won'\"}, open_tasks: {entity: task}}"

    /// The rule `deal_assignment`: by default routes by amount, priority and otherwise, weighted by deals won.
    static func rule(
        entity: String = "deal", routes: String? = routes, pool: String? = "{role: rep}", fallback: String? = "{role: admin}",
        strategy: String? = "weighted", weight: String? = "\"1.0 + user.won\"", figures: String? = figures, _ extra: String = ""
    ) -> PackDocument {
        let members = [("routes", routes), ("fallback", fallback), ("strategy", strategy), ("weight", weight), ("figures", figures)]
        let text = members.compactMap { key, value in value.map { "\(key): \($0)\n" } }.joined()
        return D.assignmentRule("deal_assignment", entity: entity, pool: pool, text + extra)
    }

    /// Validates pack `demo`: the deal entities of the automation tests, the role `rep` and `rule`.
    static func check(_ rule: PackDocument) throws -> PackValidator.Report {
        let market = try PackMarket()
        try market.pack(entities: PackValidatorAutomationTests.entities, roles: [D.role(permissions: "{deal: {read: own}}")], assignmentRules: [rule])
        return market.validate()
    }

    @Test("a rule with routes, a pool, a fallback, a weight and figures is valid; so are minimal ones")
    func valid() throws {
        expectValid(try Self.check(Self.rule()))
        expectValid(try Self.check(D("deal_assignment", "name: deal_assignment\nentity: deal\npool: {team: East}\n")))
        let routed = "name: deal_assignment\nentity: deal\nroutes: [{when: \"true\", users: [x@y.z]}]\nstrategy: round_robin\n"
        expectValid(try Self.check(D("deal_assignment", routed)))
    }

    @Test("a rule without routes needs a pool", arguments: [nil, "[]"] as [String?])
    func poolWithoutRoutes(routes: String?) throws {
        let report = try Self.check(Self.rule(routes: routes, pool: nil))
        expectProblem(report, in: Self.file, field: "pool", rule: "required")
        expectProblems(report, count: 1)
    }

    @Test("a route, pool or fallback names exactly one of team, role or users, each well formed")
    func pools() throws {
        let report = try Self.check(
            Self.rule(routes: "[{when: \"true\", team: East, role: rep}]", pool: "{}", fallback: "{users: [a@b.c], role: rep}"))
        expectProblem(report, in: Self.file, field: "routes[0]", rule: "pool")
        expectProblem(report, in: Self.file, field: "pool", rule: "pool")
        expectProblem(report, in: Self.file, field: "fallback", rule: "pool")
        expectProblems(report, count: 3)
        let routes = try Self.check(
            Self.rule(routes: "[{team: East}, {when: \"true\", team: \"\"}, {when: \"true\", users: []}, {when: \"true\", users: [not an email]}]"))
        expectProblem(routes, in: Self.file, field: "routes[0].when")
        expectProblem(routes, in: Self.file, field: "routes[1].team", rule: "type")
        expectProblem(routes, in: Self.file, field: "routes[2].users", rule: "type")
        expectProblem(routes, in: Self.file, field: "routes[3].users", rule: "type")
        let long = try Self.check(Self.rule(routes: "[{when: \"true\", team: \(String(repeating: "x", count: 201))}]"))
        expectProblem(long, in: Self.file, field: "routes[0].team", rule: "type")
        let weight = try Self.check(Self.rule(routes: "[{when: \"true\", team: East, weight: 2}]"))
        expectProblem(weight, in: Self.file, field: "routes[0].weight", rule: "unknown_property")
        let many = try Self.check(Self.rule(routes: "[" + Array(repeating: "{when: \"true\", role: rep}", count: 51).joined(separator: ", ") + "]"))
        expectProblem(many, in: Self.file, field: "routes", rule: "type")
    }

    @Test("a weight goes with the weighted strategy, which needs one")
    func weight() throws {
        let roundRobin = try Self.check(Self.rule(strategy: "round_robin"))
        expectProblem(roundRobin, in: Self.file, field: "weight", rule: "unknown_property")
        expectProblems(roundRobin, count: 1)
        expectProblem(try Self.check(Self.rule(strategy: nil)), in: Self.file, field: "weight", rule: "unknown_property")
        expectProblem(try Self.check(Self.rule(weight: nil)), in: Self.file, field: "weight")
        expectProblem(try Self.check(Self.rule(strategy: "random")), in: Self.file, field: "strategy", rule: "enum")
    }

    @Test("a rule names entities of the pack and roles of the pack (or admin)")
    func names() throws {
        expectProblem(try Self.check(Self.rule(entity: "lead", weight: "user.won")), in: Self.file, field: "entity", rule: "unknown_entity", "'lead'")
        let figures = try Self.check(Self.rule(weight: "user.won", figures: "{won: {entity: ghost}, load: {entity: task, where: \"true\"}}"))
        expectProblem(figures, in: Self.file, field: "figures.won.entity", rule: "unknown_entity", "'ghost'")
        expectProblems(figures, count: 1)
        let roles = try Self.check(Self.rule(routes: "[{when: \"true\", role: boss}]", pool: "{role: chief}"))
        expectProblem(roles, in: Self.file, field: "routes[0].role", rule: "unknown_role", "'boss'")
        expectProblem(roles, in: Self.file, field: "pool.role", rule: "unknown_role", "'chief'")
        expectProblems(roles, count: 2)
    }

    @Test(
        "a rule's own mistakes are refused at their path",
        arguments: [
            (rule(figures: "{id: {entity: deal}}"), "figures.id", "name"),
            (rule(figures: "{Won: {entity: deal}}"), "figures.Won", "name"),
            (rule(figures: "{" + (0..<9).map { "f\($0): {entity: deal}" }.joined(separator: ", ") + "}"), "figures", "type"),
            (rule(figures: "{won: {where: \"true\"}}"), "figures.won.entity", "unknown_entity"),
            (rule(figures: "{won: {entity: deal, owner: x}}"), "figures.won.owner", "unknown_property"),
            (rule("priority: 1\n"), "priority", "unknown_property"),
            (rule(weight: "\"\""), "weight", nil),
            (D("deal_assignment", "label: \(D.label)\n"), "entity", "unknown_entity"),
        ] as [(PackDocument, String, String?)])
    func schemaErrors(rule: PackDocument, field: String, ruleName: String?) throws {
        expectProblem(try Self.check(rule), in: Self.file, field: field, rule: ruleName)
    }

    @Test(
        "a document that is not an assignment rule is refused, not crashed on",
        arguments: [
            "", "[]\n", "rule\n", "name: deal_assignment\nentity: deal\nroutes: x\npool: []\nfigures: []\n",
            "name: deal_assignment\nentity: deal\nroutes: [null, 1]\nfigures: {a: null}\n",
        ])
    func garbage(text: String) throws {
        expectProblem(try Self.check(D("deal_assignment", text)), in: Self.file)
    }

    @Test("a pack with a role, an assignment rule and an automation assigning by it is valid")
    func packWithRule() throws {
        let market = try PackMarket()
        let assign = D.automation("assign_things", actions: ["{type: assign, rule: thing_assignment}"])
        try market.pack(roles: [D.role()], assignmentRules: [D.assignmentRule()], automations: [assign])
        let report = market.validate()
        expectValid(report)
        #expect(report.pack?.assignmentRules.map(\.name) == ["thing_assignment"] && report.pack?.automations.count == 1)
    }

    @Test("a pack's rules and assign actions are checked against its roles, entities and rules, each in its own file")
    func packReferences() throws {
        let market = try PackMarket()
        let rule = D.assignmentRule("thing_assignment", "routes: [{when: \"true\", role: boss}]\nfigures: {won: {entity: ghost}}\n")
        let other = D.assignmentRule("other_assignment", entity: "other")
        let assign = D.automation("assign_things", actions: ["{type: assign, rule: other_assignment}", "{type: assign, rule: ghost}"])
        try market.pack(
            entities: [D.entity(), D.entity("other")], roles: [D.role()], assignmentRules: [rule, other],
            automations: [assign])
        let report = market.validate()
        expectProblem(report, in: "demo/assignment-rules/thing_assignment.yaml", field: "routes[0].role", rule: "unknown_role", "'boss'")
        expectProblem(report, in: "demo/assignment-rules/thing_assignment.yaml", field: "figures.won.entity", rule: "unknown_entity", "'ghost'")
        expectProblem(report, in: "demo/automations/assign_things.yaml", field: "actions[0].rule", rule: "entity", "other")
        expectProblem(report, in: "demo/automations/assign_things.yaml", field: "actions[1].rule", rule: "unknown_rule", "'ghost'")
        expectProblems(report, count: 4)
    }

    @Test("a required pack's rules are not this pack's to assign by, but its entities are this pack's rules' to assign")
    func rulesOfARequiredPack() throws {
        let market = try PackMarket()
        let crmRule = D.assignmentRule("customer_assignment", entity: "customer", pool: "{team: East}")
        try market.pack("crm", entities: [D.entity("customer")], assignmentRules: [crmRule])
        let assign = D.automation("assign_customers", entity: "customer", actions: ["{type: assign, rule: customer_assignment}"])
        try market.pack("sales", automations: [assign], manifest: "requires: [{id: crm}]\n")
        let sales = market.validate("sales")
        expectProblem(sales, in: "sales/automations/assign_customers.yaml", field: "actions[0].rule", rule: "unknown_rule", "'customer_assignment'")
        let own = D.assignmentRule("shop_customers", entity: "customer", pool: "{team: East}", "figures: {mine: {entity: customer}}\n")
        let assignOwn = D.automation("assign_customers", entity: "customer", actions: ["{type: assign, rule: shop_customers}"])
        try market.pack("shop", assignmentRules: [own], automations: [assignOwn], manifest: "requires: [{id: crm}]\n")
        expectValid(market.validate("shop"))
        // A rule named like one of the required pack's could not be installed next to it.
        try market.pack("clash", assignmentRules: [crmRule], manifest: "requires: [{id: crm}]\n")
        expectProblem(market.validate("clash"), "customer_assignment")
    }

    @Test("a listed rule without its file, one named unlike its file and a file pack.yaml does not list are refused")
    func files() throws {
        let market = try PackMarket()
        try market.pack(assignmentRules: [D.assignmentRule(pool: "{team: East}")])
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing"], assignmentRules: ["thing_assignment", "lead_assignment"]))
        try market.write("demo/assignment-rules/thing_assignment.yaml", D.assignmentRule("things", pool: "{team: East}").text)
        try market.write("demo/assignment-rules/extra.yaml", D.assignmentRule("extra", pool: "{team: East}").text)
        let report = market.validate()
        expectProblem(report, rule: "missing_file", "assignment-rules/lead_assignment.yaml")
        expectProblem(report, in: "demo/assignment-rules/thing_assignment.yaml", field: "name", rule: "mismatch", "'things'")
        expectProblem(report, in: "demo/assignment-rules/extra.yaml", rule: "unlisted", "assignment_rules")
        expectProblems(report, count: 3)
    }

    @Test("assignment rule files are refused when pack.yaml lists no assignment rules")
    func filesWithoutRules() throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/assignment-rules/thing_assignment.yaml", D.assignmentRule(pool: "{team: East}").text)
        let report = market.validate()
        expectProblem(report, in: "demo/assignment-rules/thing_assignment.yaml", rule: "unlisted", "assignment_rules")
        expectProblems(report, count: 1)
    }

    @Test("a rule file that is not valid YAML is reported, naming the file and line")
    func brokenFile() throws {
        let market = try PackMarket()
        let assign = D.automation("assign_things", actions: ["{type: assign, rule: thing_assignment}"])
        try market.pack(assignmentRules: [D.assignmentRule(pool: "{team: East}")], automations: [assign])
        try market.write("demo/assignment-rules/thing_assignment.yaml", "name: thing_assignment\nname: again\n")
        let report = market.validate()
        expectProblem(report, in: "demo/assignment-rules/thing_assignment.yaml", rule: "yaml", "duplicate key 'name'")
        // The automation assigning by it cannot find the rule either: reported in its own file.
        expectProblem(report, in: "demo/automations/assign_things.yaml", field: "actions[0].rule", rule: "unknown_rule")
        expectProblems(report, count: 2)
    }

    @Test("pack.yaml lists each assignment rule once, by an API name")
    func manifestNames() throws {
        let market = try PackMarket()
        try market.pack(assignmentRules: [D("r1", D.assignmentRule("r1", pool: "{team: East}").text)])
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing"], assignmentRules: ["r1", "r1", "Rule"]))
        let report = market.validate()
        expectProblem(report, in: "demo/pack.yaml", field: "assignment_rules[1]", rule: "duplicate", "'r1'")
        expectProblem(report, in: "demo/pack.yaml", field: "assignment_rules[2]", rule: "name", "'Rule'")
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing"], assignmentRules: ["r1"]))
        expectValid(market.validate())
    }
}
