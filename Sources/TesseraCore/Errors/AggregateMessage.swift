/// The catalogue of built-in messages about aggregates (`/api/v1/data/{entity}/aggregate`),
/// worded in every `MessageLocale`. Field names and the grammar's words stay as written.
public enum AggregateMessage: CatalogueMessage, Equatable {
    case groupShape(max: Int)
    case unknownField(String, entity: String)
    case groupType(field: String, type: String)
    case dateUnit(String)
    case bandsShape(String, max: Int)
    case metricsShape(max: Int)
    case metricUnknown(String)
    case metricType(metric: String, field: String, type: String)
    case fraction(String)
    case orderKey(String)
    case limitShape(max: Int)
    case notForAggregates(String)
    case hiddenField(String)

    public var wording: Wording {
        switch self {
        case .groupShape(let max):
            return (
                { "group lists 1 to \(max) keys, e.g. group=industry,created_at:month,amount:bands(0,100000)" },
                { "group 列出 1 到 \(max) 个分组键，例如 group=industry,created_at:month,amount:bands(0,100000)" }
            )
        case .unknownField(let field, let entity): return ({ "'\(field)' is not a field of \(entity)" }, { "'\(field)' 不是 \(entity) 的字段" })
        case .groupType(let field, let type):
            return (
                {
                    """
                    cannot group by \(field) (\(type)): group by select, user, relation and boolean fields, dates by a unit \
                    (\(field):month) and numbers by bands (\(field):bands(0,100000))
                    """
                },
                { "不能按 \(field)（\(type)）分组：可按单选、用户、关联和布尔字段分组，日期按单位（\(field):month），数字按区间（\(field):bands(0,100000)）" }
            )
        case .dateUnit(let field):
            return (
                { "\(field) is grouped by day, week, month, quarter or year, e.g. \(field):month" },
                { "\(field) 须按 day、week、month、quarter 或 year 分组，例如 \(field):month" }
            )
        case .bandsShape(let field, let max):
            return (
                { "\(field):bands(…) takes 1 to \(max) ascending numbers, e.g. \(field):bands(0,100000,500000)" },
                { "\(field):bands(…) 须为 1 到 \(max) 个递增的数字，例如 \(field):bands(0,100000,500000)" }
            )
        case .metricsShape(let max):
            return (
                { "metrics lists 1 to \(max) of count, count_distinct(f), sum(f), avg(f), min(f), max(f), percentile(f,0.9)" },
                { "metrics 列出 1 到 \(max) 个指标：count、count_distinct(f)、sum(f)、avg(f)、min(f)、max(f)、percentile(f,0.9)" }
            )
        case .metricUnknown(let text):
            return (
                { "'\(text)' is not a metric: use count, count_distinct(f), sum(f), avg(f), min(f), max(f) or percentile(f,0.9)" },
                { "'\(text)' 不是指标：请使用 count、count_distinct(f)、sum(f)、avg(f)、min(f)、max(f) 或 percentile(f,0.9)" }
            )
        case .metricType(let metric, let field, let type):
            return (
                { "\(metric): \(field) is \(type); sum, avg and percentile need a number, min and max a number or a date" },
                { "\(metric)：\(field) 是 \(type) 类型；sum、avg 和 percentile 需要数字字段，min 和 max 需要数字或日期字段" }
            )
        case .fraction(let text):
            return (
                { "'\(text)': percentile takes a fraction from 0 to 1, e.g. percentile(amount,0.9)" },
                { "'\(text)'：percentile 的分位须在 0 到 1 之间，例如 percentile(amount,0.9)" }
            )
        case .orderKey(let text):
            return (
                { "order: '\(text)' is neither a metric nor a group key of this request (add .asc or .desc)" },
                { "order：'\(text)' 不是本次请求的指标或分组键（可加 .asc 或 .desc）" }
            )
        case .limitShape(let max): return ({ "limit must be 1 to \(max)" }, { "limit 必须在 1 到 \(max) 之间" })
        case .notForAggregates(let name):
            return ({ "\(name) does not apply to aggregates" }, { "\(name) 不适用于聚合查询" })
        case .hiddenField(let field):
            return (
                { "You may not read \(field), so you cannot group or aggregate by it." },
                { "你无权查看 \(field)，因此不能按它分组或统计。" }
            )
        }
    }
}

extension TesseraError.Detail {
    /// A problem with an aggregate request, worded by `AggregateMessage` in every language.
    public static func aggregate(field: String?, rule: String, _ message: AggregateMessage) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message)
    }
}
