/// The catalogue of built-in messages about forms (their definitions, resolving them, and the
/// writes they constrain), worded in every `MessageLocale`. Paths, names and keys stay as written.
public enum FormMessage: CatalogueMessage, Equatable {
    case sectionsShape(max: Int)
    case sectionFieldsShape(max: Int)
    case fieldShape
    case columnsRange(max: Int)
    case fieldTwice(String)
    case missingRequired([String], entity: String)
    case notComputedRequired(String)
    case noStageField(entity: String)
    case unknownStages([String], entity: String)
    case unknownRoles([String])
    case entityMismatch(path: String, body: String)
    case systemField(String)
    case requiredReadsItself(String)
    case fieldsOrRelated
    case relatedShape
    case notARelationTo(entity: String, field: String, target: String)
    case relationToChoose(entity: String, target: String, fields: [String])
    case notForRelated(String)
    // Serving and enforcing forms.
    case noForm(String, entity: String)
    case readOnlyHere(field: String, form: String)
    case requiredHere(field: String, form: String)

    public var wording: Wording {
        switch self {
        case .sectionsShape(let max):
            return ({ "sections must be an array of 1 to \(max) sections" }, { "sections 必须是 1 到 \(max) 个分区的数组" })
        case .sectionFieldsShape(let max):
            return ({ "a section holds 1 to \(max) fields" }, { "每个分区包含 1 到 \(max) 个字段" })
        case .fieldShape:
            return (
                { "each field is a name or {\"field\":…, \"visible_when\", \"required_when\", \"readonly_when\", \"help\"}" },
                { "每个字段为字段名或 {\"field\":…, \"visible_when\", \"required_when\", \"readonly_when\", \"help\"}" }
            )
        case .columnsRange(let max): return ({ "columns must be 1 to \(max)" }, { "columns 必须在 1 到 \(max) 之间" })
        case .fieldTwice(let field): return ({ "'\(field)' appears twice in the form" }, { "'\(field)' 在表单中出现了两次" })
        case .missingRequired(let fields, let entity):
            return (
                { "the form leaves out \(list(fields)), which every \(entity) record requires" },
                { "表单缺少 \(list(fields))，而每条 \(entity) 记录都必须填写" }
            )
        case .notComputedRequired(let field):
            return ({ "'\(field)' is computed by the server and cannot be required" }, { "'\(field)' 由服务器计算，不能设为必填" })
        case .noStageField(let entity):
            return ({ "\(entity) has no stage field, so a form cannot be limited to stages" }, { "\(entity) 没有阶段字段，表单不能限定阶段" })
        case .unknownStages(let keys, let entity):
            return ({ "\(entity) has no stage \(list(keys))" }, { "\(entity) 没有阶段 \(list(keys))" })
        case .unknownRoles(let names): return ({ "the tenant has no role \(list(names))" }, { "租户中没有角色 \(list(names))" })
        case .entityMismatch(let path, let body):
            return ({ "this form belongs to \(path), not \(body)" }, { "该表单属于 \(path)，而不是 \(body)" })
        case .systemField(let field):
            return ({ "'\(field)' is set by the server and has no place in a form" }, { "'\(field)' 由服务器设置，不能放入表单" })
        case .requiredReadsItself(let field):
            return (
                { "required_when of '\(field)' may not read '\(field)' itself: clearing it would lift the requirement" },
                { "'\(field)' 的 required_when 不能读取其自身：清空它就会解除必填" }
            )
        case .fieldsOrRelated:
            return ({ "a section holds either fields or one related list" }, { "一个分区包含字段或一个相关列表，二者选一" })
        case .relatedShape:
            return (
                { "related is {\"entity\":…, \"via\", \"fields\", \"limit\"}" },
                { "related 为 {\"entity\":…, \"via\", \"fields\", \"limit\"}" }
            )
        case .notARelationTo(let entity, let field, let target):
            return ({ "\(entity).\(field) is not a relation to \(target)" }, { "\(entity).\(field) 不是指向 \(target) 的关联字段" })
        case .relationToChoose(let entity, let target, let fields):
            return (
                {
                    fields.isEmpty
                        ? "\(entity) has no relation to \(target)" : "\(entity) relates to \(target) through \(list(fields)): name one in via"
                },
                { fields.isEmpty ? "\(entity) 没有指向 \(target) 的关联字段" : "\(entity) 通过 \(list(fields)) 关联 \(target)：请在 via 中指定一个" }
            )
        case .notForRelated(let name):
            return ({ "'\(name)' is not a parameter of related lists (limit, entity)" }, { "'\(name)' 不是相关列表的参数（limit、entity）" })
        case .noForm(let name, let entity): return ({ "No form '\(name)' on \(entity)." }, { "\(entity) 上没有表单 '\(name)'。" })
        case .readOnlyHere(let field, let form):
            return (
                { "\(field): read-only while the record is in this state (form '\(form)')" },
                { "\(field)：记录处于当前状态时只读（表单 '\(form)'）" }
            )
        case .requiredHere(let field, let form):
            return ({ "\(field): required here (form '\(form)')" }, { "\(field)：此处必填（表单 '\(form)'）" })
        }
    }
}

extension TesseraError.Detail {
    /// A problem with a form, worded by `FormMessage` in every language.
    public static func form(field: String?, rule: String, _ message: FormMessage) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message)
    }
}
