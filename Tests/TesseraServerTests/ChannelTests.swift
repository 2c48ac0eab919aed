import Crypto
import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

/// Notification channels end to end, each against a real loopback receiver: a WeCom group robot,
/// a DingTalk robot that checks its signed URL, a generic signed webhook, and an SMTP server.
@Suite("Notification channels")
struct ChannelTests {
    static let ticket: JSONValue = ["name": "ticket", "title_field": "title", "fields": [["name": "title", "type": "text"]]]

    @Test("settings hold channels and the mail server (secrets masked, admins only); notify reaches WeCom, DingTalk (signed), a webhook and email")
    func delivery() async throws {
        let receiver = WebhookReceiver(
            statuses: [:],
            replies: [
                "/wecom": #"{"errcode":0,"errmsg":"ok"}"#, "/ding": #"{"errcode":0}"#,
                "/badsign": #"{"errcode":310000,"errmsg":"sign not match"}"#,
            ])
        let smtp = SMTPReceiver()
        try await smtp.listening { smtpPort in
            try await WebhookReceiver.listening(receiver) { base in
                try await TestApp.run { app in
                    let admin = try await app.createTenant()
                    try await app.createEntity(admin, Self.ticket)
                    let (_, rep) = try await app.makeUser(admin, roles: [])
                    let settings: JSONValue = [
                        "channels": [
                            "sales_group": ["type": "wecom", "url": .string(base + "/wecom?key=k1")],
                            "managers": ["type": "dingtalk", "url": .string(base + "/ding?access_token=t1"), "secret": "SECtest-secret"],
                            "ops": ["type": "webhook", "url": .string(base + "/ops")],
                            "broken": ["type": "dingtalk", "url": .string(base + "/badsign?access_token=t2"), "secret": "SECwrong"],
                        ],
                        "smtp": ["host": "127.0.0.1", "port": .number(smtpPort), "from": "crm@example.com", "username": "crm", "password": "pw"],
                    ]
                    try await app.call(.patch, "/api/v1/settings", key: rep, json: settings).expectError(403)
                    let bad = try await app.call(
                        .patch, "/api/v1/settings", key: admin,
                        json: [
                            "channels": [
                                "x": ["type": "slack", "url": "https://x.example"], "Bad": ["type": "wecom", "url": "ftp://x"],
                                "y": ["type": "wecom", "url": "https://x.example", "secret": "s"],
                            ],
                            "smtp": ["host": "", "from": "nobody"],
                        ])
                    let fields = Set(bad.expectError(422)?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
                    #expect(fields.isSuperset(of: ["channels.x.type", "channels.Bad", "channels.y.secret", "smtp.host", "smtp.from"]), "\(bad.text)")
                    let saved = try await app.call(.patch, "/api/v1/settings", key: admin, json: settings)
                    #expect(saved.status == 200, "\(saved.text)")
                    #expect(saved.json?["channels"]?["managers"]?["secret"] == "********" && saved.json?["smtp"]?["password"] == "********")
                    #expect(!saved.text.contains("SECtest-secret") && !saved.text.contains("\"pw\""))
                    // Saving the masked form back keeps the stored secret (checked by the signature below).
                    var again = settings
                    if case .object(var m) = again, case .object(var channels)? = m.first(where: { $0.0 == "channels" })?.1 {
                        channels = channels.map {
                            $0.0 == "managers"
                                ? ($0.0, ["type": "dingtalk", "url": .string(base + "/ding?access_token=t1"), "secret": "********"]) : $0
                        }
                        m = m.map { $0.0 == "channels" ? ($0.0, .object(channels)) : $0 }
                        m.removeAll { $0.0 == "smtp" }
                        again = .object(m)
                    }
                    #expect(try await app.call(.patch, "/api/v1/settings", key: admin, json: again).status == 200)
                    #expect(try await app.call(.get, "/api/v1/settings", key: rep).json?["channels"] == nil)

                    #expect(
                        try await app.call(
                            .post, "/api/v1/meta/automations", key: admin,
                            json: [
                                "name": "announce", "entity": "ticket", "trigger": ["on": "create"],
                                "actions": [
                                    ["type": "notify", "channel": "sales_group", "message": ["zh-CN": "新工单", "en": "New ticket"]],
                                    ["type": "notify", "channel": "managers", "message": ["zh-CN": "新工单", "en": "New ticket"]],
                                    ["type": "notify", "channel": "ops", "message": ["en": "New ticket"]],
                                    ["type": "notify", "channel": "email", "to": "owner", "message": ["zh-CN": "新工单", "en": "New ticket"]],
                                ],
                            ]
                        ).status == 201)
                    try await app.call(
                        .post, "/api/v1/meta/automations", key: admin,
                        json: [
                            "name": "x", "entity": "ticket", "trigger": ["on": "create"],
                            "actions": [
                                ["type": "notify", "channel": "sales_group", "to": "owner", "message": ["en": "x"]],
                                ["type": "notify", "channel": "Not A Name", "message": ["en": "x"]],
                            ],
                        ]
                    ).expectError(422)
                    let (_, owner) = try await app.makeUser(
                        admin, name: "Owner", roles: ["admin"], email: "owner-\(UUID().uuidString.prefix(6).lowercased())@example.com")
                    let ownerEmail = try await app.call(.get, "/api/v1/me", key: owner).json?["user"]?["email"]?.stringValue
                    let id = try #require(try await app.create(owner, "ticket", ["title": "压缩机异响"])["id"]?.stringValue)
                    try await eventually("all four delivered") {
                        let robots = await receiver.count("/wecom") + receiver.count("/ding") + receiver.count("/ops")
                        return robots == 3 && smtp.received.count == 1
                    }
                    let deliveries = await receiver.deliveries
                    let wecom = try #require(deliveries.first { $0.path == "/wecom" })
                    let wecomBody = try JSONParser.parse(wecom.body)
                    #expect(wecomBody["msgtype"] == "text" && wecom.query == "key=k1")
                    #expect(wecomBody["text"]?["content"]?.stringValue?.contains("新工单") == true)
                    #expect(wecomBody["text"]?["content"]?.stringValue?.contains("压缩机异响") == true)
                    // DingTalk: sign = base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")), URL-encoded.
                    let ding = try #require(deliveries.first { $0.path == "/ding" })
                    let query = Dictionary(
                        uniqueKeysWithValues: ding.query.split(separator: "&").map { pair in
                            let parts = pair.split(separator: "=", maxSplits: 1)
                            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                        })
                    let timestamp = try #require(query["timestamp"])
                    let mac = HMAC<SHA256>.authenticationCode(
                        for: Data("\(timestamp)\nSECtest-secret".utf8), using: SymmetricKey(data: Data("SECtest-secret".utf8)))
                    #expect(query["sign"]?.removingPercentEncoding == Data(mac).base64EncodedString())
                    #expect(query["access_token"] == "t1")
                    #expect(abs((Double(timestamp) ?? 0) / 1000 - Date().timeIntervalSince1970) < 60)
                    let ops = try #require(deliveries.first { $0.path == "/ops" })
                    #expect(try JSONParser.parse(ops.body)["record_id"]?.stringValue == id)
                    #expect(ops.headers[.init("X-Tessera-Signature")!]?.hasPrefix("sha256=") == true)
                    let mail = try #require(smtp.received.first)
                    #expect(mail.recipients == [ownerEmail ?? "?"] && mail.from == "<crm@example.com>")
                    #expect(mail.auth.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } == "\0crm\0pw")
                    #expect(mail.data.contains("Subject: =?UTF-8?B?\(Data("新工单".utf8).base64EncodedString())?="))
                    let bodyLines = mail.data.components(separatedBy: "\n\n").dropFirst().joined().replacingOccurrences(of: "\n", with: "")
                    #expect(Data(base64Encoded: bodyLines).map { String(decoding: $0, as: UTF8.self) }?.contains("压缩机异响") == true)

                    // A robot refusing the signature, and a channel that is not set up: dead letters at once, with the reason.
                    #expect(try await app.call(.patch, "/api/v1/meta/automations/announce", key: admin, json: ["active": false]).status == 200)
                    #expect(
                        try await app.call(
                            .post, "/api/v1/meta/automations", key: admin,
                            json: [
                                "name": "misconfigured", "entity": "ticket", "trigger": ["on": "create"],
                                "actions": [["type": "notify", "channel": "broken", "message": ["en": "x"]]],
                            ]
                        ).status == 201)
                    #expect(
                        try await app.call(
                            .post, "/api/v1/meta/automations", key: admin,
                            json: [
                                "name": "unknown_channel", "entity": "ticket", "trigger": ["on": "create"],
                                "actions": [["type": "notify", "channel": "nowhere", "message": ["en": "x"]]],
                            ]
                        ).status == 201)
                    _ = try await app.create(owner, "ticket", ["title": "second"])
                    try await eventually("both dead-lettered") {
                        try await app.call(.get, "/api/v1/automation-events/dead", key: admin).data.count == 2
                    }
                    let errors = try await app.call(.get, "/api/v1/automation-runs?result=dead", key: admin).data.compactMap {
                        $0["error"]?.stringValue
                    }
                    #expect(errors.contains { $0.contains("errcode 310000") } && errors.contains { $0.contains("no channel 'nowhere'") }, "\(errors)")
                }
            }
        }
    }

    @Test("the mail server refusing a recipient is a permanent failure; an unreachable one is retried")
    func smtpFailures() async throws {
        let smtp = SMTPReceiver(refuse: ["gone@example.com"])
        try await smtp.listening { port in
            try await TestApp.run { app in
                let admin = try await app.createTenant()
                try await app.createEntity(admin, Self.ticket)
                #expect(
                    try await app.call(
                        .patch, "/api/v1/settings", key: admin,
                        json: [
                            "smtp": ["host": "127.0.0.1", "port": .number(port), "from": "crm@example.com"]
                        ]
                    ).status == 200)
                #expect(
                    try await app.call(
                        .post, "/api/v1/meta/automations", key: admin,
                        json: [
                            "name": "mail_owner", "entity": "ticket", "trigger": ["on": "create"],
                            "actions": [["type": "notify", "channel": "email", "to": "owner", "message": ["en": "hello"]]],
                        ]
                    ).status == 201)
                let (_, gone) = try await app.makeUser(admin, name: "Gone", roles: ["admin"], email: "gone@example.com")
                _ = try await app.create(gone, "ticket", ["title": "x"])
                try await eventually("dead at once") {
                    try await app.call(.get, "/api/v1/automation-events/dead", key: admin).data.count == 1
                }
                let runs = try await app.call(.get, "/api/v1/automation-runs?automation=mail_owner", key: admin).data
                #expect(runs.count == 1 && runs.first?["error"]?.stringValue?.contains("550") == true, "\(runs)")
                // Nothing listens on port 1: a connection failure is retried (not dead at once).
                #expect(
                    try await app.call(
                        .patch, "/api/v1/settings", key: admin, json: ["smtp": ["host": "127.0.0.1", "port": 1, "from": "crm@example.com"]]
                    ).status == 200)
                let (_, other) = try await app.makeUser(admin, name: "Other", roles: ["admin"])
                _ = try await app.create(other, "ticket", ["title": "y"])
                try await eventually("a retryable error") {
                    try await app.call(.get, "/api/v1/automation-runs?automation=mail_owner&result=error", key: admin).data.count >= 1
                }
            }
        }
    }
}
