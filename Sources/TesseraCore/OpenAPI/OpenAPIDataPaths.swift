/// One entity's data routes as the caller may use them: each action their roles reach, with
/// the entity's own schemas and one filter parameter per field they see.
struct OpenAPIDataPaths {
    let entity: EntityDefinition
    let access: AccessPolicy.EntityAccess
    let names: (record: String, create: String, update: String, page: String)
    let version: OpenAPIVersion
    let policy: AccessPolicy

    private func can(_ action: RecordAction) -> Bool { !access.reach(action).isNothing }

    private func schema(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/" + name)] }

    private func json(_ schema: JSONValue) -> JSONValue { ["application/json": ["schema": schema]] }

    private func operation(
        _ id: String, _ summary: String, parameters: [JSONValue] = [], body: JSONValue? = nil, responses: [(String, JSONValue)],
        errors: [String]
    ) -> JSONValue {
        var m: [(String, JSONValue)] = [
            ("operationId", .string("\(id)_\(entity.name)")), ("summary", .string(summary)), ("tags", [.string(entity.name)]),
        ]
        if !parameters.isEmpty { m.append(("parameters", .array(parameters))) }
        if let body { m.append(("requestBody", ["required": true, "content": json(body)])) }
        m.append(("responses", .object(responses + OpenAPIComponents.errors(["401"] + errors + ["429", "503"]))))
        return .object(m)
    }

    private func record(_ description: String) -> JSONValue {
        ["description": .string(description), "headers": ["ETag": ["$ref": "#/components/headers/ETag"]], "content": json(schema(names.record))]
    }

    /// `?field=op.value` for every field the caller sees and the queryable system columns.
    private var filters: [JSONValue] {
        let operators = "eq, neq, gt, gte, lt, lte, in.(a,b), is.null, is.not_null, like, ilike, cs.{a,b}, ov.{a,b}; not. negates"
        let columns = SystemColumn.queryable.map(\.rawValue) + entity.fields.map(\.name)
        return columns.map { name in
            [
                "name": .string(name), "in": "query", "required": false, "schema": ["type": "string"],
                "description": .string("Filter on \(name): op.value (\(operators))."),
            ]
        }
    }

    var paths: [(String, JSONValue)] {
        let base = "/api/v1/data/\(entity.name)"
        let label = entity.label.preferred
        let id = OpenAPIComponents.ref(parameter: "id")
        let ifMatch = OpenAPIComponents.ref(parameter: "ifMatch")
        var out: [(String, JSONValue)] = []

        var collection: [(String, JSONValue)] = []
        if can(.read) {
            let parameters = ["limit", "cursor", "order", "select", "where", "count"].map { OpenAPIComponents.ref(parameter: $0) } + filters
            collection.append(
                (
                    "get",
                    operation(
                        "list", "List \(label) records the caller may see", parameters: parameters,
                        responses: [("200", ["description": "A page of records.", "content": json(schema(names.page))])], errors: ["400", "403"])
                ))
        }
        if can(.create) {
            var body = schema(names.create)
            var created: [(String, JSONValue)] = [("201", record("The record created."))]
            if policy.has(.import) {
                body = [
                    "oneOf": [body, ["type": "array", "items": body, "minItems": 1, "maxItems": .number(RecordPlan.maxBulk)]]
                ]
                created = [
                    (
                        "201",
                        [
                            "description": "The record created (or, for an array, all of them as {data: [...]}).",
                            "content": json([
                                "oneOf": [
                                    schema(names.record),
                                    [
                                        "type": "object", "required": ["data"],
                                        "properties": ["data": ["type": "array", "items": schema(names.record)]],
                                    ],
                                ]
                            ]),
                        ]
                    )
                ]
            }
            collection.append(
                (
                    "post",
                    operation("create", "Create a \(label) record", body: body, responses: created, errors: ["400", "403", "409", "413", "422"])
                ))
        }
        if !collection.isEmpty { out.append((base, .object(collection))) }
        let object: JSONValue = ["$ref": "#/components/schemas/Object"]
        if can(.create) {
            out.append(
                (
                    "\(base)/form",
                    [
                        "get": operation(
                            "new_form", "The form for a new \(label) record, resolved for the caller",
                            responses: [("200", ["description": "Sections, fields and their state.", "content": json(object)])], errors: ["403"])
                    ]
                ))
        }
        if can(.read) {
            let parameters: [JSONValue] =
                [
                    [
                        "name": "group", "in": "query", "description": "Fields to group by, e.g. stage or created_at:month.",
                        "schema": ["type": "string"],
                    ],
                    ["name": "metrics", "in": "query", "description": "e.g. count,sum(amount),avg(probability).", "schema": ["type": "string"]],
                    OpenAPIComponents.ref(parameter: "where"),
                ] + filters
            out.append(
                (
                    "\(base)/aggregate",
                    [
                        "get": operation(
                            "aggregate", "Counts and figures of \(label) records the caller may see, grouped", parameters: parameters,
                            responses: [("200", ["description": "One row per group.", "content": json(object)])], errors: ["400", "403", "422"])
                    ]
                ))
        }

        guard can(.read) else { return out }
        var item: [(String, JSONValue)] = [
            (
                "get",
                operation(
                    "get", "Read one \(label) record", parameters: [OpenAPIComponents.ref(parameter: "select")],
                    responses: [("200", record("The record."))], errors: ["400", "403", "404"])
            )
        ]
        if can(.update) {
            item.append(
                (
                    "patch",
                    operation(
                        "update", "Change a \(label) record", parameters: [ifMatch], body: schema(names.update),
                        responses: [("200", record("The record as changed."))], errors: ["400", "403", "404", "409", "413", "422", "423"])
                ))
        }
        if can(.delete) {
            item.append(
                (
                    "delete",
                    operation(
                        "delete", "Move a \(label) record to the recycle bin", parameters: [ifMatch],
                        responses: [("204", ["description": "Deleted (restorable)."])], errors: ["400", "403", "404", "409", "423"])
                ))
        }
        out.append(("\(base)/{id}", .object([("parameters", [id])] + item)))
        out.append(
            (
                "\(base)/{id}/form",
                [
                    "parameters": [id],
                    "get": operation(
                        "form", "The \(label) record's form, resolved for the caller and the record",
                        responses: [("200", ["description": "Sections, fields and their state; the stage moves.", "content": json(object)])],
                        errors: ["403", "404"]),
                ]
            ))
        let history: JSONValue = [
            "type": "object", "required": ["data"],
            "properties": [
                "data": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["action", "at", "changes"],
                        "properties": [
                            "action": ["type": "string", "enum": ["create", "update", "delete", "restore"]],
                            "at": ["type": "string", "format": "date-time"], "by": version.schema("string", nullable: true),
                            "via": version.schema("string", nullable: true),
                            "changes": [
                                "type": "array",
                                "items": [
                                    "type": "object", "required": ["field"], "properties": ["field": ["type": "string"], "old": [:], "new": [:]],
                                ],
                            ],
                        ],
                    ],
                ]
            ],
        ]
        out.append(
            (
                "\(base)/{id}/history",
                [
                    "parameters": [id],
                    "get": operation(
                        "history", "The \(label) record's field-level history, newest first",
                        responses: [("200", ["description": "Every change.", "content": json(history)])], errors: ["403", "404"]),
                ]
            ))
        let related: JSONValue = [
            "type": "object", "required": ["record", "data"],
            "properties": [
                "record": ["type": "string", "format": "uuid"],
                "data": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["entity", "via", "count", "more", "data"],
                        "properties": [
                            "entity": ["type": "string"], "label": ["type": "object", "additionalProperties": ["type": "string"]],
                            "via": ["type": "string"], "count": ["type": "integer"], "more": ["type": "boolean"],
                            "data": ["type": "array", "items": ["type": "object", "additionalProperties": true]],
                        ],
                    ],
                ],
            ],
        ]
        out.append(
            (
                "\(base)/{id}/related",
                [
                    "parameters": [id],
                    "get": operation(
                        "related", "The records that point at this \(label) record (its 360°)",
                        parameters: [
                            ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": .number(RelatedList.maxLimit)]],
                            ["name": "entity", "in": "query", "description": "Only these entities, comma-separated.", "schema": ["type": "string"]],
                        ],
                        responses: [("200", ["description": "Each list, counted, newest rows first.", "content": json(related)])],
                        errors: ["400", "404"]),
                ]
            ))
        if can(.delete) {
            out.append(
                (
                    "\(base)/{id}/restore",
                    [
                        "parameters": [id],
                        "post": operation(
                            "restore", "Bring a \(label) record back from the recycle bin",
                            responses: [("200", record("The record restored."))], errors: ["403", "404", "409", "422"]),
                    ]
                ))
        }
        return out
    }
}
