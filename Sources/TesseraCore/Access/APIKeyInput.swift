public import Foundation

/// The body of `POST /api/v1/users/{id}/api-keys`: a name and an optional lifetime in days.
public struct APIKeyInput: Sendable, Equatable {
    public let name: String
    public let expiresInDays: Int?

    public static func check(_ json: JSONValue) throws(TesseraError) -> APIKeyInput {
        var problems: [TesseraError.Detail] = []
        if case .object(let members) = json {
            for (key, _) in members where key != "name" && key != "expires_in_days" {
                problems.append(.init(field: key, rule: "unknown_property", AccountMessage.notKeyProperty(key)))
            }
        }
        let name = json["name"]?.stringValue ?? ""
        if name.isEmpty || name.count > 100 {
            problems.append(.init(field: "name", rule: "required", AccountMessage.keyName))
        }
        var days: Int?
        if let raw = json["expires_in_days"], !raw.isNull {
            if let n = raw.intValue, n >= 1, n <= 3650 {
                days = n
            } else {
                problems.append(.init(field: "expires_in_days", rule: "range", AccountMessage.expiresRange))
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return APIKeyInput(name: name, expiresInDays: days)
    }

    /// When the key stops working, counted from `now`.
    public func expiresAt(from now: Date = Date()) -> Date? {
        expiresInDays.map { now.addingTimeInterval(Double($0) * 86400) }
    }
}
