import TesseraCore

/// What one caller may do with one entity's records, in SQL terms: the scope of each action as a
/// predicate on the row (so lists only ever scan rows the caller may see), and the fields they
/// may not see (absent from responses, filters, `select=` and `where=`).
public struct RecordAccess: Sendable {
    public let access: AccessPolicy.EntityAccess
    /// Fields the caller may not see: those the roles hide, and formulas that read any of them.
    public let hidden: Set<String>
    /// Fields of type `user`: the people a record is assigned to (scope `assigned`).
    let userFields: [String]
    let userID: String
    let schema: String

    public init(_ access: AccessPolicy.EntityAccess, model: EntityModel, userID: String, schema: String) {
        self.access = access
        self.userID = userID
        self.schema = schema
        var hidden = access.hidden
        if !hidden.isEmpty {
            for formula in model.formulas where formula.expression.references.contains(where: { $0.hop == nil && hidden.contains($0.column) }) {
                hidden.insert(formula.name)
            }
        }
        self.hidden = hidden
        userFields = model.definition.fields.filter { $0.type == .user }.map(\.name)
    }

    /// The entity as this caller may see it: what queries are parsed against.
    public func visible(_ entity: EntityDefinition) -> EntityDefinition {
        guard !hidden.isEmpty else { return entity }
        var copy = entity
        copy.fields = entity.fields.filter { !hidden.contains($0.name) }
        return copy
    }

    /// The columns of a record's JSON when fields are hidden (nil: all of them).
    func visibleColumns(_ entity: EntityDefinition) -> [String]? {
        guard !hidden.isEmpty else { return nil }
        return Self.systemColumns + entity.fields.map(\.name).filter { !hidden.contains($0) }
    }

    static let systemColumns = ["id", "version", "owner_id", "created_at", "updated_at", "created_by", "updated_by", "deleted_at"]

    /// 403 unless the action reaches at least some records.
    public func require(_ action: RecordAction, entity: String) throws(TesseraError) {
        if access.reach(action).isNothing {
            throw .forbidden("Your roles do not allow you to \(action.rawValue) \(entity) records.")
        }
    }

    /// 403 naming every written field the caller may not edit.
    public func requireEditable(_ fields: [String], entity: String) throws(TesseraError) {
        let refused = fields.filter { access.field($0) != .edit || hidden.contains($0) }
        guard !refused.isEmpty else { return }
        throw TesseraError(status: 403, code: "forbidden", message: "Your roles do not allow you to change \(refused.joined(separator: ", ")) on \(entity).",
                           details: refused.map { .init(field: $0, rule: "field_permission", message: "\($0) is read-only for you") })
    }

    /// ` AND (<scope predicate>)` over the row alias `q`, or nothing when the action reaches all rows.
    func appendScope(_ action: RecordAction, to b: inout SQLBuilder) {
        let reach = access.reach(action)
        guard !reach.isEverything else { return }
        b.append(" AND ")
        appendPredicate(reach, owner: "q.owner_id", assignedFields: userFields.map { "q." + SQLIdentifier.quote($0) }, to: &b)
    }

    /// Whether `owner` may own a record the caller writes with this action (create, or a
    /// reassignment): the owner must fall in the action's scope.
    func ownerCheck(_ action: RecordAction, owner: String) -> SQLBuilder? {
        let reach = access.reach(action)
        guard !reach.isEverything else { return nil }
        var b = SQLBuilder("SELECT ")
        let placeholder = b.placeholder(.text(owner), cast: "uuid")
        appendPredicate(reach, owner: placeholder, assignedFields: [], to: &b)
        return b
    }

    /// `(a OR b …)` for the reached scopes; `false` for none. Team and subordinates read the
    /// tenant's own `_users`/`_teams`, so membership changes count at once.
    private func appendPredicate(_ reach: AccessPolicy.Reach, owner: String, assignedFields: [String], to b: inout SQLBuilder) {
        guard !reach.isNothing else { b.append("false"); return }
        let users = IdentityTables.users(schema), teams = IdentityTables.teams(schema)
        let me = b.placeholder(.text(userID), cast: "uuid")
        var parts: [String] = ["\(owner) = \(me)"]
        for scope in reach.scopes.sorted() {
            switch scope {
            case .assigned:
                parts += assignedFields.map { "\($0) = \(me)" }
            case .team:
                parts.append("""
                    \(owner) IN (SELECT m.id FROM \(users) m WHERE m.team_id IN (SELECT u.team_id FROM \(users) u WHERE u.id = \(me) \
                    UNION ALL SELECT t.id FROM \(teams) t WHERE t.manager_id = \(me)))
                    """)
            case .subordinates:
                parts.append("""
                    \(owner) IN (WITH RECURSIVE s(id, depth) AS (SELECT \(me), 0 UNION SELECT u.id, s.depth + 1 FROM \(users) u JOIN s ON u.manager_id = s.id \
                    WHERE s.depth < 64) SELECT id FROM s)
                    """)
            case .own, .none, .all:
                break
            }
        }
        b.append(parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")")
    }
}
