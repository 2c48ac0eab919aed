/// The routes every tenant has, whatever its metadata: sign-in, this document, the metadata API,
/// views, files and the automation log. Their bodies are the wire format of the metadata (see
/// `schemas/` in the repository); here they are objects.
struct OpenAPITenantPaths {
    let metadata: TenantMetadata
    let roles: [String]
    let policy: AccessPolicy
    let version: OpenAPIVersion

    /// A path parameter naming one of `names` (any text when there are none).
    private func named(_ parameter: String, _ names: [String], _ description: String) -> JSONValue {
        var schema: [(String, JSONValue)] = [("type", "string")]
        if !names.isEmpty { schema.append(("enum", .array(names.sorted().map { .string($0) }))) }
        return ["name": .string(parameter), "in": "path", "required": true, "description": .string(description), "schema": .object(schema)]
    }

    /// Shared views on entities the caller may read, offered to their roles.
    private var views: [String] {
        let manages = policy.has(.manageMetadata)
        return metadata.views.filter {
            $0.isShared && $0.isOffered(to: "", roles: roles, managesMetadata: manages) && !policy.entity($0.entity).reach(.read).isNothing
        }.map(\.name)
    }

    private var dashboards: [String] {
        let manages = policy.has(.manageMetadata)
        return metadata.dashboards.filter { $0.isShared && $0.offered(to: "", roles: roles, managesMetadata: manages) }.map(\.name)
    }

    private func op(
        _ id: String, _ summary: String, tag: String, parameters: [JSONValue] = [], body: JSONValue? = nil, ok: (String, JSONValue),
        errors: [String], security: JSONValue? = nil
    ) -> JSONValue {
        var m: [(String, JSONValue)] = [("operationId", .string(id)), ("summary", .string(summary)), ("tags", [.string(tag)])]
        if let security { m.append(("security", security)) }
        if !parameters.isEmpty { m.append(("parameters", .array(parameters))) }
        if let body { m.append(("requestBody", body)) }
        let auth = security == nil ? ["401"] : []
        m.append(("responses", .object([ok] + OpenAPIComponents.errors(auth + errors + ["429", "503"]))))
        return .object(m)
    }

    private static let object: JSONValue = ["$ref": "#/components/schemas/Object"]
    private static let objects: JSONValue = ["$ref": "#/components/schemas/Objects"]

    private func jsonBody(_ schema: JSONValue = Self.object) -> JSONValue {
        ["required": true, "content": ["application/json": ["schema": schema]]]
    }

