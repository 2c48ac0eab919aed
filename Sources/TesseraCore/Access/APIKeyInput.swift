public import Foundation

/// The body of `POST /api/v1/users/{id}/api-keys`: a name and an optional lifetime in days.
public struct APIKeyInput: Sendable, Equatable {
    public let name: String
    public let expiresInDays: Int?

    public static func check(_ json: JSONValue) throws(TesseraError) -> APIKeyInput {
        var problems: [TesseraError.Detail] = []
        if case .object(let members) = json {
            for (key, _) in members where key != "name" && key != "expires_in_days" {
                problems.append(.init(field: key, rule: "unknown_property", message: "\(key) is not a key property"))
            }
        }
        let name = json["name"]?.stringValue ?? ""
        if name.isEmpty || name.count > 100 {
            problems.append(.init(field: "name", rule: "required", message: "name is required (1 to 100 characters)"))
        }
        var days: Int?
        if let raw = json["expires_in_days"], !raw.isNull {
            if let n = raw.intValue, n >= 1, n <= 3650 {
                days = n
            } else {
                problems.append(.init(field: "expires_in_days", rule: "range", message: "expires_in_days must be a whole number from 1 to 3650"))
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
