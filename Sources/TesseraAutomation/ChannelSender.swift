import Crypto
import Foundation
public import TesseraCore

/// Posts a notification to one of the tenant's channels in the shape its receiver expects: a
/// WeCom or DingTalk group robot's text message (DingTalk's URL signed with its secret), or the
/// generic signed webhook body. Robots answer 200 with `errcode`; non-zero is a failure.
public struct ChannelSender: Sendable {
    let http: WebhookSender

    public init(http: WebhookSender) { self.http = http }

    /// DingTalk's signature: base64(HMAC-SHA256(secret, "<ms>\n<secret>")), URL-encoded.
    public static func dingTalkSignature(secret: String, milliseconds: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(milliseconds)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let base64 = Data(mac).base64EncodedString()
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return base64.addingPercentEncoding(withAllowedCharacters: allowed) ?? base64
    }

    public func post(
        _ channel: NotificationChannel, name: String, text: String, event: JSONValue, secret: String,
        idempotencyKey: String, automation: String
    ) async throws(AutomationFailure) {
        switch channel.kind {
        case .webhook:
            try await http.send(
                url: channel.url, body: JSONWriter.string(event), secret: secret, idempotencyKey: idempotencyKey, automation: automation)
        case .wecom:
            try await robot(channel.url, name: name, text: text)
        case .dingtalk:
            var url = channel.url
            if let secret = channel.secret {
                let ms = Int64(Date().timeIntervalSince1970 * 1000)
                url += (url.contains("?") ? "&" : "?") + "timestamp=\(ms)&sign=\(Self.dingTalkSignature(secret: secret, milliseconds: ms))"
            }
            try await robot(url, name: name, text: text)
        }
    }

    private func robot(_ url: String, name: String, text: String) async throws(AutomationFailure) {
        let body = JSONWriter.string(.object([("msgtype", "text"), ("text", .object([("content", .string(text))]))]))
        let answer = try await http.post(url: url, body: body, headers: [])
        if let reply = try? JSONParser.parse(answer), let code = reply["errcode"]?.intValue, code != 0 {
            // Rate limits (WeCom 45009, DingTalk 130101) pass; a bad key or signature will not.
            let message = reply["errmsg"]?.stringValue ?? ""
            throw AutomationFailure(
                message: "channel \(name) refused the message: errcode \(code) \(message)", permanent: code != 45009 && code != 130101)
        }
    }
}
