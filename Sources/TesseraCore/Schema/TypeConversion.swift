/// Which field type changes keep data (possibly after checking rows) and which are refused outright.
public enum TypeConversion {
    static let textual: Set<FieldType> = [.text, .longText, .email, .phone, .url]
    static let numeric: Set<FieldType> = [.number, .decimal, .money, .percent]
    /// Types whose values are ids or structures with no meaningful conversion.
    static let structural: Set<FieldType> = [.relation, .user, .attachment, .location]

    public static func isSupported(from: FieldType, to: FieldType) -> Bool {
        if from == to { return true }
        // A formula has no column to convert; replacing one with a stored field (or back) loses meaning.
        if from == .formula || to == .formula { return false }
        if structural.contains(from) || structural.contains(to) || to == .autoNumber { return false }
        // Anything else can be written out as text.
        if to == .text || to == .longText { return true }
        if from == .autoNumber { return false }
        if textual.contains(from) {
            return textual.contains(to) || numeric.contains(to) || [.select, .multiSelect, .boolean, .date, .datetime].contains(to)
        }
        if numeric.contains(from) { return numeric.contains(to) }
        if from == .select { return to == .multiSelect }
        return (from == .date && to == .datetime) || (from == .datetime && to == .date)
    }
}
