/// A field an expression reads: a column of the record in scope, or of the record one relation away.
public struct FieldReference: Sendable, Hashable, CustomStringConvertible {
    /// `record` (the record being written or filtered), `old` (before an update), `other` (another record).
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        case record, old, other
    }

    /// The field on the related record, when the reference goes through a relation.
    public struct Hop: Sendable, Hashable {
        public var entity: String
        public var column: String
        public var type: FieldType
    }

    public var scope: Scope
    /// The column on the scope's own entity (the relation's column when there is a hop).
    public var column: String
    public var columnType: FieldType
    public var hop: Hop?

    public init(scope: Scope, column: String, columnType: FieldType, hop: Hop? = nil) {
        self.scope = scope
        self.column = column
        self.columnType = columnType
        self.hop = hop
    }

    /// The type of the value read (the hop's field type when there is one).
    public var type: FieldType { hop?.type ?? columnType }

    public var description: String { "\(scope.rawValue).\(column)" + (hop.map { ".\($0.column)" } ?? "") }
}

/// An expression after type checking: every operator resolved for its operand types, every
/// field resolved against the entity, constant parts already folded.
public struct CheckedExpression: Sendable {
    public indirect enum Kind: Sendable {
        case constant(ExpressionValue)
        case field(FieldReference)
        case user(String)
        case now
        case not(CheckedExpression)
        case negate(CheckedExpression)
        case and(CheckedExpression, CheckedExpression)
        case or(CheckedExpression, CheckedExpression)
        /// `==` (or `!=` when negated): total, null equals only null.
        case equal(CheckedExpression, CheckedExpression, negated: Bool)
        /// `<`, `<=`, `>`, `>=` on operands of one ordered type.
        case compare(BinaryOperator, CheckedExpression, CheckedExpression)
        /// `+ - * / %`; the node's type says which arithmetic (int, double, text, time).
        case arithmetic(BinaryOperator, CheckedExpression, CheckedExpression)
        case conditional(CheckedExpression, CheckedExpression, CheckedExpression)
        case list([CheckedExpression])
        /// `element in list`.
        case contains(list: CheckedExpression, element: CheckedExpression)
        case toDouble(CheckedExpression)
        case has(CheckedExpression)
        case size(CheckedExpression)
        case text(TextTest, CheckedExpression, CheckedExpression)
        case matches(CheckedExpression, SafeRegex)
        /// `date(timestamp)`: the day in the tenant's time zone.
        case localDate(CheckedExpression)
        /// `timestamp(date)`: local midnight in the tenant's time zone.
        case midnight(CheckedExpression)
        /// `int(double)`: toward zero.
        case truncate(CheckedExpression)
        case toText(CheckedExpression)
        case distance(CheckedExpression, CheckedExpression)
        case locationPart(CheckedExpression, LocationPart)
        /// A timestamp or date moved by a count of working days (backward when `backward`), by the
        /// tenant's business calendar.
        case workingDays(CheckedExpression, days: CheckedExpression, backward: Bool)
    }

    public enum TextTest: String, Sendable {
        case contains, startsWith, endsWith
    }

    public enum LocationPart: String, Sendable {
        case lat, lng, address
    }

    public var kind: Kind
    public var type: ExpressionType
    public var position: SourcePosition

    public init(_ kind: Kind, _ type: ExpressionType, at position: SourcePosition) {
        self.kind = kind
        self.type = type
        self.position = position
    }

    public var children: [CheckedExpression] {
        switch kind {
        case .constant, .field, .user, .now: []
        case .not(let a), .negate(let a), .toDouble(let a), .has(let a), .size(let a), .matches(let a, _), .localDate(let a),
            .midnight(let a), .truncate(let a), .toText(let a), .locationPart(let a, _):
            [a]
        case .and(let a, let b), .or(let a, let b), .equal(let a, let b, _), .compare(_, let a, let b), .arithmetic(_, let a, let b),
            .contains(let a, let b), .text(_, let a, let b), .distance(let a, let b), .workingDays(let a, let b, _):
            [a, b]
        case .conditional(let a, let b, let c): [a, b, c]
        case .list(let items): items
        }
    }

    /// Every field the expression reads, so callers can load related records and old values.
    public var references: Set<FieldReference> {
        if case .field(let reference) = kind { return [reference] }
        return children.reduce(into: []) { $0.formUnion($1.references) }
    }

    /// Whether the value depends on nothing but constants and the environment (user, now),
    /// not on the given scope's record: such parts are computed once, not per row.
    public func isInvariant(over scopes: Set<FieldReference.Scope>) -> Bool {
        if case .field(let reference) = kind { return !scopes.contains(reference.scope) }
        return children.allSatisfy { $0.isInvariant(over: scopes) }
    }
}
