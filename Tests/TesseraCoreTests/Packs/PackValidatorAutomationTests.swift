import Foundation
import TesseraCore
import Testing

/// Automation files of a pack (`automations/<name>.yaml`): triggers, conditions and actions checked
/// against the pack's entities, roles and assignment rules.
@Suite("Pack validation: automations")
struct PackValidatorAutomationTests {
    typealias D = PackDocument
    static let file = "demo/automations/deal_won.yaml"
    static let message = "message: \(D.label)"

    /// A `deal` with a stage, computed fields, selects, dates and a user field, and a `task` related to it.
    static let entities = [
        D.entity(
            "deal",
            fields: [
                D.field("title"), D.field("amount", "money"),
                D.field(
                    "phase", "select",
                    "options: [{key: new, label: \(D.label)}, {key: won, label: \(D.label)}, {key: lost, label: \(D.label)}], "
                        + "stage: {transitions: {new: [won, lost]}}"),
                D.field("score", "formula", "expression: \"record.amount * 2\", result: money"),
                D.field("\"no\"", "auto_number", "pattern: \"D-{0000}\""),
                D.field("priority", "select", "options: [{key: high, label: \(D.label)}, {key: low, label: \(D.label)}]"),
                D.field("tags", "multi_select", "options: [{key: vip, label: \(D.label)}]"),
                D.field("closes_on", "date"), D.field("assigned_at", "datetime"), D.field("first_response_at", "datetime"),
                D.field("escalated_to", "user"), D.field("next_step_on", "formula", "expression: \"record.closes_on\", result: date"),
            ]),
        D.entity("task", fields: [D.field("title"), D.field("deal", "relation", "target: deal"), D.field("due", "date")]),
    ]
    static let rules = [D.assignmentRule("deal_assignment", entity: "deal"), D.assignmentRule("task_assignment", entity: "task")]

    static let actions = [
        "{type: set, values: {priority: high, tags: [vip], title: {expression: \"record.title + ' (won)'\"}}}",
        "{type: create, entity: task, values: {title: Kick-off, deal: {expression: record.id}, due: null}}",
        "{type: notify, to: \"role:rep\", channel: inbox, \(message)}",
        "{type: notify, to: \"role:admin\", \(message)}",
        "{type: notify, to: manager, \(message)}",
        "{type: webhook, url: \"https://hooks.example.com/tessera?deal=1\"}",
    ]

    /// An automation of the deal pack: by default, when a deal is won.
    static func deal(
        entity: String = "deal", trigger: String = "{on: stage_change, from: new, to: won}", condition: String? = "record.amount > 0",
        actions: [String] = actions, steps: [String]? = nil, _ extra: String = ""
    ) -> PackDocument {
        D.automation("deal_won", entity: entity, trigger: trigger, condition: condition, actions: actions, steps: steps, extra)
    }

    /// An sla automation of the deal pack: remind at 4 h, escalate at 1 d.
    static func sla(
        entity: String = "deal", trigger: String = "{on: sla, start: assigned_at, stop: first_response_at}", steps: [String]? = nil,
        _ extra: String = ""
    ) -> PackDocument {
        deal(
            entity: entity, trigger: trigger,
            steps: steps ?? ["{after: 4h, actions: [\(notify())]}", "{after: 1d, actions: [{type: escalate, \(message)}]}"], extra)
    }

    static func notify(_ extra: String = "") -> String { "{type: notify, to: owner, \(message)\(extra)}" }

    /// An action on the deal with a message, e.g. `action("escalate", "levels: 2")`.
    static func action(_ type: String, _ members: String = "") -> String {
        "{type: \(type)\(members.isEmpty ? "" : ", " + members), \(message)}"
    }

    /// Validates pack `demo`: the deal entities, the role `rep`, the deal and task assignment rules and `automation`.
    static func check(_ automation: PackDocument, rules: [PackDocument] = rules) throws -> PackValidator.Report {
        let market = try PackMarket()
        try market.pack(
            entities: entities, roles: [D.role(permissions: "{deal: {read: own}}")], assignmentRules: rules, automations: [automation])
        return market.validate()
    }

    /// Validates pack `demo` (the entity `thing`) with one automation.
    static func checkThing(_ automation: PackDocument) throws -> PackValidator.Report {
        let market = try PackMarket()
        try market.pack(automations: [automation])
        return market.validate()
    }

