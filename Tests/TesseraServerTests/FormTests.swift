import Foundation
import TesseraCore
import Testing

/// A tenant with a deal entity (a stage with gates, a required_when rule, a formula, a field reps
/// may only read and one they may not see), two reps who update only their own deals, and two
/// forms: `main` for everyone and `rep_quick` for reps while a deal is open.
struct FormFixture {
    let app: TestApp
    let admin: String
    let rep: (id: String, key: String)
    let other: (id: String, key: String)

    static let deal: JSONValue = [
        "name": "deal",
        "fields": [
            ["name": "name", "type": "text", "required": true],
            [
                "name": "stage", "type": "select", "required": true, "default": "open",
                "options": [
                    ["key": "open", "label": ["en": "Open"]], ["key": "won", "label": ["en": "Won"]], ["key": "lost", "label": ["en": "Lost"]],
                ],
                "stage": [
                    "transitions": ["open": ["won", "lost"], "won": ["open"], "lost": ["open"]], "exempt": ["lost"],
                    "exit": ["open": ["required": ["close_on"], "expression": "record.amount > 0"]],
                ],
            ],
            ["name": "amount", "type": "money"],
            ["name": "cost", "type": "money"],
            ["name": "region", "type": "select", "options": [["key": "north"], ["key": "south"]]],
            ["name": "reason", "type": "text"],
            ["name": "close_on", "type": "date"],
            ["name": "double", "type": "formula", "expression": "record.amount * 2", "result": "money"],
        ],
        "rules": [["name": "lost_needs_reason", "kind": "required_when", "when": "record.stage == 'lost'", "required": ["reason"]]],
    ]

    static let main: JSONValue = [
        "name": "main", "label": ["en": "Deal", "zh-CN": "商机"],
        "sections": [
            [
                "name": "basics", "label": ["en": "Basics"], "columns": 2,
                "fields": ["name", "stage", ["field": "amount", "readonly_when": "record.stage == 'won'"], "region", "double"],
            ],
            [
                "name": "closing", "visible_when": "record.stage != 'open'",
                "fields": [
                    ["field": "reason", "help": ["en": "Why it was lost"]], ["field": "close_on", "required_when": "record.stage == 'won'"],
                ],
            ],
            ["name": "money", "fields": ["cost"]],
        ],
    ]

    static let repQuick: JSONValue = [
        "name": "rep_quick", "roles": ["rep"], "stages": ["open"],
        "sections": [["fields": ["name", ["field": "amount", "required_when": "record.region == 'north'"], "stage", "region"]]],
    ]

    static func make(_ app: TestApp, forms: Bool = true) async throws -> FormFixture {
        let admin = try await app.createTenant()
        try await app.createEntity(admin, deal)
        let role: JSONValue = [
            "name": "rep",
            "permissions": [
                "deal": ["create": "own", "read": "all", "update": "own", "delete": "own", "fields": ["cost": "none", "region": "read"]]
            ],
        ]
        #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
        let rep = try await app.makeUser(admin, name: "Rep One", roles: ["rep"])
        let other = try await app.makeUser(admin, name: "Rep Two", roles: ["rep"])
        let f = FormFixture(app: app, admin: admin, rep: rep, other: other)
        if forms {
            try await f.form(main)
            try await f.form(repQuick)
        }
        return f
    }

    @discardableResult
    func form(
        _ json: JSONValue, key: String? = nil, status: Int = 201, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws
        -> TestApp.Reply
    {
        let reply = try await app.call(.post, "/api/v1/meta/entities/deal/forms", key: key ?? admin, json: json)
        #expect(reply.status == status, "form: \(reply.text)", sourceLocation: sourceLocation)
        return reply
    }

    func deal(_ fields: [(String, JSONValue)], owner: String) async throws -> String {
        try #require(try await app.create(admin, "deal", .object([("owner_id", .string(owner))] + fields))["id"]?.stringValue)
    }
}

extension JSONValue {
    /// The resolved form's field of that name, wherever its section.
    func formField(_ name: String) -> JSONValue? {
        self["sections"]?.arrayValue?.lazy.compactMap { $0["fields"]?.arrayValue }.joined().first { $0["field"]?.stringValue == name }
    }

