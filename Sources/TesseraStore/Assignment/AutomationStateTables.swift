/// Tenant-schema tables that automation actions keep state in: where each assignment rule's
/// candidates stand (their virtual time), and record locks.
enum AutomationStateTables {
    static func assignments(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.assignmentState) }
    static func locks(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.recordLocks) }

    static let assignmentTable = TenantTable(
        name: TenantTableName.assignmentState,
        columns: """
            rule text NOT NULL, user_id uuid NOT NULL, pass double precision NOT NULL, assigned bigint NOT NULL DEFAULT 0, \
            last_assigned_at timestamptz, PRIMARY KEY (rule, user_id)
            """, indexColumns: "user_id")

    /// A record is read-only for everyone but `holder` until `until`.
    static let lockTable = TenantTable(
        name: TenantTableName.recordLocks,
        columns: """
            entity text NOT NULL, record_id uuid NOT NULL, holder uuid, until timestamptz NOT NULL, automation text, \
            created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (entity, record_id)
            """, indexColumns: "until")

    static func create(schema: String) -> [String] {
        [assignmentTable, lockTable].flatMap { $0.create(schema: schema) }
    }
}