    @Test("an automation setting, creating, notifying and calling out when a deal is won is valid")
    func valid() throws {
        expectValid(try Self.check(Self.deal()))
        let minimal = D("m", "name: m\nentity: deal\ntrigger: {on: create}\nactions: [{type: webhook, url: \"http://10.0.0.1:8080\"}]\n")
        expectValid(try Self.check(minimal))
    }

    @Test(
        "record triggers are valid with or without their options",
        arguments: ["{on: create}", "{on: delete}", "{on: update}", "{on: update, fields: [amount, phase]}", "{on: stage_change}"])
    func recordTriggers(trigger: String) throws {
        expectValid(try Self.check(Self.deal(trigger: trigger)))
    }

    @Test("an automation on, or creating, an entity the pack lacks is refused")
    func unknownEntity() throws {
        expectProblem(try Self.check(Self.deal(entity: "ghost")), in: Self.file, field: "entity", rule: "unknown_entity", "'ghost'")
        let create = try Self.check(Self.deal(actions: ["{type: create, entity: ticket, values: {title: x}}"]))
        expectProblem(create, in: Self.file, field: "actions[0].entity", rule: "unknown_entity", "'ticket'")
        expectProblems(create, count: 1)
        let thing = try Self.checkThing(D.automation(entity: "ghost"))
        expectProblem(thing, in: "demo/automations/notify_rep.yaml", field: "entity", rule: "unknown_entity")
        expectProblems(thing, count: 1)
    }

    @Test("an automation may create records of a required pack's entity, and only of one it requires")
    func requiredPack() throws {
        let market = try PackMarket()
        try market.pack("crm", entities: [D.entity("customer", fields: [D.field("name")])])
        let create = D.automation(actions: ["{type: create, entity: customer, values: {name: {expression: record.title}}}"])
        try market.pack("sales", automations: [create], manifest: "requires: [{id: crm}]\n")
        expectValid(market.validate("sales"))
        try market.pack("other", automations: [create])
        expectProblem(market.validate("other"), in: "other/automations/notify_rep.yaml", field: "actions[0].entity", rule: "unknown_entity")
    }

    @Test("an update trigger naming fields the entity lacks is refused, naming each")
    func unknownTriggerField() throws {
        let report = try Self.check(Self.deal(trigger: "{on: update, fields: [amount, discount, owner_id]}"))
        expectProblem(report, in: Self.file, field: "trigger.fields", rule: "unknown_field", "'discount'")
        expectProblem(report, in: Self.file, field: "trigger.fields", rule: "unknown_field", "'owner_id'")
        expectProblems(report, count: 2)
        let thing = try Self.checkThing(D.automation(trigger: "{on: update, fields: [ghost]}"))
        expectProblem(thing, in: "demo/automations/notify_rep.yaml", field: "trigger.fields", rule: "unknown_field", "'ghost'")
        expectProblems(thing, count: 1)
    }

    @Test("set and create may write only fields of their entity")
    func unknownSetField() throws {
        let set = try Self.check(Self.deal(actions: ["{type: set, values: {priority: low, discount: 5}}"]))
        expectProblem(set, in: Self.file, field: "actions[0].values.discount", rule: "unknown_field", "'discount'")
        expectProblems(set, count: 1)
        let create = try Self.check(Self.deal(actions: ["{type: create, entity: task, values: {amount: 1}}"]))
        expectProblem(create, in: Self.file, field: "actions[0].values.amount", rule: "unknown_field", "'amount'")
    }

    @Test("an automation cannot write a formula or auto_number field: the server computes them")
    func computedFields() throws {
        let actions = [
            "{type: set, values: {score: 10}}", "{type: set, values: {no: {expression: \"'D-1'\"}}}",
            "{type: create, entity: deal, values: {title: x, score: 1}}",
        ]
        let report = try Self.check(Self.deal(actions: actions))
        expectProblem(report, in: Self.file, field: "actions[0].values.score", rule: "unknown_field")
        expectProblem(report, in: Self.file, field: "actions[1].values.no", rule: "unknown_field")
        expectProblem(report, in: Self.file, field: "actions[2].values.score", rule: "unknown_field")
        expectProblems(report, count: 3)
    }

