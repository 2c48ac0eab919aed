#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which addresses outbound calls may reach: public ones only, so an automation cannot be aimed
/// at the server's own network (SSRF) — loopback, private, link-local, unique-local, multicast
/// and unspecified addresses are refused unless the server allows private targets (tests do).
public enum AddressPolicy {
    /// Whether a textual IPv4 or IPv6 address is public.
    public static func isPublic(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            switch (b[0], b[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168): return false
            case (172, 16...31), (100, 64...127): return false  // private; carrier-grade NAT
            case (224...255, _): return false  // multicast, reserved, broadcast
            default: return true
            }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return false }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b.allSatisfy({ $0 == 0 }) || (b[0..<15].allSatisfy { $0 == 0 } && b[15] == 1) { return false }  // :: and ::1
        if b[0] == 0xfe && (b[1] & 0xc0) == 0x80 { return false }  // fe80::/10 link-local
        if (b[0] & 0xfe) == 0xfc { return false }  // fc00::/7 unique-local
        if b[0] == 0xff { return false }  // multicast
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {  // ::ffff:a.b.c.d
            return isPublic("\(b[12]).\(b[13]).\(b[14]).\(b[15])")
        }
        return true
    }

    /// Why a call to `host` is refused (nil when every address it resolves to is public), and
    /// whether that will last: a name that does not resolve may resolve later.
    public static func refusal(host: String) -> (message: String, permanent: Bool)? {
        let addresses = resolve(host)
        if addresses.isEmpty { return ("host \(host) does not resolve", false) }
        guard let refused = addresses.first(where: { !isPublic($0) }) else { return nil }
        return (
            """
            host \(host) resolves to \(refused), a private, loopback or link-local address (refused; the server allows it only with \
            --allow-private-webhooks)
            """,
            true
        )
    }

    /// Every address a host name resolves to (empty when it does not resolve).
    public static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if current.pointee.ai_family == AF_INET, let sa = current.pointee.ai_addr {
                var addr = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                if inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count)) != nil { out.append(Self.text(buffer)) }
            } else if current.pointee.ai_family == AF_INET6, let sa = current.pointee.ai_addr {
                var addr = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                if inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count)) != nil { out.append(Self.text(buffer)) }
            }
            node = current.pointee.ai_next
        }
        return out
    }

    /// A NUL-terminated C string buffer as text.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
