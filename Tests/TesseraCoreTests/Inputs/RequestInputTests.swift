import TesseraCore
import Testing

@Suite("Request bodies are checked by Core input types")
struct RequestInputTests {
    /// `field:rule` of each problem the 422 names (`-` for none).
    func problems(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let error as TesseraError {
            #expect(error.status == 422)
            return error.details.map { "\($0.field ?? "-"):\($0.rule)" }
        } catch {
            Issue.record("not a TesseraError: \(error)")
            return []
        }
    }

    @Test("a tenant needs slug and name, known packs, and an admin's email and password together")
    func tenant() throws {
        let input = try TenantInput.check(
            [
                "slug": "acme", "name": "Acme", "packs": ["sales"], "admin_email": "boss@acme.cn",
                "admin_password": "long enough",
            ], knownPacks: ["sales"])
        #expect(input.slug == "acme" && input.packs == ["sales"] && input.adminEmail == "boss@acme.cn" && input.adminPassword == "long enough")
        #expect(
            problems { _ = try TenantInput.check(["packs": ["crm"], "colour": 1], knownPacks: ["sales"]) }
                == ["colour:unknown_property", "slug:required", "name:required", "packs:unknown_pack"])
        #expect(
            problems { _ = try TenantInput.check(["slug": "a", "name": "A", "admin_password": "short"], knownPacks: []) }.contains {
                $0.hasPrefix("admin_")
            })
        #expect(problems { _ = try TenantInput.check(["slug": "a", "name": "A", "packs": "sales"], knownPacks: []) } == ["packs:type"])
    }

    @Test("login, password change and API keys name what is missing or out of range")
    func identity() throws {
        let login = try LoginInput.check(["tenant": "acme", "email": "a@b.cn", "password": "x"])
        #expect(login.tenant == "acme" && login.email == "a@b.cn" && login.password == "x")
        #expect(
            problems { _ = try LoginInput.check(["tenant": "", "pin": 1]) } == [
                "pin:unknown_property", "tenant:required", "email:required", "password:required",
            ])
        #expect(problems { _ = try PasswordChangeInput.check(["current_password": "a"]) } == ["-:required"])
        #expect(try APIKeyInput.check(["name": "nightly", "expires_in_days": 365]).expiresInDays == 365)
        #expect(try APIKeyInput.check(["name": "forever", "expires_in_days": nil]).expiresAt() == nil)
        #expect(
            problems { _ = try APIKeyInput.check(["expires_in_days": 0, "scope": "all"]) }
                == ["scope:unknown_property", "name:required", "expires_in_days:range"])
    }

    @Test("teams: a name when created, a manager id or null")
    func team() throws {
        #expect(try TeamInput.check(["name": " 华东一组 "], creating: true).name == "华东一组")
        #expect(try TeamInput.check(["manager_id": nil], creating: false).managerID == .some(nil))
        #expect(problems { _ = try TeamInput.check(["manager_id": "me"], creating: true) } == ["name:required", "manager_id:uuid"])
        #expect(problems { _ = try TeamInput.check(["x"], creating: false) } == ["-:type"])
    }

    @Test("settings: freezing days, channels and the mail server, each checked; an empty body is refused")
    func settings() throws {
        let input = try SettingsInput.check(["freeze_after_days": 90], existing: ([:], nil))
        #expect(input.freezeAfterDays == .some(90) && input.channels == nil && input.smtp == nil)
        #expect(try SettingsInput.check(["freeze_after_days": nil, "smtp": nil], existing: ([:], nil)).smtp == .some(nil))
        #expect(problems { _ = try SettingsInput.check([:], existing: ([:], nil)) } == ["-:type"])
        #expect(
            problems { _ = try SettingsInput.check(["freeze_after_days": 0, "theme": "dark"], existing: ([:], nil)) }
                == ["freeze_after_days:range", "theme:unknown_property"])
        #expect(try SettingsInput.keys(["smtp": nil, "channels": [:]]) == ["smtp", "channels"])
    }

    @Test("a lock lasts from a minute to thirty days, two hours unless told")
    func lock() throws {
        #expect(try LockInput.check([:]).seconds == 7200)
        #expect(try LockInput.check(["duration": "90m"]).seconds == 5400)
        #expect(problems { _ = try LockInput.check(["duration": "30s"]) } == ["duration:duration"])
        #expect(problems { _ = try LockInput.check(["duration": "2h", "why": "x"]) } == ["duration:duration"])
    }
}