    @Test("constant option keys must be options of their field; expressions are not constants")
    func constantOptionKeys() throws {
        let report = try Self.check(
            Self.deal(actions: ["{type: set, values: {priority: urgent, tags: [vip, gold], phase: {expression: \"'won'\"}}}"]))
        expectProblem(report, in: Self.file, field: "actions[0].values.priority", "urgent")
        expectProblem(report, in: Self.file, field: "actions[0].values.tags", "gold")
        expectProblems(report, count: 2)
    }

    @Test("notify goes to owner, manager or a role of this pack (or admin); a role file pack.yaml does not list does not count")
    func notifyRoles() throws {
        let boss = try Self.check(Self.deal(actions: ["{type: notify, to: \"role:boss\", \(Self.message)}"]))
        expectProblem(boss, in: Self.file, field: "actions[0].to", rule: "unknown_role", "'boss'")
        expectProblems(boss, count: 1)
        expectProblem(
            try Self.check(Self.deal(actions: ["{type: notify, to: everyone, \(Self.message)}"])), in: Self.file, field: "actions[0].to", rule: "enum"
        )
        let upper = try Self.check(Self.deal(actions: ["{type: notify, to: \"role:Boss\", \(Self.message)}"]))
        expectProblem(upper, in: Self.file, field: "actions[0].to", rule: "unknown_role", "'Boss'")
        let market = try PackMarket()
        try market.pack(automations: [D.automation(actions: ["{type: notify, to: \"role:rep\", \(Self.message)}"])])
        try market.write("demo/roles/rep.yaml", D.role().text)
        let report = market.validate()
        expectProblem(report, in: "demo/automations/notify_rep.yaml", field: "actions[0].to", rule: "unknown_role", "'rep'")
        expectProblem(report, in: "demo/roles/rep.yaml", rule: "unlisted")
    }

    @Test("a stage_change trigger names stages of the entity's stage field, and needs one")
    func stageChange() throws {
        let report = try Self.check(Self.deal(trigger: "{on: stage_change, from: draft, to: closed}"))
        expectProblem(report, in: Self.file, field: "trigger.from", rule: "unknown_option", "'draft'")
        expectProblem(report, in: Self.file, field: "trigger.to", rule: "unknown_option", "'closed'")
        expectProblems(report, count: 2)
        let task = try Self.check(Self.deal(entity: "task", trigger: "{on: stage_change, to: won}", condition: nil, actions: [Self.notify()]))
        expectProblem(task, in: Self.file, field: "trigger.on", rule: "no_stage")
    }

    @Test(
        "a trigger's `on` decides its members",
        arguments: [
            ("{on: tomorrow}", "trigger.on", "enum"), ("{on: tomorrow, cron: x}", "trigger.on", "enum"),
            ("{on: update, to: won}", "trigger.to", "unknown_property"), ("{on: create, fields: [amount]}", "trigger.fields", "unknown_property"),
            ("{fields: []}", "trigger.on", "enum"), ("create", "trigger", "type"),
        ])
    func triggerMembers(trigger: String, field: String, rule: String) throws {
        let report = try Self.check(Self.deal(trigger: trigger))
        expectProblem(report, in: Self.file, field: field, rule: rule)
        expectProblems(report, count: 1)
    }

    @Test(
        "an automation's own mistakes are refused at their path",
        arguments: [
            (D.automation("notify_rep", "schedule: daily\n"), "schedule", "unknown_property"),
            (D.automation("notify_rep", "active: \"yes\"\n"), "active", "type"),
            (D("notify_rep", D.automation().text.replacingOccurrences(of: "name: notify_rep", with: "name: Notify")), "name", "name"),
            (D.automation(condition: ""), "condition", nil),
            (D.automation(actions: []), "actions", "required"),
            (D.automation(actions: Array(repeating: "{type: webhook, url: \"https://x.example\"}", count: 21)), "actions", "required"),
            (D.automation(actions: ["{type: assign, to: owner}"]), "actions[0].to", "unknown_property"),
            (D.automation(actions: ["{type: assign, to: owner}"]), "actions[0].rule", "unknown_rule"),
            (D.automation(actions: ["{type: email}"]), "actions[0].type", "enum"),
            (D.automation(actions: ["{type: notify, to: owner, channel: SMS, \(message)}"]), "actions[0].channel", "channel"),
            (D.automation(actions: ["{type: notify, to: owner}"]), "actions[0].message", "required"),
            (D.automation(actions: ["{type: set, values: {}}"]), "actions[0].values", "required"),
            (D.automation(actions: ["{type: set, values: {Title: x}}"]), "actions[0].values.Title", "unknown_field"),
            (D.automation(actions: ["{type: set, values: {title: {expression: \"1\", else: x}}}"]), "actions[0].values.title", nil),
            (D.automation(actions: ["{type: create, values: {title: x}}"]), "actions[0].entity", "unknown_entity"),
        ] as [(PackDocument, String, String?)])
    func schemaErrors(automation: PackDocument, field: String, rule: String?) throws {
        expectProblem(try Self.checkThing(automation), in: "demo/automations/notify_rep.yaml", field: field, rule: rule)
    }

