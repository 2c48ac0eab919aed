import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import TesseraCore

/// Sends automation webhooks: a JSON body signed with the tenant's secret
/// (`X-Tessera-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` and
/// `X-Tessera-Timestamp`, so receivers can reject replays) and an `Idempotency-Key` that stays the
/// same across retries of one event, so a receiver can drop repeats.
public struct WebhookSender: Sendable {
    /// Let automations call private, loopback and link-local addresses (tests' receivers).
    public let allowPrivate: Bool
    public let timeout: Duration

    public init(allowPrivate: Bool = false, timeout: Duration = .seconds(10)) {
        self.allowPrivate = allowPrivate
        self.timeout = timeout
    }

    public static func signature(secret: String, timestamp: Int, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    public func send(url: String, body: String, secret: String, idempotencyKey: String, automation: String) async throws(AutomationFailure) {
        let timestamp = Int(Date().timeIntervalSince1970)
        _ = try await post(
            url: url, body: body,
            headers: [
                ("X-Tessera-Timestamp", String(timestamp)),
                ("X-Tessera-Signature", Self.signature(secret: secret, timestamp: timestamp, body: body)),
                ("X-Tessera-Automation", automation),
                ("Idempotency-Key", idempotencyKey),
            ])
    }

    /// POSTs JSON to a public address (any address with `allowPrivate`); returns the response body
    /// (at most 64 KiB). Non-2xx answers fail: 5xx, 408 and 429 may heal, other refusals will not.
    public func post(url: String, body: String, headers: [(String, String)]) async throws(AutomationFailure) -> String {
        guard let components = URLComponents(string: url), let bracketed = components.host else {
            throw AutomationFailure(message: "URL \(url) has no host", permanent: true)
        }
        // An IPv6 literal comes in brackets ([::1]).
        let host = bracketed.hasPrefix("[") && bracketed.hasSuffix("]") ? String(bracketed.dropFirst().dropLast()) : bracketed
        if !allowPrivate, let refusal = AddressPolicy.refusal(host: host) {
            throw AutomationFailure(message: refusal.message, permanent: refusal.permanent)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "Tessera-Webhook/1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let status: Int
        let text: String
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            status = Int(response.status.code)
            text = String(buffer: try await response.body.collect(upTo: 64 << 10))
        } catch {
            throw AutomationFailure(message: "\(url) failed: \(error)", permanent: false)
        }
        guard (200..<300).contains(status) else {
            // The receiver's own errors and rate limits may pass; other refusals will not.
            throw AutomationFailure(message: "\(url) answered \(status)", permanent: status < 500 && status != 408 && status != 429)
        }
        return text
    }
}
