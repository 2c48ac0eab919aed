/// The body of `PATCH /api/v1/settings`: any of `freeze_after_days`, `locale`, `retention_days`, `calendar`, `channels`, `smtp`. Double
/// optionals tell "not given" (nil) from "switched off" (.some(nil)).
public struct SettingsInput: Sendable {
    public var freezeAfterDays: Int??
    public var channels: [String: NotificationChannel]?
    public var smtp: SMTPSettings??
    /// The tenant's default language for built-in messages (.some(nil): back to en).
    public var locale: MessageLocale??
    /// Days a removed field's values are kept for a revert before they are dropped.
    public var retentionDays: Int?
    /// The business calendar (.some(nil): back to the default, Monday to Friday 09:00–18:00).
    public var calendar: BusinessCalendar??

    /// The keys the body sets, before anything is decoded (the permissions they need are checked first).
    public static func keys(_ json: JSONValue) throws(TesseraError) -> Set<String> {
        guard case .object(let members) = json, !members.isEmpty else {
            throw .validation([.init(field: nil, rule: "type", AccountMessage.settingsBody)])
        }
        return Set(members.map(\.0))
    }

    /// Secrets left masked keep their `existing` values.
    public static func check(
        _ json: JSONValue, existing: (channels: [String: NotificationChannel], smtp: SMTPSettings?)
    ) throws(TesseraError) -> SettingsInput {
        _ = try keys(json)
        guard case .object(let members) = json else { return SettingsInput() }
        var problems: [TesseraError.Detail] = []
        var input = SettingsInput()
        for (key, value) in members {
            switch key {
            case "freeze_after_days":
                if value.isNull {
                    input.freezeAfterDays = .some(nil)
                } else if let n = value.intValue, n >= 1, n <= 3650 {
                    input.freezeAfterDays = .some(n)
                } else {
                    problems.append(
                        .init(field: key, rule: "range", AccountMessage.freezeRange))
                }
            case "locale":
                if value.isNull {
                    input.locale = .some(nil)
                } else if let locale = value.stringValue.flatMap(MessageLocale.init(rawValue:)) {
                    input.locale = .some(locale)
                } else {
                    problems.append(.init(field: key, rule: "locale", AccountMessage.localeChoice(nullable: true)))
                }
            case "retention_days":
                if let n = value.intValue, n >= 1, n <= 3650 {
                    input.retentionDays = n
                } else {
                    problems.append(.init(field: key, rule: "range", AccountMessage.retentionRange))
                }
            case "calendar":
                if value.isNull {
                    input.calendar = .some(nil)
                } else {
                    do throws(TesseraError) { input.calendar = .some(try BusinessCalendar.decode(value)) } catch { problems += error.details }
                }
            case "channels":
                do throws(TesseraError) { input.channels = try NotificationChannel.decodeAll(value, existing: existing.channels) } catch {
                    problems += error.details
                }
            case "smtp":
                if value.isNull {
                    input.smtp = .some(nil)
                } else {
                    do throws(TesseraError) { input.smtp = .some(try SMTPSettings.decode(value, existing: existing.smtp)) } catch {
                        problems += error.details
                    }
                }
            default:
                problems.append(
                    .init(
                        field: key, rule: "unknown_property",
                        AccountMessage.notASetting(key, settings: ["freeze_after_days", "locale", "retention_days", "calendar", "channels", "smtp"])))
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return input
    }
}