    @Test("a set action takes only values")
    func setTakesValues() throws {
        let report = try Self.checkThing(D.automation(actions: ["{type: set, values: {title: x}, entity: thing}"]))
        expectProblem(report, in: "demo/automations/notify_rep.yaml", field: "actions[0].entity", rule: "unknown_property")
        expectProblems(report, count: 1)
    }

    @Test(
        "a webhook needs an absolute http(s) URL with a host and no credentials",
        arguments: ["ftp://x.example/f", "https://user:pw@x.example/hook", "https:///path", "x.example/hook", "https://x.example/a b"])
    func webhookURL(url: String) throws {
        let report = try Self.checkThing(D.automation(actions: ["{type: webhook, url: \"\(url)\"}"]))
        expectProblem(report, in: "demo/automations/notify_rep.yaml", field: "actions[0].url", rule: "url")
    }

    @Test(
        "a document that is not an automation is refused, not crashed on",
        arguments: [
            "", "[]\n", "x\n", "name: a\nentity: thing\ntrigger: {on: update, fields: x}\nactions: [null, {type: set, values: []}]\n",
            "name: a\nentity: thing\ntrigger: {on: sla, start: 1}\n"
                + "steps: [null, {after: 5, actions: x}, {actions: [null, {type: lock, duration: 1}]}]\n",
            "name: a\nentity: thing\ntrigger: {on: schedule, cron: [\"* * * * *\"]}\n"
                + "actions: [{type: escalate, field: 1, role: []}, {type: assign, rule: {}}]\n",
            "name: a\nentity: thing\ntrigger: {on: update, becomes_true: 1}\nactions: [{type: update_related, relation: null, values: x}]\n",
        ])
    func garbage(text: String) throws {
        expectProblem(try Self.checkThing(D("notify_rep", text)), in: "demo/automations/notify_rep.yaml")
    }

    @Test("a listed automation without its file, one named unlike its file and a file pack.yaml does not list are refused")
    func files() throws {
        let market = try PackMarket()
        try market.pack(automations: [D.automation()])
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing"], automations: ["notify_rep", "escalate"]))
        try market.write("demo/automations/notify_rep.yaml", D.automation("notify_reps").text)
        try market.write("demo/automations/extra.yaml", D.automation("extra").text)
        let report = market.validate()
        expectProblem(report, rule: "missing_file", "automations/escalate.yaml")
        expectProblem(report, in: "demo/automations/notify_rep.yaml", field: "name", rule: "mismatch", "'notify_reps'")
        expectProblem(report, in: "demo/automations/extra.yaml", rule: "unlisted", "automations")
        expectProblems(report, count: 3)
    }

    @Test("automation files are refused when pack.yaml lists no automations")
    func filesWithoutAutomations() throws {
        let market = try PackMarket()
        try market.pack()
        try market.write("demo/automations/notify_rep.yaml", D.automation().text)
        expectProblem(market.validate(), in: "demo/automations/notify_rep.yaml", rule: "unlisted", "automations")
    }

    @Test("pack.yaml lists each automation once, by an API name")
    func manifestNames() throws {
        let market = try PackMarket()
        try market.pack(automations: [D.automation("a1")])
        try market.write("demo/pack.yaml", PackMarket.manifest(entities: ["thing"], automations: ["a1", "a1", "Notify"]))
        let report = market.validate()
        expectProblem(report, in: "demo/pack.yaml", field: "automations[1]", rule: "duplicate", "'a1'")
        expectProblem(report, in: "demo/pack.yaml", field: "automations[2]", rule: "name", "'Notify'")
    }

    @Test("`on` as a key is the text on; as a plain value it is refused, being a boolean in YAML 1.1")
    func onAsAKey() throws {
        expectValid(try Self.checkThing(D.automation(trigger: "{on: update, fields: [title]}")))
        expectProblem(
            try Self.checkThing(D.automation(trigger: "{on: on}")), in: "demo/automations/notify_rep.yaml", rule: "yaml", "reads as a boolean")
    }

