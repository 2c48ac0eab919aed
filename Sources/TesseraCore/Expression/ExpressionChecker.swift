/// What an expression may refer to where it is used: the entity, which records are in scope,
/// the caller's attributes, and the entities one relation away.
public struct ExpressionContext: Sendable {
    public var entity: EntityDefinition
    public var scopes: Set<FieldReference.Scope>
    public var userAttributes: [String: ExpressionType]
    public var relatedEntity: @Sendable (String) -> EntityDefinition?
    /// The entity `other.` reads when it is not `entity` (an approval hold's records); nil: `entity`.
    public var otherEntity: EntityDefinition?

    public init(
        entity: EntityDefinition, scopes: Set<FieldReference.Scope> = [.record],
        userAttributes: [String: ExpressionType] = ExpressionContext.defaultUserAttributes,
        relatedEntity: @escaping @Sendable (String) -> EntityDefinition? = { _ in nil }, otherEntity: EntityDefinition? = nil
    ) {
        self.entity = entity
        self.scopes = scopes
        self.userAttributes = userAttributes
        self.relatedEntity = relatedEntity
        self.otherEntity = otherEntity
    }

    /// The entity whose fields `scope.` names.
    public func entity(of scope: FieldReference.Scope) -> EntityDefinition {
        scope == .other ? (otherEntity ?? entity) : entity
    }

    /// What `user.` offers today: the caller's user id.
    public static let defaultUserAttributes: [String: ExpressionType] = ["id": .string]
}

/// Type-checks `Syntax` against an entity: resolves fields and functions, picks each operator's
/// meaning for its operand types, folds constant parts, and names the position of every refusal.
public struct ExpressionChecker {
    let context: ExpressionContext
    /// The scope `record.` means: formulas read for `old` are checked with their fields on `old`.
    var recordScope: FieldReference.Scope = .record
    /// Formulas being inlined, innermost last, to refuse cycles.
    var formulaStack: [String] = []

    static let maxFormulaNesting = 8

    public static func check(_ syntax: Syntax, in context: ExpressionContext) throws(ExpressionError) -> CheckedExpression {
        try ExpressionChecker(context: context).check(syntax)
    }

    /// A formula field's expression, checked against its result type (int widens to double).
    static func checkFormula(
        _ field: FieldDefinition, in context: ExpressionContext, recordScope: FieldReference.Scope = .record,
        stack: [String] = []
    ) throws(ExpressionError) -> CheckedExpression {
        guard let source = field.expression, let result = field.result else {
            throw ExpressionError(.type, .formulaIncomplete(field.name))
        }
        var scoped = context
        scoped.scopes = [.record]
        let checker = ExpressionChecker(context: scoped, recordScope: recordScope, formulaStack: stack + [field.name])
        let checked = try checker.check(try ExpressionParser.parse(source))
        let expected = ExpressionType.of(result)
        if checked.type == expected || checked.type == .null { return .init(checked.kind, expected, at: checked.position) }
        if checked.type == .int, expected == .double { return try checker.widen(checked, to: .double) }
        throw ExpressionError(.type, .formulaGives("\(checked.type)", result: result.rawValue, expected: "\(expected)"), at: checked.position)
    }

    private func fail(_ problem: DefinitionMessage, _ position: SourcePosition) -> ExpressionError {
        ExpressionError(.type, problem, at: position)
    }

