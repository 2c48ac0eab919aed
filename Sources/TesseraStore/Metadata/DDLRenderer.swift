public import TesseraCore

/// Renders schema steps to DDL statements for one tenant schema.
public struct DDLRenderer: Sendable {
    public let schema: String
    public let timeZone: String
    /// The entities as the change leaves them (match indexes need their fields' types).
    var fieldsFor: @Sendable (String) -> EntityDefinition? = { _ in nil }

    public init(schema: String, timeZone: String) {
        self.schema = schema
        self.timeZone = timeZone
    }

    init(schema: String, timeZone: String, entities: [EntityDefinition]) {
        self.init(schema: schema, timeZone: timeZone)
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        fieldsFor = { byName[$0] }
    }

    /// The predicate of the indexes lists and counts use: every such query reads live records only
    /// (`q.deleted_at IS NULL`), so a count is answered from the index alone instead of visiting each
    /// row to see whether it is in the recycle bin. The recycle bin reads by primary key.
    static let liveRows = " WHERE deleted_at IS NULL"

    func table(_ entity: String) -> String { SQLIdentifier.qualified(schema, entity) }
    func col(_ name: String) -> String { SQLIdentifier.quote(name) }

    public func statements(for change: SchemaChange) -> [String] {
        switch change {
        case .createTable(let entity):
            var columns = [
                "id uuid PRIMARY KEY",
                "version bigint NOT NULL DEFAULT 1",
                "owner_id uuid REFERENCES \(table(TenantTableName.users)) (id)",
                "created_at timestamptz NOT NULL DEFAULT now()",
                "updated_at timestamptz NOT NULL DEFAULT now()",
                "created_by uuid",
                "updated_by uuid",
                "deleted_at timestamptz",
            ]
            columns += entity.fields.filter(\.type.isStored).map { "\(col($0.name)) \(ColumnType.sql($0.type))" }
            return [
                "CREATE TABLE \(table(entity.name)) (\n  " + columns.joined(separator: ",\n  ") + "\n)",
                "CREATE INDEX \(col(ObjectName.make("ix", entity: entity.name, field: "owner_id"))) ON \(table(entity.name)) (owner_id, id)"
                    + Self.liveRows,
                // Counts and pages of all live records, index-only; PostgreSQL names it (nothing refers to it).
                "CREATE INDEX ON \(table(entity.name)) (id)" + Self.liveRows,
            ]
        case .dropTable(let entity):
            return ["DROP TABLE \(table(entity))"]
        case .addColumn(let entity, let field):
            // No default and no NOT NULL: PostgreSQL only updates the catalog, whatever the table size.
            return ["ALTER TABLE \(table(entity)) ADD COLUMN \(col(field.name)) \(ColumnType.sql(field.type))"]
        case .retainColumn, .restoreColumn:
            return []  // renames the store makes and registers (`RetainedColumns`)
        case .changeColumnType(let entity, let from, let to):
            return [
                "ALTER TABLE \(table(entity)) ALTER COLUMN \(col(to.name)) DROP DEFAULT",
                "ALTER TABLE \(table(entity)) ALTER COLUMN \(col(to.name)) TYPE \(ColumnType.sql(to.type)) USING \(conversion(from: from, to: to))",
            ]
        case .createIndex(let entity, let field):
            let name = col(ObjectName.make("ix", entity: entity, field: field.name))
            if field.type.isBtreeIndexable {
                // (field, id) serves "filter by field, newest first" pages straight from the index.
                var statements = ["CREATE INDEX \(name) ON \(table(entity)) (\(col(field.name)), id)" + Self.liveRows]
                if Self.hasScopeIndex(field.type) {
                    // A few values cover many rows, so a rep's page (owner = me AND field = value)
                    // would otherwise visit every row of theirs: (owner_id, field, id) reads just the page.
                    statements.append(
                        """
                        CREATE INDEX \(col(ObjectName.make("ox", entity: entity, field: field.name))) ON \(table(entity)) (owner_id, \
                        \(col(field.name)), id)
                        """ + Self.liveRows
                    )
                }
                return statements
            }
            return ["CREATE INDEX \(name) ON \(table(entity)) USING gin (\(col(field.name)))"]
        case .dropIndex(let entity, let field):
            return [
                "DROP INDEX IF EXISTS \(SQLIdentifier.qualified(schema, ObjectName.make("ix", entity: entity, field: field.name)))",
                "DROP INDEX IF EXISTS \(SQLIdentifier.qualified(schema, ObjectName.make("ox", entity: entity, field: field.name)))",
            ]
        case .createUnique(let entity, let field):
            // Records in the recycle bin do not hold their unique values; nulls never collide.
            return [
                """
                CREATE UNIQUE INDEX \(col(ObjectName.make("ux", entity: entity, field: field.name))) ON \(table(entity)) (\(col(field.name))) \
                WHERE deleted_at IS NULL
                """
            ]
        case .dropUnique(let entity, let field):
            return ["DROP INDEX IF EXISTS \(SQLIdentifier.qualified(schema, ObjectName.make("ux", entity: entity, field: field.name)))"]
        case .addForeignKey(let entity, let field):
            guard let target = field.target else { return [] }
            // NOT VALID: the column is new (all null), so there is nothing old to check; new writes are checked.
            return [
                """
                ALTER TABLE \(table(entity)) ADD CONSTRAINT \(col(ObjectName.make("fk", entity: entity, field: field.name))) FOREIGN KEY \
                (\(col(field.name))) REFERENCES \(table(target)) (id) NOT VALID
                """
            ]
        case .dropForeignKey(let entity, let field):
            return ["ALTER TABLE \(table(entity)) DROP CONSTRAINT IF EXISTS \(col(ObjectName.make("fk", entity: entity, field: field.name)))"]
        case .createCounter(let entity, let field):
            let sequence = SQLIdentifier.qualified(schema, ObjectName.make("sq", entity: entity, field: field.name))
            guard let pattern = field.pattern.flatMap(AutoNumberPattern.init) else { return [] }
            return [
                // A field removed and added again goes on counting: its numbers never repeat.
                "CREATE SEQUENCE IF NOT EXISTS \(sequence)",
                "ALTER TABLE \(table(entity)) ALTER COLUMN \(col(field.name)) SET DEFAULT \(autoNumberExpression(pattern, sequence: sequence))",
            ]
        case .dropCounter(let entity, let field):
            return ["DROP SEQUENCE IF EXISTS \(SQLIdentifier.qualified(schema, ObjectName.make("sq", entity: entity, field: field.name)))"]
        case .createMatchIndex(let entity, let rule):
            // The fields' definitions come from the planned entity; `fieldsFor` resolves them.
            let fields = rule.match.compactMap { fieldsFor(entity)?.field($0) }
            guard fields.count == rule.match.count else { return [] }
            return [DuplicateMatch.createIndex(rule, entity: entity, fields: fields, schema: schema)]
        case .dropMatchIndex(let entity, let rule):
            return ["DROP INDEX IF EXISTS \(SQLIdentifier.qualified(schema, DuplicateMatch.indexName(entity: entity, rule: rule)))"]
        case .checkRows:
            return []
        }
    }