    @Test("time and inactive triggers need a date or datetime field and a duration")
    func timeTriggers() throws {
        expectValid(try Self.check(Self.deal(trigger: "{on: time, field: closes_on, offset: -1d}")))
        expectValid(try Self.check(Self.deal(trigger: "{on: inactive, field: assigned_at, after: 72h}")))
        expectProblem(
            try Self.check(Self.deal(trigger: "{on: time, field: title, offset: 1h}")), in: Self.file, field: "trigger.field", rule: "unknown_field")
        expectProblem(
            try Self.check(Self.deal(trigger: "{on: inactive, field: assigned_at}")), in: Self.file, field: "trigger.after", rule: "duration")
        expectProblem(
            try Self.check(Self.deal(trigger: "{on: time, field: closes_on, offset: soon}")), in: Self.file, field: "trigger.offset", rule: "duration"
        )
    }

    static let acceptedTriggers: [PackDocument] =
        [
            deal(trigger: "{on: update, fields: [priority], becomes_true: true}", condition: "record.priority == 'high'"),
            deal(trigger: "{on: update, becomes_true: false}", condition: nil),
            sla(),
            sla(steps: (1...10).map { "{after: \($0)h, actions: [\(notify())]}" }),
        ] + ["created_at", "updated_at", "closes_on", "next_step_on"].map { sla(trigger: "{on: sla, start: \($0), stop: priority}") }
        + ["0 9 * * 1-5", "*/15 8-18 * * *", "0 0 1,15 * *", "30 6 * 1-12/3 0,7", " 5 4  * * 0", "0 12 31 12 7", "5/10 * * * *"].map {
            deal(trigger: "{on: schedule, cron: \"\($0)\"}")
        }

    @Test("becomes_true, sla (from system and date fields, up to 10 steps) and schedule triggers are valid", arguments: acceptedTriggers)
    func acceptedTrigger(automation: PackDocument) throws {
        expectValid(try Self.check(automation))
    }

    @Test("assign, lock, stage_back, escalate, notify channels and update_related are valid")
    func acceptedActions() throws {
        let actions = [
            "{type: assign, rule: deal_assignment}", "{type: lock, duration: 2h}", "{type: lock, duration: 1m}", "{type: lock, duration: 30d}",
            "{type: stage_back}", Self.action("escalate"), Self.action("escalate", "levels: 10, field: escalated_to"),
            Self.action("escalate", "role: rep"), Self.action("escalate", "role: admin, field: escalated_to"), Self.notify(", channel: email"),
            "{type: notify, channel: inbox, to: \"role:rep\", \(Self.message)}", "{type: notify, channel: sales_group, \(Self.message)}",
        ]
        expectValid(try Self.check(Self.deal(actions: actions)))
        let related = "{type: update_related, relation: deal, values: {priority: high, amount: {expression: \"1\"}, closes_on: null}}"
        expectValid(
            try Self.check(
                Self.deal(entity: "task", trigger: "{on: create}", condition: nil, actions: [related, "{type: assign, rule: task_assignment}"])))
    }

    @Test("an sla automation has steps, each with its actions; other triggers have actions")
    func slaSteps() throws {
        let withActions = try Self.check(Self.sla("actions: [\(Self.notify())]\n"))
        expectProblem(withActions, in: Self.file, field: "actions", rule: "unknown_property")
        expectProblems(withActions, count: 1)
        let noSteps = Self.deal(trigger: "{on: sla, start: assigned_at, stop: first_response_at}", actions: [])
        expectProblem(try Self.check(D(noSteps.name, noSteps.text.replacingOccurrences(of: "actions:\n", with: ""))), in: Self.file, field: "steps")
        expectProblem(try Self.check(Self.sla(steps: [])), in: Self.file, field: "steps", rule: "required")
        let eleven = (1...11).map { "{after: \($0)h, actions: [\(Self.notify())]}" }
        expectProblem(try Self.check(Self.sla(steps: eleven)), in: Self.file, field: "steps", rule: "required")
        let createWithSteps = Self.deal(trigger: "{on: create}", steps: ["{after: 4h, actions: [\(Self.notify())]}"], "actions: [\(Self.notify())]\n")
        let steps = try Self.check(createWithSteps)
        expectProblem(steps, in: Self.file, field: "steps", rule: "unknown_property")
        expectProblems(steps, count: 1)
        let members = try Self.check(Self.sla(steps: ["{after: 4h}", "{after: 8h, actions: [\(Self.notify())], when: x}"]))
        expectProblem(members, in: Self.file, field: "steps[0].actions", rule: "required")
        expectProblem(members, in: Self.file, field: "steps[1].when", rule: "unknown_property")
        let many = "[" + Array(repeating: Self.notify(), count: 21).joined(separator: ", ") + "]"
        expectProblem(try Self.check(Self.sla(steps: ["{after: 4h, actions: \(many)}"])), in: Self.file, field: "steps[0].actions", rule: "required")
    }

