import Testing

@testable import TesseraCore

@Suite("Assignment picker")
struct AssignmentPickerTests {
    /// Runs `n` picks over fixed weights, carrying the passes forward as the store does.
    func distribute(_ weights: [String: Double], picks n: Int) -> [String: Int] {
        var passes: [String: Double] = [:]
        var counts: [String: Int] = [:]
        let order = weights.keys.sorted()
        for _ in 0..<n {
            let pick = AssignmentPicker.pick(order.map { .init(userID: $0, pass: passes[$0], weight: weights[$0]!) })!
            passes[pick.userID] = pick.pass
            for (user, pass) in pick.joined { passes[user] = pass }
            counts[pick.userID, default: 0] += 1
        }
        return counts
    }

    @Test("equal weights are a strict round robin: each cycle gives everyone one")
    func roundRobin() {
        var passes: [String: Double] = [:]
        var sequence: [String] = []
        for _ in 0..<9 {
            let pick = AssignmentPicker.pick(["a", "b", "c"].map { .init(userID: $0, pass: passes[$0], weight: 1) })!
            passes[pick.userID] = pick.pass
            for (user, pass) in pick.joined { passes[user] = pass }
            sequence.append(pick.userID)
        }
        #expect(sequence == ["a", "b", "c", "a", "b", "c", "a", "b", "c"])
    }

    @Test("shares follow the weights exactly over many picks")
    func weighted() {
        #expect(distribute(["a": 1, "b": 2, "c": 3], picks: 600) == ["a": 100, "b": 200, "c": 300])
        // The seeds' formula at won30 = 2, 0, 4 and load = 3, 5, 1: weights 2.7, 3.5, 1.9.
        let counts = distribute(["a": 0.3 * 2 + 0.7 * 3, "b": 0.3 * 0 + 0.7 * 5, "c": 0.3 * 4 + 0.7 * 1], picks: 810)
        #expect(abs(counts["a"]! - 270) <= 1 && abs(counts["b"]! - 350) <= 1 && abs(counts["c"]! - 190) <= 1, "\(counts)")
    }

    @Test("zero weights get nothing while others have weight; all zero means equal shares; a newcomer joins at the front")
    func edges() {
        #expect(distribute(["a": 0, "b": 1], picks: 10) == ["b": 10])
        #expect(distribute(["a": 0, "b": 0], picks: 10) == ["a": 5, "b": 5])
        #expect(AssignmentPicker.pick([]) == nil)
        // a and b have had 10 each; c arrives: it gets one slot per round from now on, not ten in a row.
        var passes: [String: Double] = ["a": 10, "b": 10]
        var sequence: [String] = []
        for _ in 0..<6 {
            let pick = AssignmentPicker.pick(["a", "b", "c"].map { .init(userID: $0, pass: passes[$0], weight: 1) })!
            passes[pick.userID] = pick.pass
            for (user, pass) in pick.joined { passes[user] = pass }
            sequence.append(pick.userID)
        }
        #expect(sequence.filter { $0 == "c" }.count == 2, "\(sequence)")
    }
}