    var formFieldNames: [String] {
        (self["sections"]?.arrayValue ?? []).flatMap { ($0["fields"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue } }
    }

    func reasons(_ name: String) -> [String] { formField(name)?["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}

@Suite("Forms")
struct FormTests {
    @Test("forms as metadata: created, listed, patched and deleted by designers, logged, and refused with a 422 naming what is wrong")
    func formMetadata() async throws {
        try await TestApp.run { app in
            let f = try await FormFixture.make(app)
            let list = try await app.call(.get, "/api/v1/meta/entities/deal/forms", key: f.rep.key)
            #expect(list.data.compactMap { $0["name"]?.stringValue } == ["main", "rep_quick"], "\(list.text)")
            let one = try await app.call(.get, "/api/v1/meta/entities/deal/forms/main", key: f.admin)
            #expect(one.json?["entity"]?.stringValue == "deal" && one.json?["sections"]?.arrayValue?.count == 3)
            try await app.call(.get, "/api/v1/meta/entities/deal/forms/nope", key: f.admin).expectError(404, "not_found")
            try await app.call(.get, "/api/v1/meta/entities/nope/forms", key: f.admin).expectError(404, "not_found")
            // Only designers change forms.
            try await f.form(["name": "mine", "sections": [["fields": ["name"]]]], key: f.rep.key, status: 403)
            try await f.form(FormFixture.main, status: 409)

            func refused(_ json: JSONValue, rule: String, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let reply = try await f.form(json, status: 422, sourceLocation: sourceLocation)
                let details = reply.json?["error"]?["details"]?.arrayValue ?? []
                #expect(reply.errorCode == "invalid_metadata", sourceLocation: sourceLocation)
                #expect(
                    details.contains { $0["rule"]?.stringValue == rule && (field == nil || $0["field"]?.stringValue == field) },
                    "\(reply.text)", sourceLocation: sourceLocation)
            }
            try await refused(["name": "x", "sections": [["fields": ["name", "nope"]]]], rule: "unknown_field", field: "sections[0].fields[1]")
            // Every deal needs a name (required, no default): a form without it could never save one.
            let missing = try await f.form(["name": "x", "sections": [["fields": ["amount"]]]], status: 422)
            #expect(missing.text.contains("name") && missing.text.contains("required_field"), "\(missing.text)")
            try await refused(["name": "x", "sections": [["fields": ["name", "name"]]]], rule: "duplicate")
            try await refused(["name": "x", "sections": [["columns": 9, "fields": ["name"]]]], rule: "range", field: "sections[0].columns")
            try await refused(
                ["name": "x", "sections": [["fields": ["name", ["field": "amount", "visible_when": "record.nope == 1"]]]]], rule: "expression")
            try await refused(
                ["name": "x", "sections": [["fields": ["name", ["field": "amount", "required_when": "record.amount > 3"]]]]], rule: "self_reference")
            try await refused(["name": "x", "sections": [["fields": ["name", ["field": "double", "required_when": "true"]]]]], rule: "read_only")
            try await refused(["name": "x", "stages": ["closed"], "sections": [["fields": ["name"]]]], rule: "unknown_stage")
            try await refused(["name": "x", "roles": ["ghost"], "sections": [["fields": ["name"]]]], rule: "unknown_role")
            try await refused(["name": "x", "sections": [["fields": ["name", "created_at"]]]], rule: "system_field")
            try await refused(["name": "x", "sections": []], rule: "type", field: "sections")
            try await refused(["name": "x", "entity": "other", "sections": [["fields": ["name"]]]], rule: "immutable", field: "entity")

            // PATCH replaces top-level members; the name stays.
            let patched = try await app.call(.patch, "/api/v1/meta/entities/deal/forms/main", key: f.admin, json: ["label": ["en": "Deal form"]])
            #expect(patched.status == 200 && patched.json?["label"]?["en"]?.stringValue == "Deal form", "\(patched.text)")
            try await app.call(.patch, "/api/v1/meta/entities/deal/forms/main", key: f.admin, json: ["name": "renamed"]).expectError(422)
            try await app.call(.patch, "/api/v1/meta/entities/deal/forms/main", key: f.rep.key, json: ["label": ["en": "x"]]).expectError(403)
            let log = try await app.call(.get, "/api/v1/meta/log?limit=5", key: f.admin)
            #expect(log.data.first?["action"]?.stringValue == "form.update" && log.data.first?["entities"]?["form:deal/main"] != nil, "\(log.text)")

            // A field a form uses cannot go while the form uses it; the refusal names the form.
            let guarded = try await app.call(.delete, "/api/v1/meta/entities/deal/fields/double", key: f.admin)
            #expect(guarded.status == 422 && guarded.text.contains("forms.deal/main"), "\(guarded.text)")
            #expect(try await app.call(.delete, "/api/v1/meta/entities/deal/forms/main", key: f.admin).status == 204)
            try await app.call(.get, "/api/v1/meta/entities/deal/forms/main", key: f.admin).expectError(404)
            #expect(try await app.call(.delete, "/api/v1/meta/entities/deal/fields/double", key: f.admin).status == 204)
            // A required field added after a form was saved does not block the designer: the
            // resolved form shows it in a section of its own.
            let added = try await app.call(
                .post, "/api/v1/meta/entities/deal/fields", key: f.admin, json: ["name": "code", "type": "text", "required": true])
            #expect(added.status == 201, "\(added.text)")
            let quick = try await app.call(.get, "/api/v1/data/deal/form", key: f.rep.key)
            #expect(quick.json?["form"]?.stringValue == "rep_quick" && quick.json?.formField("code")?["required"] == .bool(true), "\(quick.text)")
            #expect(quick.json?["sections"]?.arrayValue?.last?["name"]?.stringValue == "other_required")
        }
    }

    @Test("a resolved form: fields in order with their state and its reasons, the form chosen by role and stage, stage moves with what they lack")
    func resolvedForm() async throws {
        try await TestApp.run { app in
            let f = try await FormFixture.make(app)
            // A new deal: the admin gets the form for everyone, with the defaults.
            let fresh = try await app.call(.get, "/api/v1/data/deal/form", key: f.admin)
            #expect(fresh.status == 200, "\(fresh.text)")
            let form = try #require(fresh.json)
            #expect(form["form"]?.stringValue == "main" && form["record"] == .null)
            #expect(form.formFieldNames == ["name", "stage", "amount", "region", "double", "reason", "close_on", "cost"])
            #expect(form.formField("name")?["required"] == .bool(true) && form.reasons("name") == ["required"])
            #expect(form.formField("stage")?["value"]?.stringValue == "open" && form.formField("stage")?["options"]?.arrayValue?.count == 3)
            #expect(form.formField("double")?["read_only"] == .bool(true) && form.reasons("double") == ["computed"])
            #expect(
                form.formField("reason")?["visible"] == .bool(false) && form.formField("reason")?["help"]?["en"]?.stringValue == "Why it was lost")
            #expect(form["sections"]?.arrayValue?[1]["visible"] == .bool(false) && form["sections"]?.arrayValue?[0]["columns"]?.intValue == 2)
            #expect(form["stage"]?["moves"]?.arrayValue?.compactMap { $0["to"]?.stringValue } == ["open"])

            // A rep gets their own form while a deal is open; cost never appears, region is read-only.
            let quick = try await app.call(.get, "/api/v1/data/deal/form", key: f.rep.key)
            #expect(quick.json?["form"]?.stringValue == "rep_quick" && quick.json?.formFieldNames == ["name", "amount", "stage", "region"])
            #expect(quick.json?.formField("region")?["read_only"] == .bool(true) && quick.json?.reasons("region") == ["read_only_by_role"])
            #expect(!quick.text.contains("\"cost\""), "\(quick.text)")

            // A stored deal of the rep's in the north: the rep's form requires an amount there.
            let mine = try await f.deal([("name", "North deal"), ("region", "north"), ("amount", 10), ("cost", 3)], owner: f.rep.id)
            let stored = try await app.call(.get, "/api/v1/data/deal/\(mine)/form", key: f.rep.key)
            #expect(stored.json?["record"]?.stringValue == mine && stored.json?["version"]?.intValue == 1, "\(stored.text)")
            #expect(stored.json?.formField("amount")?["required"] == .bool(true) && stored.json?.reasons("amount") == ["form_required_when"])
            #expect(stored.json?.formField("amount")?["value"]?.doubleValue == 10)
            // Stage moves allowed now, each with what it still lacks (won needs close_on).
            let moves = stored.json?["stage"]?["moves"]?.arrayValue ?? []
            #expect(moves.compactMap { $0["to"]?.stringValue } == ["won", "lost"] && stored.json?["stage"]?["current"]?.stringValue == "open")
            #expect(moves[0]["ready"] == .bool(false) && moves[0]["unmet"]?.arrayValue?.first?["field"]?.stringValue == "close_on", "\(moves)")
            #expect(moves[1]["ready"] == .bool(true))

            // A draft: choosing "lost" shows the closing section and makes the reason required (the rule).
            let draft = try await app.call(.post, "/api/v1/data/deal/\(mine)/form", key: f.admin, json: ["stage": "lost", "amount": "x"])
            #expect(draft.status == 200, "\(draft.text)")
            #expect(draft.json?["form"]?.stringValue == "main", "the form follows the stored stage")
            #expect(draft.json?.formField("reason")?["visible"] == .bool(true) && draft.json?.reasons("reason") == ["rule:lost_needs_reason"])
            #expect(draft.json?["problems"]?.arrayValue?.first?["field"]?.stringValue == "amount", "a bad draft value is reported, not fatal")
            try await app.call(.post, "/api/v1/data/deal/\(mine)/form", key: f.admin, json: ["cost", 1]).expectError(422)
            // A draft naming a hidden field learns nothing about it: it is as unknown as a missing one.
            let probing = try await app.call(.post, "/api/v1/data/deal/\(mine)/form", key: f.rep.key, json: ["cost": 1])
            #expect(probing.json?["problems"]?.arrayValue?.first?["rule"]?.stringValue == "unknown_field" && !probing.text.contains("\"cost\":1"))

            // Someone else's deal: readable, but outside the rep's update scope, so all read-only and no moves.
            let theirs = try await f.deal([("name", "Theirs"), ("amount", 5)], owner: f.other.id)
            let foreign = try await app.call(.get, "/api/v1/data/deal/\(theirs)/form", key: f.rep.key)
            #expect(
                foreign.json?.formField("name")?["read_only"] == .bool(true) && foreign.json?.reasons("name").contains("out_of_update_scope") == true)
            #expect(foreign.json?["stage"]?["movable"] == .bool(false) && foreign.json?["stage"]?["moves"]?.arrayValue?.isEmpty == true)

            // A won deal: its amount is frozen by the form.
            let won = try await f.deal([("name", "Won"), ("amount", 5), ("close_on", "2026-12-01")], owner: f.rep.id)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["stage": "won"]).status == 200)
            let wonForm = try await app.call(.get, "/api/v1/data/deal/\(won)/form", key: f.admin)
            #expect(wonForm.json?.formField("amount")?["read_only"] == .bool(true) && wonForm.json?.reasons("amount") == ["form_readonly_when"])
            #expect(wonForm.json?.formField("close_on")?["required"] == .bool(true))

            // A lock held by someone else makes everything read-only, and says who and until when.
            #expect(try await app.call(.post, "/api/v1/data/deal/\(mine)/lock", key: f.admin, json: ["duration": "1h"]).status == 200)
            let locked = try await app.call(.get, "/api/v1/data/deal/\(mine)/form", key: f.rep.key)
            #expect(locked.json?["locked"]?["until"]?.stringValue != nil && locked.json?.reasons("name").contains("locked") == true, "\(locked.text)")
            let holder = try await app.call(.get, "/api/v1/data/deal/\(mine)/form", key: f.admin)
            #expect(holder.json?["locked"] == .null && holder.json?.formField("name")?["read_only"] == .bool(false))

            // Unknown records and entities are 404s; a rep outside the tenant's roles for an entity, 403.
            try await app.call(.get, "/api/v1/data/deal/\(UUID().uuidString)/form", key: f.rep.key).expectError(404)
            try await app.call(.get, "/api/v1/data/nope/form", key: f.rep.key).expectError(404)
        }
    }