    @Test("sla steps come later and later, each after a positive duration")
    func slaStepOrder() throws {
        let report = try Self.check(Self.sla(steps: ["4h", "2h", "240m", "1d"].map { "{after: \($0), actions: [\(Self.notify())]}" }))
        expectProblem(report, in: Self.file, field: "steps[1].after", rule: "duration")
        expectProblem(report, in: Self.file, field: "steps[2].after", rule: "duration")
        expectProblems(report, count: 2)
        let bad = try Self.check(Self.sla(steps: ["0m", "-1h", "soon"].map { "{after: \($0), actions: [\(Self.notify())]}" }))
        for i in 0..<3 { expectProblem(bad, in: Self.file, field: "steps[\(i)].after", rule: "duration") }
        expectProblems(bad, count: 3)
    }

    @Test("an sla starts at a date or datetime (or created_at) and stops at a field that is set, not a formula")
    func slaStartAndStop() throws {
        let report = try Self.check(Self.sla(trigger: "{on: sla, start: title, stop: ghost}"))
        expectProblem(report, in: Self.file, field: "trigger.start", rule: "unknown_field", "'title'")
        expectProblem(report, in: Self.file, field: "trigger.stop", rule: "unknown_field", "'ghost'")
        expectProblems(report, count: 2)
        let computed = try Self.check(Self.sla(trigger: "{on: sla, start: owner_id, stop: score}"))
        expectProblem(computed, in: Self.file, field: "trigger.start", rule: "unknown_field", "'owner_id'")
        expectProblem(computed, in: Self.file, field: "trigger.stop", rule: "unknown_field", "'score'")
        expectProblem(try Self.check(Self.sla(trigger: "{on: sla, start: assigned_at}")), in: Self.file, field: "trigger.stop", rule: "unknown_field")
        let cron = try Self.check(Self.sla(trigger: "{on: sla, start: assigned_at, stop: first_response_at, cron: \"* * * * *\"}"))
        expectProblem(cron, in: Self.file, field: "trigger.cron", rule: "unknown_property")
        expectProblems(cron, count: 1)
    }

    @Test("becomes_true is a boolean of update triggers and needs a condition")
    func becomesTrue() throws {
        let report = try Self.check(Self.deal(trigger: "{on: update, becomes_true: true}", condition: nil))
        expectProblem(report, in: Self.file, field: "condition", rule: "required")
        expectProblems(report, count: 1)
        expectProblem(
            try Self.check(Self.deal(trigger: "{on: update, becomes_true: \"yes\"}")), in: Self.file, field: "trigger.becomes_true", rule: "type")
        expectProblem(
            try Self.check(Self.deal(trigger: "{on: create, becomes_true: true}")), in: Self.file, field: "trigger.becomes_true",
            rule: "unknown_property")
    }

    @Test(
        "a cron schedule has five space-separated fields",
        arguments: ["0 9 * *", "0 9 * * * *", "", "daily", "0 9 * * mon", "0\t9 * * *", "0\t99 * * *", "0 9 ** * *", "0 9 * * 1-", "100 9 * * *"])
    func cronFields(cron: String) throws {
        let report = try Self.check(Self.deal(trigger: "{on: schedule, cron: \(D.quoted(cron))}"))
        expectProblem(report, in: Self.file, field: "trigger.cron", rule: "cron")
        expectProblems(report, count: 1)
    }

