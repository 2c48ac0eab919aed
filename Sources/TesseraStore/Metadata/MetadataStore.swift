public import Foundation
public import Logging
public import PostgresNIO
public import TesseraCore

/// Reads and changes a tenant's metadata. A change, its row checks and its DDL commit in one
/// transaction, so a failed change leaves table and metadata as they were.
public struct MetadataStore: MetadataLoading {
    let client: DatabasePool
    let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// One logged metadata change: its revision, who, when, what, and the definitions before and after.
    public struct LogEntry: Sendable {
        public let revision: Int64?
        public let at: Date
        public let actor: UUID?
        public let action: String
        public let target: String
        public let detail: String?
    }

    /// The tenant's metadata changes, newest first (the revision a tenant started from is not one);
    /// with `before`, only those older than that revision.
    public func log(_ tenant: Tenant, limit: Int, before: Int64? = nil) async throws -> [LogEntry] {
        let rows = try await client.query(
            """
            SELECT revision, at, actor, action, target, detail::text FROM tessera.metadata_log
            WHERE tenant_id = \(tenant.id) AND action <> 'baseline' AND (\(before)::bigint IS NULL OR revision < \(before))
            ORDER BY id DESC LIMIT \(limit)
            """, logger: logger)
        var out: [LogEntry] = []
        for try await (revision, at, actor, action, target, detail) in rows.decode((Int64?, Date, UUID?, String, String, String?).self) {
            out.append(LogEntry(revision: revision, at: at, actor: actor, action: action, target: target, detail: detail))
        }
        return out
    }

    /// One revision: its log entry and the whole configuration it left (nil: no such revision).
    public func revision(_ tenant: Tenant, _ number: Int64) async throws -> (entry: LogEntry, snapshot: ConfigurationSnapshot)? {
        let rows = try await client.query(
            """
            SELECT revision, at, actor, action, target, detail::text, snapshot::text FROM tessera.metadata_log
            WHERE tenant_id = \(tenant.id) AND revision = \(number)
            """, logger: logger
        ).collect()
        guard let row = rows.first else { return nil }
        let (revision, at, actor, action, target, detail, snapshot) = try row.decode((Int64?, Date, UUID?, String, String, String?, String?).self)
        let entry = LogEntry(revision: revision, at: at, actor: actor, action: action, target: target, detail: detail)
        return (entry, ConfigurationSnapshot(json: try snapshot.map { try JSONParser.parse($0, limits: .init(maxDepth: 64)) } ?? .null))
    }

    public func load(_ tenant: Tenant) async throws -> TenantMetadata {
        try await client.withConnection { connection in
            try await load(tenant, on: connection, lock: false)
        }
    }

