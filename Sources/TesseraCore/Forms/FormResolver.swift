/// Resolves the form that applies to one caller and one record from everything that decides a
/// field's state: role field access, the record's lock and the caller's update scope, computed
/// fields, required fields and `required_when` rules, stage gates, and the form's own conditions.
/// The write path enforces the same things (`CompiledForm.violations`), so what this calls
/// read-only is refused on write and what it calls required is required on write.
public struct FormResolver {
    public let plan: RecordPlan
    /// The record as it would be (stored values with the draft over them), related values loaded.
    public let record: RecordValues
    /// The record as stored (nil for a new one), related values loaded.
    public let stored: RecordValues?
    /// What each field shows, as the API writes it.
    public let values: [String: JSONValue]
    public let recordID: String?
    public let version: Int64?
    /// False when the caller may read the record but their update scope does not reach it.
    public let updatable: Bool
    public let lock: (holder: String, until: String)?
    public let problems: [TesseraError.Detail]

    public init(
        plan: RecordPlan, record: RecordValues, stored: RecordValues?, values: [String: JSONValue], recordID: String?, version: Int64?,
        updatable: Bool, lock: (holder: String, until: String)?, problems: [TesseraError.Detail]
    ) {
        self.plan = plan
        self.record = record
        self.stored = stored
        self.values = values
        self.recordID = recordID
        self.version = version
        self.updatable = updatable
        self.lock = lock
        self.problems = problems
    }

    /// Label of the section that gathers required fields a form leaves out (added to the entity
    /// after the form was saved): a form never asks for a record it cannot save.
    static let otherRequired = Label([("en", "Also required"), ("zh-CN", "其他必填项")])

    private static func environment(_ base: ExpressionEnvironment, record: RecordValues, old: RecordValues?) -> ExpressionEnvironment {
        var env = base
        env.records[.record] = record
        if let old { env.records[.old] = old }
        return env
    }

