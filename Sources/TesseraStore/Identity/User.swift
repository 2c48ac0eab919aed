public import Foundation
public import TesseraCore

/// A member of a tenant as the users API shows it (never the password hash).
public struct User: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let email: String?
    public let kind: UserKind
    public let status: UserStatus
    public let roles: [String]
    public let teamID: UUID?
    public let managerID: UUID?
    public let lastActiveAt: Date
    public let createdAt: Date
    /// The language the user reads built-in messages in (nil: the tenant's).
    public let locale: MessageLocale?

    /// The columns `init(row:)` reads, in order.
    static let columns = "id, name, email, kind, status, roles, team_id, manager_id, last_active_at, created_at, locale"

    init(_ row: (UUID, String, String?, String, String, [String], UUID?, UUID?, Date, Date, String?)) {
        id = row.0
        name = row.1
        email = row.2
        kind = UserKind(rawValue: row.3) ?? .person
        status = UserStatus(rawValue: row.4) ?? .disabled
        roles = row.5
        teamID = row.6
        managerID = row.7
        lastActiveAt = row.8
        createdAt = row.9
        locale = row.10.flatMap(MessageLocale.init(rawValue:))
    }

    public var json: JSONValue {
        func id(_ u: UUID?) -> JSONValue { u.map { .string($0.uuidString.lowercased()) } ?? .null }
        return .object([
            ("id", id(self.id)), ("name", .string(name)), ("email", email.map(JSONValue.string) ?? .null),
            ("kind", .string(kind.rawValue)), ("status", .string(status.rawValue)), ("roles", .array(roles.map(JSONValue.string))),
            ("team_id", id(teamID)), ("manager_id", id(managerID)),
            ("locale", locale.map { .string($0.rawValue) } ?? .null),
            ("last_active_at", .string(Timestamp.rfc3339(lastActiveAt))), ("created_at", .string(Timestamp.rfc3339(createdAt))),
        ])
    }
}

/// A team: a group of users with an optional manager (scope `team` reaches its members' records).
public struct Team: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let managerID: UUID?

    public var json: JSONValue {
        .object([
            ("id", .string(id.uuidString.lowercased())), ("name", .string(name)),
            ("manager_id", managerID.map { .string($0.uuidString.lowercased()) } ?? .null),
        ])
    }
}