    func check(_ syntax: Syntax) throws(ExpressionError) -> CheckedExpression {
        let at = syntax.position
        switch syntax.kind {
        case .null: return .init(.constant(.null), .null, at: at)
        case .bool(let b): return .init(.constant(.bool(b)), .bool, at: at)
        case .int(let i): return .init(.constant(.int(i)), .int, at: at)
        case .double(let d): return .init(.constant(.double(d)), .double, at: at)
        case .string(let s): return .init(.constant(.string(s)), .string, at: at)
        case .identifier(let name):
            if FieldReference.Scope(rawValue: name) != nil || name == "user" {
                let example = "\(name).\(name == "user" ? "id" : (context.entity.fields.first?.name ?? "id"))"
                throw fail(.scopeNotValue(name, example: example), at)
            }
            throw fail(.unknownName(name, scopes: scopeNames), at)
        case .member(let base, let name): return try member(base, name, at)
        case .call(let name, let target, let arguments): return try call(name, target, arguments, at)
        case .unary(let op, let operand):
            let value = try check(operand)
            switch op {
            case .not:
                try expect(value, .bool, "!")
                return try fold(.init(.not(value), .bool, at: at))
            case .negate:
                guard value.type == .int || value.type == .double || value.type == .duration || value.type == .null else {
                    throw fail(.negateType("\(value.type)"), value.position)
                }
                return try fold(.init(.negate(value), value.type, at: at))
            }
        case .binary(let op, let left, let right): return try binary(op, try check(left), try check(right), at)
        case .conditional(let condition, let whenTrue, let whenFalse):
            let c = try check(condition)
            try expect(c, .bool, nil)
            let a = try check(whenTrue), b = try check(whenFalse)
            guard let type = ExpressionType.common(a.type, b.type) else {
                throw fail(.branchTypes("\(a.type)", "\(b.type)"), at)
            }
            return try fold(.init(.conditional(c, try widen(a, to: type), try widen(b, to: type)), type, at: at))
        case .list(let items):
            let checked = try items.map { (item: Syntax) throws(ExpressionError) -> CheckedExpression in try check(item) }
            var element: ExpressionType = .null
            for item in checked {
                guard let common = ExpressionType.common(element, item.type) else {
                    throw fail(.listMixed("\(element)", "\(item.type)"), item.position)
                }
                element = common
            }
            guard element != .null else { throw fail(.listAllNull, at) }
            if element == .workingDays { throw fail(.workingDaysUse("[…]", "\(element)", "\(element)"), at) }
            if case .list = element { throw fail(.listOfLists, at) }
            return try fold(
                .init(
                    .list(checked.map { (item: CheckedExpression) throws(ExpressionError) -> CheckedExpression in try widen(item, to: element) }),
                    .list(element), at: at))
        }
    }

    private var scopeNames: String {
        (FieldReference.Scope.allCases.filter { context.scopes.contains($0) }.map(\.rawValue) + ["user"]).joined(separator: ", ")
    }

    /// `op` names the operator the value is an operand of; nil for the condition of `? :`.
    private func expect(_ value: CheckedExpression, _ type: ExpressionType, _ op: String?) throws(ExpressionError) {
        guard value.type == type || value.type == .null else {
            let got = "\(value.type)"
            throw fail(op.map { .operandType($0, type: "\(type)", got: got) } ?? .conditionType(type: "\(type)", got: got), value.position)
        }
    }

    private func widen(_ value: CheckedExpression, to type: ExpressionType) throws(ExpressionError) -> CheckedExpression {
        if value.type == .int, type == .double { return try fold(.init(.toDouble(value), .double, at: value.position)) }
        if value.type == .null, type != .null { return .init(value.kind, type, at: value.position) }
        return value
    }

    // MARK: fields

