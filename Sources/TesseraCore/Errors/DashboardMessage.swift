/// The catalogue of built-in messages about dashboards (their definitions and their data), worded
/// in every `MessageLocale`. Names, paths and keys stay as written.
public enum DashboardMessage: CatalogueMessage, Equatable {
    case widgetsShape(max: Int)
    case widgetTwice(String)
    case sourceShape(String)
    case kindSource(path: String, kind: String, source: String)
    case periodShape(String)
    case periodField(String)
    case periodOnView(String)
    case noView(String)
    case partsShape(String)
    case weights(String)
    case measureShape(String)
    case notAStage(String, field: String)
    case thresholdsShape(String)
    case noDashboard(String)
    case noWidget(String, dashboard: String)
    case personalRoles
    case ownerFromCredential

    public var wording: Wording {
        switch self {
        case .widgetsShape(let max):
            return ({ "widgets must be an array of 1 to \(max) widgets" }, { "widgets 必须是 1 到 \(max) 个组件的数组" })
        case .widgetTwice(let name): return ({ "widget '\(name)' appears twice" }, { "组件 '\(name)' 出现了两次" })
        case .sourceShape(let path):
            return (
                { "\(path) needs exactly one source: aggregate, funnel or dwell ({entity, query}), view (a name) or health" },
                { "\(path) 须有且只有一个数据来源：aggregate、funnel 或 dwell（{entity, query}）、view（视图名）或 health" }
            )
        case .kindSource(let path, let kind, let source):
            return ({ "\(path): a \(kind) widget cannot show a \(source) source" }, { "\(path)：\(kind) 组件不能展示 \(source) 数据" })
        case .periodShape(let path):
            return (
                { "\(path) must be this_week, this_month, this_quarter, this_year, last_<n>_days or {from, to}" },
                { "\(path) 必须是 this_week、this_month、this_quarter、this_year、last_<n>_days 或 {from, to}" }
            )
        case .periodField(let path):
            return (
                { "\(path): an aggregate over a period names the date or datetime field it filters on (period_field)" },
                { "\(path)：带时间段的聚合须用 period_field 指明按哪个日期字段筛选" }
            )
        case .periodOnView(let path): return ({ "\(path): a view has its own filter; give it no period" }, { "\(path)：视图自带筛选，不能设置时间段" })
        case .noView(let name): return ({ "No shared view '\(name)'." }, { "没有共享视图 '\(name)'。" })
        case .partsShape(let path): return ({ "\(path) must be an array of 1 to 10 parts" }, { "\(path) 必须是 1 到 10 个组成部分的数组" })
        case .weights(let path): return ({ "\(path): the weights must be positive and add up to 1" }, { "\(path)：权重须为正数且合计为 1" })
        case .measureShape(let path):
            return (
                { "\(path) measures exactly one of on_time ({within: {stage: duration}, otherwise}) or completeness ([fields])" },
                { "\(path) 须且只能衡量 on_time（{within: {阶段: 时长}, otherwise}）或 completeness（[字段]）之一" }
            )
        case .notAStage(let stage, let field): return ({ "'\(stage)' is not a stage of \(field)" }, { "'\(stage)' 不是 \(field) 的阶段" })
        case .thresholdsShape(let path):
            return (
                { "\(path) must list 1 to 10 thresholds {min: percentage, color: \"#rrggbb\"}" },
                { "\(path) 必须列出 1 到 10 个阈值 {min: 百分比, color: \"#rrggbb\"}" }
            )
        case .noDashboard(let name): return ({ "No dashboard '\(name)' that you can see." }, { "没有你可查看的看板 '\(name)'。" })
        case .personalRoles:
            return ({ "a personal dashboard is its author's alone: it lists no roles" }, { "个人看板仅作者可见，不能设置角色" })
        case .ownerFromCredential:
            return ({ "owner is set from your credential: leave it out" }, { "owner 由你的凭证决定，请勿填写" })
        case .noWidget(let widget, let dashboard):
            return (
                { "Dashboard '\(dashboard)' has no widget '\(widget)' (charts are <widget>.svg)." },
                { "看板 '\(dashboard)' 没有组件 '\(widget)'（图表为 <组件>.svg）。" }
            )
        }
    }
}

extension TesseraError.Detail {
    /// A problem with a dashboard, worded by `DashboardMessage` in every language.
    public static func dashboard(field: String?, rule: String, _ message: DashboardMessage) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message)
    }
}
