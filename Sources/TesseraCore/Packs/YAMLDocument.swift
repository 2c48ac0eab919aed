import Yams

/// Reads YAML into `JSONValue`, keeping key order; plain scalars resolve to null/bool/number, others stay strings.
public enum YAMLDocument {
    public static func parse(_ text: String, file: String) throws(TesseraError) -> JSONValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .invalidMetadata([.init(field: file, rule: "yaml", message: "\(file): not valid YAML: \(error)")])
        }
        guard let node else { return .null }
        return convert(node)
    }

    static func convert(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .number($0) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue:
                if let d = node.float, d.isFinite { return .number(scalar.string.contains(where: { $0.isLetter }) ? String(d) : scalar.string) }
                return .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            return .object(mapping.map { pair in (pair.key.string ?? "\(pair.key.any)", convert(pair.value)) })
        case .sequence(let sequence):
            return .array(sequence.map(convert))
        case .alias:
            return .null
        }
    }
}
