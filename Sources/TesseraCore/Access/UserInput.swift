/// A person who logs in, or an integration identity that only calls the API with keys.
public enum UserKind: String, Sendable, CaseIterable {
    case person, integration
}

/// Whether an account may sign in: `frozen` after too long unused, `disabled` by an admin.
public enum UserStatus: String, Sendable, CaseIterable {
    case active, disabled, frozen
}

/// A user as an admin writes it (`POST /api/v1/users`, `PATCH /api/v1/users/{id}`), checked.
/// Double optionals tell "not given" (nil) from "set to null" (.some(nil)).
public struct UserInput: Sendable, Equatable {
    public var name: String?
    public var email: String??
    public var password: String?
    public var roles: [String]?
    public var teamID: String??
    public var managerID: String??
    public var kind: UserKind?
    public var status: UserStatus?
    /// The user's language for built-in messages; null goes back to the tenant's.
    public var locale: MessageLocale??

    /// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut.
    public static let passwordBytes = 8...72

    public static func check(_ json: JSONValue, creating: Bool) throws(TesseraError) -> UserInput {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .validation(problems) }
        reader.rejectUnknown(allowed: ["name", "email", "password", "roles", "team_id", "manager_id", "kind", "status", "locale"])
        var input = UserInput()
        var own: [TesseraError.Detail] = []
        if let name = reader.string("name") {
            let trimmed = String(name.trimmingWhitespace)
            if trimmed.isEmpty || trimmed.count > 200 {
                own.append(.init(field: "name", rule: "length", AccountMessage.nameLength))
            } else {
                input.name = trimmed
            }
        } else if creating {
            own.append(.init(field: "name", rule: "required", Message.required("name")))
        }
        if reader.has("email") {
            if let email = reader.string("email") {
                let normalized = String(email.trimmingWhitespace).lowercased()
                if Self.isEmail(normalized) {
                    input.email = .some(normalized)
                } else {
                    own.append(.init(field: "email", rule: "email", Message.notEmail(email)))
                }
            } else if reader.raw("email")?.isNull == true {
                input.email = .some(nil)
            }
        }
        if let password = reader.string("password") {
            if let problem = Self.passwordProblem(password) {
                own.append(.init(field: "password", rule: "password", problem))
            } else {
                input.password = password
            }
        }
        if let roles = reader.stringArray("roles") {
            let bad = roles.filter { !APIName.isValid($0) }
            if !bad.isEmpty { own.append(.init(field: "roles", rule: "name", AccountMessage.notRoleNames(bad))) }
            input.roles = Array(Set(roles)).sorted()
        }
        input.teamID = Self.optionalID("team_id", &reader, &own)
        input.managerID = Self.optionalID("manager_id", &reader, &own)
        if let kind = reader.string("kind") {
            if !creating { own.append(.init(field: "kind", rule: "immutable", AccountMessage.kindImmutable)) }
            if let k = UserKind(rawValue: kind) { input.kind = k } else { own.append(.init(field: "kind", rule: "enum", AccountMessage.kindEnum)) }
        }
        if let status = reader.string("status") {
            if creating { own.append(.init(field: "status", rule: "immutable", AccountMessage.statusOnCreate)) }
            switch UserStatus(rawValue: status) {
            case .active?: input.status = .active
            case .disabled?: input.status = .disabled
            default: own.append(.init(field: "status", rule: "enum", AccountMessage.statusEnum))
            }
        }
        if reader.has("locale") {
            input.locale = Self.locale(&reader, &own)
        }
        if creating, input.kind != .integration, input.email == nil {
            own.append(.init(field: "email", rule: "required", AccountMessage.personNeedsEmail))
        }
        if input.kind == .integration, input.password != nil {
            own.append(.init(field: "password", rule: "integration", AccountMessage.integrationNoPassword))
        }
        problems += reader.problems + own
        guard problems.isEmpty else { throw .validation(problems) }
        return input
    }

    /// What people may change about themselves (`PATCH /api/v1/me`): their name and language.
    public static func checkOwn(_ json: JSONValue) throws(TesseraError) -> UserInput {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "", problems: &problems) else { throw .validation(problems) }
        reader.rejectUnknown(allowed: ["name", "locale"])
        problems += reader.problems
        guard problems.isEmpty else { throw .validation(problems) }
        return try check(json, creating: false)
    }

    /// A `locale` member: zh-CN or en, or null for "not set"; nil (and a problem) otherwise.
    static func locale(_ reader: inout ObjectReader, _ problems: inout [TesseraError.Detail]) -> MessageLocale?? {
        if reader.raw("locale")?.isNull == true { return .some(nil) }
        guard let tag = reader.string("locale") else { return nil }
        guard let locale = MessageLocale(rawValue: tag) else {
            problems.append(.init(field: "locale", rule: "locale", AccountMessage.localeChoice(nullable: true)))
            return nil
        }
        return .some(locale)
    }

    /// Why a new password is refused, or nil.
    public static func passwordProblem(_ password: String) -> AccountMessage? {
        let bytes = password.utf8.count
        if bytes < passwordBytes.lowerBound { return .passwordTooShort(passwordBytes.lowerBound) }
        if bytes > passwordBytes.upperBound { return .passwordTooLong(passwordBytes.upperBound) }
        if password.utf8.contains(0) { return .passwordNUL }
        return nil
    }

    /// A practical check: a local part without spaces or quotes, and a domain of dot-separated
    /// labels of letters, digits and hyphens (letters may be non-ASCII, as in 例子.中国).
    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard s.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            !parts[0].contains(where: { $0.isWhitespace || $0 == "\"" || $0.isNewline || $0 == "\\" })
        else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0 == "-" || $0.isNumber || $0.isLetter }
            }
    }

    private static func optionalID(_ key: String, _ reader: inout ObjectReader, _ problems: inout [TesseraError.Detail]) -> String?? {
        guard reader.has(key) else { return nil }
        if reader.raw(key)?.isNull == true { return .some(nil) }
        guard let text = reader.string(key) else { return nil }
        guard let id = UUIDText.normalized(text) else {
            problems.append(.init(field: key, rule: "uuid", AccountMessage.mustBeID(key)))
            return nil
        }
        return .some(id)
    }
}
