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

    public func resolve() -> ResolvedForm {
        let model = plan.model, entity = model.definition
        let stageField = model.stage?.field
        let form = CompiledForm.applying(plan.forms, atStage: CompiledForm.stage(of: stored ?? record, field: stageField))
        var env = plan.environment
        env.records[.record] = record
        if let stored { env.records[.old] = stored }
        var stateEnv = plan.environment
        stateEnv.records[.record] = stored ?? record
        var ruleReasons: [String: [String]] = [:]
        for rule in model.rules {
            guard case .requiredWhen(let when, let fields) = rule.check, case .bool(true)? = try? ExpressionEvaluator.evaluate(when, in: env) else {
                continue
            }
            for field in fields { ruleReasons[field, default: []].append("rule:" + rule.name) }
        }

        func state(_ definition: FieldDefinition, _ placed: CompiledForm.Field?) -> ResolvedForm.Field? {
            guard let access = plan.field(definition.name), access.visible else { return nil }
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
            if let placed, let form, form.isReadOnly(placed, in: stateEnv) {
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
            if let placed, let form, form.isRequired(placed, in: env) {
                required = true
                reasons.append("form_required_when")
            }
            // A form cannot hide what a write needs.
            let visible = required || (placed.flatMap { p in form.map { $0.isVisible(p, in: env) } } ?? true)
            return ResolvedForm.Field(
                definition: definition, help: placed?.definition.help, value: values[definition.name] ?? .null, visible: visible,
                required: required, readOnly: readOnly, reasons: reasons)
        }

        var sections: [ResolvedForm.Section] = []
        if let form {
            for (i, section) in form.definition.sections.enumerated() {
                let fields = form.fields.filter { $0.section == i }.compactMap { placed in entity.field(placed.name).flatMap { state($0, placed) } }
                guard !fields.isEmpty else { continue }
                let visible = form.isSectionVisible(i, in: env) || fields.contains(where: \.visible)
                sections.append(.init(name: section.name, label: section.label, columns: section.columns, visible: visible, fields: fields))
            }
            let placed = Set(form.definition.fieldNames)
            let missing = FormDecoder.alwaysRequired(entity).filter { !placed.contains($0) }.compactMap {
                entity.field($0).flatMap { state($0, nil) }
            }
            if !missing.isEmpty {
                sections.append(.init(name: "other_required", label: Self.otherRequired, columns: 1, visible: true, fields: missing))
            }
        } else {
            let fields = entity.fields.compactMap { state($0, nil) }
            sections = [.init(name: nil, label: nil, columns: 1, visible: true, fields: fields)]
        }

        var stage: ResolvedForm.Stage?
        if let compiled = model.stage, let definition = entity.field(compiled.field), let field = state(definition, nil) {
            let current = CompiledForm.stage(of: stored ?? record, field: compiled.field)
            let shown = sections.lazy.flatMap(\.fields).first { $0.definition.name == compiled.field } ?? field
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
