/// The OpenAPI document of one tenant's API as one caller may use it, made from the tenant's
/// metadata: each entity they may reach gets its data routes with exact record schemas (option
/// keys as enums, required fields, read-only system, computed and process-kept fields, no field
/// their roles hide), beside the routes every tenant has. Served at `/api/v1/openapi.json`.
public struct OpenAPIDocument: Sendable {
    public let metadata: TenantMetadata
    /// The caller's roles, and what they allow.
    public let roles: [String]
    public let policy: AccessPolicy
    public let version: OpenAPIVersion

    public init(metadata: TenantMetadata, roles: [String], version: OpenAPIVersion) {
        self.metadata = metadata
        self.roles = roles
        self.policy = metadata.policy(for: roles)
        self.version = version
    }

    public var json: JSONValue {
        var paths: [(String, JSONValue)] = []
        var schemas: [(String, JSONValue)] = OpenAPIComponents.schemas(version)
        for entity in metadata.entities.sorted(by: { $0.name < $1.name }) {
            let access = policy.entity(entity.name)
            guard !access.reach(.read).isNothing || !access.reach(.create).isNothing else { continue }
            let visible = RecordPlan.visible(entity, hiding: access.hidden)
            let readOnly = Set(access.fields.filter { $0.value == .read }.keys)
            let record = OpenAPIRecordSchema(version: version, entity: visible, readOnly: readOnly)
            let names = OpenAPIComponents.names(entity.name)
            schemas.append((names.record, record.read))
            schemas.append((names.create, record.create))
            schemas.append((names.update, record.update))
            schemas.append(
                (
                    names.page,
                    [
                        "type": "object", "required": ["data", "next_cursor"],
                        "properties": [
                            "data": ["type": "array", "items": ["$ref": .string("#/components/schemas/" + names.record)]],
                            "next_cursor": version.schema(
                                "string", nullable: true, [("description", "Pass as ?cursor= for the next page; null on the last.")]),
                            "count": ["type": "integer", "description": "With ?count=exact: how many records match."],
                        ],
                    ]
                ))
            paths += OpenAPIDataPaths(entity: visible, access: access, names: names, version: version, policy: policy).paths
        }
        paths += OpenAPITenantPaths(metadata: metadata, roles: roles, policy: policy, version: version).paths
        var root: [(String, JSONValue)] = [("openapi", .string(version.rawValue))]
        root.append(
            (
                "info",
                [
                    "title": .string("Tessera API of \(metadata.tenant.name)"), "version": .string("metadata-\(metadata.version)"),
                    "description": .string(
                        "Generated from the tenant's metadata (version \(metadata.version)) as the caller's roles see it. "
                            + "Every error has the shape of the Error schema. "
                            + "Writes answer the record with its version as the ETag; send it back in If-Match."),
                ]
            ))
        root.append(("servers", [["url": "/"]]))
        root.append(("security", [["bearer": []]]))
        root.append(("paths", .object(paths)))
        root.append(
            (
                "components",
                [
                    "securitySchemes": [
                        "bearer": [
                            "type": "http", "scheme": "bearer",
                            "description": "An API key (POST /api/v1/users/{id}/api-keys) or a session token (POST /api/v1/auth/login).",
                        ]
                    ],
                    "schemas": .object(schemas),
                    "parameters": OpenAPIComponents.parameters(version),
                    "responses": OpenAPIComponents.responses,
                    "headers": OpenAPIComponents.headers,
                ]
            ))
        return .object(root)
    }
}
