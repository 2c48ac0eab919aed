import Testing

@testable import TesseraCore

@Suite("Value coercion")
struct ValueCoercerTests {
    func field(_ type: FieldType, configure: (inout FieldDefinition) -> Void = { _ in }) -> FieldDefinition {
        var f = FieldDefinition(name: "f", type: type)
        configure(&f)
        return f
    }

    func coerce(_ value: JSONValue, _ field: FieldDefinition) -> (StoredValue?, [String]) {
        var problems: [TesseraError.Detail] = []
        let stored = ValueCoercer.coerce(value, for: field, problems: &problems)
        return (stored, problems.map(\.rule))
    }

    @Test("accepted values become stored values")
    func accepted() {
        #expect(coerce("hi", field(.text)).0 == .text("hi"))
        #expect(coerce(42, field(.number)).0 == .integer(42))
        #expect(coerce(.number("1e3"), field(.number)).0 == .integer(1000))
        #expect(coerce(.number("19.99"), field(.money)).0 == .text("19.99"))
        #expect(coerce("19.9", field(.decimal)).0 == .text("19.9"))
        #expect(coerce(true, field(.boolean)).0 == .bool(true))
        #expect(coerce("2024-02-29", field(.date)).0 == .text("2024-02-29"))
        #expect(coerce("2026-11-23T09:30:00.5+08:00", field(.datetime)).0 == .text("2026-11-23T09:30:00.5+08:00"))
        #expect(coerce("a@b.cn", field(.email)).0 == .text("a@b.cn"))
        #expect(coerce("+86 (21) 5555-0000", field(.phone)).0 != nil)
        #expect(coerce("https://x.cn/a?b", field(.url)).0 != nil)
        #expect(coerce("0190F3C1-1111-7222-8333-444455556666", field(.relation)).0 == .text("0190f3c1-1111-7222-8333-444455556666"))
        #expect(coerce(["lat": 31.2, "lng": 121.5], field(.location)).0 == .json(#"{"lat":31.2,"lng":121.5}"#))
        #expect(coerce(nil, field(.text) { $0.required = true }).0 == .null)
        let select = field(.multiSelect) {
            $0.options = [SelectOption(key: "a", label: Label(en: "A")), SelectOption(key: "b", label: Label(en: "B"))]; $0.maxSelections = 2
        }
        #expect(coerce(["a", "b"], select).0 == .textArray(["a", "b"]))
    }

    @Test("refused values name the rule")
    func refused() {
        #expect(coerce(5, field(.text)).1 == ["type"])
        #expect(coerce("toolong", field(.text) { $0.maxLength = 3 }).1 == ["max_length"])
        #expect(coerce(1.5, field(.number)).1 == ["type"])
        #expect(coerce(.number("99999999999999999999"), field(.number)).1 == ["type"])
        #expect(coerce(.number("1.234"), field(.money)).1 == ["scale"])
        #expect(coerce(5, field(.percent) { $0.max = 1 }).1 == ["range"])
        // Few digits, but 201 of them once stored: refused, so what is stored can be read back.
        for huge in ["1e200", "1E31", "2e-31"] {
            #expect(coerce(.number(huge), field(.decimal)).1 == ["range"], "\(huge)")
            #expect(coerce(.number(huge), field(.percent)).1 == ["range"], "\(huge)")
        }
        #expect(coerce(.number("1.5e-30"), field(.decimal)).1 == [] && coerce(.number("9e30"), field(.decimal)).1 == [])
        // Coordinates are kept to 7 decimals in plain notation, whatever was sent.
        let place = coerce(["lat": .number("1e-300"), "lng": .number("-120.123456789")], field(.location)).0
        #expect(place == .json(#"{"lat":0,"lng":-120.1234568}"#), "\(String(describing: place))")
        #expect(coerce("yes", field(.boolean)).1 == ["type"])
        #expect(coerce("2023-02-29", field(.date)).1 == ["date"])
        #expect(coerce("2026-11-23T09:30:00", field(.datetime)).1 == ["datetime"])
        #expect(coerce("a@b", field(.email)).1 == ["email"])
        #expect(coerce("12ab", field(.phone)).1 == ["phone"])
        #expect(coerce("javascript:alert(1)", field(.url)).1 == ["url"])
        #expect(coerce("x", field(.select) { $0.options = [SelectOption(key: "a", label: Label(en: "A"))] }).1 == ["option"])
        let select = field(.multiSelect) {
            $0.options = [SelectOption(key: "a", label: Label(en: "A")), SelectOption(key: "b", label: Label(en: "B"))]; $0.maxSelections = 1
        }
        #expect(coerce(["a", "b"], select).1 == ["max_selections"])
        #expect(coerce(["a", "a"], select).1 == ["duplicate"])
        #expect(coerce("not-a-uuid", field(.user)).1 == ["type"])
        #expect(coerce(["lat": 100, "lng": 0], field(.location)).1 == ["location"])
        #expect(coerce(["lat": 1, "lng": 2, "z": 3], field(.location)).1 == ["location"])
        #expect(coerce([], field(.attachment) { $0.minCount = 1 }).1 == ["min_count"])
        #expect(coerce("x", field(.autoNumber)).1 == ["read_only"])
    }

    @Test("record bodies: unknown fields, read-only system fields, required and defaults together")
    func records() throws {
        var entity = EntityDefinition(
            name: "lead",
            fields: [
                field(.text) {
                    $0.name = "name"; $0.required = true
                },
                field(.select) {
                    $0.name = "stage"; $0.options = [SelectOption(key: "new", label: Label(en: "New"))]; $0.defaultValue = "new"
                },
            ])
        let write = try RecordInput.check(["created_at": "x", "nope": 1, "version": 3], entity: entity, mode: .create)
        #expect(
            Set(write.problems.map { "\($0.field ?? ""):\($0.rule)" }) == [
                "created_at:read_only", "nope:unknown_field", "version:read_only", "name:required",
            ])
        let ok = try RecordInput.check(["name": "x"], entity: entity, mode: .create)
        #expect(ok.problems.isEmpty && ok.assignments.map(\.value) == [.text("x"), .text("new")])
        let update = try RecordInput.check(["version": 3, "name": nil], entity: entity, mode: .update)
        #expect(update.expectedVersion == 3 && update.problems.map(\.rule) == ["required"])
        entity.fields.removeAll()
        #expect(throws: TesseraError.self) { try RecordInput.check([1], entity: entity, mode: .create) }
    }

    @Test(
        "auto-number patterns",
        arguments: [
            ("CT-{YYYY}-{0000}", true), ("{0}", true), ("X{YY}{MM}{DD}{000000}", true), ("CT-{YYYY}", false),
            ("{0000}{00}", false), ("A'B{00}", false), ("{ABC}{00}", false), ("{00", false),
        ])
    func patterns(pattern: String, valid: Bool) {
        #expect((AutoNumberPattern.problem(in: pattern) == nil) == valid)
    }
}
