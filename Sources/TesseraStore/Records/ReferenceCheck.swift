import PostgresNIO
import TesseraCore

/// Checks in one query that every id a write names exists in this tenant: relation targets
/// (not in the recycle bin), active users, and uploaded files of an accepted type.
struct ReferenceCheck {
    struct Wanted {
        let label: String
        let field: FieldDefinition?
        let table: String
        let ids: [String]
    }

    let schema: String
    let prepared: PreparedSQL

    /// Problems for missing references; `prefix` names the record in a bulk write (e.g. "[3].").
    func problems(
        for writes: [(prefix: String, write: RecordWrite)], on connection: PostgresConnection, logger: Logger
    ) async throws -> [TesseraError.Detail] {
        var wanted: [(prefix: String, Wanted)] = []
        for (prefix, write) in writes {
            if let owner = write.ownerID {
                wanted.append((prefix, Wanted(label: "owner_id", field: nil, table: TenantTableName.users, ids: [owner])))
            }
            for a in write.assignments {
                switch (a.field.type, a.value) {
                case (.relation, .text(let id)):
                    wanted.append((prefix, Wanted(label: a.field.name, field: a.field, table: a.field.target ?? "", ids: [id])))
                case (.user, .text(let id)):
                    wanted.append((prefix, Wanted(label: a.field.name, field: a.field, table: TenantTableName.users, ids: [id])))
                case (.attachment, .textArray(let ids)) where !ids.isEmpty:
                    wanted.append((prefix, Wanted(label: a.field.name, field: a.field, table: TenantTableName.files, ids: ids)))
                default: break
                }
            }
        }
        guard !wanted.isEmpty else { return [] }
        // One SELECT per distinct table, joined with UNION ALL.
        var byTable: [String: Set<String>] = [:]
        for (_, w) in wanted { byTable[w.table, default: []].formUnion(w.ids) }
        var b = SQLBuilder()
        for (i, (table, ids)) in byTable.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { b.append(" UNION ALL ") }
            b.append("SELECT ")
            b.bind(.text(table))
            let t = SQLIdentifier.qualified(schema, table)
            switch table {
            case TenantTableName.users: b.append(", id::text, '' FROM \(t) WHERE status = 'active' AND id = ANY(")
            case TenantTableName.files: b.append(", id::text, content_type FROM \(t) WHERE id = ANY(")
            default: b.append(", id::text, '' FROM \(t) WHERE deleted_at IS NULL AND id = ANY(")
            }
            b.bind(.textArray(Array(ids)), cast: "uuid[]")
            b.append(")")
        }
        var found: [String: [String: String]] = [:]
        for row in try await prepared.rows(b, on: connection, logger: logger) {
            let (table, id, contentType) = try row.decode((String, String, String).self)
            found[table, default: [:]][id] = contentType
        }
        var problems: [TesseraError.Detail] = []
        for (prefix, w) in wanted {
            for id in w.ids {
                guard let contentType = found[w.table]?[id] else {
                    let what: Message.ReferenceKind =
                        w.table == TenantTableName.users ? .user : (w.table == TenantTableName.files ? .file : .record(w.table))
                    problems.append(.init(field: prefix + w.label, rule: "reference", .about(prefix + w.label, .notReferenced(id, what: what))))
                    continue
                }
                if let field = w.field, field.type == .attachment, !field.accept.isEmpty, !Self.accepts(field.accept, contentType) {
                    problems.append(
                        .init(
                            field: prefix + w.label, rule: "accept",
                            .about(prefix + w.label, .fileNotAccepted(id, contentType: contentType, accept: field.accept))))
                }
            }
        }
        return problems
    }

    static func accepts(_ patterns: [String], _ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return patterns.contains { pattern in
            let p = pattern.lowercased()
            if p.hasSuffix("/*") { return type.hasPrefix(String(p.dropLast(1))) }
            return p == type
        }
    }
}
