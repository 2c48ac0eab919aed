/// The parts every tenant's document shares: the error shape, the list parameters, the error
/// responses and the headers of versioned records.
enum OpenAPIComponents {
    /// Component names of one entity's schemas (`Lead`, `LeadCreate`, `LeadUpdate`, `LeadPage`).
    static func names(_ entity: String) -> (record: String, create: String, update: String, page: String) {
        let base = entity.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return (base, base + "Create", base + "Update", base + "Page")
    }

    static func schemas(_ v: OpenAPIVersion) -> [(String, JSONValue)] {
        let detail: JSONValue = [
            "type": "object", "required": ["rule", "message"],
            "properties": [
                "field": ["type": "string", "description": "The field or property at fault."],
                "rule": ["type": "string", "description": "What it broke (type, required, unique, a rule's name…)."],
                "message": ["type": "string"],
            ],
        ]
        let error: JSONValue = [
            "type": "object", "required": ["error"],
            "properties": [
                "error": [
                    "type": "object", "required": ["code", "message"],
                    "properties": [
                        "code": ["type": "string", "description": "Stable and machine-readable: validation_failed, not_found, forbidden…"],
                        "message": ["type": "string", "description": "In the caller's language (Accept-Language, else the tenant's)."],
                        "details": ["type": "array", "items": ["$ref": "#/components/schemas/ErrorDetail"]],
                    ],
                ]
            ],
        ]
        let anyObject: JSONValue = ["type": "object", "additionalProperties": true]
        let records: JSONValue = ["type": "object", "required": ["data"], "properties": ["data": ["type": "array", "items": anyObject]]]
        return [("Error", error), ("ErrorDetail", detail), ("Object", anyObject), ("Objects", records)]
    }

    /// Statuses a route may answer besides its success, each with the shared error shape.
    static let errorStatuses: [(String, String)] = [
        ("400", "BadRequest"), ("401", "Unauthorized"), ("403", "Forbidden"), ("404", "NotFound"), ("409", "Conflict"),
        ("413", "TooLarge"), ("415", "UnsupportedMediaType"), ("422", "Unprocessable"), ("423", "Locked"),
        ("429", "TooManyRequests"), ("503", "Unavailable"),
    ]

    static var responses: JSONValue {
        let descriptions: [String: String] = [
            "400": "Malformed JSON or query.", "401": "No valid credential.", "403": "The caller's roles do not allow it.",
            "404": "No such record or definition, or none the caller may see.",
            "409": "A conflict: a unique value taken, a stale version (If-Match or version).",
            "413": "The body is too large.", "415": "The body's content type is not accepted.",
            "422": "The values break the entity's types or rules; every problem is listed.", "423": "Someone else holds the record's lock.",
            "429": "Too many requests; see Retry-After.", "503": "The database is unreachable; see Retry-After.",
        ]
        return .object(
            errorStatuses.map { status, name in
                (
                    name,
                    [
                        "description": .string(descriptions[status] ?? status),
                        "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
                    ]
                )
            })
    }

    /// The error responses of a route, by reference.
    static func errors(_ statuses: [String]) -> [(String, JSONValue)] {
        errorStatuses.filter { statuses.contains($0.0) }.map { ($0.0, ["$ref": .string("#/components/responses/" + $0.1)]) }
    }

    static let headers: JSONValue = [
        "ETag": ["description": "The record's version, quoted: send it back in If-Match.", "schema": ["type": "string"]]
    ]

    static func parameters(_ v: OpenAPIVersion) -> JSONValue {
        [
            "limit": [
                "name": "limit", "in": "query", "description": "Records per page.",
                "schema": ["type": "integer", "minimum": 1, "maximum": .number(ListQuery.maxLimit), "default": 50],
            ],
            "cursor": [
                "name": "cursor", "in": "query", "description": "The next_cursor of the previous page.", "schema": ["type": "string"],
            ],
            "order": [
                "name": "order", "in": "query", "description": "Fields to order by, e.g. amount.desc,name (default: newest first).",
                "schema": ["type": "string"],
            ],
            "select": [
                "name": "select", "in": "query", "description": "The fields to return, e.g. id,name,amount.", "schema": ["type": "string"],
            ],
            "where": [
                "name": "where", "in": "query", "description": "An expression over record, e.g. record.amount > 1000 && record.stage != 'lost'.",
                "schema": ["type": "string"],
            ],
            "count": [
                "name": "count", "in": "query", "description": "exact: also count every record that matches.",
                "schema": ["type": "string", "enum": ["exact"]],
            ],
            "id": ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]],
            "ifMatch": [
                "name": "If-Match", "in": "header",
                "description": "The version the change is based on (the ETag of a read): 409 version_conflict if it is stale.",
                "schema": ["type": "string"],
            ],
        ]
    }

    static func ref(parameter name: String) -> JSONValue { ["$ref": .string("#/components/parameters/" + name)] }
}
