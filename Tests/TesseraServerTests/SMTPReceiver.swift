import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A minimal SMTP server on a real loopback socket: it speaks enough of RFC 5321 for a client to
/// deliver (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) and records every message it accepts.
final class SMTPReceiver: Sendable {
    struct Message: Sendable {
        var auth: String?
        var from = ""
        var recipients: [String] = []
        var data = ""
    }

    let messages = Mutex<[Message]>([])
    /// Answer RCPT with 550 (a mailbox the server refuses) for these addresses.
    let refuse: Set<String>

    init(refuse: Set<String> = []) { self.refuse = refuse }

    var received: [Message] { messages.withLock { $0 } }

    /// Runs `body` with the server listening on 127.0.0.1; the argument is its port.
    func listening(_ body: @Sendable (Int) async throws -> Void) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.addHandler(Session(receiver: self))
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            try await body(try #require(channel.localAddress?.port))
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
    }

    private final class Session: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let receiver: SMTPReceiver
        var pending = ""
        var message = Message()
        var inData = false

        init(receiver: SMTPReceiver) { self.receiver = receiver }

        func channelActive(context: ChannelHandlerContext) {
            send("220 test ESMTP", context)
        }

        func send(_ line: String, _ context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: line + "\r\n")), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += String(buffer: unwrapInboundIn(data))
            while let range = pending.range(of: "\r\n") {
                let line = String(pending[..<range.lowerBound])
                pending.removeSubrange(..<range.upperBound)
                handle(line, context)
            }
        }

        func handle(_ line: String, _ context: ChannelHandlerContext) {
            if inData {
                if line == "." {
                    inData = false
                    let done = message
                    receiver.messages.withLock { $0.append(done) }
                    message = Message()
                    send("250 queued", context)
                } else {
                    message.data += line + "\n"
                }
                return
            }
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") {
                send("250-test greets you", context)
                send("250 AUTH PLAIN", context)
            } else if upper.hasPrefix("AUTH PLAIN ") {
                message.auth = String(line.dropFirst(11))
                send("235 ok", context)
            } else if upper.hasPrefix("MAIL FROM:") {
                message.from = String(line.dropFirst(10))
                send("250 ok", context)
            } else if upper.hasPrefix("RCPT TO:") {
                let address = String(line.dropFirst(8)).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
                if receiver.refuse.contains(address) { send("550 no such mailbox", context); return }
                message.recipients.append(address)
                send("250 ok", context)
            } else if upper == "DATA" {
                inData = true
                send("354 go ahead", context)
            } else if upper == "QUIT" {
                send("221 bye", context)
                context.close(promise: nil)
            } else {
                send("502 not implemented", context)
            }
        }
    }
}