    public func resolve() -> ResolvedForm {
        let model = plan.model, entity = model.definition
        let stageField = model.stage?.field
        let form = CompiledForm.applying(plan.forms, atStage: CompiledForm.stage(of: stored ?? record, field: stageField))
        // Read-only from here on: the field states below read them for every field.
        let env = Self.environment(plan.environment, record: record, old: stored)
        let stateEnv = Self.environment(plan.environment, record: stored ?? record, old: nil)
        var ruleReasons: [String: [String]] = [:]
        for rule in model.rules {
            guard case .requiredWhen(let when, let fields) = rule.check, case .bool(true)? = try? ExpressionEvaluator.evaluate(when, in: env) else {
                continue
            }
            for field in fields { ruleReasons[field, default: []].append("rule:" + rule.name) }
        }

        /// The state of the entity's field at `index`, placed by the form (in a section shown or
        /// not) or not; nil when the caller's roles hide it.
        func state(_ index: Int, placed: CompiledForm.Field?, sectionShown: Bool) -> ResolvedForm.Field? {
            let definition = entity.fields[index]
            let access = RecordPlan.fieldPlan(definition, access: plan.access, hidden: plan.hidden, person: plan.actor.isPerson)
            guard access.visible else { return nil }
            var reasons: [String] = []
            var readOnly = false, required = false
            if let reason = access.reason {
                readOnly = true
                reasons.append(reason.rawValue)
            }
            if lock != nil {
                readOnly = true
                reasons.append("locked")
            }
            if !updatable {
                readOnly = true
                reasons.append("out_of_update_scope")
            }
            if let placed, placed.isReadOnly(in: stateEnv) {
                readOnly = true
                reasons.append("form_readonly_when")
            }
            if definition.required, !definition.type.isReadOnly {
                required = true
                reasons.append("required")
            }
            if let rules = ruleReasons[definition.name] {
                required = true
                reasons += rules
            }
            if let placed, placed.isRequired(in: env) {
                required = true
                reasons.append("form_required_when")
            }
            // A form cannot hide what a write needs.
            let visible = required || placed.map { sectionShown && $0.isShown(in: env) } ?? true
            return ResolvedForm.Field(
                name: definition.name, head: placed?.head ?? model.formHeads[index], value: values[definition.name] ?? .null, visible: visible,
                required: required, readOnly: readOnly, reasons: reasons)
        }

        var sections: [ResolvedForm.Section] = []
        if let form {
            var placedAt: [[CompiledForm.Field]] = Array(repeating: [], count: form.definition.sections.count)
            for field in form.fields { placedAt[field.section].append(field) }
            for (i, section) in form.definition.sections.enumerated() {
                let shown = form.isSectionVisible(i, in: env)
                if let list = section.related {
                    // Its rows are read by the caller of `resolve()`, under the caller's own scopes.
                    sections.append(
                        .init(name: section.name, label: section.label, columns: section.columns, visible: shown, fields: [], related: list))
                    continue
                }
                let fields = placedAt[i].compactMap { state($0.index, placed: $0, sectionShown: shown) }
                guard !fields.isEmpty else { continue }
                sections.append(
                    .init(
                        name: section.name, label: section.label, columns: section.columns, visible: shown || fields.contains(where: \.visible),
                        fields: fields))
            }
            let placed = Set(form.fields.map(\.index))
            let missing = model.alwaysRequired.filter { !placed.contains($0) }.compactMap { state($0, placed: nil, sectionShown: true) }
            if !missing.isEmpty {
                sections.append(.init(name: "other_required", label: Self.otherRequired, columns: 1, visible: true, fields: missing))
            }
        } else {
            let fields = entity.fields.indices.compactMap { state($0, placed: nil, sectionShown: true) }
            sections = [.init(name: nil, label: nil, columns: 1, visible: true, fields: fields)]
        }

        var stage: ResolvedForm.Stage?
        if let compiled = model.stage, let index = entity.fields.firstIndex(where: { $0.name == compiled.field }),
            let field = state(index, placed: nil, sectionShown: true)
        {
            let definition = entity.fields[index]
            let current = CompiledForm.stage(of: stored ?? record, field: compiled.field)
            let shown = sections.lazy.flatMap(\.fields).first { $0.name == compiled.field } ?? field
            let movable = !shown.readOnly
            var moves: [ResolvedForm.Move] = []
            if movable {
                let targets: [String]
                if stored == nil {
                    targets = compiled.config.initial ?? Array(compiled.stages.prefix(1))
                } else {
                    targets =
                        compiled.config.transitions.map { transitions in transitions.first { $0.0 == current }?.1 ?? [] }
                        ?? compiled.stages.filter { $0 != current }
                }
                for target in targets {
                    var unmet: [TesseraError.Detail] = []
                    if stored != nil {
                        do {
                            unmet = try compiled.violations(from: current, to: target, in: env).filter { $0.rule != "stage_transition" }
                        } catch {
                            unmet = [.init(field: compiled.field, rule: "stage_exit", .about(compiled.field, .stageUncheckable(error.described)))]
                        }
                    }
                    moves.append(.init(to: target, label: definition.options.first { $0.key == target }?.label, unmet: unmet))
                }
            }
            stage = .init(field: compiled.field, current: current, movable: movable, moves: moves)
        }
        // A field the caller cannot see may still be required of the record (by the entity, or a
        // rule): the write would say so, and so does the form, without showing its value.
        var problems = problems
        for definition in entity.fields where plan.hidden.contains(definition.name) && !(record.fields[definition.name] ?? .null).hasValue {
            if definition.required, !definition.type.isReadOnly {
                problems.append(.init(field: definition.name, rule: "required", .required(definition.name)))
            } else if let rule = ruleReasons[definition.name]?.first {
                problems.append(
                    .init(field: definition.name, rule: String(rule.dropFirst(5)), .requiredHere(definition.name, rule: String(rule.dropFirst(5)))))
            }
        }
        return ResolvedForm(
            entity: entity.name, form: form?.definition, recordID: recordID, version: version, lock: lock, sections: sections, stage: stage,
            problems: problems)
    }
}