    private func member(_ base: Syntax, _ name: String, _ at: SourcePosition) throws(ExpressionError) -> CheckedExpression {
        if case .identifier(let root) = base.kind {
            if root == "user" {
                guard let type = context.userAttributes[name] else {
                    throw fail(.noUserAttribute(name, known: context.userAttributes.keys.sorted()), at)
                }
                return .init(.user(name), type, at: at)
            }
            if let scope = FieldReference.Scope(rawValue: root) {
                guard context.scopes.contains(scope) else {
                    throw fail(.scopeUnavailable(root, use: scopeNames), base.position)
                }
                let entity = context.entity(of: scope)
                guard let column = Column.resolve(name, in: entity) else {
                    throw fail(.noField(entity.name, field: name), at)
                }
                let effective = scope == .record ? recordScope : scope
                if let field = column.field, field.type == .formula {
                    // Formulas are inlined: the same meaning in Swift and in SQL, over the scope asked for.
                    guard !formulaStack.contains(name) else {
                        throw fail(.formulaCycle(name, chain: formulaStack + [name]), at)
                    }
                    guard formulaStack.count < Self.maxFormulaNesting else {
                        throw fail(.formulaNesting(Self.maxFormulaNesting), at)
                    }
                    do {
                        var formulaContext = context
                        formulaContext.entity = entity
                        let inlined = try Self.checkFormula(field, in: formulaContext, recordScope: effective, stack: formulaStack)
                        return .init(inlined.kind, inlined.type, at: at)
                    } catch {
                        throw fail(.inFormula(name, error.described), at)
                    }
                }
                let reference = FieldReference(scope: effective, column: name, columnType: column.type)
                return .init(.field(reference), .of(column.type), at: at)
            }
        }
        let value = try check(base)
        if case .field(var reference) = value.kind, reference.hop == nil, reference.columnType == .relation {
            let entity = context.entity(of: reference.scope)
            guard let targetName = entity.field(reference.column)?.target ?? (reference.column == "id" ? entity.name : nil),
                let target = context.relatedEntity(targetName)
            else {
                throw fail(.unknownRelationTarget("\(reference)"), base.position)
            }
            guard let column = Column.resolve(name, in: target) else { throw fail(.noField(target.name, field: name), at) }
            if column.field?.type == .formula { throw fail(.relatedFormula("\(target.name).\(name)"), at) }
            reference.hop = .init(entity: target.name, column: name, type: column.type)
            return .init(.field(reference), .of(column.type), at: at)
        }
        if case .field(let reference) = value.kind, reference.hop != nil, value.type != .location {
            throw fail(.oneHop("\(reference).\(name)"), at)
        }
        if value.type == .location, let part = CheckedExpression.LocationPart(rawValue: name) {
            return try fold(.init(.locationPart(value, part), part == .address ? .string : .double, at: at))
        }
        throw fail(.noField("\(value.type)", field: name), at)
    }

    // MARK: operators

    private func binary(
        _ op: BinaryOperator, _ l: CheckedExpression, _ r: CheckedExpression, _ at: SourcePosition
    ) throws(ExpressionError) -> CheckedExpression {
        if let moved = try workingDays(op, l, r, at) { return moved }
        switch op {
        case .and, .or:
            try expect(l, .bool, op.rawValue)
            try expect(r, .bool, op.rawValue)
            return try fold(.init(op == .and ? .and(l, r) : .or(l, r), .bool, at: at))
        case .equal, .notEqual:
            guard let type = ExpressionType.common(l.type, r.type) else {
                throw fail(.cannotCompare("\(l.type)", "\(r.type)", op: op.rawValue), at)
            }
            return try fold(.init(.equal(try widen(l, to: type), try widen(r, to: type), negated: op == .notEqual), .bool, at: at))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let type = ExpressionType.common(l.type, r.type), type.isOrdered else {
                throw fail(.cannotOrder("\(l.type)", "\(r.type)", op: op.rawValue), at)
            }
            return try fold(.init(.compare(op, try widen(l, to: type), try widen(r, to: type)), .bool, at: at))
        case .in:
            guard case .list(let element) = r.type else { throw fail(.inNeedsList("\(r.type)"), r.position) }
            guard let type = ExpressionType.common(l.type, element) else {
                throw fail(.inTypes("\(l.type)", list: "\(element)"), at)
            }
            return try fold(.init(.contains(list: try widen(r, to: .list(type)), element: try widen(l, to: type)), .bool, at: at))
        case .add, .subtract, .multiply, .divide, .remainder:
            return try arithmetic(op, l, r, at)
        }
    }

    /// `timestamp ± working days`, `date ± working days`, `working days + timestamp or date`; nil
    /// when neither operand counts working days. Anything else with working days is refused.
    private func workingDays(
        _ op: BinaryOperator, _ l: CheckedExpression, _ r: CheckedExpression, _ at: SourcePosition
    ) throws(ExpressionError) -> CheckedExpression? {
        guard l.type == .workingDays || r.type == .workingDays else { return nil }
        switch (l.type, op, r.type) {
        case (.timestamp, .add, .workingDays), (.timestamp, .subtract, .workingDays), (.date, .add, .workingDays),
            (.date, .subtract, .workingDays), (.null, .add, .workingDays), (.null, .subtract, .workingDays):
            return .init(.workingDays(l, days: r, backward: op == .subtract), l.type, at: at)
        case (.workingDays, .add, .timestamp), (.workingDays, .add, .date), (.workingDays, .add, .null):
            return .init(.workingDays(r, days: l, backward: false), r.type, at: at)
        default:
            throw fail(.workingDaysUse(op.rawValue, "\(l.type)", "\(r.type)"), at)
        }
    }

