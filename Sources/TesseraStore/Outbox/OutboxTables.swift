/// The tenant-schema tables of automation: the outbox of record events (one row per event and
/// automation, written by the same statement as the record), the run log, and the in-app inbox.
enum OutboxTables {
    static func outbox(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.outbox) }
    static func runs(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.automationRuns) }
    static func inbox(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.inbox) }

    /// `status`: pending → done, or back to pending with a later `due_at` after a failure, or
    /// dead after the last attempt. Workers claim due rows with FOR UPDATE SKIP LOCKED.
    static let outboxTable = TenantTable(
        name: TenantTableName.outbox,
        columns: """
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, automation text NOT NULL, entity text NOT NULL, record_id uuid NOT NULL, \
            event text NOT NULL, old jsonb, new jsonb, depth int NOT NULL DEFAULT 0, step int, status text NOT NULL DEFAULT 'pending', \
            attempts int NOT NULL DEFAULT 0, due_at timestamptz NOT NULL DEFAULT now(), last_error text, \
            created_at timestamptz NOT NULL DEFAULT now(), done_at timestamptz
            """, indexColumns: "due_at, id", indexWhere: "status = 'pending'")

    static let runsTable = TenantTable(
        name: TenantTableName.automationRuns,
        columns: """
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, automation text NOT NULL, event_id bigint, entity text NOT NULL, \
            record_id uuid, started_at timestamptz NOT NULL DEFAULT now(), duration_us bigint NOT NULL DEFAULT 0, \
            result text NOT NULL, error text, attempt int NOT NULL DEFAULT 1, detail jsonb
            """, indexColumns: "automation, id")

    static let inboxTable = TenantTable(
        name: TenantTableName.inbox,
        columns: """
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL, automation text, entity text, record_id uuid, \
            message jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), read_at timestamptz
            """, indexColumns: "user_id, id")

    static let all = [outboxTable, runsTable, inboxTable]

    /// Migration 6 announced new events with a statement trigger calling this function (see
    /// `OutboxSignal` for why that stopped); the function stays, unused, for databases that have it.
    static let notifyFunction = """
        CREATE OR REPLACE FUNCTION tessera.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('tessera_outbox', TG_TABLE_SCHEMA); RETURN NULL; END $$
        """

    static func create(schema: String) -> [String] {
        all.flatMap { $0.create(schema: schema) }
    }
}
