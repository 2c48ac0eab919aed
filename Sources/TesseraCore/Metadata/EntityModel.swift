/// An entity as requests use it: its definition plus what is compiled from it once per
/// metadata version (formulas now; rules and stages build on the same seam).
public struct EntityModel: Sendable {
    public let definition: EntityDefinition
    public let formulas: [CompiledFormula]
    /// Active rules, in the order they are checked.
    public let rules: [CompiledRule]
    /// The stage field, when the entity has one.
    public let stage: CompiledStage?
    /// The tenant's other entities, by name (relation targets of rules and formulas).
    public let related: @Sendable (String) -> EntityDefinition?
    /// Active automations on this entity, and their names by the record event they listen to.
    public let automations: [AutomationDefinition]
    public let listeners: [RecordEvent: [String]]
    /// Time triggers: writes (re)schedule the automations' timers at `field + offset`.
    public let timers: [ScheduledTimer]
    /// The entity's forms, compiled, by name.
    public let forms: [CompiledForm]
    /// Each field's description in a resolved form where no form places it
    /// (`ResolvedForm.head(of:help:)`), in the order of `definition.fields`.
    public let formHeads: [[UInt8]]
    /// Positions in `definition.fields` of the fields every form must place (`FormDecoder.alwaysRequired`).
    public let alwaysRequired: [Int]
    /// The approval processes of this entity: while one of their approvals is pending on a record,
    /// its frozen fields hold still (writes check them after reading the row).
    public let approvals: [ApprovalDefinition]
    /// What the approvals' entry and skip conditions and holds read of the record (so related records are fetched for them).
    public let approvalReferences: [FieldReference]
    /// Whether the table also holds columns of removed fields, kept for a revert: a record's JSON
    /// then lists its columns instead of taking the whole row.
    public let holdsRetainedColumns: Bool

    public var name: String { definition.name }

    /// Every field the entity's rules, stage, forms and approvals read (their related records are loaded for them).
    public var expressionReferences: [FieldReference] {
        rules.flatMap(\.references) + Array(stage?.references ?? []) + forms.flatMap(\.references) + approvalReferences
    }

    /// Whether writes must read the current row and check rules or stage moves before writing.
    public var checksWrites: Bool {
        !rules.isEmpty || stage != nil || forms.contains(where: \.constrainsWrites) || approvals.contains { !$0.frozen.isEmpty }
    }

    /// Compiles against the tenant's entities. Metadata is checked before it is saved, so a
    /// formula that no longer compiles (an older server's metadata) is left out, not fatal.
    public init(
        _ definition: EntityDefinition, automations: [AutomationDefinition] = [], forms: [FormDefinition] = [],
        approvals: [ApprovalDefinition] = [], holdsRetainedColumns: Bool = false,
        related: @escaping @Sendable (String) -> EntityDefinition?
    ) {
        self.definition = definition
        self.holdsRetainedColumns = holdsRetainedColumns
        self.approvals = approvals.filter { $0.entity == definition.name }
        let approvalContext = ExpressionContext(entity: definition, relatedEntity: related)
        approvalReferences = self.approvals.flatMap { approval in
            let conditions = ([approval.entryWhen] + approval.steps.map(\.skipWhen)).compactMap { $0 }.flatMap { source in
                (try? CompiledExpression(source, in: approvalContext, expecting: .bool))?.checked.references ?? []
            }
            // A hold reads the submitted record in Swift (its related records loaded) and the others in SQL.
            let holds = approval.holds.flatMap { hold -> [FieldReference] in
                var context = approvalContext
                context.scopes = [.record, .other]
                context.otherEntity = related(hold.entity)
                let references = (try? CompiledExpression(hold.when, in: context, expecting: .bool))?.checked.references ?? []
                return references.filter { $0.scope == .record }
            }
            return conditions + holds
        }
        self.related = related
        self.automations = automations.filter { $0.active && $0.entity == definition.name }
        listeners = Dictionary(grouping: self.automations.filter { $0.trigger.event != .timer }, by: \.trigger.event).mapValues { $0.map(\.name) }
        timers = self.automations.flatMap { automation in
            automation.timers.compactMap { timer in
                Column.resolve(timer.field, in: definition).map { ScheduledTimer(automation: automation.name, column: $0, timer: timer) }
            }
        }
        let context = ExpressionContext(entity: definition, relatedEntity: related)
        formulas = definition.fields.filter { $0.type == .formula }.compactMap { try? CompiledFormula.compile($0, in: context) }
        rules = definition.rules.filter(\.active).compactMap { try? CompiledRule.compile($0, entity: definition, related: related) }
        self.forms = forms.filter { $0.entity == definition.name }.sorted { $0.name < $1.name }.compactMap {
            CompiledForm($0, entity: definition, related: related)
        }
        formHeads = definition.fields.map { ResolvedForm.head(of: $0, help: nil) }
        let required = Set(FormDecoder.alwaysRequired(definition))
        alwaysRequired = definition.fields.indices.filter { required.contains(definition.fields[$0].name) }
        stage = definition.fields.first { $0.stage != nil }.flatMap { try? CompiledStage.compile($0, entity: definition, related: related) }
    }
}

/// One automation's timer on an entity, with its start column resolved.
public struct ScheduledTimer: Sendable {
    public let automation: String
    public let column: Column
    public let timer: AutomationTimer
}
