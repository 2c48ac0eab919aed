/// The body of `POST /api/v1/tenants` (the platform operator's): slug, name, optional time zone,
/// packs to install, and the tenant admin's sign-in.
public struct TenantInput: Sendable, Equatable {
    public let slug: String
    public let name: String
    public let timeZone: String?
    /// The default language of built-in messages (zh-CN or en; en when left out).
    public let locale: MessageLocale?
    public let packs: [String]
    public let adminEmail: String?
    public let adminPassword: String?

    /// `knownPacks` are the template market's pack ids.
    public static func check(_ json: JSONValue, knownPacks: [String]) throws(TesseraError) -> TenantInput {
        var problems: [TesseraError.Detail] = []
        guard case .object(let members) = json else {
            throw .validation([.init(field: nil, rule: "type", AccountMessage.tenantBody)])
        }
        for (key, _) in members where !["slug", "name", "time_zone", "locale", "packs", "admin_email", "admin_password"].contains(key) {
            problems.append(.init(field: key, rule: "unknown_property", AccountMessage.notTenantProperty(key)))
        }
        let slug = json["slug"]?.stringValue
        let name = json["name"]?.stringValue
        if slug == nil { problems.append(.init(field: "slug", rule: "required", AccountMessage.requiredString("slug"))) }
        if name == nil { problems.append(.init(field: "name", rule: "required", AccountMessage.requiredString("name"))) }
        var packs: [String] = []
        if let list = json["packs"] {
            guard let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw .validation([.init(field: "packs", rule: "type", AccountMessage.packsType)])
            }
            packs = items.compactMap(\.stringValue)
            for pack in packs where !knownPacks.contains(pack) {
                problems.append(.init(field: "packs", rule: "unknown_pack", AccountMessage.noPack(pack)))
            }
        }
        var locale: MessageLocale?
        if let tag = json["locale"], !tag.isNull {
            if let parsed = tag.stringValue.flatMap(MessageLocale.init(rawValue:)) {
                locale = parsed
            } else {
                problems.append(.init(field: "locale", rule: "locale", AccountMessage.localeChoice(nullable: false)))
            }
        }
        // Optional: the admin's sign-in, so people can log in from the first minute.
        var admin: (email: String, password: String)?
        if json["admin_email"] != nil || json["admin_password"] != nil {
            do throws(TesseraError) {
                let input = try UserInput.check(
                    .object([
                        ("name", .string("Admin")), ("email", json["admin_email"] ?? .null),
                        ("password", json["admin_password"] ?? .null),
                    ]), creating: true)
                if let email = input.email ?? nil, let password = input.password {
                    admin = (email, password)
                } else {
                    problems.append(.init(field: "admin_password", rule: "required", AccountMessage.adminTogether))
                }
            } catch {
                problems += error.details.map { $0.prefixed(field: "admin_", message: "admin_") }
            }
        }
        guard problems.isEmpty, let slug, let name else { throw .validation(problems) }
        return TenantInput(
            slug: slug, name: name, timeZone: json["time_zone"]?.stringValue, locale: locale, packs: packs,
            adminEmail: admin?.email, adminPassword: admin?.password)
    }
}
