/// The catalogue of built-in messages about a tenant's business calendar (`calendar` in
/// `/api/v1/settings`), worded in every `MessageLocale`.
public enum CalendarMessage: CatalogueMessage, Equatable {
    case weekend
    case dates(String)
    case both(String)
    case hours

    public var wording: Wording {
        switch self {
        case .weekend:
            return (
                { "weekend must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday), at most six of them" },
                { "weekend 必须是 ISO 星期列表，1（周一）到 7（周日），最多六个" }
            )
        case .dates(let key):
            return ({ "\(key) must be a list of dates like \"2027-01-01\" (at most 1000)" }, { "\(key) 必须是日期列表，如 \"2027-01-01\"（最多1000个）" })
        case .both(let day):
            return ({ "\(day) cannot be both a holiday and a make-up working day" }, { "\(day) 不能既是假日又是调休工作日" })
        case .hours:
            return (
                { "hours must be {\"opens\": \"09:00\", \"closes\": \"18:00\"}, opening before closing" },
                { "hours 必须是 {\"opens\": \"09:00\", \"closes\": \"18:00\"}，开始早于结束" }
            )
        }
    }
}
