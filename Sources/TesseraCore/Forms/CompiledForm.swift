/// A form with its expressions compiled against its entity: what resolving it shows, and what
/// people's writes must satisfy while it applies to them.
public struct CompiledForm: Sendable {
    /// One placed field with its compiled conditions.
    public struct Field: Sendable {
        public let definition: FormDefinition.Field
        /// Index of its section.
        public let section: Int
        /// Index of the field in its entity's `fields`.
        public let index: Int
        let visible: CheckedExpression?
        let required: CheckedExpression?
        let readonly: CheckedExpression?
        /// Its description in a resolved form (`ResolvedForm.head(of:help:)`).
        public let head: [UInt8]

        public var name: String { definition.name }

        /// Its own `visible_when` holds (its section's is asked of the form).
        public func isShown(in env: ExpressionEnvironment) -> Bool { CompiledForm.truth(visible, env) ?? true }

        /// Required by the form: `required_when` holds for the record as it would be. A required
        /// field is shown whatever its section's and its own `visible_when` say, so that what a
        /// write needs never depends on a condition that clearing the field could flip.
        public func isRequired(in env: ExpressionEnvironment) -> Bool { CompiledForm.truth(required, env) == true }

        /// Frozen by the form: `readonly_when` holds for the record as stored (a new one: as drafted).
        public func isReadOnly(in stateEnv: ExpressionEnvironment) -> Bool { CompiledForm.truth(readonly, stateEnv) == true }
    }

    public let definition: FormDefinition
    public let fields: [Field]
    let sectionConditions: [CheckedExpression?]

    public var name: String { definition.name }

    /// Compiles a saved form; nil when it no longer compiles (metadata is checked before it is
    /// saved, so only an older server's form can fail: it is then not used).
    public init?(_ form: FormDefinition, entity: EntityDefinition, related: @escaping @Sendable (String) -> EntityDefinition?) {
        let context = ExpressionContext(entity: entity, relatedEntity: related)
        func compile(_ source: String?) throws(ExpressionError) -> CheckedExpression? {
            guard let source else { return nil }
            return try CompiledExpression(source, in: context, expecting: .bool).checked
        }
        do {
            sectionConditions = try form.sections.map { section throws(ExpressionError) in try compile(section.visibleWhen) }
            var fields: [Field] = []
            for (i, section) in form.sections.enumerated() {
                for field in section.fields {
                    guard let index = entity.fields.firstIndex(where: { $0.name == field.name }) else { return nil }
                    fields.append(
                        Field(
                            definition: field, section: i, index: index, visible: try compile(field.visibleWhen),
                            required: try compile(field.requiredWhen),
                            readonly: try compile(field.readonlyWhen), head: ResolvedForm.head(of: entity.fields[index], help: field.help)))
                }
            }
            self.fields = fields
            var references = Set<FieldReference>()
            for e in sectionConditions.compactMap({ $0 }) + fields.flatMap({ [$0.visible, $0.required, $0.readonly].compactMap { $0 } }) {
                references.formUnion(e.references)
            }
            self.references = references
        } catch {
            return nil
        }
        definition = form
    }

    /// Whether a write must be checked against the form (it requires or freezes something).
    public var constrainsWrites: Bool { fields.contains { $0.required != nil || $0.readonly != nil } }

    /// Every field the form's expressions read (to load the related records they look through),
    /// gathered once: every form request and every checked write asks for them.
    public let references: Set<FieldReference>

    /// The form that applies at `stage` among those offered to a caller: the most specific (for
    /// given roles, then for given stages), then the first by name. Forms, writes and tests all
    /// choose through here, so the form a person sees is the form their writes are held to.
    public static func applying(_ forms: [CompiledForm], atStage stage: String?) -> CompiledForm? {
        var best: CompiledForm?
        for form in forms where form.definition.applies(atStage: stage) {
            guard let current = best else { best = form; continue }
            let (a, b) = (form.definition.specificity, current.definition.specificity)
            if a > b || (a == b && form.name < current.name) { best = form }
        }
        return best
    }

    /// The stage key a record is at, when the entity has a stage field.
    public static func stage(of values: RecordValues?, field: String?) -> String? {
        guard let field, case .string(let key)? = values?.fields[field] else { return nil }
        return key
    }

    /// An unknown answer (a null, an evaluation error) neither shows, requires nor freezes more
    /// than the form without the condition would.
    fileprivate static func truth(_ e: CheckedExpression?, _ env: ExpressionEnvironment) -> Bool? {
        guard let e else { return nil }
        if case .bool(let b)? = try? ExpressionEvaluator.evaluate(e, in: env) { return b }
        return false
    }

    public func isSectionVisible(_ index: Int, in env: ExpressionEnvironment) -> Bool {
        Self.truth(sectionConditions[index], env) ?? true
    }

    /// What a person's write breaks: a frozen field it changes, a required field it leaves empty.
    /// `record` holds the values as they would be, `old` the stored ones (nil on create), `given`
    /// the fields the body names; both environments already hold their records' related values.
    /// Fields the writer's roles hide are not in their form, so it asks nothing of them.
    public func violations(
        record: RecordValues, old: RecordValues?, given: Set<String>, hidden: Set<String> = [], environment: ExpressionEnvironment
    ) -> [TesseraError.Detail] {
        var env = environment
        env.records[.record] = record
        var stateEnv = environment
        stateEnv.records[.record] = old ?? record
        var out: [TesseraError.Detail] = []
        for field in fields where !hidden.contains(field.name) {
            let value = record.fields[field.name] ?? .null
            if given.contains(field.name), field.isReadOnly(in: stateEnv) {
                let changed = old.map { ($0.fields[field.name] ?? .null).bindText != value.bindText } ?? value.hasValue
                if changed { out.append(.form(field: field.name, rule: "form_read_only", .readOnlyHere(field: field.name, form: name))) }
            }
            if !value.hasValue, field.isRequired(in: env) {
                out.append(.form(field: field.name, rule: "form_required", .requiredHere(field: field.name, form: name)))
            }
        }
        return out
    }
}