    @Test(
        "each cron field stays in its range, with ranges forward and steps of at least 1",
        arguments: [
            ("60 9 * * *", "minute"), ("0 24 * * *", "hour"), ("0 9 0 * *", "day of month"), ("0 9 * 13 *", "month"), ("0 9 * * 8", "day of week"),
            ("*/0 * * * *", "minute"), ("0 9-5 * * *", "hour"), ("0 9 * * */8", "day of week"),
        ])
    func cronRanges(cron: String, name: String) throws {
        let report = try Self.check(Self.deal(trigger: "{on: schedule, cron: \"\(cron)\"}"))
        expectProblem(report, in: Self.file, field: "trigger.cron", rule: "cron", "the \(name) field")
        expectProblems(report, count: 1)
    }

    @Test("a schedule needs a cron and nothing else; time and inactive triggers take only their own members")
    func scheduleMembers() throws {
        expectProblem(try Self.check(Self.deal(trigger: "{on: schedule}")), in: Self.file, field: "trigger.cron", rule: "cron")
        let field = try Self.check(Self.deal(trigger: "{on: schedule, cron: \"0 9 * * *\", field: closes_on}"))
        expectProblem(field, in: Self.file, field: "trigger.field", rule: "unknown_property")
        let after = try Self.check(Self.deal(trigger: "{on: time, field: closes_on, after: 1h}"))
        expectProblem(after, in: Self.file, field: "trigger.after", rule: "unknown_property")
        expectProblems(after, count: 1)
        expectProblem(
            try Self.check(Self.deal(trigger: "{on: inactive, field: assigned_at, after: 0h}")), in: Self.file, field: "trigger.after",
            rule: "duration")
        expectProblem(
            try Self.check(Self.deal(trigger: "{on: time, field: closes_on, offset: 1ns}")), in: Self.file, field: "trigger.offset", rule: "duration")
    }

    @Test("a named channel posts to its group (no `to`); inbox and email need a `to`")
    func notifyChannels() throws {
        let to = try Self.check(Self.deal(actions: [Self.notify(", channel: sales_group")]))
        expectProblem(to, in: Self.file, field: "actions[0].to", rule: "unknown_property")
        expectProblems(to, count: 1)
        for channel in ["Sales-Group", "销售群", "\"\"", "1group", "7"] {
            let report = try Self.check(Self.deal(actions: ["{type: notify, channel: \(channel), \(Self.message)}"]))
            expectProblem(report, in: Self.file, field: "actions[0].channel")
        }
        for channel in ["", "channel: inbox, ", "channel: email, "] {
            let report = try Self.check(Self.deal(actions: ["{type: notify, \(channel)\(Self.message)}"]))
            expectProblem(report, in: Self.file, field: "actions[0].to")
        }
        let boss = try Self.check(Self.deal(actions: [Self.notify(", channel: email").replacingOccurrences(of: "owner", with: "\"role:boss\"")]))
        expectProblem(boss, in: Self.file, field: "actions[0].to", rule: "unknown_role", "'boss'")
    }

    @Test("update_related follows a relation field and writes fields of its target")
    func updateRelated() throws {
        func onTask(_ actions: String...) throws -> PackValidator.Report {
            try Self.check(Self.deal(entity: "task", trigger: "{on: create}", condition: nil, actions: actions))
        }
        let relations = try onTask(
            "{type: update_related, relation: title, values: {priority: high}}", "{type: update_related, relation: ghost, values: {title: x}}")
        expectProblem(relations, in: Self.file, field: "actions[0].relation", rule: "unknown_field", "'title'")
        expectProblem(relations, in: Self.file, field: "actions[1].relation", rule: "unknown_field", "'ghost'")
        expectProblems(relations, count: 2)
        let values = try onTask("{type: update_related, relation: deal, values: {due: \"2026-01-01\", score: 1, priority: urgent, title: x}}")
        expectProblem(values, in: Self.file, field: "actions[0].values.due", rule: "unknown_field")
        expectProblem(values, in: Self.file, field: "actions[0].values.score", rule: "unknown_field")
        expectProblem(values, in: Self.file, field: "actions[0].values.priority", "urgent")
        expectProblems(values, count: 3)
        expectProblem(try onTask("{type: update_related, relation: deal}"), in: Self.file, field: "actions[0].values", rule: "required")
        expectProblem(try onTask("{type: update_related, values: {title: x}}"), in: Self.file, field: "actions[0].relation", rule: "unknown_field")
        let entity = try onTask("{type: update_related, relation: deal, values: {title: x}, entity: deal}")
        expectProblem(entity, in: Self.file, field: "actions[0].entity", rule: "unknown_property")
    }

