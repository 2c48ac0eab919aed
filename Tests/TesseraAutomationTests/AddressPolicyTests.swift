import TesseraAutomation
import TesseraCore
import Testing

@Suite("Outbound address policy")
struct AddressPolicyTests {
    @Test("private, loopback, link-local, unique-local, multicast and unspecified addresses are refused")
    func refused() {
        for address in [
            "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "fc00::2",
            "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "not an address",
        ] {
            #expect(!AddressPolicy.isPublic(address), "\(address)")
        }
    }

    @Test("public addresses pass")
    func allowed() {
        for address in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "203.0.113.9", "2001:4860:4860::8888", "::ffff:8.8.8.8"] {
            #expect(AddressPolicy.isPublic(address), "\(address)")
        }
    }

    @Test("names resolve to every address they have")
    func resolve() {
        #expect(AddressPolicy.resolve("localhost").contains { $0 == "127.0.0.1" || $0 == "::1" })
        #expect(AddressPolicy.resolve("no-such-host.invalid").isEmpty)
    }
}

@Suite("Webhook sender")
struct WebhookSenderTests {
    @Test("without --allow-private-webhooks, loopback and private targets are refused before any connection, for good")
    func ssrf() async {
        let sender = WebhookSender(allowPrivate: false)
        for url in [
            "http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x",
        ] {
            do {
                try await sender.send(url: url, body: "{}", secret: "s", idempotencyKey: "k", automation: "a")
                Issue.record("\(url) was called")
            } catch {
                #expect(error.permanent && error.message.contains("private, loopback or link-local"), "\(url): \(error.message)")
            }
        }
    }

    @Test("the signature is HMAC-SHA256 over timestamp and body, in hex")
    func signature() {
        // Computed independently: python3 -c "import hmac,hashlib; print(hmac.new(b'key', b'1700000000.{\"a\":1}', hashlib.sha256).hexdigest())"
        #expect(
            WebhookSender.signature(secret: "key", timestamp: 1700000000, body: "{\"a\":1}")
                == "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03")
    }
}

@Suite("SMTP client")
struct SMTPClientTests {
    @Test("a mail server on a loopback or private address is refused before any connection, unless private targets are allowed")
    func privateServerRefused() async throws {
        for host in ["127.0.0.1", "localhost", "10.0.0.25", "169.254.169.254"] {
            let settings = try SMTPSettings.decode(.object([("host", .string(host)), ("port", 2525), ("from", "crm@example.com")]), existing: nil)
            let client = SMTPClient(settings: settings, allowPrivate: false, timeout: .seconds(2))
            do {
                try await client.send(to: ["rep@example.com"], subject: "s", body: "b", messageID: "1@test")
                Issue.record("\(host): sent")
            } catch {
                #expect(error.permanent, "\(host)")
                #expect(error.message.contains("private, loopback or link-local"), "\(host): \(error.message)")
            }
        }
    }
}
