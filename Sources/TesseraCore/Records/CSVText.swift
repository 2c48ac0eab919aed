import Foundation

/// Records as CSV (RFC 4180) for spreadsheet users: one header row of field names, values as
/// text, and cells that a spreadsheet would run as a formula made inert.
public enum CSVText {
    /// A byte-order mark first, so Excel reads UTF-8 (Chinese names) correctly.
    public static let bom = "\u{FEFF}"

    public static func row(_ cells: [String]) -> String {
        cells.map(escape).joined(separator: ",") + "\r\n"
    }

    /// The cells of one record's JSON object, in `columns` order.
    public static func cells(_ record: JSONValue, columns: [String]) -> [String] {
        columns.map { text(record[$0] ?? .null) }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return inert(s)
        case .array(let items) where items.allSatisfy({ if case .string = $0 { true } else { false } }):
            return inert(items.compactMap(\.stringValue).joined(separator: ";"))
        case .array, .object: return JSONWriter.string(value)
        }
    }

    /// Text starting with = + - @ (or a tab or CR) is a formula to Excel and WPS: a leading
    /// apostrophe keeps it text (OWASP "CSV injection").
    static func inert(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return s }
        return "'" + s
    }

    static func escape(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
