import Synchronization

/// A tenant's entities and roles at one metadata version: what every request of that tenant is planned against.
public struct TenantMetadata: Sendable {
    public private(set) var tenant: Tenant
    public let version: Int64
    public let entities: [EntityDefinition]
    public let roles: [RoleDefinition]
    public let automations: [AutomationDefinition]
    public let assignmentRules: [AssignmentRule]
    /// Shared views and every user's personal ones (each caller is offered only theirs).
    public let views: [ViewDefinition]
    /// Every entity's forms.
    public let forms: [FormDefinition]
    /// Every entity's approval processes, at their latest version.
    public let approvals: [ApprovalDefinition]
    /// Every dashboard (each caller is offered those shared with their roles).
    public let dashboards: [DashboardDefinition]
    /// Entities whose tables still hold the columns of removed fields (see `SchemaChange.retainColumn`).
    public let retainedColumns: Set<String>
    private let byName: [String: EntityDefinition]
    private let models: [String: EntityModel]
    /// Active automations and assignment rules with their expressions compiled, by name.
    private let compiledAutomations: [String: CompiledAutomation]
    private let compiledAssignmentRules: [String: CompiledAssignmentRule]
    /// Policies by role set, computed once per metadata version (callers share a few role sets).
    private let policies = Memo<[String], AccessPolicy>(capacity: 1000)
    /// OpenAPI documents by role set and version, made once per metadata version.
    private let documents = Memo<OpenAPIKey, [UInt8]>(capacity: 64)

    /// The same metadata for the tenant as its caller last read it: settings such as the calendar
    /// change without a new metadata version.
    public func with(_ tenant: Tenant) -> TenantMetadata {
        var copy = self
        copy.tenant = tenant
        return copy
    }

    public init(
        tenant: Tenant, version: Int64, entities: [EntityDefinition], roles: [RoleDefinition] = [], automations: [AutomationDefinition] = [],
        assignmentRules: [AssignmentRule] = [], views: [ViewDefinition] = [], forms: [FormDefinition] = [],
        approvals: [ApprovalDefinition] = [], dashboards: [DashboardDefinition] = [], retainedColumns: Set<String> = []
    ) {
        self.dashboards = dashboards
        self.retainedColumns = retainedColumns
        self.forms = forms
        self.approvals = approvals
        self.assignmentRules = assignmentRules
        self.views = views
        self.tenant = tenant
        self.version = version
        self.entities = entities
        self.roles = roles
        self.automations = automations
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.byName = byName
        let related: @Sendable (String) -> EntityDefinition? = { byName[$0] }
        let formsByEntity = Dictionary(grouping: forms, by: \.entity)
        let approvalsByEntity = Dictionary(grouping: approvals, by: \.entity)
        models = byName.mapValues {
            EntityModel(
                $0, automations: automations, forms: formsByEntity[$0.name] ?? [], approvals: approvalsByEntity[$0.name] ?? [],
                holdsRetainedColumns: retainedColumns.contains($0.name), related: related)
        }
        compiledAutomations = Dictionary(
            automations.filter(\.active).compactMap { automation in
                byName[automation.entity].map { (automation.name, CompiledAutomation(automation, entity: $0, related: related)) }
            }, uniquingKeysWith: { a, _ in a })
        compiledAssignmentRules = Dictionary(
            assignmentRules.compactMap { rule in
                byName[rule.entity].map { (rule.name, CompiledAssignmentRule(rule, entity: $0, related: related)) }
            }, uniquingKeysWith: { a, _ in a })
    }

    /// The active automation of that name, compiled.
    public func automation(_ name: String) -> CompiledAutomation? { compiledAutomations[name] }

    /// The assignment rule of that name, compiled.
    public func assignmentRule(_ name: String) -> CompiledAssignmentRule? { compiledAssignmentRules[name] }

    /// The entity with what is compiled from it, or a 404 naming it.
    public func model(_ name: String) throws(TesseraError) -> EntityModel {
        guard let model = models[name] else { throw .notFound(.noEntity(name)) }
        return model
    }

    public func entity(_ name: String) -> EntityDefinition? { byName[name] }

    public var names: Set<String> { Set(byName.keys) }

    /// The entity, or a 404 naming it.
    public func require(_ name: String) throws(TesseraError) -> EntityDefinition {
        guard let entity = byName[name] else { throw .notFound(.noEntity(name)) }
        return entity
    }

