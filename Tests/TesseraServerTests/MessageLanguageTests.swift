import HTTPTypes
import TesseraCore
import TesseraTestSupport
import Testing

@Suite("Messages in the caller's language")
struct MessageLanguageTests {
    static let chinese: HTTPFields = [.acceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8"]
    static let english: HTTPFields = [.acceptLanguage: "en-US,en;q=0.9"]

    /// The messages of a 422's details.
    static func messages(_ reply: TestApp.Reply) -> [String] {
        (reply.expectError(422)?["details"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
    }

    @Test("Accept-Language, then the user's own locale, then the tenant's default choose the language of every error")
    func chosenLanguage() async throws {
        try await TestApp.run { app in
            let admin = try await app.createTenant(packs: ["sales"])
            let bad: JSONValue = ["colour": "red", "contact_name": "王经理", "source_channel": "web_form"]

            // No preference anywhere: English, as before.
            let plain = try await app.call(.post, "/api/v1/data/lead", key: admin, json: bad)
            #expect(Set(Self.messages(plain)) == ["company is required", "'colour' is not a field of lead"], "\(plain.text)")

            // The header asks for Chinese: every message, the summary too; codes and fields stay.
            let zh = try await app.call(.post, "/api/v1/data/lead", key: admin, json: bad, headers: Self.chinese)
            #expect(Set(Self.messages(zh)) == ["company 为必填项", "'colour' 不是 lead 的字段"], "\(zh.text)")
            #expect(zh.json?["error"]?["message"]?.stringValue?.hasPrefix("2 个问题：") == true, "\(zh.text)")
            #expect(zh.json?["error"]?["code"] == "validation_failed")
            let fields = { (r: TestApp.Reply) in Set((r.json?["error"]?["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }) }
            #expect(fields(zh) == fields(plain) && fields(zh) == ["company", "colour"])

            // A rule's own message in the chosen language (the pack gives both).
            let lead = try await app.create(admin, "lead", ["company": "杭州某医疗器械有限公司", "contact_name": "王经理", "source_channel": "web_form"])
            let id = try #require(lead["id"]?.stringValue)
            let ruleZh = try await app.call(.patch, "/api/v1/data/lead/\(id)", key: admin, json: ["status": "invalid"], headers: Self.chinese)
            #expect(Self.messages(ruleZh) == ["invalid_reason：标记为无效或沉睡时须填写原因"], "\(ruleZh.text)")
            let ruleEn = try await app.call(.patch, "/api/v1/data/lead/\(id)", key: admin, json: ["status": "invalid"])
            #expect(Self.messages(ruleEn) == ["invalid_reason: Give a reason when marking a lead invalid or dormant"], "\(ruleEn.text)")

            // Before any key is checked, only the header can choose.
            let route = try await app.call(.get, "/api/v1/nope", headers: Self.chinese)
            #expect(route.expectError(404)?["message"] == "没有这个接口。")
            let unknownKey = try await app.call(.get, "/api/v1/data/lead", key: "tsk_nothing_like_a_key", headers: Self.chinese)
            #expect(unknownKey.expectError(401)?["message"] == "API 密钥无效（不存在或已吊销）。")
            let notFound = try await app.call(.get, "/api/v1/data/lead/01a23542-55a5-7408-aa1f-b45911218afa", key: admin, headers: Self.chinese)
            #expect(notFound.expectError(404)?["message"]?.stringValue?.hasPrefix("没有 id 为") == true, "\(notFound.text)")

            let login = try await app.call(
                .post, "/api/v1/auth/login", json: ["tenant": "nobody_here", "email": "a@example.com", "password": "wrong-password"],
                headers: Self.chinese)
            #expect(login.expectError(401)?["message"] == "租户、电子邮件或密码错误。", "\(login.text)")

            // A rep chooses Chinese for themselves: no header needed, and a header still wins.
            let rep = try await app.makeUser(admin, name: "李娜", roles: ["sales_rep"])
            let mine = try await app.call(.patch, "/api/v1/me", key: rep.key, json: ["locale": "zh-CN"])
            #expect(mine.status == 200 && mine.json?["locale"] == "zh-CN", "\(mine.text)")
            #expect(try await app.call(.get, "/api/v1/me", key: rep.key).json?["user"]?["locale"] == "zh-CN")
            #expect(Set(Self.messages(try await app.call(.post, "/api/v1/data/lead", key: rep.key, json: bad))).contains("company 为必填项"))
            let headerWins = try await app.call(.post, "/api/v1/data/lead", key: rep.key, json: bad, headers: Self.english)
            #expect(Self.messages(headerWins).contains("company is required"), "\(headerWins.text)")
            // Nothing else about oneself changes through /me: not one's roles, not a made-up language.
            try await app.call(.patch, "/api/v1/me", key: rep.key, json: ["roles": ["admin"]]).expectError(422)
            try await app.call(.patch, "/api/v1/me", key: rep.key, json: ["locale": "fr"]).expectError(422)
            #expect(try await app.call(.get, "/api/v1/users/\(rep.id)", key: admin).json?["roles"] == ["sales_rep"])

            // The tenant's default: the admin, who chose nothing, now reads Chinese; a user who chose English does not.
            try await app.call(.patch, "/api/v1/settings", key: rep.key, json: ["locale": "zh-CN"]).expectError(403)
            try await app.call(.patch, "/api/v1/settings", key: admin, json: ["locale": "ja"]).expectError(422)
            let settings = try await app.call(.patch, "/api/v1/settings", key: admin, json: ["locale": "zh-CN"])
            #expect(settings.status == 200 && settings.json?["locale"] == "zh-CN", "\(settings.text)")
            #expect(try await app.call(.get, "/api/v1/settings", key: admin).json?["locale"] == "zh-CN")
            #expect(Set(Self.messages(try await app.call(.post, "/api/v1/data/lead", key: admin, json: bad))).contains("company 为必填项"))
            #expect(try await app.call(.patch, "/api/v1/me", key: rep.key, json: ["locale": "en"]).status == 200)
            #expect(Set(Self.messages(try await app.call(.post, "/api/v1/data/lead", key: rep.key, json: bad))).contains("company is required"))
            // Back to nothing chosen: the tenant's Chinese.
            #expect(try await app.call(.patch, "/api/v1/me", key: rep.key, json: ["locale": .null]).json?["locale"] == .null)
            #expect(Set(Self.messages(try await app.call(.post, "/api/v1/data/lead", key: rep.key, json: bad))).contains("company 为必填项"))
            // Nothing was written by any of the refused requests.
            #expect(try await app.call(.get, "/api/v1/data/lead?limit=100", key: admin).data.count == 1)
        }
    }

    @Test("a tenant can be created speaking Chinese, and a bad language is refused")
    func tenantLocale() async throws {
        try await TestApp.run { app in
            let slug = TestDatabase.uniqueSlug()
            let created = try await app.call(
                .post, "/api/v1/tenants", key: TestApp.adminToken, json: ["slug": .string(slug), "name": "华东销售部", "locale": "zh-CN"])
            #expect(created.status == 201 && created.json?["tenant"]?["locale"] == "zh-CN", "\(created.text)")
            let key = try #require(created.json?["api_key"]?.stringValue)
            let reply = try await app.call(.get, "/api/v1/data/nothing", key: key)
            #expect(
                reply.json?["error"]?["message"]?.stringValue?.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } == true,
                "\(reply.text)")
            try await app.call(
                .post, "/api/v1/tenants", key: TestApp.adminToken,
                json: ["slug": .string(TestDatabase.uniqueSlug()), "name": "x", "locale": "klingon"]
            ).expectError(422)
        }
    }
}
