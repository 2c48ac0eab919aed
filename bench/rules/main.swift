// Rule-evaluation benchmark: what validating one record against the sales pack's visit rules
// costs in Swift, and the same for 20 rules, each against a floor measured in the same run (the
// same checks written by hand in Swift). Build and run (release):
//   swift build -c release --product tessera-bench-rules && .build/release/tessera-bench-rules [templates-market]
import Foundation
import TesseraCore

/// Runs `body` in batches until `minimum` has passed, `samples` times; the median per call.
func measure(_ name: String, samples: Int = 15, minimum: Duration = .milliseconds(60), _ body: () throws -> Int) rethrows -> Double {
    var sink = 0
    var batch = 1
    let clock = ContinuousClock()
    // Warm up and size the batch so one batch takes about `minimum`.
    while true {
        let t = try clock.measure { for _ in 0..<batch { sink &+= try body() } }
        if t >= minimum { break }
        batch *= 2
    }
    var perCall: [Double] = []
    for _ in 0..<samples {
        let t = try clock.measure { for _ in 0..<batch { sink &+= try body() } }
        perCall.append(Double(t.components.attoseconds) / 1e9 / Double(batch) + Double(t.components.seconds) * 1e9 / Double(batch))
    }
    perCall.sort()
    let median = perCall[samples / 2]
    let spread = (perCall[samples * 3 / 4] - perCall[samples / 4]) / median * 100
    let label = name.count < 50 ? name + String(repeating: " ", count: 50 - name.count) : name
    print(label + String(format: "%8.2f µs/record  (±%.1f%% IQR, %d calls per sample, sink %d)", median / 1000, spread, batch, sink & 1))
    return median
}

let root = CommandLine.arguments.dropFirst().first ?? "templates-market"
let pack = try PackLibrary(root: URL(fileURLWithPath: root)).load("sales")
let byName = Dictionary(uniqueKeysWithValues: pack.entities.map { ($0.name, $0) })
guard let visit = byName["visit"] else { fatalError("the sales pack has no visit entity") }
let related: @Sendable (String) -> EntityDefinition? = { byName[$0] }

// The pack's rules that Swift decides per record (duplicates and conflicts ask the database).
let packRules = try visit.rules.map { try CompiledRule.compile($0, entity: visit, related: related) }.filter {
    if case .holds = $0.check { return true }
    if case .requiredWhen = $0.check { return true }
    return false
}

// Twenty rules of the kinds a sales-ops person writes: the pack's, plus more of the same shapes.
let extraSources = [
    "record.status != 'submitted' || has(record.next_step)",
    "!has(record.checkout_at) || record.checkout_at > record.checkin_at",
    "size(record.summary) <= 5000",
    "record.status != 'cancelled' || record.anchor == 'none'",
    "record.planned_at < timestamp('2030-01-01T00:00:00Z')",
    "record.city.matches('^[^0-9]+$')",
    "record.visit_type != 'negotiation' || has(record.opportunity)",
    "record.checkout_at - record.checkin_at < duration('12h')",
    "record.status == 'planned' || record.checkin_at >= record.planned_at - duration('1d')",
    "'budget_confirmed' in record.key_questions || record.visit_type == 'relationship'",
    "size(record.photos) <= 20",
    "record.summary.contains('主任') || record.status != 'submitted'",
    "date(record.planned_at) >= date('2026-01-01')",
    "record.checkin.lat > 3.0 && record.checkin.lat < 54.0",
    "record.customer.name != '' && size(record.customer.name) < 200",
    "distance_m(record.checkin, record.customer.address) < 100000.0",
]
var twenty = packRules
for (i, source) in extraSources.enumerated() where twenty.count < 20 {
    var rule = ValidationRule(name: "extra_\(i)", kind: .expression)
    rule.expression = source
    twenty.append(try CompiledRule.compile(rule, entity: visit, related: related))
}
precondition(twenty.count == 20, "expected 20 rules, have \(twenty.count)")

