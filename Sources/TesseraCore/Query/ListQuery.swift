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
    /// `where=`: an expression over `record` every returned row satisfies.
    public var condition: CompiledExpression?
    /// Always ends with `id`, so the order is total and keyset pagination is exact.
    public var order: [OrderKey] = []
    /// Columns to return; nil means every field.
    public var select: [String]?
    public var limit: Int = ListQuery.defaultLimit
    /// Values of the order keys of the last row of the previous page (text or nil).
    public var after: [String?]?
    public var includeDeleted = false
    public var exactCount = false

    public static let defaultLimit = 50
    public static let maxLimit = 500

    /// A string naming the order, carried in cursors so one is not replayed under another order.
    public var orderSignature: String {
        order.map { "\($0.column.name).\($0.descending ? "d" : "a")" }.joined(separator: ",")
    }
}
