/// Pack versions are dotted numbers (`1.3.0`), compared number by number; a missing part is 0.
public enum PackVersion {
    public static func isNewer(_ a: String, than b: String) -> Bool {
        let x = parts(a), y = parts(b)
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? x[i] : 0, q = i < y.count ? y[i] : 0
            if p != q { return p > q }
        }
        return false
    }

    static func parts(_ version: String) -> [Int] { version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 } }
}