    /// What a user holding these roles may do.
    public func policy(for roles: [String]) -> AccessPolicy {
        policies.value(for: roles) { AccessPolicy(roles: roles, definitions: self.roles) }
    }

    /// The OpenAPI document (JSON bytes) for callers holding `roles`, made once per metadata version.
    public func openAPI(for roles: [String], version: OpenAPIVersion) -> [UInt8] {
        let key = roles.sorted()
        return documents.value(for: OpenAPIKey(roles: key, version: version)) {
            JSONWriter.bytes(OpenAPIDocument(metadata: self, roles: key, version: version).json)
        }
    }

    public func role(_ name: String) -> RoleDefinition? {
        name == RoleDefinition.adminName ? .admin : roles.first { $0.name == name }
    }

    /// The view `name` as this caller sees it: their own of that name first, else a shared one
    /// offered to their roles.
    public func view(_ name: String, for caller: Caller) -> ViewDefinition? {
        let me = caller.userID.uuidString.lowercased()
        if let own = views.first(where: { $0.owner == me && $0.name == name }) { return own }
        let manages = policy(for: caller.roles).has(.manageMetadata)
        return views.first { $0.isShared && $0.name == name && $0.isOffered(to: me, roles: caller.roles, managesMetadata: manages) }
    }

    /// The views offered to this caller, shared ones first.
    public func views(for caller: Caller) -> [ViewDefinition] {
        let me = caller.userID.uuidString.lowercased()
        let manages = policy(for: caller.roles).has(.manageMetadata)
        let offered = views.filter { $0.isOffered(to: me, roles: caller.roles, managesMetadata: manages) }
        return offered.filter(\.isShared) + offered.filter { !$0.isShared }
    }

    /// The form of that name on `entity`, or a 404 naming it.
    public func form(_ name: String, entity: String) throws(TesseraError) -> FormDefinition {
        _ = try require(entity)
        guard let form = forms.first(where: { $0.entity == entity && $0.name == name }) else {
            throw TesseraError(status: 404, code: "not_found", localized: FormMessage.noForm(name, entity: entity))
        }
        return form
    }

    /// The caller's own dashboard of that name, else the shared one if their roles are offered it,
    /// or a 404 naming it.
    public func dashboard(_ name: String, for caller: Caller) throws(TesseraError) -> DashboardDefinition {
        let me = caller.userID.uuidString.lowercased()
        if let own = dashboards.first(where: { $0.owner == me && $0.name == name }) { return own }
        let manages = policy(for: caller.roles).has(.manageMetadata)
        guard let shared = dashboards.first(where: { $0.isShared && $0.name == name }),
            shared.offered(to: me, roles: caller.roles, managesMetadata: manages)
        else {
            throw TesseraError(status: 404, code: "not_found", localized: DashboardMessage.noDashboard(name))
        }
        return shared
    }

    /// The dashboards offered to the caller: the shared ones for their roles, then their own.
    public func dashboards(for caller: Caller) -> [DashboardDefinition] {
        let me = caller.userID.uuidString.lowercased()
        let manages = policy(for: caller.roles).has(.manageMetadata)
        let offered = dashboards.filter { $0.offered(to: me, roles: caller.roles, managesMetadata: manages) }
        return offered.filter(\.isShared) + offered.filter { !$0.isShared }
    }

    /// The approval process of that name, or a 404 naming it.
    public func approval(_ name: String) throws(TesseraError) -> ApprovalDefinition {
        guard let approval = approvals.first(where: { $0.name == name }) else {
            throw TesseraError(status: 404, code: "not_found", localized: ApprovalMessage.noProcess(name))
        }
        return approval
    }

    /// Roles given to users created without any.
    public var defaultRoles: [String] { roles.filter(\.isDefault).map(\.name) }
}

/// Values made once per metadata version and key (policies per role set, OpenAPI documents per
/// role set and version), forgotten wholesale past `capacity`.
final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func value(for key: Key, make: () -> Value) -> Value {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = make()
        entries.withLock { entries in
            if entries.count > capacity { entries.removeAll() }
            entries[key] = value
        }
        return value
    }
}

/// An OpenAPI document's key: the sorted role set and the OpenAPI version.
struct OpenAPIKey: Hashable, Sendable {
    let roles: [String]
    let version: OpenAPIVersion
}
