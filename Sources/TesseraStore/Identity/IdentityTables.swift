/// The tenant-schema tables of identity: users (people and integration identities) and teams.
/// One definition serves new tenants (`create`) and the migration of existing ones.
enum IdentityTables {
    static func users(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.users) }
    static func teams(_ schema: String) -> String { SQLIdentifier.qualified(schema, TenantTableName.teams) }

    static let teamColumns = """
        id uuid PRIMARY KEY, name text NOT NULL, manager_id uuid, created_at timestamptz NOT NULL DEFAULT now()
        """

    /// User columns beyond `id, name, email, created_at` (which the first tenants already had).
    /// `%I` stands for the schema, as in `TenantTable.forEachTenantSchema`.
    static let userColumns = [
        "password_hash text",
        "kind text NOT NULL DEFAULT 'person'",
        "status text NOT NULL DEFAULT 'active'",
        "roles text[] NOT NULL DEFAULT '{}'",
        "team_id uuid REFERENCES %I._teams (id)",
        "manager_id uuid REFERENCES %I._users (id)",
        "last_active_at timestamptz NOT NULL DEFAULT now()",
        "password_changed_at timestamptz",
        "updated_at timestamptz NOT NULL DEFAULT now()",
        "locale text",
    ]

    static func create(schema: String) -> [String] {
        let s = SQLIdentifier.quote(schema)
        let columns = userColumns.map { $0.replacingOccurrences(of: "%I", with: s) }
        return [
            "CREATE TABLE \(teams(schema)) (\(teamColumns))",
            "CREATE UNIQUE INDEX ux__teams_name ON \(teams(schema)) (lower(name))",
            """
            CREATE TABLE \(users(schema)) (id uuid PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz NOT NULL DEFAULT now(), \
            \(columns.joined(separator: ", ")))
            """,
        ] + indexes.map { $0.replacingOccurrences(of: "%I", with: s) }
    }

    static let indexes = [
        "CREATE UNIQUE INDEX IF NOT EXISTS ux__users_email ON %I._users (lower(email))",
        "CREATE INDEX IF NOT EXISTS ix__users_manager ON %I._users (manager_id)",
        "CREATE INDEX IF NOT EXISTS ix__users_team ON %I._users (team_id)",
    ]

    /// Existing tenants: teams, the new user columns, and (once) every existing user made a tenant
    /// admin: before roles existed every key could do everything, so nobody loses access.
    /// Idempotent, as every tenant migration step is.
    static func migrate(schema: String) -> [String] {
        let s = SQLIdentifier.quote(schema)
        return [
            "CREATE TABLE IF NOT EXISTS \(teams(schema)) (\(teamColumns))",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux__teams_name ON \(teams(schema)) (lower(name))",
        ] + userColumns.map { "ALTER TABLE \(users(schema)) ADD COLUMN IF NOT EXISTS " + $0.replacingOccurrences(of: "%I", with: s) } + [
            """
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = \(SQLLiteral.string(schema)) AND table_name = \
              '_users' AND column_name = 'active') THEN
                UPDATE \(users(schema)) SET status = CASE WHEN active THEN 'active' ELSE 'disabled' END, roles = '{admin}';
                ALTER TABLE \(users(schema)) DROP COLUMN active;
              END IF;
            END $$
            """
        ] + indexes.map { $0.replacingOccurrences(of: "%I", with: s) }
    }
}
