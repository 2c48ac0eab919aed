/// Every failure a caller can cause or see, with the HTTP status and wire code it maps to.
public struct TesseraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem with one field or property; many of these may come back together.
    public struct Detail: Sendable, Equatable {
        public var field: String?
        public var rule: String
        public var message: String
        public var extra: [String: JSONValue]

        public init(field: String?, rule: String, message: String, extra: [String: JSONValue] = [:]) {
            self.field = field
            self.rule = rule
            self.message = message
            self.extra = extra
        }

        /// The same problem reported one level down: `field` goes before the field path (or,
        /// with `whenNoField`, stands for a missing one), `message` before the message.
        public func prefixed(field prefix: String, message messagePrefix: String, whenNoField: String? = nil) -> Detail {
            var d = self
            d.field = self.field.map { prefix + $0 } ?? whenNoField
            d.message = messagePrefix + self.message
            return d
        }

        public static func == (lhs: Detail, rhs: Detail) -> Bool {
            lhs.field == rhs.field && lhs.rule == rhs.rule && lhs.message == rhs.message
        }
    }

    public var status: Int
    public var code: String
    public var message: String
    public var details: [Detail]
    /// Seconds a client should wait before retrying (429), sent as `Retry-After`.
    public var retryAfter: Int?

    public init(status: Int, code: String, message: String, details: [Detail] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func badRequest(_ message: String, code: String = "bad_request", details: [Detail] = []) -> TesseraError {
        .init(status: 400, code: code, message: message, details: details)
    }
    public static func malformedJSON(_ error: JSONSyntaxError) -> TesseraError {
        .init(status: 400, code: "malformed_json", message: "The request body is not valid JSON: \(error.message) at byte \(error.offset).")
    }
    public static func unauthorized(_ message: String = "A valid API key is required: send 'Authorization: Bearer <key>'.") -> TesseraError {
        .init(status: 401, code: "unauthorized", message: message)
    }
    public static func forbidden(_ message: String) -> TesseraError { .init(status: 403, code: "forbidden", message: message) }
    public static func notFound(_ message: String) -> TesseraError { .init(status: 404, code: "not_found", message: message) }
    public static func conflict(_ message: String, code: String = "conflict", details: [Detail] = []) -> TesseraError {
        .init(status: 409, code: code, message: message, details: details)
    }
    public static func preconditionFailed(_ message: String) -> TesseraError {
        .init(status: 412, code: "precondition_failed", message: message)
    }
    public static func payloadTooLarge(limit: Int) -> TesseraError {
        .init(status: 413, code: "payload_too_large", message: "The request body is larger than the limit of \(limit) bytes.")
    }
    public static func unsupportedMediaType(_ message: String) -> TesseraError {
        .init(status: 415, code: "unsupported_media_type", message: message)
    }
    public static func validation(_ details: [Detail], message: String? = nil) -> TesseraError {
        let text =
            message ?? (details.count == 1 ? details[0].message : "\(details.count) problems: \(details.map(\.message).joined(separator: "; "))")
        return .init(status: 422, code: "validation_failed", message: text, details: details)
    }
    public static func invalidMetadata(_ details: [Detail]) -> TesseraError {
        let text =
            details.count == 1 ? details[0].message : "\(details.count) problems in the definition: \(details.map(\.message).joined(separator: "; "))"
        return .init(status: 422, code: "invalid_metadata", message: text, details: details)
    }
    public static func `internal`(_ message: String = "An internal error occurred.") -> TesseraError {
        .init(status: 500, code: "internal_error", message: message)
    }
    public static func unavailable(_ message: String) -> TesseraError { .init(status: 503, code: "unavailable", message: message) }

    /// The wire shape: `{"error":{"code","message","details":[…]}}`.
    public var json: JSONValue {
        var error: [(String, JSONValue)] = [("code", .string(code)), ("message", .string(message))]
        if !details.isEmpty {
            error.append(
                (
                    "details",
                    .array(
                        details.map { detail in
                            var members: [(String, JSONValue)] = []
                            if let field = detail.field { members.append(("field", .string(field))) }
                            members.append(("rule", .string(detail.rule)))
                            members.append(("message", .string(detail.message)))
                            for key in detail.extra.keys.sorted() { members.append((key, detail.extra[key]!)) }
                            return .object(members)
                        })
                ))
        }
        return .object([("error", .object(error))])
    }
}
