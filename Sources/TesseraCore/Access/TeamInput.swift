import Foundation

/// A team as an admin writes it (`POST /api/v1/teams`, `PATCH /api/v1/teams/{id}`). A double
/// optional tells "not given" (nil) from "no manager" (.some(nil)).
public struct TeamInput: Sendable, Equatable {
    public var name: String?
    public var managerID: String??

    public static func check(_ json: JSONValue, creating: Bool) throws(TesseraError) -> TeamInput {
        guard case .object(let members) = json else {
            throw .validation([.init(field: nil, rule: "type", AccountMessage.bodyObject)])
        }
        var problems: [TesseraError.Detail] = []
        for (key, _) in members where key != "name" && key != "manager_id" {
            problems.append(.init(field: key, rule: "unknown_property", AccountMessage.notKnownProperty(key)))
        }
        var input = TeamInput()
        if let raw = json["name"] {
            if let s = raw.stringValue, !s.trimmingCharacters(in: .whitespaces).isEmpty, s.count <= 200 {
                input.name = s.trimmingCharacters(in: .whitespaces)
            } else {
                problems.append(.init(field: "name", rule: "length", AccountMessage.nameLength))
            }
        } else if creating {
            problems.append(.init(field: "name", rule: "required", Message.required("name")))
        }
        if let raw = json["manager_id"] {
            if raw.isNull {
                input.managerID = .some(nil)
            } else if let id = raw.stringValue.flatMap(UUIDText.normalized) {
                input.managerID = .some(id)
            } else {
                problems.append(.init(field: "manager_id", rule: "uuid", AccountMessage.managerID))
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return input
    }
}
