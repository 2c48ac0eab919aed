import Foundation

/// A message of one of the catalogues, worded in every `MessageLocale`. Each catalogue is an enum
/// whose `wording` switch gives every case both texts, so none can lack one.
public protocol CatalogueMessage: Sendable {
    /// Both texts, built only when asked for.
    typealias Wording = (en: () -> String, zh: () -> String)
    var wording: Wording { get }
}

extension CatalogueMessage {
    public func text(_ locale: MessageLocale) -> String { locale == .zhCN ? wording.zh() : wording.en() }

    /// Names listed inside a message.
    func list(_ items: [String]) -> String { items.joined(separator: ", ") }

    /// Every translation, keyed by language.
    public var texts: [MessageLocale: String] { Dictionary(uniqueKeysWithValues: MessageLocale.allCases.map { ($0, text($0)) }) }
}

/// A language the server's built-in messages are written in.
public enum MessageLocale: String, Sendable, CaseIterable, Hashable {
    case zhCN = "zh-CN"
    case en

    /// The language a tag asks for: any Chinese tag (`zh`, `zh-CN`, `zh-Hans-CN`) is zh-CN, any
    /// English one is en; nil for the others.
    public init?(tag: String) {
        let primary = tag.split(separator: "-").first.map { $0.lowercased() } ?? ""
        switch primary {
        case "zh": self = .zhCN
        case "en": self = .en
        default: return nil
        }
    }

    /// The best supported language of an `Accept-Language` header (RFC 9110: weights, `*`),
    /// nil when it names none (the caller then falls back to the user's and the tenant's).
    public static func negotiate(_ header: String) -> MessageLocale? {
        var best: (locale: MessageLocale, weight: Double)?
        for item in header.split(separator: ",").prefix(20) {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, let locale = MessageLocale(tag: tag) else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                weight = Double(parameter.dropFirst(2)) ?? 0
            }
            // Earlier entries win ties, as clients list them in order of preference.
            if weight > 0, weight > (best?.weight ?? 0) { best = (locale, weight) }
        }
        return best?.locale
    }

    /// The language for a request: the header's, else the user's own, else the tenant's default.
    public static func choose(acceptLanguage: String?, user: MessageLocale?, tenant: MessageLocale?) -> MessageLocale {
        acceptLanguage.flatMap(negotiate) ?? user ?? tenant ?? .en
    }
}
