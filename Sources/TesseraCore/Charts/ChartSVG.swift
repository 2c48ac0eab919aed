import Foundation

/// A dashboard widget's data drawn as a standalone SVG chart: title, axes with their labels, a
/// legend, colours from the select options where the data has them, text in the reader's
/// language (CJK fonts named first, so zh-CN renders as Chinese and not as boxes). Operators
/// paste it into a chat or a weekly report; nothing but the SVG is needed to show it.
public enum ChartSVG {
    public static let width = 720
    public static let height = 400
    static let palette = ["#3b82f6", "#f59e0b", "#22c55e", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16", "#64748b", "#f97316"]
    static let font = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif"

    /// The chart of a widget of `kind` whose data is `data` (the widget's `data` member).
    public static func render(kind: DashboardDefinition.Kind, title: String, data: JSONValue, locale: MessageLocale) -> String {
        var svg = Canvas(locale: locale)
        svg.text(title, x: 24, y: 34, size: 18, weight: "600", role: "title")
        switch kind {
        case .bar: bars(data, &svg)
        case .line: line(data, &svg)
        case .number: number(data, &svg)
        case .funnel: funnel(data, &svg)
        case .heatmap: heatmap(data, &svg)
        case .table: table(data, &svg)
        case .health: health(data, &svg)
        }
        return svg.document
    }

    // MARK: Kinds

    /// One bar per value of the first key (the first metric); with a second key, one bar per
    /// value of it inside each group, coloured by it, with a legend.
    static func bars(_ data: JSONValue, _ svg: inout Canvas) {
        let series = Series(data, locale: svg.locale)
        guard !series.categories.isEmpty else { return empty(&svg) }
        let plot = Plot(svg: svg, max: series.maximum)
        plot.axes(&svg, yLabel: series.metricName)
        let band = plot.width / Double(series.categories.count)
        let groups = max(1, series.groups.count)
        let barWidth = max(2, band * 0.7 / Double(groups))
        for (c, category) in series.categories.enumerated() {
            for (g, group) in (series.groups.isEmpty ? [nil] : series.groups.map { Optional($0) }).enumerated() {
                guard let value = series.value(category: category.key, group: group?.key) else { continue }
                let x = plot.left + band * Double(c) + band * 0.15 + barWidth * Double(g)
                let h = plot.height * value / plot.top
                let color = group?.color ?? category.color ?? palette[c % palette.count]
                svg.rect(
                    x: x, y: plot.bottom - h, width: barWidth, height: h, fill: color, role: "bar",
                    title: "\(category.label): \(Canvas.number(value))")
            }
            svg.text(category.label, x: plot.left + band * (Double(c) + 0.5), y: plot.bottom + 18, size: 11, anchor: "middle", role: "x-label")
        }
        if !series.groups.isEmpty {
            svg.legend(series.groups.enumerated().map { ($0.element.label, $0.element.color ?? palette[$0.offset % palette.count]) })
        } else if series.categories.count <= 6 {
            // One colour per bar: the legend names them.
            svg.legend(series.categories.enumerated().map { ($0.element.label, $0.element.color ?? palette[$0.offset % palette.count]) })
        } else {
            svg.legend([(series.metricName, palette[0])])
        }
    }

    /// One line per metric over the first key (a date series), with a legend.
    static func line(_ data: JSONValue, _ svg: inout Canvas) {
        let rows = (data["data"]?.arrayValue ?? []).filter { $0["other"] == nil }
        let key = data["group"]?.arrayValue?.first?.stringValue ?? ""
        let metrics = (data["metrics"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !rows.isEmpty, !metrics.isEmpty else { return empty(&svg) }
        let values = rows.map { row in metrics.map { row[$0]?.doubleValue ?? 0 } }
        let plot = Plot(svg: svg, max: values.flatMap { $0 }.max() ?? 0)
        plot.axes(&svg, yLabel: metrics.joined(separator: " · "))
        let step = rows.count > 1 ? plot.width / Double(rows.count - 1) : 0
        for (m, metric) in metrics.enumerated() {
            let color = palette[m % palette.count]
            let points = values.enumerated().map { i, v in (plot.left + step * Double(i), plot.bottom - plot.height * v[m] / plot.top) }
            svg.polyline(points, stroke: color, role: "series", title: metric)
            for (i, point) in points.enumerated() {
                svg.circle(x: point.0, y: point.1, r: 3, fill: color, title: "\(rows[i][key]?.stringValue ?? ""): \(Canvas.number(values[i][m]))")
            }
        }
        let every = max(1, rows.count / 8)
        for (i, row) in rows.enumerated() where i % every == 0 {
            svg.text(row[key]?.stringValue ?? "", x: plot.left + step * Double(i), y: plot.bottom + 18, size: 11, anchor: "middle", role: "x-label")
        }
        svg.legend(metrics.enumerated().map { ($0.element, palette[$0.offset % palette.count]) })
    }

    /// The first metric, summed over the groups, large.
    static func number(_ data: JSONValue, _ svg: inout Canvas) {
        let metric = data["metrics"]?.arrayValue?.first?.stringValue ?? "count"
        let total = (data["data"]?.arrayValue ?? []).reduce(0.0) { $0 + ($1[metric]?.doubleValue ?? 0) }
        svg.text(Canvas.number(total), x: Double(width) / 2, y: Double(height) / 2 + 24, size: 72, weight: "700", anchor: "middle", role: "value")
        svg.text(metric, x: Double(width) / 2, y: Double(height) / 2 + 64, size: 14, anchor: "middle", fill: "#64748b", role: "caption")
    }

    /// One bar per stage, as wide as its entries, with the conversion to later stages.
    static func funnel(_ data: JSONValue, _ svg: inout Canvas) {
        let stages = data["stages"]?.arrayValue ?? []
        guard !stages.isEmpty else { return empty(&svg) }
        let most = max(1, stages.compactMap { $0["entered"]?.doubleValue }.max() ?? 1)
        let rowHeight = min(44.0, (Double(height) - 90) / Double(stages.count))
        let full = Double(width) - 200
        for (i, stage) in stages.enumerated() {
            let entered = stage["entered"]?.doubleValue ?? 0
            let w = max(2, full * entered / most)
            let y = 60 + rowHeight * Double(i)
            let label = svg.label(stage["label"], fallback: stage["stage"]?.stringValue ?? "")
            svg.text(label, x: 150, y: y + rowHeight * 0.6, size: 12, anchor: "end", role: "y-label")
            svg.rect(
                x: 160 + (full - w) / 2, y: y + 4, width: w, height: rowHeight - 8, fill: stage["color"]?.stringValue ?? palette[i % palette.count],
                role: "bar", title: "\(label): \(Canvas.number(entered))")
            let conversion = stage["conversion"]?.doubleValue.map { " · " + Canvas.percent($0) } ?? ""
            svg.text(
                Canvas.number(entered) + conversion, x: 160 + full / 2, y: y + rowHeight * 0.6, size: 12, anchor: "middle", fill: "#ffffff",
                role: "value")
        }
        svg.legend([(svg.locale == .zhCN ? "进入人数 · 转化率" : "entered · conversion", palette[0])])
    }

    /// A grid of the first key by the second, each cell shaded by the first metric.
    static func heatmap(_ data: JSONValue, _ svg: inout Canvas) {
        let series = Series(data, locale: svg.locale)
        guard !series.categories.isEmpty else { return empty(&svg) }
        let columns = series.groups.isEmpty ? [Series.Item(key: nil, label: series.metricName, color: nil)] : series.groups
        let left = 150.0, top = 60.0
        let cellWidth = (Double(width) - left - 40) / Double(columns.count)
        let cellHeight = min(32.0, (Double(height) - top - 70) / Double(series.categories.count))
        let most = max(series.maximum, 1)
        for (r, row) in series.categories.enumerated() {
            svg.text(row.label, x: left - 8, y: top + cellHeight * (Double(r) + 0.65), size: 11, anchor: "end", role: "y-label")
            for (c, column) in columns.enumerated() {
                let value = series.value(category: row.key, group: series.groups.isEmpty ? nil : column.key) ?? 0
                let shade = Canvas.shade(value / most)
                svg.rect(
                    x: left + cellWidth * Double(c), y: top + cellHeight * Double(r), width: cellWidth - 2, height: cellHeight - 2, fill: shade,
                    role: "cell", title: "\(row.label) × \(column.label): \(Canvas.number(value))")
            }
        }
        for (c, column) in columns.enumerated() {
            svg.text(
                column.label, x: left + cellWidth * (Double(c) + 0.5), y: top + cellHeight * Double(series.categories.count) + 16, size: 11,
                anchor: "middle", role: "x-label")
        }
        svg.legend([("0", Canvas.shade(0)), (Canvas.number(most), Canvas.shade(1))])
    }

    /// The first rows as text: an aggregate's groups, a dwell's stages or a view's records.
    static func table(_ data: JSONValue, _ svg: inout Canvas) {
        var header: [String] = []
        var rows: [[String]] = []
        if let stages = data["stages"]?.arrayValue {
            header = svg.locale == .zhCN ? ["阶段", "平均停留", "当前", "卡住"] : ["stage", "mean", "now", "stuck"]
            rows = stages.map {
                [
                    svg.label($0["label"], fallback: $0["stage"]?.stringValue ?? ""), Canvas.duration($0["mean_seconds"]?.doubleValue),
                    Canvas.number($0["current"]?.doubleValue ?? 0), Canvas.number($0["stuck"]?.doubleValue ?? 0),
                ]
            }
        } else if let columns = data["columns"]?.arrayValue {
            header = columns.map { svg.label($0["label"], fallback: $0["field"]?.stringValue ?? "") }
            let fields = columns.compactMap { $0["field"]?.stringValue }
            rows = (data["data"]?.arrayValue ?? []).map { record in fields.map { Canvas.cell(record[$0]) } }
        } else {
            let keys = (data["group"]?.arrayValue ?? []).compactMap(\.stringValue) + (data["metrics"]?.arrayValue ?? []).compactMap(\.stringValue)
            header = keys
            rows = (data["data"]?.arrayValue ?? []).map { row in keys.map { Canvas.cell(row[$0]) } }
        }
        guard !header.isEmpty else { return empty(&svg) }
        let columnWidth = (Double(width) - 48) / Double(header.count)
        for (c, title) in header.enumerated() {
            svg.text(title, x: 24 + columnWidth * Double(c), y: 70, size: 12, weight: "600", role: "header")
        }
        for (r, row) in rows.prefix(12).enumerated() {
            let y = 96 + 24 * Double(r)
            if r % 2 == 0 { svg.rect(x: 20, y: y - 16, width: Double(width) - 40, height: 24, fill: "#f1f5f9", role: "stripe") }
            for (c, cell) in row.enumerated() { svg.text(String(cell.prefix(24)), x: 24 + columnWidth * Double(c), y: y, size: 12, role: "cell") }
        }
        if rows.isEmpty { empty(&svg) }
    }

    /// The score large in its threshold's colour, and each part's share against its target.
    static func health(_ data: JSONValue, _ svg: inout Canvas) {
        let color = data["color"]?.stringValue ?? "#94a3b8"
        let score = data["score"]?.doubleValue
        svg.text(score.map { Canvas.number($0) + "%" } ?? "—", x: 150, y: 170, size: 64, weight: "700", anchor: "middle", fill: color, role: "value")
        svg.text(svg.label(data["level"], fallback: ""), x: 150, y: 206, size: 16, anchor: "middle", fill: color, role: "caption")
        let parts = data["parts"]?.arrayValue ?? []
        for (i, part) in parts.enumerated() {
            let y = 90 + 60 * Double(i)
            let share = part["share"]?.doubleValue ?? 0
            svg.text(svg.label(part["label"], fallback: part["name"]?.stringValue ?? ""), x: 320, y: y, size: 13, role: "y-label")
            svg.rect(x: 320, y: y + 8, width: 300, height: 16, fill: "#e2e8f0", role: "track")
            svg.rect(x: 320, y: y + 8, width: 300 * min(1, share), height: 16, fill: color, role: "bar", title: Canvas.percent(share))
            if let target = part["target"]?.doubleValue {
                svg.line(x1: 320 + 300 * target, y1: y + 4, x2: 320 + 300 * target, y2: y + 28, stroke: "#0f172a", role: "target")
            }
            svg.text(Canvas.percent(share), x: 696, y: y + 21, size: 12, anchor: "end", role: "value")
        }
        svg.legend([(svg.locale == .zhCN ? "目标" : "target", "#0f172a"), (svg.label(data["level"], fallback: ""), color)])
    }

    static func empty(_ svg: inout Canvas) {
        svg.text(
            svg.locale == .zhCN ? "暂无数据" : "No data", x: Double(width) / 2, y: Double(height) / 2, size: 16, anchor: "middle", fill: "#94a3b8",
            role: "empty")
    }
}
