/// The schemas of one entity's records as one caller sees them: the record as read (system
/// columns, then the fields their roles show, computed ones read-only), the body that creates one
/// (writable fields, the required ones required) and the body that changes one.
struct OpenAPIRecordSchema {
    let version: OpenAPIVersion
    /// The entity without the fields the caller's roles hide.
    let entity: EntityDefinition
    /// Fields the caller may read but not change.
    let readOnly: Set<String>

    static let uuid: [(String, JSONValue)] = [("format", "uuid")]

    /// A record as the data API writes it: every column present (or those `select=` chose), a
    /// field without a value null.
    var read: JSONValue {
        var properties: [(String, JSONValue)] = [
            ("id", version.schema("string", Self.uuid + [("readOnly", true)])),
            ("version", version.schema("integer", [("format", "int64"), ("minimum", 1), ("readOnly", true)])),
            ("owner_id", version.schema("string", nullable: true, Self.uuid + [("description", "The record's owner (a user id).")])),
        ]
        for (name, description) in [("created_at", "When it was created."), ("updated_at", "When it last changed.")] {
            properties.append((name, version.schema("string", [("format", "date-time"), ("readOnly", true), ("description", .string(description))])))
        }
        for name in ["created_by", "updated_by"] {
            properties.append((name, version.schema("string", nullable: true, Self.uuid + [("readOnly", true)])))
        }
        properties.append(
            (
                "deleted_at",
                version.schema(
                    "string", nullable: true, [("format", "date-time"), ("readOnly", true), ("description", "Set while in the recycle bin.")])
            ))
        for field in entity.fields {
            var schema = value(field, nullable: true)
            if field.type.isReadOnly || readOnly.contains(field.name) || field.readOnly { schema = Self.marked(schema, readOnly: true) }
            properties.append((field.name, schema))
        }
        // Nothing is required: `select=` may leave out any column. Nothing else comes back.
        return [
            "type": "object", "title": .string(entity.label.preferred), "properties": .object(properties), "additionalProperties": false,
            "description": "Every column, a field without a value as null; with select= only the columns chosen.",
        ]
    }

    /// The body of a create: the fields a client may write; `required` those a record needs.
    var create: JSONValue {
        var properties: [(String, JSONValue)] = [
            ("owner_id", version.schema("string", nullable: true, Self.uuid + [("description", "Defaults to the caller.")]))
        ]
        var required: [JSONValue] = []
        for field in writable {
            let needed = field.required && field.defaultValue == nil
            properties.append((field.name, value(field, nullable: !needed)))
            if needed { required.append(.string(field.name)) }
        }
        var m: [(String, JSONValue)] = [("type", "object"), ("properties", .object(properties))]
        if !required.isEmpty { m.append(("required", .array(required))) }
        m.append(("additionalProperties", false))
        return .object(m)
    }

    /// The body of a change: any writable field, and the version it was read at (or `If-Match`).
    var update: JSONValue {
        var properties: [(String, JSONValue)] = [
            ("version", version.schema("integer", [("format", "int64"), ("description", "The version it was read at (as If-Match).")])),
            ("owner_id", version.schema("string", Self.uuid + [("description", "Hands the record to another user.")])),
        ]
        for field in writable { properties.append((field.name, value(field, nullable: !field.required))) }
        return ["type": "object", "properties": .object(properties), "additionalProperties": false, "minProperties": 1]
    }

    private var writable: [FieldDefinition] {
        entity.fields.filter { !$0.type.isReadOnly && !readOnly.contains($0.name) && !$0.readOnly }
    }

    static func marked(_ schema: JSONValue, readOnly: Bool) -> JSONValue {
        guard case .object(var m) = schema else { return schema }
        m.append(("readOnly", .bool(readOnly)))
        return .object(m)
    }

    /// One field's value: its type, format, bounds and option keys, with its label as the title.
    func value(_ field: FieldDefinition, nullable: Bool) -> JSONValue {
        var about: [(String, JSONValue)] = [("title", .string(field.label.preferred))]
        if let help = field.help { about.append(("description", .string(help.preferred))) }
        let v = version
        func bounds(_ extra: [(String, JSONValue)] = []) -> [(String, JSONValue)] {
            var m = extra
            if let min = field.min { m.append(("minimum", .number(String(min)))) }
            if let max = field.max { m.append(("maximum", .number(String(max)))) }
            return m + about
        }
        switch field.readType {
        case .text, .longText, .phone:
            var m: [(String, JSONValue)] = []
            if let max = field.effectiveMaxLength { m.append(("maxLength", .number(max))) }
            return v.schema("string", nullable: nullable, m + about)
        case .email:
            return v.schema("string", nullable: nullable, [("format", "email"), ("maxLength", .number(field.effectiveMaxLength ?? 254))] + about)
        case .url:
            return v.schema("string", nullable: nullable, [("format", "uri"), ("maxLength", .number(field.effectiveMaxLength ?? 2048))] + about)
        case .number:
            return v.schema("integer", nullable: nullable, bounds([("format", "int64")]))
        case .decimal, .money, .percent:
            // Sent as a number or as decimal text (exact for money); written back as a number.
            let number = v.schema("number", bounds())
            let text = v.schema("string", [("pattern", "^[-+]?[0-9]*\\.?[0-9]+$")])
            return v.either(number, text, nullable: nullable)
        case .boolean:
            return v.schema("boolean", nullable: nullable, about)
        case .date:
            return v.schema("string", nullable: nullable, [("format", "date")] + about)
        case .datetime:
            return v.schema("string", nullable: nullable, [("format", "date-time")] + about)
        case .select:
            return v.schema("string", nullable: nullable, [("enum", .array(field.options.map { .string($0.key) }))] + about)
        case .multiSelect:
            var m: [(String, JSONValue)] = [
                ("items", ["type": "string", "enum": .array(field.options.map { .string($0.key) })]), ("uniqueItems", true),
            ]
            if let max = field.maxSelections { m.append(("maxItems", .number(max))) }
            return v.schema("array", nullable: nullable, m + about)
        case .user:
            return v.schema("string", nullable: nullable, Self.uuid + about + [("description", "A user id.")])
        case .relation:
            return v.schema("string", nullable: nullable, Self.uuid + about + [("description", .string("The id of a \(field.target ?? "record")."))])
        case .attachment:
            var m: [(String, JSONValue)] = [("items", ["type": "string", "format": "uuid"])]
            if let min = field.minCount { m.append(("minItems", .number(min))) }
            if let max = field.maxCount { m.append(("maxItems", .number(max))) }
            return v.schema("array", nullable: nullable, m + about + [("description", "File ids from POST /api/v1/files.")])
        case .location:
            let properties: JSONValue = [
                "lat": ["type": "number", "minimum": -90, "maximum": 90], "lng": ["type": "number", "minimum": -180, "maximum": 180],
                "address": ["type": "string"],
            ]
            return v.schema(
                "object", nullable: nullable, [("properties", properties), ("required", ["lat", "lng"]), ("additionalProperties", false)] + about)
        case .autoNumber:
            return v.schema("string", nullable: nullable, about)
        case .formula:
            return v.schema("string", nullable: nullable, about)
        }
    }
}
