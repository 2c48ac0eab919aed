import Foundation

/// Evaluates checked expressions in Swift with the same meaning the SQL compiler gives them:
/// three-valued logic (null is "unknown"), total equality, errors where PostgreSQL raises them.
public enum ExpressionEvaluator {
    /// The longest text an evaluation may build (concatenation is the only way to grow one).
    public static let maxTextLength = 1 << 20
    static let earthRadius = 6_371_008.8

    public static func evaluate(_ e: CheckedExpression, in env: ExpressionEnvironment) throws(ExpressionError) -> ExpressionValue {
        func fail(_ problem: DefinitionMessage) -> ExpressionError { ExpressionError(.evaluation, problem, at: e.position) }
        switch e.kind {
        case .constant(let value): return value
        case .field(let reference): return env.records[reference.scope]?.value(reference) ?? .null
        case .user(let name): return env.user[name] ?? .null
        case .now: return .timestamp(env.now)
        case .not(let a):
            guard case .bool(let b) = try evaluate(a, in: env) else { return .null }
            return .bool(!b)
        case .negate(let a):
            switch try evaluate(a, in: env) {
            case .int(let i):
                guard i != .min else { throw fail(.outOfRange(.integer)) }
                return .int(-i)
            case .double(let d): return .double(-d)
            case .duration(let d):
                guard d != .min else { throw fail(.outOfRange(.duration)) }
                return .duration(-d)
            default: return .null
            }
        case .and(let a, let b):
            let left = try evaluate(a, in: env)
            if case .bool(false) = left { return .bool(false) }
            let right = try evaluate(b, in: env)
            if case .bool(false) = right { return .bool(false) }
            if left.isNull || right.isNull { return .null }
            return .bool(true)
        case .or(let a, let b):
            let left = try evaluate(a, in: env)
            if case .bool(true) = left { return .bool(true) }
            let right = try evaluate(b, in: env)
            if case .bool(true) = right { return .bool(true) }
            if left.isNull || right.isNull { return .null }
            return .bool(false)
        case .equal(let a, let b, let negated):
            return .bool(try evaluate(a, in: env).equals(try evaluate(b, in: env)) != negated)
        case .compare(let op, let a, let b):
            guard let order = try evaluate(a, in: env).compare(try evaluate(b, in: env)) else { return .null }
            let holds =
                switch op {
                case .less: order < 0
                case .lessOrEqual: order <= 0
                case .greater: order > 0
                default: order >= 0
                }
            return .bool(holds)
        case .arithmetic(let op, let a, let b):
            return try arithmetic(op, try evaluate(a, in: env), try evaluate(b, in: env), fail)
        case .conditional(let c, let a, let b):
            if case .bool(true) = try evaluate(c, in: env) { return try evaluate(a, in: env) }
            return try evaluate(b, in: env)
        case .list(let items):
            var values: [ExpressionValue] = []
            for item in items { values.append(try evaluate(item, in: env)) }
            return .list(values)
        case .contains(let list, let element):
            let needle = try evaluate(element, in: env)
            guard !needle.isNull, case .list(let values) = try evaluate(list, in: env) else { return .bool(false) }
            return .bool(values.contains { !$0.isNull && $0.equals(needle) })
        case .toDouble(let a):
            guard case .int(let i) = try evaluate(a, in: env) else { return .null }
            return .double(Double(i))
        case .has(let a):
            return .bool(try evaluate(a, in: env).hasValue)
        case .size(let a):
            switch try evaluate(a, in: env) {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .list(let l): return .int(Int64(l.count))
            default: return .int(0)
            }
        case .text(let test, let a, let b):
            guard case .string(let s) = try evaluate(a, in: env), case .string(let t) = try evaluate(b, in: env) else { return .null }
            let haystack = Array(s.utf8), needle = Array(t.utf8)
            switch test {
            case .startsWith: return .bool(haystack.starts(with: needle))
            case .endsWith: return .bool(haystack.reversed().starts(with: needle.reversed()))
            case .contains:
                if needle.isEmpty { return .bool(true) }
                guard haystack.count >= needle.count else { return .bool(false) }
                for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
                    if haystack[start..<start + needle.count].elementsEqual(needle) { return .bool(true) }
                }
                return .bool(false)
            }
        case .matches(let a, let regex):
            guard case .string(let s) = try evaluate(a, in: env) else { return .null }
            return .bool(regex.matches(s))
        case .localDate(let a):
            guard case .timestamp(let t) = try evaluate(a, in: env) else { return .null }
            return .date(env.timeZone.localDate(t))
        case .midnight(let a):
            guard case .date(let d) = try evaluate(a, in: env) else { return .null }
            return .timestamp(env.timeZone.midnight(d))
        case .truncate(let a):
            guard case .double(let d) = try evaluate(a, in: env) else { return .null }
            let t = d.rounded(.towardZero)
            guard t >= -9.223372036854775808e18, t < 9.223372036854775808e18 else { throw fail(.outOfRange(.integer)) }
            return .int(Int64(t))
        case .toText(let a):
            switch try evaluate(a, in: env) {
            case .int(let i): return .string(String(i))
            case .bool(let b): return .string(b ? "true" : "false")
            case .string(let s): return .string(s)
            default: return .null
            }
        case .distance(let a, let b):
            guard case .location(let lat1, let lng1, _) = try evaluate(a, in: env),
                case .location(let lat2, let lng2, _) = try evaluate(b, in: env)
            else { return .null }
            let meters = distance(lat1, lng1, lat2, lng2)
            // Only near-antipodal rounding can push asin out of its domain; PostgreSQL raises there too.
            guard meters.isFinite else { throw fail(.outOfRange(.distance)) }
            return .double(meters)
        case .locationPart(let a, let part):
            guard case .location(let lat, let lng, let address) = try evaluate(a, in: env) else { return .null }
            switch part {
            case .lat: return .double(lat)
            case .lng: return .double(lng)
            case .address: return address.map(ExpressionValue.string) ?? .null
            }
        case .workingDays(let a, let count, let backward):
            guard case .int(let n) = try evaluate(count, in: env), n.magnitude <= TimeSpan.maxWorkingDays else {
                return .null
            }
            let days = Int(backward ? -n : n)
            switch try evaluate(a, in: env) {
            case .timestamp(let t): return .timestamp(env.calendar.adding(workingDays: days, to: t, zone: env.timeZone))
            case .date(let d): return .date(env.calendar.adding(workingDays: days, toDay: d))
            default: return .null
            }
        }
    }

    /// Haversine distance in metres, written operation for operation as the SQL compiler writes it.
    public static func distance(_ lat1: Double, _ lng1: Double, _ lat2: Double, _ lng2: Double) -> Double {
        let radiansPerDegree = 0.0174532925199432957692
        let dLat = sin((lat2 - lat1) * radiansPerDegree / 2)
        let dLng = sin((lng2 - lng1) * radiansPerDegree / 2)
        let a = dLat * dLat + cos(lat1 * radiansPerDegree) * cos(lat2 * radiansPerDegree) * (dLng * dLng)
        return 2 * earthRadius * asin(sqrt(a))
    }

    private static func arithmetic(
        _ op: BinaryOperator, _ l: ExpressionValue, _ r: ExpressionValue,
        _ fail: (DefinitionMessage) -> ExpressionError
    ) throws(ExpressionError) -> ExpressionValue {
        func checked(_ result: (Int64, Bool), _ what: DefinitionMessage.RangeKind = .integer) throws(ExpressionError) -> Int64 {
            guard !result.1 else { throw fail(.outOfRange(what)) }
            return result.0
        }
        switch (l, r) {
        case (.null, _), (_, .null): return .null
        case (.int(let a), .int(let b)):
            switch op {
            case .add: return .int(try checked(a.addingReportingOverflow(b)))
            case .subtract: return .int(try checked(a.subtractingReportingOverflow(b)))
            case .multiply: return .int(try checked(a.multipliedReportingOverflow(by: b)))
            case .divide:
                // Dividing by zero gives null (unknown), so one bad row cannot fail a whole list.
                guard b != 0 else { return .null }
                return .int(try checked(a.dividedReportingOverflow(by: b)))
            default:
                guard b != 0 else { return .null }
                return .int(b == -1 ? 0 : a % b)
            }
        case (.double(let a), .double(let b)):
            let result: Double
            switch op {
            case .add: result = a + b
            case .subtract: result = a - b
            case .multiply: result = a * b
            default:
                guard b != 0 else { return .null }
                result = a / b
            }
            // PostgreSQL raises rather than produce infinity; so do we.
            guard result.isFinite else { throw fail(.outOfRange(.number)) }
            if result == 0, a != 0, (op == .multiply && b != 0) || op == .divide { throw fail(.underflow) }
            return .double(result)
        case (.string(let a), .string(let b)):
            guard a.utf8.count + b.utf8.count <= maxTextLength else { throw fail(.textTooLong(maxTextLength)) }
            return .string(a + b)
        case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
            return .timestamp(try checked(op == .add ? t.addingReportingOverflow(d) : t.subtractingReportingOverflow(d), .timestamp))
        case (.timestamp(let a), .timestamp(let b)):
            return .duration(try checked(a.subtractingReportingOverflow(b), .duration))
        case (.duration(let a), .duration(let b)):
            return .duration(try checked(op == .add ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b), .duration))
        case (.date(let a), .int(let b)), (.int(let b), .date(let a)):
            return .date(try checked(op == .add ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b), .date))
        case (.date(let a), .date(let b)):
            return .int(a - b)
        default:
            throw fail(.operatorValues(op.rawValue))
        }
    }
}
