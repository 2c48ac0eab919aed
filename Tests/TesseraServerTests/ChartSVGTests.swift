import Foundation
import HTTPTypes
import TesseraCore
import TesseraTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Dashboard widgets as SVG charts (issue 15, part 3): the SVG is parsed and its structure checked
/// (bars, colours from the select options, Chinese labels, legend, axes), then rendered by headless
/// Chromium (Debian's `chromium`, installed by scripts/setup.sh) to a PNG of the chart's size.
@Suite("Charts")
struct ChartSVGTests {
    /// The elements of an SVG document: name, attributes and text, in order.
    final class Elements: NSObject, XMLParserDelegate {
        struct Element {
            let name: String
            let attributes: [String: String]
            var text = ""
        }

        var all: [Element] = []
        private var open: [Int] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            all.append(Element(name: elementName, attributes: attributes))
            open.append(all.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = open.last { all[i].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func role(_ role: String) -> [Element] { all.filter { $0.attributes["data-role"] == role } }
    }

    static func parse(_ svg: String) throws -> Elements {
        let elements = Elements()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = elements
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")")
        return elements
    }

    /// Headless Chromium's screenshot of the SVG at its size: the PNG's width and height.
    static func render(_ svg: String) throws -> (width: Int, height: Int, bytes: Int) {
        let dir = NSTemporaryDirectory() + "tessera-chart-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try svg.write(toFile: dir + "/chart.svg", atomically: true, encoding: .utf8)
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            Issue.record("no chromium: scripts/setup.sh installs it")
            return (0, 0, 0)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/profile",
            "--window-size=\(ChartSVG.width),\(ChartSVG.height)", "--screenshot=\(dir)/chart.png", "file://\(dir)/chart.svg",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/chart.png"))
        // To look at it: TESSERA_CHART_DIR=/tmp/charts swift test --filter ChartSVGTests.
        if let keep = ProcessInfo.processInfo.environment["TESSERA_CHART_DIR"], !keep.isEmpty {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? png.write(to: URL(fileURLWithPath: keep + "/chart-\(png.count).png"))
            try? svg.write(toFile: keep + "/chart-\(png.count).svg", atomically: true, encoding: .utf8)
        }
        // PNG: the 8-byte signature, then the IHDR chunk with width and height (big-endian).
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        func int(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20), png.count)
    }

    @Test("widgets as SVG: the funnel's bars in the stages' colours with their Chinese labels, bars per owner on axes, the health score")
    func charts() async throws {
        try await TestApp.run { app in
            let f = try await DashboardTests.setUp(app)
            var widgets = DashboardTests.board["widgets"]?.arrayValue ?? []
            widgets.append([
                "name": "by_owner", "kind": "bar", "label": ["zh-CN": "各负责人商机数", "en": "Deals per owner"],
                "aggregate": ["entity": "deal", "query": "group=owner_id&metrics=count"],
            ])
            widgets.append(["name": "monthly", "kind": "line", "aggregate": ["entity": "deal", "query": "group=created_at:day&metrics=count"]])
            widgets.append(["name": "grid", "kind": "heatmap", "aggregate": ["entity": "deal", "query": "group=owner_id,stage&metrics=count"]])
            guard case .object(var members) = DashboardTests.board else { return }
            members = members.map { $0.0 == "widgets" ? ("widgets", .array(widgets)) : $0 }
            #expect(try await app.call(.post, "/api/v1/meta/dashboards", key: f.admin, json: .object(members)).status == 201)
            func svg(_ widget: String) async throws -> String {
                let reply = try await app.call(
                    .get, "/api/v1/dashboards/director/widgets/\(widget).svg", key: f.admin, headers: [.acceptLanguage: "zh-CN"])
                #expect(reply.status == 200, "\(widget): \(reply.text.prefix(300))")
                #expect(reply.headers[.contentType]?.hasPrefix("image/svg+xml") == true)
                return reply.text
            }
            // The funnel: a bar per stage, lead's in its option colour, labelled in Chinese; a legend.
            let funnel = try Self.parse(try await svg("funnel"))
            let bars = funnel.role("bar")
            #expect(bars.count == 4, "\(bars.map(\.attributes))")
            #expect(bars.first?.attributes["fill"] == "#94a3b8")
            #expect(funnel.role("y-label").map { $0.text } == ["线索", "Qualified", "Quote", "Won"])
            #expect(!funnel.role("legend-swatch").isEmpty && !funnel.role("legend-label").isEmpty)
            #expect(funnel.all.first?.attributes["font-family"]?.contains("Noto Sans CJK SC") == true)
            #expect(funnel.role("title").first?.text == "funnel")
            // Bars per owner: two bars on axes with ticks, labelled by the owners' names.
            let owners = try Self.parse(try await svg("by_owner"))
            #expect(owners.role("bar").count == 2 && owners.role("title").first?.text == "各负责人商机数")
            #expect(Set(owners.role("x-label").map(\.text)).contains("Rep"))
            #expect(owners.role("y-tick").count == 6 && owners.role("x-axis").count == 1 && owners.role("y-axis").count == 1)
            // A line, a heat map, a table and the health score draw too.
            #expect(try Self.parse(try await svg("monthly")).role("series").count == 1)
            #expect(try Self.parse(try await svg("grid")).role("cell").count == 2)
            #expect(try Self.parse(try await svg("dwell")).role("header").count == 4)
            let health = try Self.parse(try await svg("health"))
            #expect(health.role("value").first?.text == "56%" && health.role("value").first?.attributes["fill"] == "#f59e0b")
            #expect(health.role("target").count == 2)
            try await app.call(.get, "/api/v1/dashboards/director/widgets/ghost.svg", key: f.admin).expectError(404)
            try await app.call(.get, "/api/v1/dashboards/director/widgets/funnel.png", key: f.admin).expectError(404)
            // Chromium draws it at the chart's size.
            for widget in ["funnel", "by_owner", "health"] {
                let png = try Self.render(try await svg(widget))
                #expect(png.width == ChartSVG.width && png.height == ChartSVG.height && png.bytes > 5000, "\(widget): \(png)")
            }
        }
    }

    @Test("text is escaped, so labels cannot break the document")
    func escaping() throws {
        let data: JSONValue = [
            "group": ["industry"], "metrics": ["count"],
            "data": [["industry": "a<b&\"c\"", "count": 3], ["industry": "</svg><script>", "count": 1]],
        ]
        let svg = ChartSVG.render(kind: .bar, title: "<title>&", data: data, locale: .en)
        let parsed = try Self.parse(svg)
        #expect(parsed.role("x-label").map(\.text) == ["a<b&\"c\"", "</svg><script>"])
        #expect(!svg.contains("<script>"))
    }
}