    @Test("assign names an assignment rule of this pack for the same entity")
    func assign() throws {
        let report = try Self.check(Self.deal(actions: ["{type: assign, rule: ghost}", "{type: assign, rule: task_assignment}"]))
        expectProblem(report, in: Self.file, field: "actions[0].rule", rule: "unknown_rule", "'ghost'")
        expectProblem(report, in: Self.file, field: "actions[1].rule", rule: "entity", "task")
        expectProblems(report, count: 2)
        let none = try Self.check(Self.deal(actions: ["{type: assign, rule: deal_assignment}"]), rules: [])
        expectProblem(none, in: Self.file, field: "actions[0].rule", rule: "unknown_rule", "'deal_assignment'")
        expectProblem(
            try Self.check(Self.deal(actions: ["{type: assign, rule: Deal}"])), in: Self.file, field: "actions[0].rule", rule: "unknown_rule")
    }

    @Test("stage_back needs a stage field and takes nothing else")
    func stageBack() throws {
        let task = try Self.check(Self.deal(entity: "task", trigger: "{on: create}", condition: nil, actions: ["{type: stage_back}"]))
        expectProblem(task, in: Self.file, field: "actions[0].type", rule: "no_stage")
        expectProblems(task, count: 1)
        expectProblem(
            try Self.check(Self.deal(actions: ["{type: stage_back, to: new}"])), in: Self.file, field: "actions[0].to", rule: "unknown_property")
        let sla = Self.sla(entity: "task", trigger: "{on: sla, start: created_at, stop: due}", steps: ["{after: 1d, actions: [{type: stage_back}]}"])
        let report = try Self.check(D(sla.name, sla.text.replacingOccurrences(of: "condition: \"record.amount > 0\"\n", with: "")))
        expectProblem(report, in: Self.file, field: "steps[0].actions[0].type", rule: "no_stage")
    }

    @Test("escalate takes levels (1 to 10) or a role, a user field and a message")
    func escalate() throws {
        let both = try Self.check(Self.deal(actions: [Self.action("escalate", "levels: 2, role: rep")]))
        expectProblem(both, in: Self.file, field: "actions[0].levels", rule: "exclusive")
        expectProblems(both, count: 1)
        let fields = try Self.check(Self.deal(actions: [Self.action("escalate", "field: title"), Self.action("escalate", "field: ghost")]))
        expectProblem(fields, in: Self.file, field: "actions[0].field", rule: "unknown_field", "'title'")
        expectProblem(fields, in: Self.file, field: "actions[1].field", rule: "unknown_field", "'ghost'")
        expectProblems(fields, count: 2)
        expectProblem(
            try Self.check(Self.deal(actions: [Self.action("escalate", "role: boss")])), in: Self.file, field: "actions[0].role", rule: "unknown_role"
        )
        expectProblem(
            try Self.check(Self.deal(actions: [Self.action("escalate", "levels: 11")])), in: Self.file, field: "actions[0].levels", rule: "range")
        expectProblem(
            try Self.check(Self.deal(actions: [Self.action("escalate", "levels: 0")])), in: Self.file, field: "actions[0].levels", rule: "range")
        expectProblem(
            try Self.check(Self.deal(actions: ["{type: escalate, levels: 1}"])), in: Self.file, field: "actions[0].message", rule: "required")
        expectProblem(
            try Self.check(Self.deal(actions: [Self.action("escalate", "to: manager")])), in: Self.file, field: "actions[0].to",
            rule: "unknown_property")
    }

    @Test("a lock lasts a duration from 1m to 30d", arguments: ["30s", "31d", "0m", "soon", "-1h", "2 h"])
    func lockDuration(duration: String) throws {
        let report = try Self.check(Self.deal(actions: ["{type: lock, duration: \"\(duration)\"}"]))
        expectProblem(report, in: Self.file, field: "actions[0].duration", rule: "duration")
        expectProblems(report, count: 1)
    }

    @Test("a lock needs a duration, written as the server reads durations")
    func lockNeedsDuration() throws {
        expectProblem(try Self.check(Self.deal(actions: ["{type: lock}"])), in: Self.file, field: "actions[0].duration", rule: "duration")
        expectValid(try Self.check(Self.deal(actions: ["{type: lock, duration: 1d12h}", "{type: lock, duration: 90m}"])))
        expectProblem(
            try Self.check(Self.deal(actions: ["{type: lock, duration: 1500ms}"])), in: Self.file, field: "actions[0].duration", rule: "duration")
    }
}
