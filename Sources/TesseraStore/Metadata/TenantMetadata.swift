import TesseraCore

/// A tenant's entities at one metadata version: what every request of that tenant is planned against.
public struct TenantMetadata: Sendable {
    public let tenant: Tenant
    public let version: Int64
    public let entities: [EntityDefinition]
    private let byName: [String: EntityDefinition]

    public init(tenant: Tenant, version: Int64, entities: [EntityDefinition]) {
        self.tenant = tenant
        self.version = version
        self.entities = entities
        byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func entity(_ name: String) -> EntityDefinition? { byName[name] }

    public var names: Set<String> { Set(byName.keys) }

    /// The entity, or a 404 naming it.
    public func require(_ name: String) throws(TesseraError) -> EntityDefinition {
        guard let entity = byName[name] else { throw .notFound("No entity '\(name)'.") }
        return entity
    }
}

