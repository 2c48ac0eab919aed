/// The catalogue of built-in messages about process metrics (`/api/v1/metrics/…`), worded in
/// every `MessageLocale`. Field names and parameters stay as written.
public enum MetricsMessage: CatalogueMessage, Equatable {
    case instant(String)
    case groupField(String)
    case stuckShape(String)
    case limitShape(max: Int)
    case notForMetrics(String)
    case noStageField(String, entity: String)
    case hiddenField(String)
    case period
    case entityRequired

    public var wording: Wording {
        switch self {
        case .instant(let key):
            return (
                { "\(key) must be a date (2026-03-01, midnight in the tenant's zone) or an instant (2026-03-01T08:00:00Z)" },
                { "\(key) 必须是日期（2026-03-01，按租户时区的零点）或时间点（2026-03-01T08:00:00Z）" }
            )
        case .groupField(let field):
            return (
                { "group: '\(field)' is not a select, user, relation or boolean field you can read" },
                { "group：'\(field)' 不是你可查看的单选、用户、关联或布尔字段" }
            )
        case .stuckShape(let text):
            return ({ "stuck: '\(text)' is not a duration such as 72h or 3d" }, { "stuck：'\(text)' 不是时长，例如 72h 或 3d" })
        case .limitShape(let max): return ({ "limit must be 1 to \(max)" }, { "limit 必须在 1 到 \(max) 之间" })
        case .notForMetrics(let name): return ({ "\(name) does not apply to process metrics" }, { "\(name) 不适用于过程指标" })
        case .noStageField(let field, let entity):
            return (
                { "'\(field)' is not the stage field of \(entity): funnels and dwell times read the stage history" },
                { "'\(field)' 不是 \(entity) 的阶段字段：漏斗和停留时长基于阶段历史" }
            )
        case .hiddenField(let field):
            return ({ "You may not read \(field), so you cannot see its metrics." }, { "你无权查看 \(field)，因此不能查看它的指标。" })
        case .period: return ({ "to must come after from" }, { "to 必须晚于 from" })
        case .entityRequired: return ({ "entity is required, e.g. entity=opportunity" }, { "entity 必填，例如 entity=opportunity" })
        }
    }
}

extension TesseraError.Detail {
    /// A problem with a process-metrics request, worded by `MetricsMessage` in every language.
    public static func metrics(field: String?, rule: String, _ message: MetricsMessage) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message)
    }
}
