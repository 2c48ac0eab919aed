public import TesseraCore

extension RecordStore {
    /// One funnel cell: the records of a group that entered a stage in the period, and how many of
    /// them went on to a later stage.
    public struct FunnelCell: Sendable {
        public let group: String?
        public let stage: String
        public let entered: Int
        public let converted: Int
    }

    /// One stage's dwell figures (seconds; nil when there is nothing to measure).
    public struct DwellRow: Sendable {
        public let stage: String
        public let spells: Int
        public let mean: Double?
        public let p50: Double?
        public let p90: Double?
        public let stddev: Double?
        public let current: Int
        public let ageP50: Double?
        public let ageP90: Double?
        public let oldest: Double?
        public let stuck: Int
    }

    /// A record in a stage for longer than the threshold.
    public struct StuckRecord: Sendable {
        public let id: String
        public let title: String?
        public let stage: String
        public let seconds: Double
        public let owner: String?
    }

    public func funnel(_ plan: RecordPlan, _ query: StageMetricsQuery) async throws -> [FunnelCell] {
        try await metrics(plan) {
            // One row per group: the group, then entered and converted for each stage in order.
            try await prepared.rows(try RecordSQL(plan).funnel(query), client: client, logger: logger).flatMap { row in
                let cells = row.makeRandomAccess()
                let group = try cells[0].decode(String?.self)
                return try query.stages.enumerated().compactMap { k, stage -> FunnelCell? in
                    let entered = try cells[1 + 2 * k].decode(Int.self)
                    guard entered > 0 else { return nil }
                    return FunnelCell(group: group, stage: stage, entered: entered, converted: try cells[2 + 2 * k].decode(Int.self))
                }
            }
        }
    }

    public func dwell(_ plan: RecordPlan, _ query: StageMetricsQuery, openStages: [String]) async throws -> [DwellRow] {
        try await metrics(plan) {
            try await prepared.rows(try RecordSQL(plan).dwell(query, openStages: openStages), client: client, logger: logger).map { row in
                let cells = row.makeRandomAccess()
                func number(_ i: Int) throws -> Double? { try cells[i].decode(Double?.self) }
                return DwellRow(
                    stage: try cells[0].decode(String.self), spells: try cells[1].decode(Int.self), mean: try number(2), p50: try number(3),
                    p90: try number(4), stddev: try number(5), current: try cells[6].decode(Int.self), ageP50: try number(7),
                    ageP90: try number(8), oldest: try number(9), stuck: try cells[10].decode(Int.self))
            }
        }
    }

    public func stuck(_ plan: RecordPlan, _ query: StageMetricsQuery, openStages: [String]) async throws -> [StuckRecord] {
        try await metrics(plan) {
            try await prepared.rows(try RecordSQL(plan).stuck(query, openStages: openStages), client: client, logger: logger).map { row in
                let (id, title, stage, seconds, owner) = try row.decode((String, String?, String, Double, String?).self)
                return StuckRecord(id: id, title: title, stage: stage, seconds: seconds, owner: owner)
            }
        }
    }

    /// Stays that ended (or have lasted so far) within their stage's time, and all stays.
    public func onTime(
        _ plan: RecordPlan, _ query: StageMetricsQuery, stages: [String], within: [(stage: String, seconds: Double)], otherwise: Double?
    ) async throws -> (hit: Int, all: Int) {
        try await metrics(plan) {
            let sql = try RecordSQL(plan).onTime(query, stages: stages, within: within, otherwise: otherwise)
            return try await prepared.rows(sql, client: client, logger: logger).first?.decode((Int, Int).self) ?? (0, 0)
        }
    }

    /// Records with every one of the fields filled, and all records.
    public func completeness(_ plan: RecordPlan, _ query: StageMetricsQuery, fields: [Column]) async throws -> (hit: Int, all: Int) {
        try await metrics(plan) {
            try await prepared.rows(try RecordSQL(plan).completeness(query, fields: fields), client: client, logger: logger).first?
                .decode((Int, Int).self) ?? (0, 0)
        }
    }

    /// The query's errors as the API's: an expression that cannot become SQL is the caller's 422.
    private func metrics<T>(_ plan: RecordPlan, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExpressionError {
            throw TesseraError.validation([error.detail(property: "where")])
        } catch {
            throw DatabaseErrorMapper.map(error, entity: plan.entity) ?? error
        }
    }
}
