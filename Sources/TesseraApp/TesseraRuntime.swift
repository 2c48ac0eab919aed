import Foundation
public import Logging
public import PostgresNIO
public import TesseraAutomation
public import TesseraCore
public import TesseraStore

/// The application layer of one instance: the stores, the caches, the services the HTTP routes
/// and the CLI share, and the decisions they share (permissions, tenant creation, metadata
/// changes). Neither the routes nor the CLI speak SQL; this and the stores below it do.
public struct TesseraRuntime: Sendable {
    let client: DatabasePool
    public let tenants: TenantStore
    public let metadataStore: MetadataStore
    public let metadata: MetadataCache
    public let recordStore: RecordStore
    /// The data API: every record request is planned here once and run by `recordStore`.
    public let records: RecordService
    /// Views' data: the view planned with the caller's query and run as pages and counts.
    public let views: ViewService
    /// Resolved forms: what a UI renders for one caller and one record.
    public let forms: FormService
    public let approvals: ApprovalService
    public let dashboards: DashboardService
    /// Configuration revisions: list, diff, revert.
    public var revisions: RevisionService { RevisionService(runtime: self) }
    public let files: FileStore
    public let packs: PackLibrary
    public let installer: PackInstaller
    public let callers: CallerCache
    public let users: UserStore
    public let sessions: SessionStore
    public let outbox: OutboxStore
    /// Account freezing, notification channels, the mail server, the webhook secret.
    public let settings: TenantSettingsStore
    public let locks: RecordLockStore
    public let assignments: AssignmentStore
    /// Writes of this instance that made automation events wake its worker through this.
    public let signal: OutboxSignal
    public let adminToken: String
    public let logger: Logger

    /// Request body limits in bytes.
    public static let maxJSONBody = 1 << 20
    public static let maxBulkBody = 8 << 20

    public init(client: DatabasePool, configuration: ServerConfiguration, logger: Logger) {
        let dataDirectory = configuration.dataDirectory
        self.client = client
        let hasher = PasswordHasher(cost: configuration.passwordCost)
        users = UserStore(client: client, hasher: hasher, logger: logger)
        sessions = SessionStore(client: client, hasher: hasher, sessionLifetime: configuration.sessionLifetime, logger: logger)
        tenants = TenantStore(client: client, logger: logger)
        metadataStore = MetadataStore(client: client, logger: logger)
        metadata = MetadataCache(store: metadataStore)
        signal = OutboxSignal()
        recordStore = RecordStore(client: client, prepared: PreparedSQL(), signal: signal, logger: logger)
        outbox = OutboxStore(client: client, logger: logger)
        settings = TenantSettingsStore(client: client, logger: logger)
        let retry = configuration.automationRetryBase.components
        locks = RecordLockStore(client: client, logger: logger)
        assignments = AssignmentStore(logger: logger)
        records = RecordService(metadata: metadata, store: recordStore, locks: locks)
        views = ViewService(records: records, store: recordStore)
        forms = FormService(records: records, store: recordStore)
        dashboards = DashboardService(metadata: metadata, records: records, views: views)
        approvals = ApprovalService(
            client: client, metadata: metadata, records: records, store: recordStore, approvals: ApprovalStore(client: client, logger: logger),
            users: users, outbox: outbox, clock: configuration.automationClock)
        events = EventProcessor(
            client: client, metadata: metadata, records: recordStore, users: users, outbox: outbox, settings: settings, locks: locks,
            webhooks: WebhookSender(allowPrivate: configuration.allowPrivateWebhooks), clock: configuration.automationClock,
            retryBase: Double(retry.seconds) + Double(retry.attoseconds) / 1e18, logger: logger)
        files = FileStore(client: client, root: dataDirectory + "/files", logger: logger)
        packs = PackLibrary(root: configuration.packsDirectory)
        installer = PackInstaller(metadata: metadataStore, library: packs)
        callers = CallerCache()
        adminToken = configuration.adminToken
        self.logger = logger
    }

    /// Runs automation events (the worker service uses it; tests call it to step the queue).
    public let events: EventProcessor

