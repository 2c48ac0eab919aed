import Foundation

/// What a webhook target may be: an absolute http(s) URL with a host and no credentials in it.
/// (Whether its address is public is checked when it is called: names resolve differently over time.)
public enum WebhookURL {
    public static func problem(_ text: String) -> String? {
        guard text.utf8.count <= 2048 else { return "a URL of at most 2048 bytes is needed" }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            return "'\(text.prefix(100))' is not an http(s) URL"
        }
        guard let host = url.host, !host.isEmpty else { return "the URL has no host" }
        if url.user != nil || url.password != nil { return "credentials do not belong in the URL; verify the signature instead" }
        return nil
    }
}
