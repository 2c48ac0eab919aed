public import Foundation

/// A tenant (a company): its own schema, time zone and metadata version.
public struct Tenant: Sendable, Equatable {
    public let id: UUID
    public let slug: String
    public let name: String
    public let schema: String
    public let timeZone: String
    public let createdAt: Date
    /// The language of its built-in messages when neither the request nor the user names one.
    public let locale: MessageLocale?
    /// Its working days and hours, for deadlines in working days (`duration("2wd")`).
    public let calendar: BusinessCalendar

    public init(
        id: UUID, slug: String, name: String, schema: String, timeZone: String, createdAt: Date, locale: MessageLocale? = nil,
        calendar: BusinessCalendar = BusinessCalendar()
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.schema = schema
        self.timeZone = timeZone
        self.createdAt = createdAt
        self.locale = locale
        self.calendar = calendar
    }

    public static func schemaName(forSlug slug: String) -> String { "t_" + slug }

    /// Slugs become schema names: lowercase ASCII, 2–40 characters.
    public static func isValidSlug(_ slug: String) -> Bool {
        APIName.isValid(slug) && slug.utf8.count >= 2 && slug.utf8.count <= 40
    }

    public var json: JSONValue {
        .object([
            ("id", .string(id.uuidString.lowercased())), ("slug", .string(slug)), ("name", .string(name)),
            ("time_zone", .string(timeZone)), ("locale", .string((locale ?? .en).rawValue)), ("created_at", .string(Timestamp.rfc3339(createdAt))),
        ])
    }
}
