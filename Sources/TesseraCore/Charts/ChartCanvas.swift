import Foundation

/// The SVG being drawn: elements appended in order, text escaped, each shape marked with a
/// `data-role` (what tests and scripts find it by) and a `<title>` (a hover's tooltip).
struct Canvas {
    let locale: MessageLocale
    private var body = ""
    private var legendItems = 0

    init(locale: MessageLocale) { self.locale = locale }

    var document: String {
        let w = ChartSVG.width, h = ChartSVG.height
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)" \
            xml:lang="\(locale.rawValue)" font-family="\(ChartSVG.font)">
            <rect x="0" y="0" width="\(w)" height="\(h)" fill="#ffffff" data-role="background"/>
            \(body)</svg>

            """
    }

    /// A label's text in the reader's language (then Chinese, English, any), or `fallback`.
    func label(_ value: JSONValue?, fallback: String) -> String {
        guard case .object(let members)? = value else { return value?.stringValue ?? fallback }
        let texts = Dictionary(members.compactMap { k, v in v.stringValue.map { (k, $0) } }, uniquingKeysWith: { a, _ in a })
        return texts[locale.rawValue] ?? texts["zh-CN"] ?? texts["en"] ?? texts.values.first ?? fallback
    }

    mutating func text(
        _ text: String, x: Double, y: Double, size: Int, weight: String = "400", anchor: String = "start", fill: String = "#0f172a",
        role: String
    ) {
        body += "<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" text-anchor=\"\(anchor)\" "
        body += "fill=\"\(Self.escape(fill))\" data-role=\"\(role)\">\(Self.escape(text))</text>\n"
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, role: String, title: String? = nil) {
        body += "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(max(0, width)))\" height=\"\(Self.f(max(0, height)))\" "
        body += "fill=\"\(Self.escape(fill))\" data-role=\"\(role)\""
        body += title.map { "><title>\(Self.escape($0))</title></rect>\n" } ?? "/>\n"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, role: String) {
        body += "<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(Self.escape(stroke))\" "
        body += "stroke-width=\"1\" data-role=\"\(role)\"/>\n"
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, role: String, title: String) {
        let list = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(Self.escape(stroke))\" stroke-width=\"2\" data-role=\"\(role)\">"
        body += "<title>\(Self.escape(title))</title></polyline>\n"
    }

    mutating func circle(x: Double, y: Double, r: Double, fill: String, title: String) {
        body += "<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(r))\" fill=\"\(Self.escape(fill))\" data-role=\"point\">"
        body += "<title>\(Self.escape(title))</title></circle>\n"
    }

    /// Legend entries along the top right: a swatch and its text each.
    mutating func legend(_ entries: [(String, String)]) {
        var x = Double(ChartSVG.width) - 24
        for (label, color) in entries.reversed() {
            let textWidth = Double(Self.width(label, size: 12))
            x -= textWidth
            text(label, x: x, y: 34, size: 12, role: "legend-label")
            x -= 18
            rect(x: x, y: 24, width: 12, height: 12, fill: color, role: "legend-swatch")
            x -= 16
        }
    }

    /// About how wide text is (CJK characters are twice a Latin one's width).
    static func width(_ text: String, size: Int) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value > 0x2E7F ? size : size * 6 / 10) }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // Characters XML 1.0 cannot carry at all.
            case _ where c.value < 0x20 && c != "\n" && c != "\t": continue
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func f(_ value: Double) -> String { value.isFinite ? String(format: "%.1f", value) : "0" }

    static func number(_ value: Double) -> String {
        if abs(value) >= 1e6 { return String(format: "%.2fM", value / 1e6) }
        if value.rounded() == value { return String(Int64(value)) }
        return String(format: "%.2f", value)
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "—" }
        return seconds >= 86_400 ? String(format: "%.1fd", seconds / 86_400) : String(format: "%.1fh", seconds / 3600)
    }

    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: s
        case .number(let n)?: n
        case .bool(let b)?: b ? "✓" : "✗"
        case .array(let a)?: a.compactMap(\.stringValue).joined(separator: ", ")
        default: ""
        }
    }

    /// A shade of blue for a share of the largest value (0 lightest).
    static func shade(_ share: Double) -> String {
        let s = max(0, min(1, share.isFinite ? share : 0))
        let from = (239.0, 246.0, 255.0), to = (29.0, 78.0, 216.0)
        let mix = { (a: Double, b: Double) in Int((a + (b - a) * s).rounded()) }
        return String(format: "#%02x%02x%02x", mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
    }
}

/// An aggregate's rows as categories (the first key) and groups (the second key, if any), with
/// labels and colours from the answer's `labels` and `colors`.
struct Series {
    struct Item {
        let key: String?
        let label: String
        let color: String?
    }

    let categories: [Item]
    let groups: [Item]
    let metricName: String
    private let values: [String: Double]

    init(_ data: JSONValue, locale: MessageLocale) {
        let keys = (data["group"]?.arrayValue ?? []).compactMap(\.stringValue)
        let metricName = data["metrics"]?.arrayValue?.first?.stringValue ?? "count"
        let rows = data["data"]?.arrayValue ?? []
        let canvas = Canvas(locale: locale)
        func item(_ row: JSONValue, _ key: String?) -> Item {
            if row["other"] == .bool(true) { return Item(key: "\u{0}other", label: locale == .zhCN ? "其他" : "Other", color: "#94a3b8") }
            guard let key else { return Item(key: nil, label: metricName, color: nil) }
            let value = row[key]
            let text: String? =
                switch value {
                case .string(let s)?: s
                case .bool(let b)?: b ? "true" : "false"
                case .number(let n)?: n
                default: nil
                }
            guard let text else { return Item(key: nil, label: locale == .zhCN ? "（空）" : "(none)", color: "#cbd5e1") }
            let label = canvas.label(data["labels"]?[key]?[text], fallback: text)
            return Item(key: text, label: label, color: data["colors"]?[key]?[text]?.stringValue)
        }
        var categories: [Item] = [], groups: [Item] = []
        var values: [String: Double] = [:]
        for row in rows {
            let category = item(row, keys.first)
            let group = keys.count > 1 ? item(row, keys[1]) : nil
            if !categories.contains(where: { $0.key == category.key }) { categories.append(category) }
            if let group, !groups.contains(where: { $0.key == group.key }) { groups.append(group) }
            values[Self.cell(category.key, group?.key)] = (values[Self.cell(category.key, group?.key)] ?? 0) + (row[metricName]?.doubleValue ?? 0)
        }
        self.metricName = metricName
        self.categories = categories
        self.groups = groups
        self.values = values
    }

    var maximum: Double { values.values.max() ?? 0 }

    func value(category: String?, group: String?) -> Double? { values[Self.cell(category, group)] }

    private static func cell(_ category: String?, _ group: String?) -> String { (category ?? "\u{1}") + "\u{2}" + (group ?? "\u{1}") }
}

/// The plotting area below the title and legend, with a y scale rounded up to a nice number.
struct Plot {
    let left = 72.0, right: Double, topMargin = 60.0, bottom: Double
    /// The scale's top value.
    let top: Double

    init(svg: Canvas, max: Double) {
        right = Double(ChartSVG.width) - 24
        bottom = Double(ChartSVG.height) - 48
        top = Plot.nice(max)
    }

    var width: Double { right - left }
    var height: Double { bottom - topMargin }

    /// The y axis with five ticks and its label, and the x axis line.
    func axes(_ svg: inout Canvas, yLabel: String) {
        for i in 0...5 {
            let value = top * Double(i) / 5
            let y = bottom - height * Double(i) / 5
            svg.line(x1: left, y1: y, x2: right, y2: y, stroke: i == 0 ? "#334155" : "#e2e8f0", role: i == 0 ? "x-axis" : "grid")
            svg.text(Canvas.number(value), x: left - 6, y: y + 4, size: 10, anchor: "end", fill: "#475569", role: "y-tick")
        }
        svg.line(x1: left, y1: topMargin, x2: left, y2: bottom, stroke: "#334155", role: "y-axis")
        svg.text(yLabel, x: left, y: topMargin - 10, size: 11, fill: "#475569", role: "y-axis-label")
    }

    /// 1, 2 or 5 times a power of ten, at least `value` (1 for nothing to show).
    static func nice(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }
}