    func load(_ tenant: Tenant, on connection: PostgresConnection, lock: Bool) async throws -> TenantMetadata {
        var version: Int64 = 0
        let versionRows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT meta_version FROM tessera.tenants WHERE id = $1" + (lock ? " FOR UPDATE" : ""),
                binds: {
                    var b = PostgresBindings(); b.append(tenant.id); return b
                }()), logger: logger)
        for try await v in versionRows.decode(Int64.self) { version = v }
        let retained = try await RetainedColumns(tenant: tenant, connection: connection, logger: logger).entities()
        return try await snapshot(tenant, on: connection).decoded(tenant: tenant, version: version, retainedColumns: retained)
    }

    /// What a revision keeps: the configuration and the installed packs.
    static func snapshot(_ metadata: TenantMetadata, packs: [InstalledPack]) -> ConfigurationSnapshot {
        var snapshot = ConfigurationSnapshot(metadata)
        snapshot.packs = packs.map(\.json)
        return snapshot
    }

    /// The tenant's stored documents as they are now.
    func snapshot(_ tenant: Tenant, on connection: PostgresConnection) async throws -> ConfigurationSnapshot {
        func documents(_ table: String, order: String = "name") async throws -> [JSONValue] {
            var out: [JSONValue] = []
            let rows = try await connection.query(
                "SELECT definition::text FROM \(unescaped: table) WHERE tenant_id = \(tenant.id) ORDER BY \(unescaped: order)", logger: logger)
            for try await text in rows.decode(String.self) { out.append(try JSONParser.parse(text, limits: .init(maxDepth: 32))) }
            return out
        }
        var snapshot = ConfigurationSnapshot()
        snapshot.entities = try await documents("tessera.entities", order: "position, name")
        snapshot.roles = try await documents("tessera.roles")
        snapshot.assignmentRules = try await documents("tessera.assignment_rules")
        snapshot.automations = try await documents("tessera.automations")
        snapshot.views = try await documents("tessera.views")
        snapshot.forms = try await documents("tessera.forms")
        snapshot.approvals = try await documents("tessera.approvals")
        snapshot.dashboards = try await documents("tessera.dashboards")
        return snapshot
    }

    /// A stored document (`kind` `name`, under `path`) checked again against changed metadata: its
    /// problems, each saying which document it is about, or none.
    private static func problems(
        of kind: String, path: String, named name: String,
        _ check: () throws(TesseraError) -> Void
    ) -> [TesseraError.Detail] {
        do throws(TesseraError) {
            try check()
            return []
        } catch {
            return error.details.map { $0.prefixed(field: "\(path).\(name).", message: "\(kind) \(name): ", whenNoField: "\(path).\(name)") }
        }
    }

    /// Saves what changed among a tenant's named documents (roles, automations, views by key) in `table`, and
    /// returns the metadata-log members (`<prefix>:<name>` → before and after) of what changed.
    private func saveDocuments(
        _ table: String, prefix: String, tenant: Tenant, old: [(name: String, json: JSONValue)], new: [(name: String, json: JSONValue)],
        on connection: PostgresConnection
    ) async throws -> [(String, JSONValue)] {
        let before = Dictionary(old.map { ($0.name, $0.json) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { ($0.name, $0.json) }, uniquingKeysWith: { a, _ in a })
        var log: [(String, JSONValue)] = []
        for (name, json) in new where before[name] != json {
            try await connection.query(
                """
                INSERT INTO \(unescaped: table) (tenant_id, name, definition) VALUES (\(tenant.id), \(name), \(JSONWriter.string(json))::json)
                ON CONFLICT (tenant_id, name) DO UPDATE SET definition = EXCLUDED.definition
                """, logger: logger)
            log.append((prefix + ":" + name, .object([("before", before[name] ?? .null), ("after", json)])))
        }
        for (name, json) in old where after[name] == nil {
            try await connection.query("DELETE FROM \(unescaped: table) WHERE tenant_id = \(tenant.id) AND name = \(name)", logger: logger)
            log.append((prefix + ":" + name, .object([("before", json), ("after", .null)])))
        }
        return log.sorted { $0.0 < $1.0 }
    }

    /// What one applied change left: the metadata, its revision number, and which removed
    /// fields' columns it kept and which fields came back with their values ("entity.field").
    public struct Applied: Sendable {
        public let metadata: TenantMetadata
        public let revision: Int64
        public let retained: [String]
        public let restored: [String]
        /// Each definition the change touched, before and after (as the log keeps it).
        public let detail: JSONValue
    }

    /// Applies a change planned against the current metadata (read under the tenant's lock).
    /// `alongside` runs in the same transaction after the change (e.g. recording a pack install).
    public func apply(
        _ tenant: Tenant, actor: UUID?, force: Bool = false,
        alongside: (@Sendable (PostgresConnection) async throws -> Void)? = nil,
        _ plan: @Sendable (TenantMetadata) throws -> MetadataChange
    ) async throws -> TenantMetadata {
        try await change(tenant, actor: actor, force: force, alongside: alongside, plan).metadata
    }

    /// The same, answering what it did. A dry run does all of it, every check and every
    /// statement, and then rolls back: what it answers is what applying would do.
    public func change(
        _ tenant: Tenant, actor: UUID?, force: Bool = false, dryRun: Bool = false,
        alongside: (@Sendable (PostgresConnection) async throws -> Void)? = nil,
        _ plan: @Sendable (TenantMetadata) throws -> MetadataChange
    ) async throws -> Applied {
        try await change(tenant, actor: actor, force: force, dryRun: dryRun, alongside: alongside) { current, _ in try plan(current) }
    }

    /// The same, planned against the installed packs too (an upgrade merges against their copies).
    public func change(
        _ tenant: Tenant, actor: UUID?, force: Bool = false, dryRun: Bool = false,
        alongside: (@Sendable (PostgresConnection) async throws -> Void)? = nil,
        _ plan: @Sendable (TenantMetadata, [InstalledPack]) throws -> MetadataChange
    ) async throws -> Applied {
        struct RolledBack: Error { let applied: Applied }
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SET LOCAL lock_timeout = '10s'", logger: logger)
                try await connection.query("SET LOCAL statement_timeout = '15min'", logger: logger)
                let current = try await load(tenant, on: connection, lock: true)
                let installs = PackInstalls(tenant: tenant, connection: connection, logger: logger)
                let packsBefore = try await installs.list()
                let change = try plan(current, packsBefore)
                // Formulas (and whatever else refers across fields) must still hold once this change is made.
                let broken = MetadataConsistency.problems(change.entities)
                guard broken.isEmpty else { throw TesseraError.invalidMetadata(broken) }
                let renderer = DDLRenderer(schema: tenant.schema, timeZone: tenant.timeZone, entities: change.entities)
                let kept = RetainedColumns(tenant: tenant, connection: connection, logger: logger)
                // Revisions count the tenant's changes from 1; 0 is what it started from.
                let last: Int64? =
                    try await connection.query(
                        "SELECT max(revision) FROM tessera.metadata_log WHERE tenant_id = \(tenant.id)", logger: logger
                    ).collect().first?.decode(Int64?.self) ?? nil
                let revision = last.map { $0 + 1 } ?? 1
                var retained: [String] = [], restored: [String] = []
                for step in change.steps {
                    switch step {
                    case .checkRows(let entity, let check):
                        if check == .noRecords, force { continue }
                        guard let query = RowCheckQuery.make(check, entity: entity, schema: tenant.schema) else { continue }
                        let rows = try await connection.query(query.sql.query, logger: logger)
                        var count = 0
                        for try await n in rows.decode(Int.self) { count = n }
                        if count > 0 { throw query.refusal(count) }
                    case .retainColumn(let entity, let field):
                        try await kept.retain(field, of: entity, revision: revision)
                        retained.append("\(entity).\(field.name)")
                    case .restoreColumn(let entity, let field):
                        if try await kept.restore(field, of: entity, renderer: renderer) { restored.append("\(entity).\(field.name)") }
                    default:
                        for statement in renderer.statements(for: step) {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        if case .dropTable(let entity) = step { try await kept.forget(entity: entity) }
                    }
                }
                try await kept.purge(entities: change.entities)
                let packs = try await installs.apply(change.packs, to: packsBefore)
                let oldByName = Dictionary(current.entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                let newNames = Set(change.entities.map(\.name))
                for (position, entity) in change.entities.enumerated()
                where oldByName[entity.name] != entity || current.entities.firstIndex(of: entity) != position {
                    try await connection.query(
                        """
                        INSERT INTO tessera.entities (tenant_id, name, position, definition) VALUES (\(tenant.id), \(entity.name), \
                        \(position), \(JSONWriter.string(entity.json))::json)
                        ON CONFLICT (tenant_id, name) DO UPDATE SET position = EXCLUDED.position, definition = EXCLUDED.definition, updated_at = now()
                        """, logger: logger)
                }
                for old in current.entities where !newNames.contains(old.name) {
                    try await connection.query("DELETE FROM tessera.entities WHERE tenant_id = \(tenant.id) AND name = \(old.name)", logger: logger)
                }
                // Roles never point at entities or fields that are gone; automations must still hold.
                let roles = (change.roles ?? current.roles).map { RoleChangePlanner.pruned($0, entities: change.entities) }
                let automations = change.automations ?? current.automations
                let rules = change.assignmentRules ?? current.assignmentRules
                let brokenRules = rules.flatMap { rule in
                    Self.problems(of: "assignment rule", path: "assignment_rules", named: rule.name) { () throws(TesseraError) in
                        _ = try AssignmentRuleDecoder.rule(rule.json, entities: change.entities, roles: roles.map(\.name))
                    }
                }
                guard brokenRules.isEmpty else { throw TesseraError.invalidMetadata(brokenRules) }
                let brokenAutomations = automations.flatMap { automation in
                    Self.problems(of: "automation", path: "automations", named: automation.name) { () throws(TesseraError) in
                        _ = try AutomationDecoder.automation(automation.json, entities: change.entities, roles: roles.map(\.name), rules: rules)
                    }
                }
                guard brokenAutomations.isEmpty else { throw TesseraError.invalidMetadata(brokenAutomations) }
                // A field or role a shared view uses cannot go (or change type) while the view uses it.
                // A personal view no longer holding is dropped instead (logged like any change): a
                // user's private list must not block the designer, who cannot even see it.
                let views = (change.views ?? current.views).filter { view in
                    view.isShared || (try? ViewDecoder.view(view.json, entities: change.entities, roles: roles.map(\.name))) != nil
                }
                let brokenViews = views.flatMap { view in
                    Self.problems(of: "view", path: "views", named: view.name) { () throws(TesseraError) in
                        _ = try ViewDecoder.view(view.json, entities: change.entities, roles: roles.map(\.name))
                    }
                }
                guard brokenViews.isEmpty else { throw TesseraError.invalidMetadata(brokenViews) }
                // A form goes with its entity; a field or role it uses cannot go while it uses it.
                let entityNames = Set(change.entities.map(\.name))
                let forms = (change.forms ?? current.forms).filter { entityNames.contains($0.entity) }
                let brokenForms = forms.flatMap { form in
                    Self.problems(of: "form", path: "forms", named: form.key) { () throws(TesseraError) in
                        _ = try FormDecoder.form(
                            form.json, entity: form.entity, entities: change.entities, roles: roles.map(\.name), placesRequired: false)
                    }
                }
                guard brokenForms.isEmpty else { throw TesseraError.invalidMetadata(brokenForms) }
                // A process goes with its entity; a field or role it uses cannot go while it uses it.
                var approvals = (change.approvals ?? current.approvals).filter { entityNames.contains($0.entity) }
                let brokenApprovals = approvals.flatMap { approval in
                    Self.problems(of: "approval process", path: "approvals", named: approval.name) { () throws(TesseraError) in
                        _ = try ApprovalDecoder.approval(
                            approval.json, entities: change.entities, roles: roles.map(\.name), version: approval.version)
                    }
                }
                guard brokenApprovals.isEmpty else { throw TesseraError.invalidMetadata(brokenApprovals) }
                // A dashboard goes with nothing: one whose entity, field, view or role went is refused.
                let dashboards = change.dashboards ?? current.dashboards
                let sharedViews = views.filter(\.isShared).map(\.name)
                let brokenDashboards = dashboards.flatMap { dashboard in
                    Self.problems(of: "dashboard", path: "dashboards", named: dashboard.name) { () throws(TesseraError) in
                        _ = try DashboardDecoder.dashboard(dashboard.json, entities: change.entities, roles: roles.map(\.name), views: sharedViews)
                    }
                }
                guard brokenDashboards.isEmpty else { throw TesseraError.invalidMetadata(brokenDashboards) }
                // A process created again after a delete goes on counting: its earlier versions stay
                // readable under their numbers, and approvals that ran on them still cite them.
                for (i, approval) in approvals.enumerated() where !current.approvals.contains(where: { $0.name == approval.name }) {
                    let last = try await connection.query(
                        "SELECT max(version) FROM tessera.approval_versions WHERE tenant_id = \(tenant.id) AND name = \(approval.name)",
                        logger: logger
                    ).collect().first?.decode(Int?.self)
                    if let last = last ?? nil, last >= approval.version {
                        approvals[i] = try ApprovalDecoder.approval(
                            approval.json, entities: change.entities, roles: roles.map(\.name), version: last + 1)
                    }
                }
                let documentLog =
                    try await saveDocuments(
                        "tessera.roles", prefix: "role", tenant: tenant, old: current.roles.map { ($0.name, $0.json) },
                        new: roles.map { ($0.name, $0.json) }, on: connection)
                    + saveDocuments(
                        "tessera.automations", prefix: "automation", tenant: tenant, old: current.automations.map { ($0.name, $0.json) },
                        new: automations.map { ($0.name, $0.json) }, on: connection)
                    + saveDocuments(
                        "tessera.assignment_rules", prefix: "assignment_rule", tenant: tenant,
                        old: current.assignmentRules.map { ($0.name, $0.json) }, new: rules.map { ($0.name, $0.json) }, on: connection)
                    + saveDocuments(
                        "tessera.views", prefix: "view", tenant: tenant, old: current.views.map { ($0.key, $0.json) },
                        new: views.map { ($0.key, $0.json) }, on: connection)
                    + saveDocuments(
                        "tessera.forms", prefix: "form", tenant: tenant, old: current.forms.map { ($0.key, $0.json) },
                        new: forms.map { ($0.key, $0.json) }, on: connection)
                    + saveDocuments(
                        "tessera.approvals", prefix: "approval", tenant: tenant, old: current.approvals.map { ($0.name, $0.json) },
                        new: approvals.map { ($0.name, $0.json) }, on: connection)
                    + saveDocuments(
                        "tessera.dashboards", prefix: "dashboard", tenant: tenant, old: current.dashboards.map { ($0.key, $0.json) },
                        new: dashboards.map { ($0.key, $0.json) }, on: connection)
                // Every version of a process stays readable: running approvals cite theirs.
                for approval in approvals {
                    try await connection.query(
                        """
                        INSERT INTO tessera.approval_versions (tenant_id, name, version, definition, actor)
                        VALUES (\(tenant.id), \(approval.name), \(approval.version), \(JSONWriter.string(approval.json))::json, \(actor))
                        ON CONFLICT DO NOTHING
                        """, logger: logger)
                }
                try await ScheduleTicks.reschedule(tenant, old: current.automations, new: automations, on: connection, logger: logger)
                try await connection.query("UPDATE tessera.tenants SET meta_version = meta_version + 1 WHERE id = \(tenant.id)", logger: logger)
                // The log keeps each changed entity's definition before and after, like record history.
                let newByName = Dictionary(change.entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                let touched = Set(change.entities.filter { oldByName[$0.name] != $0 }.map(\.name))
                    .union(current.entities.map(\.name).filter { newByName[$0] == nil })
                let diff = JSONValue.object(
                    touched.sorted().map { name in
                        (name, .object([("before", oldByName[name]?.json ?? .null), ("after", newByName[name]?.json ?? .null)]))
                    } + documentLog)
                let detail = JSONWriter.string(diff)
                let updated = TenantMetadata(
                    tenant: tenant, version: current.version + 1, entities: change.entities, roles: roles, automations: automations,
                    assignmentRules: rules, views: views, forms: forms, approvals: approvals, dashboards: dashboards,
                    retainedColumns: try await kept.entities())
                // Each change is a numbered revision holding the whole configuration it leaves; a
                // tenant's first change also records what it started from.
                if last == nil {
                    try await connection.query(
                        """
                        INSERT INTO tessera.metadata_log (tenant_id, actor, action, target, revision, snapshot)
                        VALUES (\(tenant.id), NULL, 'baseline', '', 0, \(JSONWriter.string(Self.snapshot(current, packs: packsBefore).json))::json)
                        """, logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO tessera.metadata_log (tenant_id, actor, action, target, detail, revision, snapshot)
                    VALUES (\(tenant.id), \(actor), \(change.action), \(change.target), \(detail)::json, \(revision), \
                    \(JSONWriter.string(Self.snapshot(updated, packs: packs).json))::json)
                    """, logger: logger)
                try await alongside?(connection)
                let applied = Applied(metadata: updated, revision: revision, retained: retained, restored: restored, detail: diff)
                if dryRun { throw RolledBack(applied: applied) }
                // Delivered at commit, to every instance listening (this one included).
                try await connection.query("SELECT pg_notify(\(ControlSchema.metadataChannel), \(tenant.id.uuidString.lowercased()))", logger: logger)
                return applied
            }
        } catch {
            // The transaction hands back what its body threw, wrapped.
            if let rolledBack = (error as? RolledBack) ?? ((error as? PostgresTransactionError)?.closureError as? RolledBack) {
                return rolledBack.applied
            }
            if let mapped = DatabaseErrorMapper.map(error) { throw mapped }
            throw error
        }
    }
}
