public import Foundation

/// Who is calling: the tenant, the user the key or session belongs to, their roles, and the key.
public struct Caller: Sendable, Equatable {
    public let tenant: Tenant
    public let userID: UUID
    public let keyID: UUID
    public let roles: [String]
    /// When a login session ends; API keys have none.
    public let expiresAt: Date?
    /// What the roles allow, set per request from the tenant's current metadata. Nil only for
    /// the system's own work (automations), which is not limited by roles.
    public var policy: AccessPolicy?
    /// Set when an automation writes: its name (history says `via: automation:<name>`) and how
    /// many automation steps led here (writes past a bound are refused, so loops stop).
    public var automation: String?
    public var automationDepth = 0
    /// The user's own language for built-in messages, if they chose one.
    public var locale: MessageLocale?

    /// The id the system's own work acts under (automations, approval outcomes): no user has it.
    public static let systemUserID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The system acting for the tenant as `automation` (history says `via: automation:<name>`);
    /// no role limits it and record locks and frozen fields do not bind it.
    public static func system(_ tenant: Tenant, automation: String) -> Caller {
        var caller = Caller(tenant: tenant, userID: systemUserID, keyID: systemUserID, roles: [])
        caller.automation = automation
        return caller
    }

    public init(tenant: Tenant, userID: UUID, keyID: UUID, roles: [String], expiresAt: Date? = nil) {
        self.tenant = tenant
        self.userID = userID
        self.keyID = keyID
        self.roles = roles
        self.expiresAt = expiresAt
    }
}
