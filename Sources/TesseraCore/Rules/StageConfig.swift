/// A select field declared as its entity's stage: ordered stages (the options), allowed moves,
/// and what must be true to leave each stage.
public struct StageConfig: Sendable, Equatable {
    /// What leaving a stage requires.
    public struct Exit: Sendable, Equatable {
        public var required: [String] = []
        /// Attachment (or multi-select) field → minimum count.
        public var minAttachments: [(String, Int)] = []
        /// Must be true (not merely "not false"): a gate needs evidence.
        public var expression: String?

        public static func == (a: Exit, b: Exit) -> Bool { JSONWriter.string(a.json) == JSONWriter.string(b.json) }

        var json: JSONValue {
            var m: [(String, JSONValue)] = []
            if !required.isEmpty { m.append(("required", .array(required.map { .string($0) }))) }
            if !minAttachments.isEmpty { m.append(("min_attachments", .object(minAttachments.map { ($0.0, .number($0.1)) }))) }
            if let expression { m.append(("expression", .string(expression))) }
            return .object(m)
        }
    }

    /// Stage → stages it may move to; nil means any move is allowed. A stage missing from a
    /// given map is final.
    public var transitions: [(String, [String])]?
    /// Stages a record may start in; nil means the first stage.
    public var initial: [String]?
    public var exits: [(String, Exit)] = []
    /// Stages a record may move to without meeting the exit conditions (typically "lost").
    /// Exit conditions guard moves forward in stage order only; moving back is never gated.
    public var exempt: [String] = []

    public init() {}

    public static func == (a: StageConfig, b: StageConfig) -> Bool { JSONWriter.string(a.json) == JSONWriter.string(b.json) }

    public var json: JSONValue {
        var m: [(String, JSONValue)] = []
        if let transitions { m.append(("transitions", .object(transitions.map { ($0.0, .array($0.1.map { .string($0) })) }))) }
        if let initial { m.append(("initial", .array(initial.map { .string($0) }))) }
        if !exits.isEmpty { m.append(("exit", .object(exits.map { ($0.0, $0.1.json) }))) }
        if !exempt.isEmpty { m.append(("exempt", .array(exempt.map { .string($0) }))) }
        return .object(m)
    }

    public func exit(from stage: String) -> Exit? { exits.first { $0.0 == stage }?.1 }

    /// Reads `{"transitions":{…},"initial":[…],"exit":{stage:{required,min_attachments,expression}}}`.
    static func decode(_ json: JSONValue, path: String, problems: inout [TesseraError.Detail]) -> StageConfig? {
        guard var reader = ObjectReader(json, path: path, problems: &problems) else { return nil }
        defer { problems += reader.problems }
        reader.rejectUnknown(allowed: ["transitions", "initial", "exit", "exempt"])
        var config = StageConfig()
        if let value = reader.raw("transitions"), !value.isNull {
            guard case .object(let members) = value else {
                reader.fail("transitions", rule: "type", .transitionsShape(reader.at("transitions")))
                return nil
            }
            config.transitions = members.map { key, targets in
                guard case .array(let items) = targets else {
                    reader.fail("transitions", rule: "type", .stageKeys("\(reader.at("transitions")).\(key)"))
                    return (key, [])
                }
                return (key, items.compactMap(\.stringValue))
            }
        }
        config.initial = reader.stringArray("initial")
        config.exempt = reader.stringArray("exempt") ?? []
        if let value = reader.raw("exit"), !value.isNull {
            guard case .object(let members) = value else {
                reader.fail("exit", rule: "type", .exitShape(reader.at("exit")))
                return nil
            }
            for (stage, conditions) in members {
                guard var exitReader = ObjectReader(conditions, path: reader.at("exit.\(stage)"), problems: &problems) else { continue }
                exitReader.rejectUnknown(allowed: ["required", "min_attachments", "expression"])
                var exit = Exit()
                exit.required = exitReader.stringArray("required") ?? []
                exit.expression = exitReader.string("expression")
                if let counts = exitReader.raw("min_attachments"), !counts.isNull {
                    if case .object(let pairs) = counts {
                        for (field, n) in pairs {
                            if let n = n.intValue, n >= 0 {
                                exit.minAttachments.append((field, n))
                            } else {
                                exitReader.fail("min_attachments", rule: "type", .nonNegativeCount("\(exitReader.at("min_attachments")).\(field)"))
                            }
                        }
                    } else {
                        exitReader.fail("min_attachments", rule: "type", .countsShape(exitReader.at("min_attachments")))
                    }
                }
                problems += exitReader.problems
                config.exits.append((stage, exit))
            }
        }
        return config
    }

    /// Problems with the stage keys and fields it names (expressions are checked with the entity).
    func problems(field: FieldDefinition, entity: EntityDefinition, path: String) -> [TesseraError.Detail] {
        var p: [TesseraError.Detail] = []
        let keys = Set(field.options.map(\.key))
        func stage(_ key: String, _ property: String) {
            if !keys.contains(key) {
                let at = "\(path).\(property)"
                p.append(.definition(field: at, rule: "unknown_stage", .about(at, .notAnOptionOf(key, field: field.name))))
            }
        }
        for (from, targets) in transitions ?? [] {
            stage(from, "transitions")
            for target in targets { stage(target, "transitions.\(from)") }
        }
        for key in initial ?? [] { stage(key, "initial") }
        for key in exempt { stage(key, "exempt") }
        for (from, exit) in exits {
            stage(from, "exit")
            for name in exit.required + exit.minAttachments.map(\.0) where entity.field(name) == nil {
                let at = "\(path).exit.\(from)"
                p.append(.definition(field: at, rule: "unknown_field", .about(at, .notAField(name, entity: entity.name))))
            }
            for (name, _) in exit.minAttachments {
                if let f = entity.field(name), f.type != .attachment, f.type != .multiSelect {
                    let at = "\(path).exit.\(from)"
                    p.append(.definition(field: at, rule: "type", .about(at, .minAttachmentsType(type: f.type.rawValue, field: name))))
                }
            }
        }
        return p
    }
}
