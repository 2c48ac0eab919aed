/// The catalogue of built-in messages about views (their definitions and serving them),
/// worded in every `MessageLocale`. Paths, names and keys stay as written.
public enum ViewMessage: CatalogueMessage, Equatable {
    case typeRequired
    case onlyFor(property: String, kind: String)
    case needed(property: String, kind: String)
    case groupType(field: String, type: String)
    case laneType(field: String, type: String)
    case calendarType(field: String, type: String)
    case sortType(field: String, type: String)
    case aggregateType(function: String, field: String, type: String)
    case columnsShape(max: Int)
    case sortShape
    case rolesOnlyShared
    case ownerFromCredential
    case sharedImmutable
    case sharingNeedsPermission
    case defaultTaken(other: String, entity: String)
    case unknownRoles([String])
    // Serving views.
    case noView(String)
    case viewReadsHidden(view: String, field: String)
    case calendarBounds
    case calendarSpan(days: Int)
    case calendarOrder
    case notALane(String, view: String)
    case laneOnKanban
    case calendarOnly(String)

    public var wording: Wording {
        switch self {
        case .typeRequired:
            return ({ "type is required: list, kanban or calendar" }, { "type 为必填项：list、kanban 或 calendar" })
        case .onlyFor(let property, let kind):
            return ({ "\(property) applies to \(kind) views only" }, { "\(property) 只适用于 \(kind) 视图" })
        case .needed(let property, let kind):
            return ({ "a \(kind) view needs \(property)" }, { "\(kind) 视图必须指定 \(property)" })
        case .groupType(let field, let type):
            return (
                { "cannot group by '\(field)' (\(type)): group by a select, user, boolean or date field" },
                { "不能按 '\(field)'（\(type)）分组：请按单选、用户、布尔或日期字段分组" }
            )
        case .laneType(let field, let type):
            return (
                { "lanes must be a select, stage or user field; '\(field)' is \(type)" },
                { "泳道必须是单选、阶段或用户字段；'\(field)' 是 \(type)" }
            )
        case .calendarType(let field, let type):
            return (
                { "a calendar needs a date or datetime field; '\(field)' is \(type)" },
                { "日历视图需要日期或日期时间字段；'\(field)' 是 \(type)" }
            )
        case .sortType(let field, let type):
            return ({ "cannot sort by '\(field)' (\(type))" }, { "不能按 '\(field)'（\(type)）排序" })
        case .aggregateType(let function, let field, let type):
            return (
                { "\(function) needs a number field\(function == "min" || function == "max" ? " or a date" : ""); '\(field)' is \(type)" },
                { "\(function) 需要数字字段\(function == "min" || function == "max" ? "或日期字段" : "")；'\(field)' 是 \(type)" }
            )
        case .columnsShape(let max):
            return (
                { "must be an array of 1 to \(max) fields, each a name or {\"field\":…,\"width\":…}" },
                { "必须是 1 到 \(max) 个字段的数组，每项为字段名或 {\"field\":…,\"width\":…}" }
            )
        case .sortShape:
            return ({ "sort must be an array of {\"field\":…,\"dir\":\"asc\"|\"desc\"}" }, { "sort 必须是 {\"field\":…,\"dir\":\"asc\"|\"desc\"} 的数组" })
        case .rolesOnlyShared:
            return ({ "roles apply to shared views only; a personal view is its author's alone" }, { "roles 只适用于共享视图；个人视图只属于作者本人" })
        case .ownerFromCredential:
            return ({ "owner is not set in the body: a personal view belongs to whoever creates it" }, { "owner 不能在请求体中设置：个人视图属于创建者" })
        case .sharedImmutable:
            return ({ "shared cannot change; make a new view instead" }, { "shared 不能修改；请新建一个视图" })
        case .sharingNeedsPermission:
            return (
                { "Making a shared view needs the manage_metadata permission; leave shared out for a personal view." },
                { "创建共享视图需要 manage_metadata 权限；不设 shared 即为个人视图。" }
            )
        case .defaultTaken(let other, let entity):
            return (
                { "view '\(other)' is already the default of \(entity) for these roles" },
                { "视图 '\(other)' 已是这些角色在 \(entity) 上的默认视图" }
            )
        case .unknownRoles(let names):
            return ({ "the tenant has no role \(list(names))" }, { "租户中没有角色 \(list(names))" })
        case .noView(let name): return ({ "No view '\(name)'." }, { "没有视图 '\(name)'。" })
        case .viewReadsHidden(let view, let field):
            return (
                { "View '\(view)' filters, sorts or groups by '\(field)', which your roles do not let you see." },
                { "视图 '\(view)' 按您的角色无权查看的字段 '\(field)' 筛选、排序或分组。" }
            )
        case .calendarBounds:
            return ({ "a calendar needs from and to (dates or datetimes)" }, { "日历视图需要 from 和 to（日期或日期时间）" })
        case .calendarSpan(let days):
            return ({ "from and to may be at most \(days) days apart" }, { "from 与 to 最多相隔 \(days) 天" })
        case .calendarOrder: return ({ "to must come after from" }, { "to 必须晚于 from" })
        case .notALane(let key, let view):
            return ({ "'\(key)' is not a lane of view '\(view)'" }, { "'\(key)' 不是视图 '\(view)' 的泳道" })
        case .laneOnKanban: return ({ "lane= pages one lane of a kanban view" }, { "lane= 只用于看板视图的单个泳道分页" })
        case .calendarOnly(let name):
            return ({ "\(name)= applies to calendar views only" }, { "\(name)= 只适用于日历视图" })
        }
    }
}

extension TesseraError.Detail {
    /// A problem with a view, worded by `ViewMessage` in every language.
    public static func view(field: String?, rule: String, _ message: ViewMessage) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message)
    }
}
