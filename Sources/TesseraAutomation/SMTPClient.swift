import Foundation
import NIOCore
import NIOPosix
import NIOSSL
public import TesseraCore

/// Sends one plain-text message over SMTP (RFC 5321): EHLO, AUTH PLAIN when a user is set,
/// MAIL FROM, RCPT TO per recipient, DATA. TLS from the first byte when the settings say so
/// (port 465). The body is UTF-8, base64 encoded, so no line can end the DATA early.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    /// As for webhooks: a tenant's mail server must not be a way into the server's own network.
    public let allowPrivate: Bool
    public let timeout: Duration

    public init(settings: SMTPSettings, allowPrivate: Bool = false, timeout: Duration = .seconds(20)) {
        self.settings = settings
        self.allowPrivate = allowPrivate
        self.timeout = timeout
    }

    public func send(to recipients: [String], subject: String, body: String, messageID: String) async throws(AutomationFailure) {
        guard !recipients.isEmpty else { return }
        if !allowPrivate, let refusal = AddressPolicy.refusal(host: settings.host) {
            throw AutomationFailure(message: "SMTP " + refusal.message, permanent: refusal.permanent)
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.converse(recipients: recipients, subject: subject, body: body, messageID: messageID) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw AutomationFailure(message: "SMTP \(settings.host):\(settings.port) timed out", permanent: false)
                }
                try await group.next()
                group.cancelAll()
            }
        } catch let failure as AutomationFailure {
            throw failure
        } catch {
            throw AutomationFailure(message: "SMTP \(settings.host):\(settings.port) failed: \(error)", permanent: false)
        }
    }

    private func converse(recipients: [String], subject: String, body: String, messageID: String) async throws {
        let tls = settings.tls
        let host = settings.host
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls {
                        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: host))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var reader = SMTPReplyReader(inbound.makeAsyncIterator())
            func expect(_ code: Int, after command: String?) async throws {
                if let command { try await outbound.write(ByteBuffer(string: command + "\r\n")) }
                let (got, text) = try await reader.reply()
                guard got == code else {
                    let shown = command.map { $0.hasPrefix("AUTH") ? "AUTH" : $0 } ?? "the greeting"
                    throw AutomationFailure(message: "SMTP \(host) answered \(got) \(text) to \(shown)", permanent: got >= 500)
                }
            }
            try await expect(220, after: nil)
            try await expect(250, after: "EHLO tessera")
            if let user = settings.username {
                let token = Data("\0\(user)\0\(settings.password ?? "")".utf8).base64EncodedString()
                try await expect(235, after: "AUTH PLAIN \(token)")
            }
            try await expect(250, after: "MAIL FROM:<\(settings.from)>")
            for recipient in recipients { try await expect(250, after: "RCPT TO:<\(recipient)>") }
            try await expect(354, after: "DATA")
            try await outbound.write(
                ByteBuffer(string: Self.message(from: settings.from, to: recipients, subject: subject, body: body, messageID: messageID)))
            try await expect(250, after: ".")
            try await outbound.write(ByteBuffer(string: "QUIT\r\n"))
        }
    }

    /// The message text, headers and base64 body, CRLF line ends (without the final dot).
    static func message(from: String, to: [String], subject: String, body: String, messageID: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let encoded = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let lines = [
            "From: <\(from)>",
            "To: " + to.map { "<\($0)>" }.joined(separator: ", "),
            "Subject: =?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?=",
            "Date: \(formatter.string(from: Date()))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
            encoded,
        ]
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// Reads SMTP replies (`250-…` continuation lines, then `250 …`) from the raw byte stream.
struct SMTPReplyReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending = ""

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    mutating func line() async throws -> String {
        while true {
            if let range = pending.range(of: "\r\n") {
                let line = String(pending[..<range.lowerBound])
                pending.removeSubrange(..<range.upperBound)
                return line
            }
            guard pending.utf8.count < 64 << 10, let chunk = try await iterator.next() else {
                throw AutomationFailure(message: "SMTP connection closed mid-reply", permanent: false)
            }
            pending += String(buffer: chunk)
        }
    }

    mutating func reply() async throws -> (Int, String) {
        var text: [String] = []
        while true {
            let line = try await line()
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                throw AutomationFailure(message: "SMTP sent a malformed reply: \(line.prefix(100))", permanent: false)
            }
            text.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, text.joined(separator: " ")) }
        }
    }
}
