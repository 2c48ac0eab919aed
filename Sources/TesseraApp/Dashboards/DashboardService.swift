import Foundation
public import TesseraCore
public import TesseraStore

/// Serves dashboards: those offered to the caller's roles, and every widget's data in one answer,
/// each computed as its own API call would be for this caller (their read scope and visible
/// fields), a few at a time.
public struct DashboardService: Sendable {
    let metadata: MetadataCache
    let records: RecordService
    let views: ViewService

    /// Widgets computed at the same time: a dashboard of 20 aggregates must not take 20 connections.
    public static let concurrency = 4

    /// One widget's answer: its data as JSON, a view's page (rendered by the HTTP layer as the
    /// view route renders it), or the error its own call would have got.
    public enum WidgetData: Sendable {
        case json(JSONValue)
        case view(ViewQuery, ViewService.Answer)
        case failed(TesseraError)
    }

    public struct WidgetResult: Sendable {
        public let widget: DashboardDefinition.Widget
        public let data: WidgetData
        /// Period bounds the widget used (dates in the tenant's zone, `to` exclusive).
        public let from: String?
        public let to: String?
        public let milliseconds: Double
    }

    public func list(_ caller: Caller) async throws -> [DashboardDefinition] {
        try await metadata.metadata(for: caller.tenant).dashboards(for: caller)
    }

    public func dashboard(_ caller: Caller, name: String) async throws -> DashboardDefinition {
        try await metadata.metadata(for: caller.tenant).dashboard(name, for: caller)
    }

    /// Every widget of the dashboard, in its order.
    public func data(_ caller: Caller, name: String) async throws -> (DashboardDefinition, [WidgetResult]) {
        let dashboard = try await dashboard(caller, name: name)
        let zone = TimeZoneRules(identifier: caller.tenant.timeZone) ?? .utc
        let today = zone.localDate(Timestamp.nowMicroseconds())
        let results = await withTaskGroup(of: (Int, WidgetResult).self) { group in
            var out = [WidgetResult?](repeating: nil, count: dashboard.widgets.count)
            var next = 0
            func start() {
                guard next < dashboard.widgets.count else { return }
                let i = next
                next += 1
                group.addTask { (i, await widget(dashboard.widgets[i], caller: caller, today: today, zone: zone)) }
            }
            for _ in 0..<Self.concurrency { start() }
            while let (i, result) = await group.next() {
                out[i] = result
                start()
            }
            return out.compactMap { $0 }
        }
        return (dashboard, results)
    }

    /// One widget's data (what its chart draws).
    public func widget(_ caller: Caller, name: String, widget name2: String) async throws -> WidgetResult {
        let dashboard = try await dashboard(caller, name: name)
        guard let widget = dashboard.widgets.first(where: { $0.name == name2 }) else {
            throw TesseraError(status: 404, code: "not_found", localized: DashboardMessage.noWidget(name2, dashboard: name))
        }
        let zone = TimeZoneRules(identifier: caller.tenant.timeZone) ?? .utc
        return await self.widget(widget, caller: caller, today: zone.localDate(Timestamp.nowMicroseconds()), zone: zone)
    }

    func widget(_ widget: DashboardDefinition.Widget, caller: Caller, today: Int64, zone: TimeZoneRules) async -> WidgetResult {
        let started = ContinuousClock.now
        let bounds = widget.period.map { Self.bounds($0, today: today) }
        let data: WidgetData
        do {
            switch widget.source {
            case .aggregate(let entity, let query):
                var pairs = try QueryString.parse(query)
                if let bounds, let field = widget.periodField { pairs += [(field, "gte." + bounds.from), (field, "lt." + bounds.to)] }
                data = .json(try await records.aggregate(caller, entity: entity, pairs))
            case .funnel(let entity, let query):
                data = .json(try await records.funnel(caller, Self.metricPairs(entity, query, bounds)))
            case .dwell(let entity, let query):
                data = .json(try await records.dwell(caller, Self.metricPairs(entity, query, bounds)))
            case .view(let name):
                let (planned, answer) = try await views.data(caller, name: name, [])
                data = .view(planned, answer)
            case .health(let score):
                data = .json(try await records.health(score, caller, from: bounds?.from, to: bounds?.to, zone: zone))
            }
        } catch let error as TesseraError {
            data = .failed(error)
        } catch {
            data = .failed(TesseraError.internal())
        }
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return WidgetResult(widget: widget, data: data, from: bounds?.from, to: bounds?.to, milliseconds: ms)
    }

    static func metricPairs(_ entity: String, _ query: String, _ bounds: (from: String, to: String)?) throws -> [(String, String)] {
        var pairs = [("entity", entity)] + (try QueryString.parse(query)).filter { $0.0 != "entity" }
        if let bounds { pairs += [("from", bounds.from), ("to", bounds.to)] }
        return pairs
    }

    /// The period's first day and the day after its last, as local dates.
    static func bounds(_ period: DashboardDefinition.Period, today: Int64) -> (from: String, to: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: Double(today) * 86_400)
        let parts = calendar.dateComponents([.year, .month, .weekday], from: date)
        let year = parts.year ?? 1970, month = parts.month ?? 1
        func day(_ y: Int, _ m: Int) -> Int64 {
            let d = calendar.date(from: DateComponents(year: y, month: m, day: 1)) ?? date
            return Int64((d.timeIntervalSince1970 / 86_400).rounded())
        }
        switch period {
        case .thisWeek:
            // Weeks start on Monday (weekday 2 in the Gregorian calendar).
            let monday = today - Int64(((parts.weekday ?? 2) + 5) % 7)
            return (TimeText.date(monday), TimeText.date(monday + 7))
        case .thisMonth:
            return (TimeText.date(day(year, month)), TimeText.date(month == 12 ? day(year + 1, 1) : day(year, month + 1)))
        case .thisQuarter:
            let first = (month - 1) / 3 * 3 + 1
            return (TimeText.date(day(year, first)), TimeText.date(first == 10 ? day(year + 1, 1) : day(year, first + 3)))
        case .thisYear:
            return (TimeText.date(day(year, 1)), TimeText.date(day(year + 1, 1)))
        case .lastDays(let n):
            return (TimeText.date(today - Int64(n) + 1), TimeText.date(today + 1))
        case .range(let from, let to):
            return (from, to)
        }
    }
}
