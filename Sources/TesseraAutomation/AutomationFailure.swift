/// Why an automation's step failed (a webhook, an email, a channel, the event itself) and
/// whether trying again can help: permanent failures are dead-lettered at once.
public struct AutomationFailure: Error, Sendable {
    public let message: String
    public let permanent: Bool

    public init(message: String, permanent: Bool) {
        self.message = message
        self.permanent = permanent
    }
}
