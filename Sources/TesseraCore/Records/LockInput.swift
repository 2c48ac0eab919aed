/// The body of `POST /data/{entity}/{id}/lock`: `{"duration": "2h"}`, from 1 minute to 30 days.
public struct LockInput: Sendable, Equatable {
    public let seconds: Int64

    public static let `default` = "2h"

    public static func check(_ body: JSONValue) throws(TesseraError) -> LockInput {
        let text = body["duration"]?.stringValue ?? Self.default
        guard case .object(let members) = body, members.allSatisfy({ $0.0 == "duration" }),
            let micros = DurationText.parse(text), micros >= 60_000_000, micros <= 30 * 86_400_000_000
        else {
            throw .validation([.init(field: "duration", rule: "duration", .lockDuration)])
        }
        return LockInput(seconds: micros / 1_000_000)
    }
}