    @Test(
        "the write path holds people to the form that applies to them: frozen fields refused, required ones required, automations not bound"
    )
    func writesFollowTheForm() async throws {
        try await TestApp.run { app in
            let f = try await FormFixture.make(app)
            let mine = try await f.deal([("name", "North"), ("region", "north"), ("amount", 10)], owner: f.rep.id)
            // rep_quick requires an amount in the north: the rep cannot clear it, the admin (main) can.
            let cleared = try await app.call(.patch, "/api/v1/data/deal/\(mine)", key: f.rep.key, json: ["amount": .null])
            #expect(cleared.expectError(422, "validation_failed")?["details"]?.arrayValue?.first?["rule"]?.stringValue == "form_required")
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(mine)", key: f.rep.key, json: ["amount": 20]).status == 200)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(mine)", key: f.admin, json: ["amount": .null]).status == 200)
            // A rep creating an open deal in the north must give an amount.
            let region = try await app.call(.post, "/api/v1/data/deal", key: f.rep.key, json: ["name": "New", "stage": "open"])
            #expect(region.status == 201, "region is read-only for reps, so unset: no amount needed \(region.text)")

            // main freezes the amount of a won deal: a change is refused, the same value is not a change.
            let won = try await f.deal([("name", "Won"), ("amount", 5), ("close_on", "2026-12-01")], owner: f.rep.id)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["stage": "won"]).status == 200)
            let frozen = try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["amount": 7])
            #expect(frozen.expectError(422)?["details"]?.arrayValue?.first?["rule"]?.stringValue == "form_read_only", "\(frozen.text)")
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["amount": 5, "reason": "x"]).status == 200)
            // Reopening and changing the amount at once is still a change of a frozen field.
            try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["stage": "open", "amount": 9]).expectError(422)
            // close_on is required by main while won: clearing it is refused.
            let closing = try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["close_on": .null])
            #expect(closing.expectError(422)?["details"]?.arrayValue?.first?["rule"]?.stringValue == "form_required")
            // Automations act for the tenant: no form binds them, so one may change the frozen amount.
            let automation: JSONValue = [
                "name": "reprice", "entity": "deal", "trigger": ["on": "update", "fields": ["reason"]], "condition": "record.reason == 'reprice'",
                "actions": [["type": "set", "values": ["amount": 42]]],
            ]
            #expect(try await app.call(.post, "/api/v1/meta/automations", key: f.admin, json: automation).status == 201)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["reason": "reprice"]).status == 200)
            try await eventually("the automation sets the frozen amount") {
                try await app.call(.get, "/api/v1/data/deal/\(won)", key: f.admin).json?["amount"]?.doubleValue == 42
            }
            // Without forms the same writes pass: the form, not the entity, made them fail.
            #expect(try await app.call(.delete, "/api/v1/meta/entities/deal/forms/main", key: f.admin).status == 204)
            #expect(try await app.call(.patch, "/api/v1/data/deal/\(won)", key: f.admin, json: ["amount": 7]).status == 200)
        }
    }

    @Test(
        "the sales pack's forms: follow-ups ask for process fields first, visits open check-in, photos and questions, leads ask why when invalid"
    )
    func salesPackForms() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let (_, repKey) = try await app.makeUser(admin, name: "Rep", roles: ["sales_rep"])
            let keys = try await app.call(.get, "/api/v1/meta/entities/lead/forms", key: admin).data.compactMap { $0["name"]?.stringValue }
            #expect(keys == ["lead"])

            let lead = try await app.call(.get, "/api/v1/data/lead/form", key: repKey)
            #expect(lead.status == 200 && lead.json?["form"]?.stringValue == "lead", "\(lead.text)")
            #expect(lead.json?.formField("invalid_reason")?["visible"] == .bool(false))
            #expect(lead.json?.formField("status")?["value"]?.stringValue == "unassigned")
            let invalid = try await app.call(.post, "/api/v1/data/lead/form", key: repKey, json: ["status": "invalid"])
            let reason = try #require(invalid.json?.formField("invalid_reason"), "\(invalid.text)")
            #expect(reason["visible"] == .bool(true) && reason["required"] == .bool(true))
            #expect(invalid.json?.reasons("invalid_reason") == ["rule:invalid_needs_reason"])

            // The follow-up form's first section is the process fields every record must have.
            let followUp = try await app.call(.get, "/api/v1/data/follow_up/form", key: repKey)
            let first = try #require(followUp.json?["sections"]?.arrayValue?.first?["fields"]?.arrayValue, "\(followUp.text)")
            #expect(first.count == 8 && first.allSatisfy { $0["required"] == .bool(true) }, "\(first)")
            let names: [String] = first.compactMap { $0["field"]?.stringValue }
            #expect(names.contains("next_follow_up_at") && names.contains("pain_points"))

            // A planned visit shows its plan; checking in opens the check-in, photos and key-question sections.
            let planned = try await app.call(.get, "/api/v1/data/visit/form", key: repKey)
            let sections = try #require(planned.json?["sections"]?.arrayValue, "\(planned.text)")
            #expect(sections.compactMap { $0["name"]?.stringValue } == ["plan", "checkin", "photos", "key_questions"])
            #expect(sections.map { $0["visible"] } == [.bool(true), .bool(false), .bool(false), .bool(false)])
            let checkedIn = try await app.call(.post, "/api/v1/data/visit/form", key: repKey, json: ["status": "checked_in"])
            #expect(checkedIn.json?["sections"]?.arrayValue?.allSatisfy { $0["visible"] == .bool(true) } == true, "\(checkedIn.text)")
            // Submitting needs the check-in and a summary (the visit's rule): the draft says so before the write does.
            let submitted = try await app.call(.post, "/api/v1/data/visit/form", key: repKey, json: ["status": "submitted"])
            #expect(["checkin", "checkin_at", "summary"].allSatisfy { submitted.json?.formField($0)?["required"] == .bool(true) })
        }
    }
}
