/// Every failure a caller can cause or see, with the HTTP status and wire code it maps to.
public struct TesseraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem with one field or property; many of these may come back together.
    public struct Detail: Sendable, Equatable {
        public var field: String?
        public var rule: String
        public var message: String
        public var extra: [String: JSONValue]
        /// The message in other languages; `message` is the English one (or the only one).
        public var texts: [MessageLocale: String] = [:]

        public init(field: String?, rule: String, message: String, extra: [String: JSONValue] = [:]) {
            self.field = field
            self.rule = rule
            self.message = message
            self.extra = extra
        }

        /// A problem worded by a catalogue, in every language it speaks.
        public init(field: String?, rule: String, localized message: some CatalogueMessage, extra: [String: JSONValue] = [:]) {
            self.init(field: field, rule: rule, message: message.text(.en), extra: extra)
            texts = message.texts
        }

        public init(field: String?, rule: String, _ message: Message, extra: [String: JSONValue] = [:]) {
            self.init(field: field, rule: rule, localized: message, extra: extra)
        }

        public init(field: String?, rule: String, _ message: AccountMessage, extra: [String: JSONValue] = [:]) {
            self.init(field: field, rule: rule, localized: message, extra: extra)
        }

        /// The message in `locale`, else the English one.
        public func text(_ locale: MessageLocale) -> String { texts[locale] ?? message }

        /// The wire shape of the detail (its message as it stands).
        public var json: JSONValue {
            var members: [(String, JSONValue)] = []
            if let field { members.append(("field", .string(field))) }
            members.append(("rule", .string(rule)))
            members.append(("message", .string(message)))
            for key in extra.keys.sorted() { members.append((key, extra[key]!)) }
            return .object(members)
        }

        /// The wire shape with the message in `locale`.
        public func json(_ locale: MessageLocale) -> JSONValue {
            var d = self
            d.message = text(locale)
            return d.json
        }

        /// The same problem reported one level down: `field` goes before the field path (or,
        /// with `whenNoField`, stands for a missing one), `message` before the message.
        public func prefixed(field prefix: String, message messagePrefix: String, whenNoField: String? = nil) -> Detail {
            var d = self
            d.field = self.field.map { prefix + $0 } ?? whenNoField
            d.message = messagePrefix + self.message
            d.texts = texts.mapValues { messagePrefix + $0 }
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
    /// The message in other languages; `message` is the English one.
    public var texts: [MessageLocale: String] = [:]

    public init(status: Int, code: String, message: String, details: [Detail] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public init(status: Int, code: String, localized message: some CatalogueMessage, details: [Detail] = []) {
        self.init(status: status, code: code, message: message.text(.en), details: details)
        texts = message.texts
    }

    public init(status: Int, code: String, _ message: Message, details: [Detail] = []) {
        self.init(status: status, code: code, localized: message, details: details)
    }

    public init(status: Int, code: String, _ message: AccountMessage, details: [Detail] = []) {
        self.init(status: status, code: code, localized: message, details: details)
    }

    /// The error as a caller reading `locale` sees it: every message of the catalogue (and every
    /// rule message) in that language; messages the catalogue lacks stay as written.
    public func localized(_ locale: MessageLocale) -> TesseraError {
        var copy = self
        copy.message = texts[locale] ?? message
        copy.details = details.map { detail in
            var d = detail
            d.message = detail.text(locale)
            return d
        }
        return copy
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func badRequest(_ message: String, code: String = "bad_request", details: [Detail] = []) -> TesseraError {
        .init(status: 400, code: code, message: message, details: details)
    }
    public static func malformedJSON(_ error: JSONSyntaxError) -> TesseraError {
        .init(status: 400, code: "malformed_json", .malformedJSON(error.message, offset: error.offset))
    }
    public static func unauthorized(_ message: Message = .keyRequired) -> TesseraError { .init(status: 401, code: "unauthorized", message) }
    public static func forbidden(_ message: String) -> TesseraError { .init(status: 403, code: "forbidden", message: message) }
    public static func forbidden(_ message: Message, details: [Detail] = []) -> TesseraError {
        .init(status: 403, code: "forbidden", message, details: details)
    }
    public static func notFound(_ message: String) -> TesseraError { .init(status: 404, code: "not_found", message: message) }
    public static func notFound(_ message: Message) -> TesseraError { .init(status: 404, code: "not_found", message) }
    public static func notFound(_ message: AccountMessage) -> TesseraError { .init(status: 404, code: "not_found", message) }
    public static func forbidden(_ message: AccountMessage) -> TesseraError { .init(status: 403, code: "forbidden", message) }
    public static func badRequest(_ message: AccountMessage, code: String = "bad_request") -> TesseraError {
        .init(status: 400, code: code, message)
    }
    public static func conflict(_ message: AccountMessage, code: String = "conflict", details: [Detail] = []) -> TesseraError {
        .init(status: 409, code: code, message, details: details)
    }
    public static func badRequest(_ message: Message, code: String = "bad_request", details: [Detail] = []) -> TesseraError {
        .init(status: 400, code: code, message, details: details)
    }
    public static func conflict(_ message: Message, code: String = "conflict", details: [Detail] = []) -> TesseraError {
        .init(status: 409, code: code, message, details: details)
    }
    public static func conflict(_ message: String, code: String = "conflict", details: [Detail] = []) -> TesseraError {
        .init(status: 409, code: code, message: message, details: details)
    }
    public static func preconditionFailed(_ message: String) -> TesseraError {
        .init(status: 412, code: "precondition_failed", message: message)
    }
    public static func payloadTooLarge(limit: Int) -> TesseraError {
        .init(status: 413, code: "payload_too_large", .payloadTooLarge(limit: limit))
    }
    public static func unsupportedMediaType(_ message: String) -> TesseraError {
        .init(status: 415, code: "unsupported_media_type", message: message)
    }
    public static func validation(_ details: [Detail], message: String? = nil) -> TesseraError {
        if let message { return .init(status: 422, code: "validation_failed", message: message, details: details) }
        return summarized(details, code: "validation_failed") { .problems($0, $1) }
    }
    public static func invalidMetadata(_ details: [Detail]) -> TesseraError {
        summarized(details, code: "invalid_metadata") { .definitionProblems($0, $1) }
    }

    /// A 422 whose message is its one detail's, or a count and the list, in each language some
    /// detail speaks.
    private static func summarized(_ details: [Detail], code: String, _ many: (Int, [String]) -> Message) -> TesseraError {
        var error = TesseraError(status: 422, code: code, message: "", details: details)
        for locale in MessageLocale.allCases where locale == .en || details.contains(where: { $0.texts[locale] != nil }) {
            let texts = details.map { $0.text(locale) }
            let text = texts.count == 1 ? texts[0] : many(texts.count, texts).text(locale)
            if locale == .en { error.message = text } else { error.texts[locale] = text }
        }
        return error
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
                        details.map(\.json))
                ))
        }
        return .object([("error", .object(error))])
    }
}