    func autoNumberExpression(_ pattern: AutoNumberPattern, sequence: String) -> String {
        let local = "(now() AT TIME ZONE \(SQLLiteral.string(timeZone)))"
        let parts = pattern.parts.map { part -> String in
            switch part {
            case .literal(let text): SQLLiteral.string(text)
            case .year4: "to_char(\(local), 'YYYY')"
            case .year2: "to_char(\(local), 'YY')"
            case .month: "to_char(\(local), 'MM')"
            case .day: "to_char(\(local), 'DD')"
            // format pads to the width without cutting longer numbers (lpad would truncate 10000 to 1000).
            case .counter(let width): "translate(format('%\(width)s', nextval(\(SQLLiteral.string(sequence))::regclass)), ' ', '0')"
            }
        }
        return "(" + parts.joined(separator: " || ") + ")"
    }

    /// The USING expression of a type change (rows were checked beforehand).
    func conversion(from: FieldDefinition, to: FieldDefinition) -> String {
        let c = col(from.name)
        let tz = SQLLiteral.string(timeZone)
        switch (from.type, to.type) {
        case (.multiSelect, .text), (.multiSelect, .longText): return "array_to_string(\(c), ',')"
        case (_, .text), (_, .longText), (_, .email), (_, .phone), (_, .url), (_, .select): return "\(c)::text"
        case (_, .multiSelect): return "CASE WHEN \(c) IS NULL THEN NULL ELSE ARRAY[\(c)::text] END"
        case (.date, .datetime): return "(\(c)::timestamp AT TIME ZONE \(tz))"
        case (.datetime, .date): return "(\(c) AT TIME ZONE \(tz))::date"
        case (_, .number): return from.type.isNumeric ? "\(c)::bigint" : "trim(\(c))::bigint"
        case (_, .decimal), (_, .percent), (_, .money): return from.type.isNumeric ? "\(c)::numeric" : "trim(\(c))::numeric"
        case (_, .boolean): return "lower(trim(\(c)))::boolean"
        case (_, .date): return "trim(\(c))::date"
        case (_, .datetime): return "trim(\(c))::timestamptz"
        default: return "\(c)::\(ColumnType.sql(to.type))"
        }
    }

    /// Low-cardinality types whose indexed fields also get an owner-scoped index (see `createIndex`).
    static func hasScopeIndex(_ type: FieldType) -> Bool { type == .select || type == .boolean }
}
