/// A checked record body: values to write in field order, plus what the caller asserted.
public struct RecordWrite: Sendable, Equatable {
    public struct Assignment: Sendable, Equatable {
        public let field: FieldDefinition
        public let value: StoredValue

        public init(field: FieldDefinition, value: StoredValue) {
            self.field = field
            self.value = value
        }
    }

    public var assignments: [Assignment]
    /// `version` from the body (optimistic locking on update).
    public var expectedVersion: Int64?
    /// `owner_id` from the body, when the caller hands the record to another user.
    public var ownerID: String?
    /// What was wrong with the body; reported together with the store's own checks.
    public var problems: [TesseraError.Detail] = []
    /// The entity fields the body names (defaults filled in are not among them).
    public var given: Set<String> = []

    public init(assignments: [Assignment] = [], expectedVersion: Int64? = nil, ownerID: String? = nil) {
        self.assignments = assignments
        self.expectedVersion = expectedVersion
        self.ownerID = ownerID
    }

    /// Adds values (rules' additions): each replaces the body's value of the same field.
    public mutating func apply(_ additions: [Assignment]) {
        for addition in additions {
            assignments.removeAll { $0.field.name == addition.field.name }
            assignments.append(addition)
        }
    }
}

/// Validates create and update bodies against an entity, reporting every problem together.
public enum RecordInput {
    public enum Mode: Sendable { case create, update }

    /// Checks a body; problems are collected in the result (only a non-object body throws).
    public static func check(_ json: JSONValue, entity: EntityDefinition, mode: Mode) throws(TesseraError) -> RecordWrite {
        var problems: [TesseraError.Detail] = []
        guard case .object(let members) = json else {
            throw .validation([.init(field: nil, rule: "type", .notAnObject)])
        }
        var write = RecordWrite()
        var given: Set<String> = []
        for (key, value) in members {
            guard given.insert(key).inserted else {
                problems.append(.init(field: key, rule: "duplicate", .appearsTwice(key)))
                continue
            }
            if let field = entity.field(key) {
                write.given.insert(key)
                if let stored = ValueCoercer.coerce(value, for: field, problems: &problems) {
                    if stored == .null, field.required {
                        problems.append(.init(field: key, rule: "required", .required(key)))
                    } else {
                        write.assignments.append(.init(field: field, value: stored))
                    }
                }
                continue
            }
            switch key {
            case "version" where mode == .update:
                guard let v = value.intValue, v >= 1 else {
                    problems.append(.init(field: key, rule: "type", .versionType))
                    continue
                }
                write.expectedVersion = Int64(v)
            case "owner_id":
                guard case .string(let s) = value, let id = UUIDText.normalized(s) else {
                    problems.append(.init(field: key, rule: "type", .ownerType))
                    continue
                }
                write.ownerID = id
            case _ where SystemColumn.names.contains(key):
                problems.append(.init(field: key, rule: "read_only", .setByServer(key)))
            default:
                problems.append(.init(field: key, rule: "unknown_field", .notAField(key, entity: entity.name)))
            }
        }
        if mode == .create {
            for field in entity.fields where !given.contains(field.name) {
                if let defaultValue = field.defaultValue, let stored = ValueCoercer.coerce(defaultValue, for: field, problems: &problems) {
                    write.assignments.append(.init(field: field, value: stored))
                } else if field.required {
                    problems.append(.init(field: field.name, rule: "required", .required(field.name)))
                } else if field.type == .attachment, let min = field.minCount, min > 0 {
                    problems.append(
                        .init(
                            field: field.name, rule: "min_count", .about(field.name, .tooFewFiles(min: min, got: 0)),
                            extra: ["min": .number(min)]))
                }
            }
        }
        write.problems = problems
        return write
    }
}
