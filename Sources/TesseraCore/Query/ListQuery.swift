import Foundation

/// A list request planned against an entity: filters, order, projection, page size and cursor.
public struct ListQuery: Sendable, Equatable {
    public struct OrderKey: Sendable, Equatable {
        public let column: Column
        public let descending: Bool
        /// PostgreSQL default: NULLS LAST ascending, NULLS FIRST descending.
        public let nullsFirst: Bool
    }

    public var filters: [Filter] = []
    /// Expressions over `record` every returned row satisfies (`where=`, a view's filter).
    public var conditions: [CompiledExpression] = []
    /// A calendar's window: rows whose span (start to end, or the start alone) overlaps it.
    public var overlap: Overlap?
    /// Always ends with `id`, so the order is total and keyset pagination is exact.
    public var order: [OrderKey] = []
    /// Columns to return; nil means every field.
    public var select: [String]?
    public var limit: Int = ListQuery.defaultLimit
    /// Values of the order keys of the last row of the previous page (text or nil).
    public var after: [String?]?
    public var includeDeleted = false
    public var exactCount = false

    /// Rows whose `start`…`end` span overlaps `[from, to)`: start before `to`, and end (or
    /// start, without an end or when the end is empty) at or after `from`.
    public struct Overlap: Sendable, Equatable {
        public let start: Column
        public let end: Column?
        /// Dates or datetimes as the filter grammar reads them (a bare date is local midnight).
        public let from: String
        public let to: String

        public init(start: Column, end: Column?, from: String, to: String) {
            self.start = start
            self.end = end
            self.from = from
            self.to = to
        }
    }

    public init() {}

    public static let defaultLimit = 50
    public static let maxLimit = 500

    /// A string naming the order, carried in cursors so one is not replayed under another order.
    public var orderSignature: String {
        order.map { "\($0.column.name).\($0.descending ? "d" : "a")" }.joined(separator: ",")
    }
}
