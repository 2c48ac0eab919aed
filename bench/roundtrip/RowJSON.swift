import Foundation
import PostgresNIO
import TesseraCore

/// Writes binary result rows as JSON objects, column by column, the way a server-side encoder of a
/// page would (instead of PostgreSQL's `row_to_json`): the page-binary mode's half of the cost.
struct RowJSON {
    struct Malformed: Error {}

    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(_ row: PostgresRow) throws {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for cell in row {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(cell.columnName)
            bytes.append(UInt8(ascii: ":"))
            try value(cell)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func value(_ cell: PostgresCell) throws {
        guard var buffer = cell.bytes else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        switch cell.dataType {
        case .uuid:
            // 16 bytes, written as 8-4-4-4-12 lower-case hex straight from the buffer.
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(UInt8(ascii: "\""))
            for (i, byte) in buffer.readableBytesView.enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            }
            bytes.append(UInt8(ascii: "\""))
        case .text, .varchar:
            escaped(buffer.readableBytesView)
        case .timestamptz:
            // Microseconds since 2000-01-01 UTC, written as ISO 8601 with a zone, like row_to_json.
            guard let micros = buffer.readInteger(as: Int64.self) else { throw Malformed() }
            timestamp(micros)
        case .int4:
            guard let value = buffer.readInteger(as: Int32.self) else { throw Malformed() }
            bytes.append(contentsOf: String(value).utf8)
        case .int8:
            bytes.append(contentsOf: String(try cell.decode(Int64.self)).utf8)
        case .bool:
            bytes.append(contentsOf: (buffer.readInteger(as: UInt8.self) == 1 ? "true" : "false").utf8)
        case .numeric:
            bytes.append(contentsOf: try cell.decode(String.self).utf8)
        case .textArray, .varcharArray:
            let items = try cell.decode([String].self)
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                string(item)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            string(try cell.decode(String.self))
        }
    }

    private mutating func string(_ text: String) { escaped(text.utf8) }

    private mutating func escaped<Bytes: Sequence<UInt8>>(_ text: Bytes) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20: bytes.append(contentsOf: String(format: "\\u%04x", byte).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func timestamp(_ micros: Int64) {
        let secondsPerDay: Int64 = 86_400
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / secondsPerDay
        var daySeconds = seconds % secondsPerDay
        if daySeconds < 0 {
            daySeconds += secondsPerDay
            days -= 1
        }
        let (year, month, day) = TimeText.civil(days + 10_957)  // day 0 here is 2000-01-01
        bytes.append(UInt8(ascii: "\""))
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(daySeconds / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(daySeconds / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(daySeconds % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(fraction, 6)
        bytes.append(contentsOf: "+00:00\"".utf8)
    }

    private mutating func digits(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
