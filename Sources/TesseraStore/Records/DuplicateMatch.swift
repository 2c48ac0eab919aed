import TesseraCore

/// The SQL a duplicate rule compares: each match field, normalized when the rule asks (phones by
/// their digits, text case- and space-insensitively). The index DDL and the lookup use the same
/// text, so PostgreSQL can answer the lookup from the index.
enum DuplicateMatch {
    /// `operand` is a column reference or a bind placeholder.
    static func normalized(_ field: FieldDefinition, normalize: Bool, operand: String) -> String {
        guard normalize else { return operand }
        switch field.type {
        case .phone: return "regexp_replace(\(operand), '[^0-9]', '', 'g')"
        case .text, .longText, .email, .url, .select, .autoNumber: return "lower(btrim(\(operand)))"
        default: return operand
        }
    }

    static func indexName(entity: String, rule: String) -> String { ObjectName.make("dx", entity: entity, field: rule) }

    static func createIndex(_ rule: ValidationRule, entity: String, fields: [FieldDefinition], schema: String) -> String {
        let columns = fields.map { normalized($0, normalize: rule.normalize, operand: "(" + SQLIdentifier.quote($0.name) + ")") }
        return "CREATE INDEX \(SQLIdentifier.quote(indexName(entity: entity, rule: rule.name))) ON \(SQLIdentifier.qualified(schema, entity)) ("
            + (columns + ["created_at"]).joined(separator: ", ") + ") WHERE deleted_at IS NULL"
    }
}
