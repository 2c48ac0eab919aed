import Foundation

/// What a webhook target may be: an absolute http(s) URL with a host and no credentials in it.
/// (Whether its address is public is checked when it is called: names resolve differently over time.)
public enum WebhookURL {
    public static func problem(_ text: String) -> DefinitionMessage? {
        guard text.utf8.count <= 2048 else { return .urlTooLong }
        // Foundation would percent-encode these silently; a URL is written without them.
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            return .urlWhitespace(String(text.prefix(100)))
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            return .notHTTPURL(String(text.prefix(100)))
        }
        guard let host = url.host, !host.isEmpty else { return .urlNoHost }
        if url.user != nil || url.password != nil { return .urlCredentials }
        return nil
    }
}