    private func answer(_ description: String, _ schema: JSONValue = Self.object) -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    var paths: [(String, JSONValue)] {
        let entityNames = metadata.entities.map { JSONValue.string($0.name) }.sorted { ($0.stringValue ?? "") < ($1.stringValue ?? "") }
        let entity: JSONValue = [
            "name": "entity", "in": "path", "required": true,
            "schema": ["type": "string", "enum": .array(entityNames.isEmpty ? ["none"] : entityNames)],
        ]
        let login: JSONValue = [
            "type": "object", "required": ["tenant", "email", "password"], "additionalProperties": false,
            "properties": ["tenant": ["type": "string"], "email": ["type": "string"], "password": ["type": "string"]],
        ]
        let session: JSONValue = [
            "type": "object", "required": ["token", "token_type", "expires_at", "user"],
            "properties": [
                "token": ["type": "string"], "token_type": ["type": "string", "enum": ["Bearer"]],
                "expires_at": ["type": "string", "format": "date-time"], "user": Self.object,
            ],
        ]
        let file: JSONValue = [
            "type": "object", "required": ["id"],
            "properties": ["id": ["type": "string", "format": "uuid"], "name": ["type": "string"], "size": ["type": "integer"]],
        ]
        return [
            (
                "/api/v1/openapi.json",
                [
                    "get": op(
                        "openapi", "This document, for the caller's roles", tag: "api",
                        parameters: [["name": "version", "in": "query", "schema": ["type": "string", "enum": ["3.0", "3.1"]]]],
                        ok: ("200", answer("The OpenAPI document; its ETag follows the metadata version.")), errors: ["400"])
                ]
            ),
            (
                "/api/v1/auth/login",
                [
                    "post": op(
                        "login", "Sign in with a password: a session token", tag: "auth", body: jsonBody(login),
                        ok: ("200", answer("A session.", session)),
                        errors: ["400", "401", "413", "422"], security: [])
                ]
            ),
            ("/api/v1/me", ["get": op("me", "The caller", tag: "auth", ok: ("200", answer("The signed-in user.")), errors: [])]),
            (
                "/api/v1/meta/entities",
                [
                    "get": op(
                        "list_entities", "The tenant's entities", tag: "metadata", ok: ("200", answer("Every entity.", Self.objects)), errors: ["403"]
                    ),
                    "post": op(
                        "create_entity", "Create an entity (manage_metadata)", tag: "metadata", body: jsonBody(), ok: ("201", answer("The entity.")),
                        errors: ["400", "403", "409", "413", "422"]),
                ]
            ),
            (
                "/api/v1/meta/entities/{entity}",
                [
                    "parameters": [entity],
                    "get": op("get_entity", "One entity's definition", tag: "metadata", ok: ("200", answer("The entity.")), errors: ["404"]),
                ]
            ),
            (
                "/api/v1/views/{name}/data",
                [
                    "parameters": [named("name", views, "A shared view offered to the caller's roles (personal views work too).")],
                    "get": op(
                        "view_data", "A view's records: a list page, kanban lanes or calendar entries", tag: "views",
                        parameters: ["limit", "cursor", "order", "count"].map { OpenAPIComponents.ref(parameter: $0) },
                        ok: ("200", answer("The view's answer.")), errors: ["400", "403", "404"]),
                ]
            ),
            (
                "/api/v1/dashboards/{name}/data",
                [
                    "parameters": [named("name", dashboards, "A dashboard offered to the caller's roles.")],
                    "get": op(
                        "dashboard_data", "Every widget's figures, each computed under the caller's scopes", tag: "dashboards",
                        ok: ("200", answer("The widgets.")), errors: ["400", "403", "404"]),
                ]
            ),
            (
                "/api/v1/inbox",
                [
                    "get": op(
                        "inbox", "The caller's in-app notifications, newest first", tag: "automations",
                        parameters: [["name": "unread", "in": "query", "schema": ["type": "string", "enum": ["true", "false"]]]],
                        ok: ("200", answer("Notifications.", Self.objects)), errors: ["400"])
                ]
            ),
            (
                "/api/v1/files",
                [
                    "post": op(
                        "upload_file", "Upload a file for attachment fields (the raw body)", tag: "files",
                        parameters: [["name": "name", "in": "query", "schema": ["type": "string"]]],
                        body: ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]],
                        ok: ("201", answer("The stored file.", file)), errors: ["400", "413"])
                ]
            ),
            (
                "/api/v1/files/{id}",
                [
                    "parameters": [OpenAPIComponents.ref(parameter: "id")],
                    "get": op(
                        "download_file", "A file's content", tag: "files",
                        ok: (
                            "200",
                            [
                                "description": "The file.",
                                "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]],
                            ]
                        ),
                        errors: ["404"]),
                ]
            ),
            (
                "/api/v1/automation-runs",
                [
                    "get": op(
                        "automation_runs", "What automations did, newest first", tag: "automations",
                        parameters: [
                            ["name": "automation", "in": "query", "schema": ["type": "string"]], OpenAPIComponents.ref(parameter: "limit"),
                        ],
                        ok: ("200", answer("Runs.", Self.objects)), errors: ["400", "403"])
                ]
            ),
            (
                "/api/v1/meta/automations",
                [
                    "get": op(
                        "list_automations", "The tenant's automations", tag: "automations", ok: ("200", answer("Every automation.", Self.objects)),
                        errors: ["403"]),
                    "post": op(
                        "create_automation", "Create an automation (manage_metadata)", tag: "automations", body: jsonBody(),
                        ok: ("201", answer("The automation.")), errors: ["400", "403", "409", "413", "422"]),
                ]
            ),
        ]
    }
}
