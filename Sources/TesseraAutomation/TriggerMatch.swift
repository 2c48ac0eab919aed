public import TesseraCore

/// Whether a record event is one a trigger fires on. `old` holds the changed fields' previous
/// values (updates only), `new` the whole record after the write.
public enum TriggerMatch {
    public static func fires(_ trigger: AutomationTrigger, event: RecordEvent, old: JSONValue?, new: JSONValue, stageField: String?) -> Bool {
        guard trigger.event == event else { return false }
        let changed = Set((old?.objectValue ?? []).map(\.0))
        switch trigger {
        case .create, .delete, .time, .inactive, .sla, .schedule:
            return true
        case .update(let fields, _):
            return fields.isEmpty ? !changed.isEmpty : !changed.isDisjoint(with: fields)
        case .stageChange(let from, let to):
            guard let stageField, changed.contains(stageField) else { return false }
            let before = old?[stageField]?.stringValue, after = new[stageField]?.stringValue
            return (from == nil || before == from) && (to == nil || after == to)
        }
    }

    /// The record before the write: the record after, with the changed fields' old values.
    public static func before(old: JSONValue?, new: JSONValue) -> JSONValue {
        guard case .object(var members) = new else { return new }
        for (key, value) in old?.objectValue ?? [] {
            if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = value } else { members.append((key, value)) }
        }
        return .object(members)
    }
}
