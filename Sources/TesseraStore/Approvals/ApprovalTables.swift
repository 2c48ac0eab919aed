/// A tenant's running approvals: one row per submission (with a copy of the process version it
/// runs on and the fields it freezes), one task per approver and step, and the approval's own log.
enum ApprovalTables {
    static func approvals(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.approvals) }
    static func tasks(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.approvalTasks) }
    static func log(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.approvalLog) }

    static func create(schema: String) -> [String] {
        let approvals = approvals(schema), tasks = tasks(schema), log = log(schema)
        return [
            """
            CREATE TABLE IF NOT EXISTS \(approvals) (
                id uuid PRIMARY KEY, process text NOT NULL, version int NOT NULL, entity text NOT NULL, record_id uuid NOT NULL,
                status text NOT NULL DEFAULT 'pending', step int NOT NULL DEFAULT 0, definition json NOT NULL, frozen text[] NOT NULL,
                submitted_by uuid NOT NULL, submitted_at timestamptz NOT NULL DEFAULT now(), comment text, decided_at timestamptz,
                record_version bigint NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote("_approvals_record")) ON \(approvals) (entity, record_id)",
            // One pending approval per process and record: a second submission collides here.
            """
            CREATE UNIQUE INDEX IF NOT EXISTS \(SQLIdentifier.quote("_approvals_one_pending")) ON \(approvals) (process, entity, record_id) \
            WHERE status = 'pending'
            """,
            """
            CREATE TABLE IF NOT EXISTS \(tasks) (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, approval_id uuid NOT NULL REFERENCES \(approvals) (id) ON DELETE CASCADE,
                step int NOT NULL, party int NOT NULL, approver uuid NOT NULL, delegated_from uuid, status text NOT NULL DEFAULT 'pending',
                comment text, answered_at timestamptz, record_version bigint, signature text, created_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote("_approval_tasks_approver")) ON \(tasks) (approver, status)",
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote("_approval_tasks_approval")) ON \(tasks) (approval_id, step)",
            """
            CREATE TABLE IF NOT EXISTS \(log) (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, approval_id uuid NOT NULL REFERENCES \(approvals) (id) ON DELETE CASCADE,
                at timestamptz NOT NULL DEFAULT now(), actor uuid, action text NOT NULL, step int, detail jsonb)
            """,
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote("_approval_log_approval")) ON \(log) (approval_id, id)",
        ]
    }
}