    /// Where each candidate of an assignment rule stands (its picks and figures).
    public func assignmentStandings(_ tenant: Tenant, rule: String) async throws -> [JSONValue] {
        try await assignments.standings(tenant, rule: rule, client: client)
    }

    /// Whether PostgreSQL answers (`GET /healthz`).
    /// Ready to serve: PostgreSQL answers and holds every migration this build knows.
    public func readiness() async -> (database: Bool, migrated: Bool) {
        guard await databaseIsReachable() else { return (false, false) }
        return (true, (try? await ControlSchema.isMigrated(client, logger: logger)) ?? false)
    }

    public func databaseIsReachable() async -> Bool {
        do {
            try await client.ping(logger: logger)
            return true
        } catch {
            return false
        }
    }

    /// The caller behind a bearer key or login token, from the cache or the database.
    public func authenticate(key: String) async throws -> Caller? {
        let hash = APIKey.hashHex(key)
        if let caller = callers.caller(forKeyHash: hash) { return caller }
        guard let caller = try await sessions.authenticate(key: key) else { return nil }
        callers.remember(caller, forKeyHash: hash)
        return caller
    }

    /// The caller's metadata and what their roles allow.
    public func access(_ caller: Caller) async throws -> (TenantMetadata, AccessPolicy) {
        let metadata = try await metadata.metadata(for: caller.tenant)
        return (metadata, metadata.policy(for: caller.roles))
    }

    /// 403 unless the caller's roles grant `permission`.
    public func require(_ permission: SpecialPermission, _ caller: Caller) async throws {
        guard try await access(caller).1.has(permission) else {
            throw TesseraError.forbidden(AccountMessage.needsPermission(permission.rawValue, roles: caller.roles))
        }
    }

    /// Applies a metadata change (needs `manage_metadata`) and keeps the result in this instance's cache.
    public func changeMetadata(
        _ caller: Caller, force: Bool = false, _ plan: @escaping @Sendable ([EntityDefinition]) throws -> MetadataChange
    ) async throws -> TenantMetadata {
        try await changeTenantMetadata(caller, force: force) { current in try plan(current.entities) }
    }

    /// The same with the whole current metadata (entities and roles) to plan against.
    public func changeTenantMetadata(
        _ caller: Caller, force: Bool = false, _ plan: @escaping @Sendable (TenantMetadata) throws -> MetadataChange
    ) async throws -> TenantMetadata {
        try await require(.manageMetadata, caller)
        let updated = try await metadataStore.apply(caller.tenant, actor: caller.userID, force: force, plan)
        metadata.store(updated)
        return updated
    }

    /// Applies a change any user may make to what is their own (a personal view): the planner
    /// decides who may do what, so no permission is required here.
    public func changeOwnMetadata(
        _ caller: Caller, _ plan: @escaping @Sendable (TenantMetadata) throws -> MetadataChange
    ) async throws -> TenantMetadata {
        let updated = try await metadataStore.apply(caller.tenant, actor: caller.userID, plan)
        metadata.store(updated)
        return updated
    }

    /// Creates a tenant with the admin key, optionally installing packs; returns the key.
    /// If a pack fails to install, the tenant is removed again: nothing half-made is left.
    /// With `admin` (email and password) the tenant admin can also sign in at `/api/v1/auth/login`.
    public func createTenant(
        slug: String, name: String, timeZone: String?, locale: MessageLocale? = nil, packs packIDs: [String] = [],
        admin: (email: String, password: String)? = nil
    ) async throws -> (Tenant, String) {
        for pack in packIDs { _ = try packs.load(pack) }
        let hash: String? = if let admin { await users.hasher.hash(admin.password) } else { nil }
        let (tenant, key) = try await tenants.create(
            slug: slug, name: name, timeZone: timeZone ?? "Asia/Shanghai", locale: locale,
            adminEmail: admin?.email, adminPasswordHash: hash)
        do {
            for pack in packIDs { _ = try await installer.install(pack, into: tenant, actor: nil) }
        } catch {
            try? await tenants.delete(tenant)
            throw error
        }
        return (tenant, key)
    }
}
