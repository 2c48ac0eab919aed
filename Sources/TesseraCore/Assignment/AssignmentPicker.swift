/// Picks the next owner among candidates by virtual time (stride scheduling): each pick advances
/// the chosen candidate's `pass` by 1 / weight, and the candidate whose next pass would be the
/// smallest goes next. Equal weights make it a strict round robin; over many picks each
/// candidate's share is its weight's share of the total, even as weights change between picks.
public enum AssignmentPicker {
    public struct Candidate: Sendable, Equatable {
        public var userID: String
        /// Virtual time so far; nil for a candidate new to the rule.
        public var pass: Double?
        /// The weight for this pick (1 for round robin); 0 or less means no share.
        public var weight: Double

        public init(userID: String, pass: Double?, weight: Double) {
            self.userID = userID
            self.pass = pass
            self.weight = weight
        }
    }

    public struct Pick: Sendable, Equatable {
        public var userID: String
        /// The chosen candidate's new pass.
        public var pass: Double
        /// Passes to record for candidates that had none (they join at the current front, so a
        /// newcomer gets its share from now on, not a burst to catch up with the others).
        public var joined: [String: Double]
    }

    /// Nil when there is no candidate. Candidates arrive in a stable order (which breaks ties).
    public static func pick(_ candidates: [Candidate]) -> Pick? {
        guard !candidates.isEmpty else { return nil }
        // Nobody with a positive weight (a team with no wins and no load yet): equal shares.
        let weighted = candidates.contains { $0.weight > 0 && $0.weight.isFinite }
        let front = candidates.compactMap(\.pass).min() ?? 0
        var joined: [String: Double] = [:]
        var best: (index: Int, next: Double)?
        for (i, candidate) in candidates.enumerated() {
            let weight = weighted ? candidate.weight : 1
            guard weight > 0, weight.isFinite else { continue }
            let pass = candidate.pass ?? front
            if candidate.pass == nil { joined[candidate.userID] = pass }
            let next = pass + 1 / weight
            if best == nil || next < best!.next - 1e-12 { best = (i, next) }
        }
        guard let best else { return nil }
        let chosen = candidates[best.index].userID
        joined[chosen] = nil
        return Pick(userID: chosen, pass: best.next, joined: joined)
    }
}
