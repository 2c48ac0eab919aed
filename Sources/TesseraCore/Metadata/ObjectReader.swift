/// Reads members of a JSON object by name, recording type problems and unknown members under a path.
struct ObjectReader {
    let path: String
    private let members: [(String, JSONValue)]
    private(set) var problems: [TesseraError.Detail] = []

    init?(_ value: JSONValue, path: String, problems: inout [TesseraError.Detail]) {
        guard case .object(let members) = value else {
            problems.append(.definition(field: path.isEmpty ? nil : path, rule: "type", .notAnObject(path)))
            return nil
        }
        self.path = path
        self.members = members
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { members.contains(where: { $0.0 == key }) }

    func raw(_ key: String) -> JSONValue? { members.last(where: { $0.0 == key })?.1 }

    var keys: [String] { members.map(\.0) }

    mutating func fail(_ key: String?, rule: String, _ message: DefinitionMessage) {
        problems.append(.definition(field: key.map(at) ?? (path.isEmpty ? nil : path), rule: rule, message))
    }

    /// The same with a view's message.
    mutating func fail(_ key: String?, rule: String, _ message: ViewMessage) {
        problems.append(.view(field: key.map(at) ?? (path.isEmpty ? nil : path), rule: rule, message))
    }

    mutating func string(_ key: String) -> String? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .string(let s) = value else { fail(key, rule: "type", .notAString(at(key))); return nil }
        return s
    }

    /// The entity `key` names, one of `entities`; nil, with the problem recorded, if it names none.
    mutating func entity(_ key: String, in entities: [String: EntityDefinition]) -> EntityDefinition? {
        let name = string(key) ?? ""
        guard let entity = entities[name] else {
            fail(key, rule: "unknown_entity", .about(at(key), .noEntity(name)))
            return nil
        }
        return entity
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .bool(let b) = value else { fail(key, rule: "type", .notABool(at(key))); return nil }
        return b
    }

    mutating func int(_ key: String, min lower: Int = Int.min) -> Int? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard let i = value.intValue else { fail(key, rule: "type", .notAWholeNumber(at(key))); return nil }
        guard i >= lower else { fail(key, rule: "range", .atLeast(at(key), lower)); return nil }
        return i
    }

    mutating func double(_ key: String) -> Double? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard let d = value.doubleValue, d.isFinite else { fail(key, rule: "type", .notANumber(at(key))); return nil }
        return d
    }

    mutating func stringArray(_ key: String) -> [String]? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .array(let elements) = value else { fail(key, rule: "type", .notAStringArray(at(key))); return nil }
        var out: [String] = []
        for element in elements {
            guard case .string(let s) = element else { fail(key, rule: "type", .notAStringArray(at(key))); return nil }
            out.append(s)
        }
        return out
    }

    mutating func label(_ key: String) -> Label? {
        guard let value = raw(key), !value.isNull else { return nil }
        guard case .object(let members) = value, !members.isEmpty else {
            fail(key, rule: "type", .notALabel(at(key)))
            return nil
        }
        var translations: [(locale: String, text: String)] = []
        for (locale, text) in members {
            guard Label.isValidLocale(locale) else {
                fail(key, rule: "locale", .about(at(key), .notALanguageTag(locale))); continue
            }
            guard case .string(let s) = text, !s.trimmingWhitespace.isEmpty, s.count <= 2000 else {
                fail(key, rule: "type", .badTranslation("\(at(key)).\(locale)"))
                continue
            }
            translations.append((locale, s))
        }
        return translations.isEmpty ? nil : Label(translations)
    }

    mutating func rejectUnknown(allowed: Set<String>, hint: (String) -> DefinitionMessage? = { _ in nil }) {
        for key in keys where !allowed.contains(key) {
            fail(key, rule: "unknown_property", hint(key) ?? .unknownProperty(at(key)))
        }
    }
}

extension String {
    var trimmingWhitespace: Substring {
        var s = self[...]
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return s
    }
}
