import Foundation
import TesseraCore
import Testing

/// A small deterministic generator (SplitMix64), so a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The resolved form and the write path, compared over generated roles, forms and records: what
/// the form calls read-only is refused on write, what it calls required cannot be left empty,
/// and an editable field of a form whose draft lacks nothing is written.
@Suite("Form and write agreement")
struct FormAgreementTests {
    static let fields = ["kind", "t1", "t2", "n1", "n2", "flag"]
    static let conditions = [
        "record.kind == 'a'", "record.kind != 'b'", "record.flag == true", "record.n1 > 5", "record.n2 <= 3", "has(record.t1)",
        "record.kind == 'c' || record.flag == true", "true",
    ]

    static let item: JSONValue = [
        "name": "item",
        "fields": [
            ["name": "name", "type": "text", "required": true],
            ["name": "kind", "type": "select", "options": [["key": "a"], ["key": "b"], ["key": "c"]]],
            ["name": "t1", "type": "text"], ["name": "t2", "type": "text"], ["name": "n1", "type": "number"], ["name": "n2", "type": "number"],
            ["name": "flag", "type": "boolean"],
        ],
        "rules": [["name": "c_needs_t2", "kind": "required_when", "when": "record.kind == 'c'", "required": ["t2"]]],
    ]

    static func value(_ field: String, _ rng: inout SeededGenerator, not current: JSONValue? = nil) -> JSONValue {
        while true {
            let v: JSONValue =
                switch field {
                case "kind": .string(["a", "b", "c"].randomElement(using: &rng)!)
                case "t1", "t2": .string("v\(Int.random(in: 0..<1000, using: &rng))")
                case "flag": .bool(Bool.random(using: &rng))
                default: .number(Int.random(in: 0...10, using: &rng))
                }
            if v != current { return v }
        }
    }

    /// A form over the test fields: each placed or not, each with a chance of each condition
    /// (a required_when never reads its own field: the decoder refuses that).
    static func form(_ name: String, roles: [String], _ rng: inout SeededGenerator) -> JSONValue {
        var placed: [JSONValue] = ["name"]
        for field in fields.shuffled(using: &rng) where Int.random(in: 0..<5, using: &rng) > 0 {
            var m: [(String, JSONValue)] = [("field", .string(field))]
            func pick(excluding: String? = nil) -> String {
                conditions.filter { excluding == nil || !$0.contains("record.\(excluding!)") }.randomElement(using: &rng)!
            }
            if Int.random(in: 0..<3, using: &rng) == 0 { m.append(("visible_when", .string(pick()))) }
            if Int.random(in: 0..<3, using: &rng) == 0 { m.append(("required_when", .string(pick(excluding: field)))) }
            if Int.random(in: 0..<3, using: &rng) == 0 { m.append(("readonly_when", .string(pick()))) }
            placed.append(.object(m))
        }
        let half = placed.count / 2
        var sections: [JSONValue] = [.object([("name", "first"), ("fields", .array(Array(placed[..<max(1, half)])))])]
        if placed.count > 1, half >= 1 {
            var second: [(String, JSONValue)] = [("name", "second"), ("fields", .array(Array(placed[max(1, half)...])))]
            if Bool.random(using: &rng) { second.append(("visible_when", .string(conditions.randomElement(using: &rng)!))) }
            sections.append(.object(second))
        }
        var m: [(String, JSONValue)] = [("name", .string(name)), ("sections", .array(sections))]
        if !roles.isEmpty { m.append(("roles", .array(roles.map { .string($0) }))) }
        return .object(m)
    }

