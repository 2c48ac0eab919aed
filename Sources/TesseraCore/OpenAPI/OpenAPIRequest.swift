/// What `GET /api/v1/openapi.json` was asked for, and the ETag of the answer: the tenant's
/// metadata version, the OpenAPI version and the caller's role set (the document differs by role).
public struct OpenAPIRequest: Sendable, Equatable {
    public let version: OpenAPIVersion

    public init(_ pairs: [(String, String)]) throws(TesseraError) {
        var version = OpenAPIVersion.v3_0
        var problems: [TesseraError.Detail] = []
        for (name, value) in pairs {
            if name == "version" {
                if let parsed = OpenAPIVersion(query: value) {
                    version = parsed
                } else {
                    problems.append(.openAPI(field: "version", rule: "version", .version(value)))
                }
            } else {
                problems.append(.openAPI(field: name, rule: "unknown_parameter", .notForOpenAPI(name)))
            }
        }
        guard problems.isEmpty else { throw ListQueryParser.invalid(problems) }
        self.version = version
    }

    /// `"m<metadata version>-<OpenAPI version>-<role set hash>"`, quoted.
    public func etag(metadataVersion: Int64, roles: [String]) -> String {
        // FNV-1a over the sorted role names: stable across processes, unlike Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in roles.sorted().joined(separator: ",").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\"m\(metadataVersion)-\(version.rawValue)-\(String(hash, radix: 16))\""
    }
}
