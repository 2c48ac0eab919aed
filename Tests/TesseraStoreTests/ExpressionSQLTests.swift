import TesseraCore
import Testing

@testable import TesseraStore

@Suite("Expressions compiled to SQL")
struct ExpressionSQLTests {
    let entity: EntityDefinition = {
        var account = FieldDefinition(name: "account", type: .relation)
        account.target = "account"
        return EntityDefinition(
            name: "deal",
            fields: [
                FieldDefinition(name: "title", type: .text), FieldDefinition(name: "amount", type: .money), account,
                FieldDefinition(name: "due", type: .datetime),
            ])
    }()
    let accountEntity = EntityDefinition(name: "account", fields: [FieldDefinition(name: "name", type: .text)])

    func compile(_ source: String, user: String = "u1") throws -> SQLBuilder {
        let account = accountEntity
        let expression = try CompiledExpression(
            source, in: ExpressionContext(entity: entity, relatedEntity: { $0 == "account" ? account : nil }), expecting: .bool)
        var b = SQLBuilder()
        let env = ExpressionEnvironment(user: ["id": .string(user)], now: 1_700_000_000_000_000, timeZone: .utc)
        try ExpressionSQL(schema: "t_x", rowScope: .record, environment: env).append(expression.checked, to: &b, positive: true)
        return b
    }

    @Test("values never enter the SQL text, whatever they hold")
    func hostileValuesAreBound() throws {
        for hostile in ["'; DROP TABLE deal; --", "\\\\' OR 1=1 --", "$$; SELECT 1; $$", "\" OR \"\"=\"", "北京'); SELECT pg_sleep(10); --"] {
            let literal = hostile.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            let b = try compile("record.title == '\(literal)' || record.account.name.startsWith('\(literal)')", user: hostile)
            #expect(!b.sql.contains(hostile), "\(b.sql)")
            #expect(!b.sql.contains("DROP") && !b.sql.contains("pg_sleep") && !b.sql.contains("OR 1=1"), "\(b.sql)")
            #expect(b.types.count == 2)
        }
        // The caller's attributes and the clock are binds too.
        let b = try compile("record.title == user.id && record.due < now()", user: "x' OR 'a'='a")
        #expect(!b.sql.contains("OR 'a'"))
        #expect(b.types.count == 2)
    }

    @Test("filters on plain columns keep an index-friendly shape")
    func indexFriendly() throws {
        #expect(try compile("record.title == 'a'").sql == "(q.\"title\" = $1::text)")
        #expect(try compile("record.amount >= 100000").sql == "(q.\"amount\" >= $1::numeric)")
        #expect(try compile("100 < record.amount").sql == "(q.\"amount\" > $1::numeric)")
        #expect(try compile("record.account == '01a2134f-a9c1-777a-bb98-3e0b27868c35'").sql == "(q.\"account\" = $1::uuid)")
        #expect(try compile("record.title in ['a', 'b']").sql == "(q.\"title\" = ANY($1::text[]))")
        #expect(try compile("record.due > now() - duration('72h')").sql == "(q.\"due\" > $1::timestamptz)")
        // Outside a plain WHERE position null must stay false, not unknown.
        #expect(try compile("!(record.title == 'a')").sql == "(NOT (q.\"title\" IS NOT DISTINCT FROM $1::text))")
        // Identifiers are quoted by the one quoting function, relations read through a subquery.
        #expect(
            try compile("record.account.name == 'x'").sql.contains("FROM \"t_x\".\"account\" h WHERE h.id = q.\"account\" AND h.deleted_at IS NULL"))
    }
}
