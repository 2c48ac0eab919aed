public import TesseraCore

/// The PostgreSQL column type of each field type; bind casts use the same names.
public enum ColumnType {
    public static func sql(_ type: FieldType) -> String {
        switch type {
        case .text, .longText, .email, .phone, .url, .select, .autoNumber: "text"
        case .number: "bigint"
        case .decimal, .percent: "numeric"
        case .money: "numeric(18,2)"
        case .boolean: "boolean"
        case .date: "date"
        case .datetime: "timestamptz"
        case .multiSelect: "text[]"
        case .user, .relation: "uuid"
        case .location: "jsonb"
        case .attachment: "uuid[]"
        case .formula: "text"  // never a column; readers use the result type (FieldDefinition.readType)
        }
    }

    /// The cast for a bound value of this column (money binds as plain numeric, then the column rounds).
    public static func cast(_ type: FieldType) -> String {
        type == .money ? "numeric" : sql(type)
    }
}

/// Stable, short names for indexes, constraints and sequences (PostgreSQL allows 63 bytes).
public enum ObjectName {
    public static func make(_ kind: String, entity: String, field: String) -> String {
        let hash = StableHash.fnv1a("\(entity).\(field)".utf8)
        let hex = String(hash, radix: 16)
        return "\(kind)_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
