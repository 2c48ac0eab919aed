import Yams

/// Reads YAML into `JSONValue`, keeping key order; plain scalars resolve to null/bool/number, others stay strings.
/// Duplicate keys are refused, and so are plain yes/no/on/off values: YAML 1.1 reads them as booleans, other
/// readers as text. (Keys are always text, so a trigger's `on:` is the key "on".)
public enum YAMLDocument {
    /// Problems name the line, not the file: the caller prefixes the file.
    public static func parse(_ text: String) throws(TesseraError) -> JSONValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .invalidMetadata([.init(field: nil, rule: "yaml", message: "not valid YAML: \(describe(error))")])
        }
        guard let node else { return .null }
        var problems: [TesseraError.Detail] = []
        let value = convert(node, problems: &problems)
        guard problems.isEmpty else { throw .invalidMetadata(problems) }
        return value
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? YamlError else { return "\(error)" }
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "duplicate key \(keys) in the mapping at line \(context.mark.line)"
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)" + (context.map { " (\($0.text))" } ?? "")
        default:
            return "\(error)"
        }
    }

    static func convert(_ node: Node, problems: inout [TesseraError.Detail]) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue:
                if scalar.style == .plain, !["true", "false"].contains(scalar.string.lowercased()) {
                    let line = scalar.mark.map { "line \($0.line): " } ?? ""
                    problems.append(
                        .init(
                            field: nil, rule: "yaml",
                            message: "\(line)'\(scalar.string)' reads as a boolean in YAML 1.1 but as text elsewhere; write true/false, or quote it"))
                }
                return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .number($0) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue:
                if let d = node.float, d.isFinite { return .number(scalar.string.contains(where: { $0.isLetter }) ? String(d) : scalar.string) }
                return .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            return .object(mapping.map { pair in (pair.key.string ?? "\(pair.key.any)", convert(pair.value, problems: &problems)) })
        case .sequence(let sequence):
            return .array(sequence.map { convert($0, problems: &problems) })
        case .alias:
            return .null
        }
    }
}
