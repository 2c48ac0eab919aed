/// A named place automations post notifications to, kept in the tenant's settings (not in the
/// automation, so secrets stay out of metadata): a generic signed webhook, a WeCom group robot,
/// or a DingTalk group robot (whose URL is signed with its secret on every call).
public struct NotificationChannel: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case webhook, wecom, dingtalk
    }

    public var kind: Kind
    public var url: String
    /// DingTalk's signing secret ("SEC…"), when the robot has signing switched on.
    public var secret: String?

    /// As settings show it: the secret masked.
    public var json: JSONValue {
        .object([("type", .string(kind.rawValue)), ("url", .string(url))] + (secret == nil ? [] : [("secret", "********")]))
    }

    /// As stored.
    public var storedJSON: JSONValue {
        .object([("type", .string(kind.rawValue)), ("url", .string(url))] + (secret.map { [("secret", JSONValue.string($0))] } ?? []))
    }

    /// `{"name": {"type": …, "url": …, "secret": …}}`; a secret given as the mask keeps the stored one.
    public static func decodeAll(_ json: JSONValue, existing: [String: NotificationChannel]) throws(TesseraError) -> [String: NotificationChannel] {
        guard case .object(let members) = json, members.count <= 50 else {
            throw .validation([
                .definition(field: "channels", rule: "type", .channelsShape)
            ])
        }
        var out: [String: NotificationChannel] = [:]
        var problems: [TesseraError.Detail] = []
        for (name, value) in members {
            let path = "channels.\(name)"
            guard APIName.isValid(name), name != "inbox", name != "email" else {
                problems.append(.definition(field: path, rule: "name", .about(path, .channelName)))
                continue
            }
            guard var reader = ObjectReader(value, path: path, problems: &problems) else { continue }
            reader.rejectUnknown(allowed: ["type", "url", "secret"])
            let type = reader.string("type") ?? ""
            let url = reader.string("url") ?? ""
            var secret = reader.string("secret")
            guard let kind = Kind(rawValue: type) else {
                reader.fail("type", rule: "enum", .channelType("\(path).type"))
                problems += reader.problems
                continue
            }
            if let problem = WebhookURL.problem(url) { reader.fail("url", rule: "url", .about("\(path).url", problem)) }
            if secret == "********" { secret = existing[name]?.secret }
            if let s = secret, s.isEmpty || s.count > 200 { reader.fail("secret", rule: "length", .lengthRange("\(path).secret", 1, 200)) }
            if secret != nil, kind != .dingtalk { reader.fail("secret", rule: "unknown_property", .secretDingTalkOnly("\(path).secret")) }
            problems += reader.problems
            out[name] = NotificationChannel(kind: kind, url: url, secret: secret)
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return out
    }
}

/// The tenant's outgoing mail server, for `notify` with `channel: email`.
public struct SMTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var from: String
    public var username: String?
    public var password: String?
    /// TLS from the first byte (port 465); otherwise plain, for a relay on a trusted network.
    public var tls: Bool

    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("host", .string(host)), ("port", .number(port)), ("from", .string(from)), ("tls", .bool(tls))]
        if let username { m.append(("username", .string(username))) }
        if password != nil { m.append(("password", "********")) }
        return .object(m)
    }

    public var storedJSON: JSONValue {
        var m: [(String, JSONValue)] = [("host", .string(host)), ("port", .number(port)), ("from", .string(from)), ("tls", .bool(tls))]
        if let username { m.append(("username", .string(username))) }
        if let password { m.append(("password", .string(password))) }
        return .object(m)
    }

    public static func decode(_ json: JSONValue, existing: SMTPSettings?) throws(TesseraError) -> SMTPSettings {
        var problems: [TesseraError.Detail] = []
        guard var reader = ObjectReader(json, path: "smtp", problems: &problems) else { throw .validation(problems) }
        reader.rejectUnknown(allowed: ["host", "port", "from", "username", "password", "tls"])
        let host = reader.string("host") ?? ""
        if host.isEmpty || host.count > 253 || host.contains(where: { $0 == " " || $0 == "/" }) {
            reader.fail("host", rule: "host", .smtpHost)
        }
        let tls = reader.bool("tls") ?? false
        let port = reader.int("port", min: 1) ?? (tls ? 465 : 25)
        if port > 65535 { reader.fail("port", rule: "range", .range("smtp.port", 1, 65535)) }
        let from = reader.string("from") ?? ""
        if !from.contains("@") || from.count > 320 || from.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) {
            reader.fail("from", rule: "email", .smtpFrom)
        }
        var password = reader.string("password")
        if password == "********" { password = existing?.password }
        let username = reader.string("username")
        problems += reader.problems
        guard problems.isEmpty else { throw .validation(problems) }
        return SMTPSettings(host: host, port: port, from: from, username: username, password: password, tls: tls)
    }
}