    private func arithmetic(
        _ op: BinaryOperator, _ l: CheckedExpression, _ r: CheckedExpression, _ at: SourcePosition
    ) throws(ExpressionError) -> CheckedExpression {
        let result: ExpressionType?
        switch (l.type, op, r.type) {
        case (.int, _, .int): result = .int
        case (.int, .remainder, .double), (.double, .remainder, _): result = nil
        case (let a, _, let b) where a.isNumber && b.isNumber: result = .double
        case (.string, .add, .string): result = .string
        case (.timestamp, .add, .duration), (.duration, .add, .timestamp), (.timestamp, .subtract, .duration): result = .timestamp
        case (.timestamp, .subtract, .timestamp), (.duration, .add, .duration), (.duration, .subtract, .duration): result = .duration
        case (.date, .add, .int), (.int, .add, .date), (.date, .subtract, .int): result = .date
        case (.date, .subtract, .date): result = .int
        case (.null, _, let t), (let t, _, .null): result = t == .null ? nil : t
        default: result = nil
        }
        guard let result else { throw fail(.operatorTypes(op.rawValue, "\(l.type)", "\(r.type)"), at) }
        if op == .divide || op == .remainder, case .constant(let divisor) = r.kind, divisor.equals(.int(0)) {
            throw fail(.divisionByZero, at)
        }
        let left = result == .double ? try widen(l, to: .double) : l
        let right = result == .double ? try widen(r, to: .double) : r
        return try fold(.init(.arithmetic(op, left, right), result, at: at))
    }

    // MARK: functions

