import Testing

@testable import TesseraCore

@Suite("List query parsing")
struct ListQueryParserTests {
    let entity: EntityDefinition = {
        var stage = FieldDefinition(name: "stage", type: .select)
        stage.options = ["lead", "won", "lost"].map { SelectOption(key: $0, label: Label(en: $0)) }
        var tags = FieldDefinition(name: "tags", type: .multiSelect)
        tags.options = ["a", "b"].map { SelectOption(key: $0, label: Label(en: $0)) }
        return EntityDefinition(
            name: "deal",
            fields: [
                FieldDefinition(name: "name", type: .text), stage, FieldDefinition(name: "amount", type: .money), tags,
                FieldDefinition(name: "closed", type: .boolean),
            ])
    }()

    func parse(_ query: String) throws -> ListQuery {
        try ListQueryParser.parse(try QueryString.parse(query), entity: entity)
    }

    @Test("PostgREST-style filters become typed filters")
    func filters() throws {
        let q = try parse("stage=in.(lead,won)&amount=gte.100000&tags=cs.{a,b}&name=not.like.Ac*&closed=is.true&created_at=gt.2026-01-01T00:00:00Z")
        #expect(q.filters.count == 6)
        #expect(q.filters[0].operand == .list([.text("lead"), .text("won")]))
        #expect(q.filters[1].operand == .value(.text("100000")) && q.filters[1].op == .gte)
        #expect(q.filters[2].operand == .value(.textArray(["a", "b"])))
        #expect(q.filters[3].negated && q.filters[3].operand == .value(.text("Ac%")))
        #expect(q.filters[4].operand == .isTrue)
        #expect(q.filters[5].column.name == "created_at")
    }

    @Test("quoted list items keep commas and quotes as data")
    func lists() throws {
        let q = try parse("name=in.(%22a,b%22,c%5C%22d,%27%29%3B)")
        #expect(q.filters[0].operand == .list([.text("a,b"), .text("c\"d"), .text("');")]))
    }

    @Test(
        "bad filters are 400s naming the field",
        arguments: [
            "stage=eq.nope", "amount=gt.lots", "ghost=eq.1", "name=regex.x", "name=eq",
            "tags=eq.a", "stage=in.lead", "closed=is.maybe", "limit=0", "order=ghost.desc", "order=name.sideways", "count=sure", "select=ghost",
        ])
    func refused(query: String) {
        let error = #expect(throws: TesseraError.self) { try parse(query) }
        #expect(error?.status == 400 && error?.details.isEmpty == false)
    }

    @Test("order always ends with id; limits are bounded; cursors round-trip only for the same order")
    func orderAndCursor() throws {
        let q = try parse("order=amount.desc.nullslast,name&limit=9999")
        #expect(q.order.map(\.column.name) == ["amount", "name", "id"])
        #expect(q.order[0].descending && !q.order[0].nullsFirst && !q.order[2].descending)
        #expect(q.limit == ListQuery.maxLimit)
        #expect(try parse("").order.map(\.column.name) == ["id"])
        let cursor = ListQueryParser.encodeCursor(signature: q.orderSignature, values: ["10.00", nil, "0190f3c1-1111-7222-8333-444455556666"])
        let next = try parse("order=amount.desc.nullslast,name&cursor=\(cursor)")
        #expect(next.after == ["10.00", nil, "0190f3c1-1111-7222-8333-444455556666"])
        #expect(throws: TesseraError.self) { try parse("order=name&cursor=\(cursor)") }
        #expect(throws: TesseraError.self) { try parse("cursor=%00%01") }
    }

    @Test("query strings decode percent escapes and plus signs, and refuse broken ones")
    func queryStrings() throws {
        #expect(try QueryString.parse("a=%E4%B8%AD+1&b").map { "\($0.0)=\($0.1)" } == ["a=中 1", "b="])
        #expect(throws: TesseraError.self) { try QueryString.parse("a=%ZZ") }
        #expect(throws: TesseraError.self) { try QueryString.parse("a=%FF") }
    }
}
