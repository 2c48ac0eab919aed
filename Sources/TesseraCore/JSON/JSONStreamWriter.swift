/// Writes JSON text member by member, straight to UTF-8 bytes: for a large answer made on every
/// request (a resolved form), where a `JSONValue` tree would be built only to be written, and
/// where parts that change only with the metadata are encoded once and copied in whole.
public struct JSONStreamWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next member or element follows another in its container.
    private var follows = false

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// Members encoded once (`"a":1,"b":2`), to be copied into an object by `members(_:)`.
    public static func encodedMembers(_ members: [(String, JSONValue)]) -> [UInt8] {
        var writer = JSONStreamWriter(capacity: 256)
        for (name, value) in members { writer.member(name, value) }
        return writer.bytes
    }

    private mutating func separate() {
        if follows { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func openObject() { open(UInt8(ascii: "{")) }
    public mutating func closeObject() { close(UInt8(ascii: "}")) }
    public mutating func openArray() { open(UInt8(ascii: "[")) }
    public mutating func closeArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        follows = false
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        follows = true
    }

    /// A member's name; its value is what is written next (a value, an object or an array).
    public mutating func key(_ name: String) {
        separate()
        JSONWriter.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        follows = false
    }

    public mutating func value(_ value: JSONValue) {
        separate()
        JSONWriter.write(value, into: &bytes)
        follows = true
    }

    /// A value that is already JSON text (a record as the store wrote it), copied as it is.
    public mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
        follows = true
    }

    public mutating func member(_ name: String, _ value: JSONValue) {
        key(name)
        self.value(value)
    }

    /// Members encoded by `encodedMembers(_:)`, inside the object being written.
    public mutating func members(_ encoded: [UInt8]) {
        guard !encoded.isEmpty else { return }
        separate()
        bytes.append(contentsOf: encoded)
        follows = true
    }
}
