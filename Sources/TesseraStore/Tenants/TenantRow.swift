import Foundation
import PostgresNIO
import TesseraCore

/// The one reader of `tessera.tenants` rows: the columns to select and the tenant they make.
enum TenantRow {
    /// The columns, in the order `tenant(_:)` reads them, of the table aliased `alias`.
    static func columns(_ alias: String) -> String {
        ["id", "slug", "name", "schema_name", "time_zone", "created_at", "locale", "calendar::text"].map { alias + "." + $0 }.joined(separator: ", ")
    }

    typealias Cells = (UUID, String, String, String, String, Date, String?, String?)

    static func tenant(_ cells: Cells) -> Tenant {
        Tenant(
            id: cells.0, slug: cells.1, name: cells.2, schema: cells.3, timeZone: cells.4, createdAt: cells.5,
            locale: cells.6.flatMap(MessageLocale.init(rawValue:)), calendar: calendar(cells.7))
    }

    /// The stored calendar, or the default when none is set (or, written by an older build, it no
    /// longer reads).
    static func calendar(_ text: String?) -> BusinessCalendar {
        guard let text, let json = try? JSONParser.parse(text) else { return BusinessCalendar() }
        return (try? BusinessCalendar.decode(json)) ?? BusinessCalendar()
    }

    /// Every row of a query that selected `columns(_:)` first.
    static func tenants<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Tenant] where Rows.Element == PostgresRow {
        var out: [Tenant] = []
        for try await row in rows { out.append(tenant(try row.decode(Cells.self))) }
        return out
    }
}
