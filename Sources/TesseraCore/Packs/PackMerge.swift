/// A three-way merge of a pack's objects, property by property: `base` is the object as the
/// installed version shipped it, `ours` the tenant's now, `theirs` the new version's.
/// - a property the tenant never changed takes the pack's new value;
/// - one the tenant changed and the pack did not keeps the tenant's;
/// - one both changed (differently) keeps the tenant's and is a conflict, unless its id is in
///   `accept`, which takes the pack's.
/// Named members (an entity's fields and rules) merge the same way one level down. What the
/// tenant deleted stays deleted; what the tenant made alone is never touched.
public struct PackMerge: Sendable {
    /// A property both sides changed. `id` names it for `accept`: `entity:lead/field:phone.label`,
    /// `automation:lead_auto_assign.actions`; a whole object's id has no property part.
    public struct Conflict: Sendable, Equatable {
        public let id: String
        public let base: JSONValue
        public let ours: JSONValue
        public let theirs: JSONValue

        public var json: JSONValue { .object([("id", .string(id)), ("base", base), ("ours", ours), ("theirs", theirs)]) }
    }

    /// What the merge did, by object or property id.
    public struct Report: Sendable, Equatable {
        /// Properties that took the pack's new value (the tenant had not changed them).
        public var updated: [String] = []
        /// Properties the tenant changed, kept.
        public var kept: [String] = []
        public var conflicts: [Conflict] = []
        /// Conflicts resolved for the pack's value, as asked.
        public var accepted: [String] = []
        /// Objects the new version brings.
        public var added: [String] = []
        /// Objects the tenant deleted, which stay deleted.
        public var stayDeleted: [String] = []
        /// Objects the new version no longer ships: kept with their data, switched off where they can be.
        public var deactivated: [String] = []

        public init() {}

        public var json: JSONValue {
            func list(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }
            return .object([
                ("updated", list(updated)), ("kept", list(kept)), ("conflicts", .array(conflicts.map(\.json))), ("accepted", list(accepted)),
                ("added", list(added)), ("stay_deleted", list(stayDeleted)), ("deactivated", list(deactivated)),
            ])
        }
    }

    public let accept: Set<String>
    public private(set) var report = Report()

    public init(accept: Set<String> = []) { self.accept = accept }

    /// Members merged one by one; `nested` names the members that are lists of named objects
    /// (merged by name), `ignored` those the merge leaves as the tenant has them (a version number).
    /// Without a base (a pack installed before copies were kept) every difference is a conflict.
    mutating func members(
        base: JSONValue?, ours: JSONValue, theirs: JSONValue, id: String, nested: [String: String] = [:], ignored: Set<String> = []
    ) -> JSONValue {
        guard case .object(let mine) = ours, case .object(let pack) = theirs else { return ours }
        let was = base?.objectValue ?? []
        func value(_ members: [(String, JSONValue)], _ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        var keys = mine.map(\.0)
        for (key, _) in pack where !keys.contains(key) { keys.append(key) }
        var out: [(String, JSONValue)] = []
        for key in keys {
            let o = value(mine, key), t = value(pack, key), b = value(was, key)
            if ignored.contains(key) {
                if let o { out.append((key, o)) }
                continue
            }
            if let kind = nested[key] {
                let merged = named(prefix: "\(id)/\(kind):", base: b?.arrayValue ?? [], ours: o?.arrayValue ?? [], theirs: t?.arrayValue ?? [])
                if !merged.isEmpty || o != nil || t != nil { out.append((key, .array(merged))) }
                continue
            }
            if let chosen = property(base: b, ours: o, theirs: t, id: "\(id).\(key)", known: base != nil) { out.append((key, chosen)) }
        }
        return .object(out)
    }

    /// One property's value after the merge (nil: absent).
    mutating func property(base: JSONValue?, ours: JSONValue?, theirs: JSONValue?, id: String, known: Bool = true) -> JSONValue? {
        if ours == theirs { return ours }
        if known, base == ours {
            report.updated.append(id)
            return theirs
        }
        if known, base == theirs {
            report.kept.append(id)
            return ours
        }
        if accept.contains(id) {
            report.accepted.append(id)
            return theirs
        }
        report.conflicts.append(Conflict(id: id, base: base ?? .null, ours: ours ?? .null, theirs: theirs ?? .null))
        return ours
    }

    /// A list of keyed objects merged by key (an entity's fields and rules by name; a pack's
    /// documents by name or form key), in the tenant's order with what the pack adds after it. Each
    /// object's id is `prefix` + its key. A nil `base` is unknown (a pack installed before copies
    /// were kept): objects on both sides are then merged property by property as conflicts.
    mutating func named(
        prefix: String, base: [JSONValue]?, ours: [JSONValue], theirs: [JSONValue], nested: [String: String] = [:],
        ignored: Set<String> = [], key: (JSONValue) -> String = { $0["name"]?.stringValue ?? "" }
    ) -> [JSONValue] {
        let was = Dictionary((base ?? []).map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let pack = Dictionary(theirs.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let mine = Set(ours.map(key))
        var out: [JSONValue] = []
        for item in ours {
            let k = key(item), itemID = prefix + k
            guard let t = pack[k] else {
                // The tenant's own, or one the new version no longer ships.
                out.append(was[k] == nil ? item : deactivated(item, id: itemID))
                continue
            }
            if base == nil || was[k] != nil {
                out.append(members(base: was[k], ours: item, theirs: t, id: itemID, nested: nested, ignored: ignored))
            } else if item == t {
                out.append(item)
            } else if accept.contains(itemID) {
                acceptWhole(itemID)
                out.append(t)
            } else {
                // The tenant made one of that key before the pack shipped it: theirs stays.
                conflictWhole(itemID, ours: item, theirs: t)
                out.append(item)
            }
        }
        for item in theirs where !mine.contains(key(item)) {
            let itemID = prefix + key(item)
            if was[key(item)] != nil {
                stayDeleted(itemID)
            } else {
                added(itemID)
                out.append(item)
            }
        }
        return out
    }

    private mutating func acceptWhole(_ id: String) { report.accepted.append(id) }
    private mutating func conflictWhole(_ id: String, ours: JSONValue, theirs: JSONValue) {
        report.conflicts.append(Conflict(id: id, base: .null, ours: ours, theirs: theirs))
    }
    private mutating func stayDeleted(_ id: String) { report.stayDeleted.append(id) }
    private mutating func added(_ id: String) { report.added.append(id) }

    /// An object the new version dropped: it stays (its data too), switched off if it can be.
    mutating func deactivated(_ item: JSONValue, id: String) -> JSONValue {
        report.deactivated.append(id)
        guard case .object(var members) = item, let i = members.firstIndex(where: { $0.0 == "active" }) else { return item }
        members[i].1 = .bool(false)
        return .object(members)
    }
}