    @Test("resolved forms agree with the write path over generated roles, forms and records", arguments: [UInt64(7), 2026])
    func agreement(seed: UInt64) async throws {
        try await TestApp.run { app in
            var rng = SeededGenerator(state: seed)
            let admin = try await app.createTenant()
            try await app.createEntity(admin, Self.item)
            // Roles with random field access and update scope; one user each, plus the admin.
            var callers: [(name: String, id: String, key: String, hidden: Set<String>)] = []
            for r in 0..<4 {
                var access: [(String, JSONValue)] = []
                var hidden: Set<String> = []
                for field in Self.fields {
                    let level = ["edit", "edit", "read", "none"].randomElement(using: &rng)!
                    if level == "none" { hidden.insert(field) }
                    if level != "edit" { access.append((field, .string(level))) }
                }
                let update = Bool.random(using: &rng) ? "own" : "all"
                let role: JSONValue = [
                    "name": .string("r\(r)"),
                    "permissions": ["item": ["create": "all", "read": "all", "update": .string(update), "delete": "own", "fields": .object(access)]],
                ]
                #expect(try await app.call(.post, "/api/v1/meta/roles", key: admin, json: role).status == 201)
                let user = try await app.makeUser(admin, name: "User \(r)", roles: ["r\(r)"])
                callers.append(("r\(r)", user.id, user.key, hidden))
            }
            let me = try await app.call(.get, "/api/v1/me", key: admin)
            callers.append(("admin", try #require(me.json?["user"]?["id"]?.stringValue), admin, []))
            // Records first (the admin's writes are then held to no form), with random gaps.
            var ids: [String] = []
            for i in 0..<16 {
                var body: [(String, JSONValue)] = [("name", .string("item \(i)")), ("owner_id", .string(callers.randomElement(using: &rng)!.id))]
                for field in Self.fields where Bool.random(using: &rng) { body.append((field, Self.value(field, &rng))) }
                if body.contains(where: { $0.0 == "kind" && $0.1 == "c" }), !body.contains(where: { $0.0 == "t2" }) { body.append(("t2", "filled")) }
                ids.append(try #require(try await app.create(admin, "item", .object(body))["id"]?.stringValue))
            }
            #expect(
                try await app.call(.post, "/api/v1/meta/entities/item/forms", key: admin, json: Self.form("general", roles: [], &rng)).status == 201)
            for r in [0, 2] {
                let form = Self.form("for_r\(r)", roles: ["r\(r)"], &rng)
                #expect(try await app.call(.post, "/api/v1/meta/entities/item/forms", key: admin, json: form).status == 201)
            }

            var checked = (readOnly: 0, required: 0, written: 0, refusedWrite: 0)
            for id in ids {
                for caller in callers {
                    let resolved = try await app.call(.get, "/api/v1/data/item/\(id)/form", key: caller.key)
                    #expect(resolved.status == 200, "\(resolved.text)")
                    let form = try #require(resolved.json)
                    let shown = form.formFieldNames
                    #expect(Set(shown).isDisjoint(with: caller.hidden), "hidden fields in \(caller.name)'s form: \(shown)")
                    let version = form["version"]?.intValue
                    let label = "seed \(seed), \(caller.name), item \(id)"
                    for field in Self.fields where shown.contains(field) && Int.random(in: 0..<2, using: &rng) == 0 {
                        let state = try #require(form.formField(field))
                        let current = state["value"] ?? .null
                        if state["read_only"] == .bool(true) {
                            checked.readOnly += 1
                            let reply = try await app.call(
                                .patch, "/api/v1/data/item/\(id)", key: caller.key, json: .object([(field, Self.value(field, &rng, not: current))]))
                            #expect((400..<500).contains(reply.status), "\(label): \(field) is read-only in the form but was written: \(reply.text)")
                        } else if state["required"] == .bool(true) {
                            checked.required += 1
                            let reply = try await app.call(.patch, "/api/v1/data/item/\(id)", key: caller.key, json: .object([(field, .null)]))
                            #expect(
                                reply.status == 422 || reply.status == 403,
                                "\(label): \(field) is required in the form but was cleared: \(reply.text)")
                        } else {
                            // Editable and optional: the write succeeds exactly when the form of the
                            // draft lacks nothing (a required field left empty).
                            let change: JSONValue = .object([(field, Self.value(field, &rng, not: current))])
                            let draft = try await app.call(.post, "/api/v1/data/item/\(id)/form", key: caller.key, json: change)
                            let lacking = (draft.json?["sections"]?.arrayValue ?? []).flatMap { $0["fields"]?.arrayValue ?? [] }.filter {
                                $0["required"] == .bool(true) && !($0["value"].map(Self.hasValue) ?? false)
                            }
                            let problems = draft.json?["problems"]?.arrayValue ?? []
                            let reply = try await app.call(.patch, "/api/v1/data/item/\(id)", key: caller.key, json: change)
                            if lacking.isEmpty, problems.isEmpty {
                                checked.written += 1
                                #expect(reply.status == 200, "\(label): \(change) lacks nothing in the draft form but was refused: \(reply.text)")
                            } else {
                                checked.refusedWrite += 1
                                #expect(
                                    reply.status == 422, "\(label): the draft lacks \(lacking) \(problems) but \(change) was written: \(reply.text)")
                            }
                            if reply.status == 200 { break }  // the record changed: resolve again next time
                        }
                    }
                    // Refused writes lose nothing.
                    let after = try await app.call(.get, "/api/v1/data/item/\(id)/form", key: admin)
                    if let version, (after.json?["version"]?.intValue ?? 0) != version {
                        #expect(after.json?["version"]?.intValue == version + 1, "\(label): only an accepted write may change the record")
                    }
                }
            }
            print("form agreement seed \(seed): \(checked)")
            // The generated cases reach every branch (a seed that stopped doing so would prove little).
            #expect(checked.readOnly > 5 && checked.required > 0 && checked.written > 5, "\(checked)")
        }
    }

    static func hasValue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        default: true
        }
    }
}