    private func call(_ name: String, _ target: Syntax?, _ arguments: [Syntax], _ at: SourcePosition) throws(ExpressionError) -> CheckedExpression {
        if name == "has" {
            guard target == nil, arguments.count == 1 else { throw fail(.hasArity, at) }
            let value = try check(arguments[0])
            guard case .field = value.kind else { throw fail(.hasField, arguments[0].position) }
            return .init(.has(value), .bool, at: at)
        }
        var args: [CheckedExpression] = []
        if let target { args.append(try check(target)) }
        for argument in arguments { args.append(try check(argument)) }
        let types = args.map(\.type)
        func arity(_ n: Int, _ usage: String) throws(ExpressionError) {
            guard args.count == n else { throw fail(.arity(name, n, usage: usage), at) }
        }
        func constantString(_ i: Int, _ usage: String) throws(ExpressionError) -> String {
            guard case .constant(let value) = args[i].kind, case .string(let s) = value else {
                throw fail(.constantString(name, usage: usage), args[i].position)
            }
            return s
        }
        func wrong(_ usage: String) -> ExpressionError {
            fail(.argumentTypes(name, types.map(\.description), usage: usage), at)
        }
        switch name {
        case "now":
            try arity(0, "now()")
            return .init(.now, .timestamp, at: at)
        case "size":
            try arity(1, "size(text or list)")
            guard types[0] == .string || types[0] == .null || { if case .list = types[0] { true } else { false } }() else {
                throw wrong("size(text or list)")
            }
            return try fold(.init(.size(args[0]), .int, at: at))
        case "contains", "startsWith", "endsWith":
            try arity(2, "text.\(name)(text)")
            if name == "contains", case .list(let element) = types[0] {
                guard let type = ExpressionType.common(element, types[1]) else { throw wrong("list.contains(value)") }
                return try fold(.init(.contains(list: args[0], element: try widen(args[1], to: type)), .bool, at: at))
            }
            guard types.allSatisfy({ $0 == .string || $0 == .null }) else { throw wrong("text.\(name)(text)") }
            return try fold(.init(.text(.init(rawValue: name)!, args[0], args[1]), .bool, at: at))
        case "matches":
            try arity(2, "text.matches(\"regex\")")
            guard types[0] == .string || types[0] == .null else { throw wrong("text.matches(\"regex\")") }
            let pattern = try constantString(1, "text.matches(\"^[0-9]+$\")")
            do {
                return try fold(.init(.matches(args[0], try SafeRegex(pattern)), .bool, at: at))
            } catch {
                throw ExpressionError(error.kind, error.problem, at: args[1].position)
            }
        case "duration":
            try arity(1, "duration(\"4h\")")
            let text = try constantString(0, "duration(\"4h\")")
            if let days = TimeSpan.workingDays(text) { return .init(.constant(.int(Int64(days))), .workingDays, at: at) }
            guard let micros = DurationText.parse(text) else {
                throw fail(.notADuration(text), args[0].position)
            }
            return .init(.constant(.duration(micros)), .duration, at: at)
        case "timestamp":
            try arity(1, "timestamp(\"2026-11-23T09:30:00+08:00\") or timestamp(date)")
            if types[0] == .date { return try fold(.init(.midnight(args[0]), .timestamp, at: at)) }
            let text = try constantString(0, "timestamp(\"2026-11-23T09:30:00+08:00\")")
            guard let micros = TimeText.parseTimestamp(text) else {
                throw fail(.notATimestamp(text), args[0].position)
            }
            return .init(.constant(.timestamp(micros)), .timestamp, at: at)
        case "date":
            try arity(1, "date(\"2026-11-23\") or date(timestamp)")
            if types[0] == .timestamp { return try fold(.init(.localDate(args[0]), .date, at: at)) }
            let text = try constantString(0, "date(\"2026-11-23\")")
            guard let day = TimeText.parseDate(text) else { throw fail(.notADate(text), args[0].position) }
            return .init(.constant(.date(day)), .date, at: at)
        case "distance_m":
            try arity(2, "distance_m(location, location)")
            guard types.allSatisfy({ $0 == .location || $0 == .null }) else { throw wrong("distance_m(location, location)") }
            return try fold(.init(.distance(args[0], args[1]), .double, at: at))
        case "int":
            try arity(1, "int(number)")
            switch types[0] {
            case .int: return args[0]
            case .double: return try fold(.init(.truncate(args[0]), .int, at: at))
            case .string:
                let text = try constantString(0, "int(\"42\")")
                guard let value = Int64(text) else { throw fail(.notWholeText(text), args[0].position) }
                return .init(.constant(.int(value)), .int, at: at)
            default: throw wrong("int(number)")
            }
        case "double":
            try arity(1, "double(number)")
            switch types[0] {
            case .int: return try widen(args[0], to: .double)
            case .double: return args[0]
            case .string:
                let text = try constantString(0, "double(\"1.5\")")
                guard let value = Double(text), value.isFinite else { throw fail(.notNumberText(text), args[0].position) }
                return .init(.constant(.double(value)), .double, at: at)
            default: throw wrong("double(number)")
            }
        case "string":
            try arity(1, "string(value)")
            switch types[0] {
            case .string: return args[0]
            case .int, .bool: return try fold(.init(.toText(args[0]), .string, at: at))
            default: throw wrong("string(int, bool or text)")
            }
        default:
            throw fail(.unknownFunction(name), at)
        }
    }

    /// Replaces a node whose operands are all constants by its value, so SQL binds it once.
    private func fold(_ e: CheckedExpression) throws(ExpressionError) -> CheckedExpression {
        // Time-zone conversions and working days wait for the tenant's zone and calendar, known
        // only when evaluated.
        if case .localDate = e.kind { return e }
        if case .midnight = e.kind { return e }
        if case .workingDays = e.kind { return e }
        guard !e.children.isEmpty, e.children.allSatisfy({ if case .constant = $0.kind { true } else { false } }) else { return e }
        do {
            return .init(.constant(try ExpressionEvaluator.evaluate(e, in: .unused)), e.type, at: e.position)
        } catch {
            throw ExpressionError(.type, .alwaysFails(error.problem), at: e.position)
        }
    }
}
