import Hummingbird
import NIOCore
import TesseraCore

extension Request {
    /// Reads the body up to `limit` bytes and parses it as JSON (400 if malformed or empty, 413 if too large).
    func jsonBody(limit: Int) async throws -> JSONValue {
        guard let json = try await optionalJSONBody(limit: limit) else {
            throw TesseraError.badRequest(AccountMessage.needsBody, code: "malformed_json")
        }
        return json
    }

    /// The same for a body that may be left out: nil when there is none.
    func optionalJSONBody(limit: Int) async throws -> JSONValue? {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit { throw TesseraError.payloadTooLarge(limit: limit) }
        var bytes: [UInt8] = []
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= limit else { throw TesseraError.payloadTooLarge(limit: limit) }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        guard !bytes.isEmpty else { return nil }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw TesseraError.malformedJSON(error)
        }
    }

    /// Decoded query pairs in order.
    var queryPairs: [(String, String)] {
        get throws { try QueryString.parse(uri.query ?? "") }
    }

    /// The version a client asserts with `If-Match: "3"` (or `W/"3"`), if any.
    func ifMatchVersion() throws -> Int64? {
        guard let raw = headers[.ifMatch] else { return nil }
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        text = text.trimmingPrefix("\"")
        if text.hasSuffix("\"") { text = text.dropLast() }
        guard let version = Int64(text), version >= 1 else {
            throw TesseraError.badRequest(AccountMessage.ifMatch, code: "invalid_if_match")
        }
        return version
    }
}

extension Parameters {
    /// A path parameter that the route guarantees.
    func required(_ name: String) throws -> String {
        guard let value = get(name) else { throw TesseraError.notFound(AccountMessage.missingPathParameter(name)) }
        return value
    }
}
