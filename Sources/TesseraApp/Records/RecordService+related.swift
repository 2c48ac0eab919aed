public import TesseraCore
public import TesseraStore

extension RecordService {
    /// The 360° view of one record: every list of records that point at it through a relation
    /// (`?entity=` picks entities, `?limit=` the rows per list), those the caller may read. 404
    /// when the record is not one the caller may read.
    public func related(_ caller: Caller, entity: String, id: String, _ pairs: [(String, String)]) async throws -> [RelatedRows] {
        _ = try await get(caller, entity: entity, id: id, [("select", "id")])
        let current = try await metadata.metadata(for: caller.tenant)
        let lists = try RelatedQuery.parse(pairs, target: entity, entities: current.entities)
        return try await related(caller, id: id, lists: lists).compactMap { $0 }
    }

    /// Each list's rows for the record `id`, as the caller sees them: nil for a list whose
    /// entity the caller may not list or whose relation field their roles hide. The caller must
    /// have read the record first (its read scope decides whether it exists). The lists are read
    /// side by side, each under its own plan and the caller's record scope. A record not saved
    /// yet (`id` nil) has empty lists.
    public func related(_ caller: Caller, id: String?, lists: [RelatedList]) async throws -> [RelatedRows?] {
        try await withThrowingTaskGroup(of: (Int, RelatedRows?).self) { group in
            for (i, list) in lists.enumerated() {
                group.addTask { (i, try await rows(caller, id: id, list)) }
            }
            var out = [RelatedRows?](repeating: nil, count: lists.count)
            for try await (i, rows) in group { out[i] = rows }
            return out
        }
    }

    private func rows(_ caller: Caller, id: String?, _ list: RelatedList) async throws -> RelatedRows? {
        let planned: Planned
        do {
            planned = try await plan(.list, caller, entity: list.entity)
        } catch let error as TesseraError where error.status == 403 || error.status == 404 {
            return nil
        }
        let visible = planned.plan.visibleEntity
        guard visible.field(list.via) != nil else { return nil }
        guard let id else { return RelatedRows(list: list, label: visible.label, count: 0, records: []) }
        let select = list.fields.isEmpty ? nil : list.fields.filter { Column.resolve($0, in: visible) != nil }
        let page = try await store.list(planned.plan, try Self.query(list.pairs(id: id, select: select), planned))
        return RelatedRows(list: list, label: visible.label, count: page.count ?? page.records.count, records: page.records)
    }
}
