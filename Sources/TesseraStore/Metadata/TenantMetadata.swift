import TesseraCore

/// A tenant's entities at one metadata version: what every request of that tenant is planned against.
public struct TenantMetadata: Sendable {
    public let tenant: Tenant
    public let version: Int64
    public let entities: [EntityDefinition]
    private let byName: [String: EntityDefinition]
    private let models: [String: EntityModel]

    public init(tenant: Tenant, version: Int64, entities: [EntityDefinition]) {
        self.tenant = tenant
        self.version = version
        self.entities = entities
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.byName = byName
        models = byName.mapValues { EntityModel($0, related: { byName[$0] }) }
    }

    /// The entity with what is compiled from it, or a 404 naming it.
    public func model(_ name: String) throws(TesseraError) -> EntityModel {
        guard let model = models[name] else { throw .notFound("No entity '\(name)'.") }
        return model
    }

    public func entity(_ name: String) -> EntityDefinition? { byName[name] }

    public var names: Set<String> { Set(byName.keys) }

    /// The entity, or a 404 naming it.
    public func require(_ name: String) throws(TesseraError) -> EntityDefinition {
        guard let entity = byName[name] else { throw .notFound("No entity '\(name)'.") }
        return entity
    }
}