// A submitted visit that passes every rule, with its customer loaded (as the store does).
func value(_ json: JSONValue, _ field: String) -> ExpressionValue {
    .from(json: json, type: visit.field(field)?.readType ?? .text)
}
let record: [String: ExpressionValue] = [
    "status": .string("submitted"), "visit_type": .string("first_visit"), "city": .string("上海"),
    "planned_at": value("2026-11-23T10:00:00+08:00", "planned_at"), "checkin_at": value("2026-11-23T10:02:00+08:00", "checkin_at"),
    "checkout_at": value("2026-11-23T11:10:00+08:00", "checkout_at"),
    "checkin": .location(latitude: 31.2320, longitude: 121.4740, address: nil),
    "photos": .list([.string("0190c8a0-0000-7000-8000-000000000001"), .string("0190c8a0-0000-7000-8000-000000000002")]),
    "key_questions": .list([.string("budget_confirmed"), .string("decision_chain_known"), .string("purchase_timeline")]),
    "summary": .string("见到设备科主任，确认预算与采购时间"), "next_step": .string("送样"), "anchor": .string("none"),
    "customer": .string("0190c8a0-0000-7000-8000-0000000000c1"),
]
let customer: [String: ExpressionValue] = ["name": .string("上海某医院"), "address": .location(latitude: 31.2304, longitude: 121.4737, address: "上海市黄浦区")]
let env = ExpressionEnvironment(
    records: [.record: RecordValues(fields: record, related: ["customer": customer])],
    user: ["id": .string("u1")], now: TimeText.parseTimestamp("2026-11-23T12:00:00Z")!,
    timeZone: TimeZoneRules(identifier: "Asia/Shanghai")!)
for rule in twenty {
    let violations = try rule.violations(in: env)
    precondition(violations.isEmpty, "the sample record should pass \(rule.name): \(violations)")
}

// The floor: the same twenty checks written by hand over plain Swift values.
struct Visit {
    var status = "submitted", visitType = "first_visit", city = "上海", anchor = "none", summary = "见到设备科主任，确认预算与采购时间", nextStep = "送样"
    var planned = TimeText.parseTimestamp("2026-11-23T10:00:00+08:00")!, checkinAt = TimeText.parseTimestamp("2026-11-23T10:02:00+08:00")!
    var checkoutAt = TimeText.parseTimestamp("2026-11-23T11:10:00+08:00")!
    var lat = 31.2320, lng = 121.4740, customerLat = 31.2304, customerLng = 121.4737, customerName = "上海某医院"
    var photos = ["a", "b"], questions = ["budget_confirmed", "decision_chain_known", "purchase_timeline"], opportunity: String? = nil
}
let v = Visit()
let digits = CharacterSet.decimalDigits
func handWritten(_ v: Visit) -> Int {
    var failed = 0
    let submitted = v.status == "submitted"
    let distance = ExpressionEvaluator.distance(v.lat, v.lng, v.customerLat, v.customerLng)
    if submitted && (v.summary.isEmpty) { failed += 1 }
    if submitted && !(distance <= 500) { failed += 1 }
    if submitted && v.photos.count < 2 { failed += 1 }
    if submitted && v.questions.count < 3 { failed += 1 }
    if submitted && v.nextStep.isEmpty { failed += 1 }
    if !(v.checkoutAt > v.checkinAt) { failed += 1 }
    if v.summary.unicodeScalars.count > 5000 { failed += 1 }
    if v.status == "cancelled" && v.anchor != "none" { failed += 1 }
    if !(v.planned < 1_893_456_000_000_000) { failed += 1 }
    if v.city.unicodeScalars.contains(where: { digits.contains($0) }) { failed += 1 }
    if v.visitType == "negotiation" && v.opportunity == nil { failed += 1 }
    if !(v.checkoutAt - v.checkinAt < 43_200_000_000) { failed += 1 }
    if !(v.status == "planned" || v.checkinAt >= v.planned - 86_400_000_000) { failed += 1 }
    if !(v.questions.contains("budget_confirmed") || v.visitType == "relationship") { failed += 1 }
    if v.photos.count > 20 { failed += 1 }
    if !(v.summary.contains("主任") || !submitted) { failed += 1 }
    if (v.planned + 28_800_000_000) / 86_400_000_000 < 20_454 { failed += 1 }
    if !(v.lat > 3 && v.lat < 54) { failed += 1 }
    if !(v.customerName != "" && v.customerName.unicodeScalars.count < 200) { failed += 1 }
    if !(distance < 100_000) { failed += 1 }
    return failed
}
precondition(handWritten(v) == 0, "the hand-written floor must accept the sample record")

print("Rule evaluation, one record (\(ProcessInfo.processInfo.processorCount) CPUs)")
let pack5 = try measure("sales pack visit rules (\(packRules.count) in Swift)") {
    try packRules.reduce(0) { $0 + (try $1.violations(in: env)).count }
}
let rules20 = try measure("20 rules (pack's + 16 of the same kinds)") { try twenty.reduce(0) { $0 + (try $1.violations(in: env)).count } }
let floor = measure("floor: the same 20 checks hand-written in Swift") { handWritten(v) }
print(
    String(
        format: "RESULT pack_rules_us=%.2f rules20_us=%.2f floor20_us=%.2f ratio_floor_over_rules=%.2f target_rules20_us=50", pack5 / 1000,
        rules20 / 1000, floor / 1000, floor / rules20))
