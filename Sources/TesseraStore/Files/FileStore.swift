import Crypto
public import Foundation
public import Logging
public import NIOCore
public import PostgresNIO
public import TesseraCore

/// Uploaded files: bytes under `<data-dir>/files/<tenant>/<id>`, metadata in the tenant's `_files` table.
public struct FileStore: Sendable {
    let client: DatabasePool
    let root: String
    let logger: Logger
    public let maxSize: Int

    public init(client: DatabasePool, root: String, maxSize: Int = 20 * 1024 * 1024, logger: Logger) {
        self.client = client
        self.root = root
        self.maxSize = maxSize
        self.logger = logger
    }

    /// Metadata of a stored file.
    public struct StoredFile: Sendable {
        public let id: String
        public let name: String
        public let contentType: String
        public let size: Int64
        public let sha256: String
        public let createdAt: Date

        public var json: JSONValue {
            .object([
                ("id", .string(id)), ("name", .string(name)), ("content_type", .string(contentType)),
                ("size", .number(size)), ("sha256", .string(sha256)), ("created_at", .string(Timestamp.rfc3339(createdAt))),
            ])
        }
    }

    func folder(_ tenant: Tenant) -> String { root + "/" + tenant.id.uuidString.lowercased() }

    /// Streams the body to disk, refusing it past `maxSize`; nothing is kept from a failed upload.
    public func save<Body: AsyncSequence>(_ caller: Caller, name: String, contentType: String, body: Body) async throws -> StoredFile
    where Body.Element == ByteBuffer {
        let id = UUIDText.v7().uuidString.lowercased()
        let dir = folder(caller.tenant)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + id
        let partial = path + ".part"
        guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: partial)
        else { throw TesseraError(status: 500, code: "internal_error", AccountMessage.cannotStoreFile) }
        var hasher = SHA256()
        var size = 0
        do {
            for try await buffer in body {
                size += buffer.readableBytes
                guard size <= maxSize else { throw TesseraError.payloadTooLarge(limit: maxSize) }
                let bytes = Data(buffer.readableBytesView)
                hasher.update(data: bytes)
                try handle.write(contentsOf: bytes)
            }
            try handle.close()
            guard size > 0 else { throw TesseraError.badRequest(AccountMessage.emptyFile, code: "empty_file") }
            let digest = StableHash.hex(hasher.finalize())
            let cleanName = Self.cleanName(name)
            let type = Self.cleanContentType(contentType)
            var b = SQLBuilder(
                """
                INSERT INTO \(SQLIdentifier.qualified(caller.tenant.schema, TenantTableName.files)) (id, name, content_type, size, sha256, \
                created_by) VALUES (
                """
            )
            b.bind(.text(id), cast: "uuid"); b.append(", ")
            b.bind(.text(cleanName)); b.append(", ")
            b.bind(.text(type)); b.append(", ")
            b.bind(.integer(Int64(size))); b.append(", ")
            b.bind(.text(digest)); b.append(", ")
            b.bind(.text(caller.userID.uuidString.lowercased()), cast: "uuid")
            b.append(") RETURNING created_at")
            var createdAt = Date()
            for try await at in try await client.query(b.query, logger: logger).decode(Date.self) { createdAt = at }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            return StoredFile(id: id, name: cleanName, contentType: type, size: Int64(size), sha256: digest, createdAt: createdAt)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// The file's metadata and path on disk, or 404.
    public func find(_ caller: Caller, id: String) async throws -> (StoredFile, path: String) {
        guard let id = UUIDText.normalized(id) else { throw TesseraError.notFound(AccountMessage.noFile(id)) }
        var b = SQLBuilder(
            """
            SELECT name, content_type, size, sha256, created_at FROM \(SQLIdentifier.qualified(caller.tenant.schema, TenantTableName.files)) \
            WHERE id = 
            """
        )
        b.bind(.text(id), cast: "uuid")
        for try await (name, type, size, sha, at) in try await client.query(b.query, logger: logger).decode(
            (String, String, Int64, String, Date).self)
        {
            return (StoredFile(id: id, name: name, contentType: type, size: size, sha256: sha, createdAt: at), folder(caller.tenant) + "/" + id)
        }
        throw TesseraError.notFound(AccountMessage.noFile(id))
    }

    static func cleanName(_ name: String) -> String {
        let kept = name.unicodeScalars.filter { $0.value >= 0x20 && $0 != "/" && $0 != "\\" && $0.value != 0x7F }
        let text = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? "file" : String(text.prefix(255))
    }

    static func cleanContentType(_ type: String) -> String {
        let main = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let parts = main.split(separator: "/")
        let ok: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(ok) }) else { return "application/octet-stream" }
        return main
    }
}
