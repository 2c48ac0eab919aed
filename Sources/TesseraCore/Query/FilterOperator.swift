/// PostgREST-style filter operators of the data API (`?amount=gte.100000`).
public enum FilterOperator: String, Sendable, CaseIterable {
    case eq, neq, gt, gte, lt, lte, like, ilike, `in`, `is`, cs, ov

    var isComparison: Bool { [.eq, .neq, .gt, .gte, .lt, .lte].contains(self) }
}

/// One checked filter: column, operator, negation and the bound value.
public struct Filter: Sendable, Equatable {
    public enum Operand: Sendable, Equatable {
        case value(StoredValue)
        case list([StoredValue])
        case null, notNull, isTrue, isFalse
    }

    public let column: Column
    public let op: FilterOperator
    public let negated: Bool
    public let operand: Operand

    public init(column: Column, op: FilterOperator, negated: Bool = false, operand: Operand) {
        self.column = column
        self.op = op
        self.negated = negated
        self.operand = operand
    }
}
