import TesseraCore
import Testing

/// The tenant's business calendar as a setting (issue 16, part 3): read by everyone, changed by
/// those who manage metadata, every problem of a bad one in one 422 that changes nothing.
@Suite("Business calendar setting")
struct CalendarSettingsTests {
    @Test("the calendar defaults to Monday to Friday 09:00–18:00; holidays and make-up days are set, reset and refused when wrong")
    func calendar() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            let initial = try await app.call(.get, "/api/v1/settings", key: key)
            #expect(initial.json?["calendar"]?["weekend"] == [6, 7] && initial.json?["calendar"]?["hours"]?["opens"] == "09:00", "\(initial.text)")
            let spring: JSONValue = [
                "holidays": ["2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"], "workdays": ["2027-01-31", "2027-02-20"],
                "hours": ["opens": "08:30", "closes": "17:30"],
            ]
            let set = try await app.call(.patch, "/api/v1/settings", key: key, json: ["calendar": spring])
            #expect(set.status == 200 && set.json?["calendar"]?["workdays"] == ["2027-01-31", "2027-02-20"], "\(set.text)")
            #expect(try await app.call(.get, "/api/v1/settings", key: key).json?["calendar"]?["hours"]?["closes"] == "17:30")
            // Wrong: one 422 naming each problem; the calendar stays.
            let bad = try await app.call(
                .patch, "/api/v1/settings", key: key, json: ["calendar": ["weekend": [9], "holidays": ["tomorrow"], "hours": ["opens": "25:00"]]])
            bad.expectError(422)
            #expect(Set(bad.json?["error"]?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []).count == 3, "\(bad.text)")
            #expect(try await app.call(.get, "/api/v1/settings", key: key).json?["calendar"]?["hours"]?["opens"] == "08:30")
            // Others read it; only those who manage metadata change it; null goes back to the default.
            let user = try await app.makeUser(key, roles: [])
            #expect(try await app.call(.get, "/api/v1/settings", key: user.key).json?["calendar"]?["holidays"]?.arrayValue?.count == 5)
            try await app.call(.patch, "/api/v1/settings", key: user.key, json: ["calendar": .null]).expectError(403)
            #expect(try await app.call(.patch, "/api/v1/settings", key: key, json: ["calendar": .null]).json?["calendar"]?["holidays"] == [])
        }
    }
}
