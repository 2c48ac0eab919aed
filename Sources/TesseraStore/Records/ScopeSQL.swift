import TesseraCore

/// Renders a plan's row scope as a predicate. Team and subordinates read the tenant's own
/// `_users`/`_teams`, so membership changes count at once.
struct ScopeSQL {
    let schema: String

    /// `(a OR b …)` for the reached scopes over `owner` (a column or a placeholder); `false` for none.
    func append(_ scope: RowScope, owner: String, assignedFields: [String], to b: inout SQLBuilder) {
        guard !scope.reach.isNothing else { b.append("false"); return }
        let users = IdentityTables.users(schema), teams = IdentityTables.teams(schema)
        let me = b.placeholder(.text(scope.userID), cast: "uuid")
        var parts: [String] = ["\(owner) = \(me)"]
        for kind in scope.reach.scopes.sorted() {
            switch kind {
            case .assigned:
                parts += assignedFields.map { "\($0) = \(me)" }
            case .team:
                parts.append(
                    """
                    \(owner) IN (SELECT m.id FROM \(users) m WHERE m.team_id IN (SELECT u.team_id FROM \(users) u WHERE u.id = \(me) \
                    UNION ALL SELECT t.id FROM \(teams) t WHERE t.manager_id = \(me)))
                    """)
            case .subordinates:
                parts.append(
                    """
                    \(owner) IN (WITH RECURSIVE s(id, depth) AS (SELECT \(me), 0 UNION SELECT u.id, s.depth + 1 FROM \(users) u JOIN s ON \
                    u.manager_id = s.id \
                    WHERE s.depth < 64) SELECT id FROM s)
                    """)
            case .own, .none, .all:
                break
            }
        }
        b.append(parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")")
    }

    /// Whether `owner` falls within `scope`: a record may be given to them.
    func ownerCheck(_ scope: RowScope, owner: String) -> SQLBuilder {
        var b = SQLBuilder("SELECT ")
        let placeholder = b.placeholder(.text(owner), cast: "uuid")
        append(scope, owner: placeholder, assignedFields: [], to: &b)
        return b
    }
}
