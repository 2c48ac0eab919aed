import Foundation
import TesseraCore
import Testing

@Suite("Stages")
struct StageTests {
    static let opportunity: JSONValue = [
        "name": "opportunity",
        "fields": [
            ["name": "name", "type": "text"], ["name": "budget", "type": "money"], ["name": "amount", "type": "money"],
            ["name": "tech_agreement", "type": "attachment"],
            [
                "name": "stage", "type": "select",
                "options": [["key": "lead"], ["key": "qualified"], ["key": "tech_confirm"], ["key": "quote"], ["key": "won"], ["key": "lost"]],
                "stage": [
                    "transitions": [
                        "lead": ["qualified", "lost"], "qualified": ["tech_confirm", "lost"], "tech_confirm": ["quote", "lost", "qualified"],
                        "quote": ["won", "lost"],
                    ],
                    "exempt": ["lost"],
                    "exit": [
                        "qualified": ["required": ["budget"]],
                        "tech_confirm": ["min_attachments": ["tech_agreement": 1]],
                        "quote": ["expression": "record.amount > 0.0"],
                    ],
                ],
            ],
        ],
    ]

    @Test("allowed moves, exit conditions, initial stage, and the stage history with time in each stage")
    func moves() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            try await app.createEntity(key, Self.opportunity)
            func move(_ id: String, _ json: JSONValue) async throws -> TestApp.Reply {
                try await app.call(.patch, "/api/v1/data/opportunity/\(id)", key: key, json: json)
            }
            try await app.call(.post, "/api/v1/data/opportunity", key: key, json: ["name": "x", "stage": "quote"]).expectError(
                422, "validation_failed")
            let o = try await app.create(key, "opportunity", ["name": "Big deal", "stage": "lead"])
            let id = try #require(o["id"]?.stringValue)

            let skip = try await move(id, ["stage": "tech_confirm"])
            let d = skip.expectError(422)?["details"]?.arrayValue?.first
            #expect(d?["rule"]?.stringValue == "stage_transition")
            #expect(d?["allowed"] == ["qualified", "lost"])
            #expect(try await move(id, ["stage": "qualified"]).status == 200)
            let gate = try await move(id, ["stage": "tech_confirm"])
            #expect(gate.expectError(422)?["details"]?.arrayValue?.first?["field"]?.stringValue == "budget")
            #expect(try await move(id, ["stage": "tech_confirm", "budget": 500000]).status == 200)

            // Back one stage: gates guard progress only.
            #expect(try await move(id, ["stage": "qualified"]).status == 200)
            #expect(try await move(id, ["stage": "tech_confirm"]).status == 200)
            let noFile = try await move(id, ["stage": "quote"])
            #expect(noFile.expectError(422)?["details"]?.arrayValue?.first?["field"]?.stringValue == "tech_agreement")
            let file = try await app.call(
                .post, "/api/v1/files?name=agreement.pdf", key: key, raw: "%PDF-1.4 signed", headers: [.contentType: "application/pdf"])
            #expect(try await move(id, ["stage": "quote", "tech_agreement": [.string(try #require(file.id))]]).status == 200)

            let noAmount = try await move(id, ["stage": "won"])
            #expect(noAmount.expectError(422)?["details"]?.arrayValue?.first?["message"]?.stringValue?.contains("record.amount > 0.0") == true)
            #expect(try await move(id, ["stage": "won", "amount": 480000]).status == 200)
            let final = try await move(id, ["stage": "lost"])
            #expect(final.expectError(422)?["details"]?.arrayValue?.first?["message"]?.stringValue?.contains("final stage") == true)
            try await move(id, ["stage": nil]).expectError(422)
            // Changing something else never counts as a move.
            #expect(try await move(id, ["name": "Bigger deal"]).status == 200)

            let history = try await app.call(.get, "/api/v1/data/opportunity/\(id)/stages", key: key)
            #expect(history.status == 200, "\(history.text)")
            let steps = history.data.map { [$0["from"]?.stringValue ?? "-", $0["to"]?.stringValue ?? "-"] }
            #expect(
                steps == [
                    ["-", "lead"], ["lead", "qualified"], ["qualified", "tech_confirm"], ["tech_confirm", "qualified"],
                    ["qualified", "tech_confirm"], ["tech_confirm", "quote"], ["quote", "won"],
                ])
            #expect(history.json?["current"]?.stringValue == "won")
            #expect(history.json?["seconds_by_stage"]?["lead"]?.doubleValue.map { $0 >= 0 } == true)
            #expect(history.data.allSatisfy { $0["by"]?.stringValue != nil && $0["at"]?.stringValue != nil })
            try await app.call(.get, "/api/v1/data/opportunity/\(UUID().uuidString)/stages", key: key).expectError(404)

            // Losing a deal is never blocked by the gate of the stage it is in.
            let other = try await app.create(key, "opportunity", ["name": "Small deal", "stage": "lead"])
            let otherID = try #require(other["id"]?.stringValue)
            #expect(try await move(otherID, ["stage": "qualified"]).status == 200)
            #expect(try await move(otherID, ["stage": "lost"]).status == 200)
        }
    }

    @Test("stage definitions are checked when saved")
    func refused() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            func entity(_ stage: JSONValue, extra: [JSONValue] = []) -> JSONValue {
                [
                    "name": "deal",
                    "fields": .array(
                        [
                            ["name": "amount", "type": "number"],
                            ["name": "stage", "type": "select", "options": [["key": "a"], ["key": "b"]], "stage": stage],
                        ] + extra),
                ]
            }
            try await app.call(.post, "/api/v1/meta/entities", key: key, json: entity(["transitions": ["a": ["c"]]])).expectError(422)
            try await app.call(.post, "/api/v1/meta/entities", key: key, json: entity(["exit": ["a": ["required": ["nope"]]]])).expectError(422)
            let gate = try await app.call(.post, "/api/v1/meta/entities", key: key, json: entity(["exit": ["a": ["expression": "record.amount >"]]]))
            #expect(gate.expectError(422)?["details"]?.arrayValue?.first?["column"] == .number("16"), "\(gate.text)")
            try await app.call(
                .post, "/api/v1/meta/entities", key: key,
                json: entity(
                    [:],
                    extra: [
                        ["name": "phase", "type": "select", "options": [["key": "x"]], "stage": [:]]
                    ])
            ).expectError(422)
            #expect(try await app.call(.post, "/api/v1/meta/entities", key: key, json: entity(["transitions": ["a": ["b"]]])).status == 201)
            // The stage can be changed later like any field property.
            let patched = try await app.call(
                .patch, "/api/v1/meta/entities/deal/fields/stage", key: key, json: ["stage": ["transitions": ["a": ["b"], "b": ["a"]]]])
            #expect(patched.status == 200, "\(patched.text)")
            try await app.call(.patch, "/api/v1/meta/entities/deal/fields/stage", key: key, json: ["stage": ["transitions": ["a": ["zzz"]]]])
                .expectError(422)
        }
    }
}
