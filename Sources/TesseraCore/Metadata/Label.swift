/// A text in several languages, e.g. `{"zh-CN":"线索","en":"Lead"}`, in the order given.
public struct Label: Sendable, Equatable {
    public var translations: [(locale: String, text: String)]

    public init(_ translations: [(locale: String, text: String)]) { self.translations = translations }

    public init(en: String, zh: String? = nil) {
        var t: [(locale: String, text: String)] = []
        if let zh { t.append(("zh-CN", zh)) }
        t.append(("en", en))
        translations = t
    }

    public static func == (lhs: Label, rhs: Label) -> Bool {
        lhs.translations.count == rhs.translations.count
            && zip(lhs.translations, rhs.translations).allSatisfy { $0.locale == $1.locale && $0.text == $1.text }
    }

    public subscript(locale: String) -> String? { translations.first(where: { $0.locale == locale })?.text }

    /// The English text, else the first one.
    /// For messages to Chinese teams (robots, mail): the zh-CN text, else the first.
    public var zhFirst: String { self["zh-CN"] ?? translations.first?.text ?? "" }

    public var preferred: String { self["en"] ?? translations.first?.text ?? "" }

    public var json: JSONValue { .object(translations.map { ($0.locale, .string($0.text)) }) }

    /// `{"zh-CN": …, "en": …}` read back (nil for anything else): a label a definition or an outbox
    /// event stored as JSON. Definitions are checked by `ObjectReader.label` when they come in.
    public init?(json: JSONValue) {
        guard case .object(let members) = json, !members.isEmpty else { return nil }
        let texts = members.compactMap { locale, text in text.stringValue.map { (locale: locale, text: $0) } }
        guard texts.count == members.count else { return nil }
        translations = texts
    }

    static func isValidLocale(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isLowercase }) else {
            return false
        }
        if parts.count == 2 { return (2...4).contains(parts[1].count) && parts[1].allSatisfy { $0.isASCII && $0.isLetter } }
        return true
    }
}
