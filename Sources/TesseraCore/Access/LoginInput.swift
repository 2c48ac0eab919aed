/// The body of `POST /api/v1/auth/login`: which tenant, whose email, which password.
public struct LoginInput: Sendable, Equatable {
    public let tenant: String
    public let email: String
    public let password: String

    public static func check(_ json: JSONValue) throws(TesseraError) -> LoginInput {
        var problems: [TesseraError.Detail] = []
        if case .object(let members) = json {
            for (key, _) in members where !["tenant", "email", "password"].contains(key) {
                problems.append(.init(field: key, rule: "unknown_property", AccountMessage.notLoginProperty(key)))
            }
        }
        func text(_ key: String) -> String? {
            guard let value = json[key]?.stringValue, !value.isEmpty else {
                problems.append(.init(field: key, rule: "required", AccountMessage.requiredString(key)))
                return nil
            }
            return value
        }
        let tenant = text("tenant"), email = text("email"), password = text("password")
        guard problems.isEmpty, let tenant, let email, let password else { throw .validation(problems) }
        return LoginInput(tenant: tenant, email: email, password: password)
    }
}

/// The body of `POST /api/v1/auth/password`.
public struct PasswordChangeInput: Sendable, Equatable {
    public let current: String
    public let new: String

    public static func check(_ json: JSONValue) throws(TesseraError) -> PasswordChangeInput {
        guard let current = json["current_password"]?.stringValue, let new = json["new_password"]?.stringValue else {
            throw .validation([.init(field: nil, rule: "required", AccountMessage.passwordsRequired)])
        }
        return PasswordChangeInput(current: current, new: new)
    }
}
