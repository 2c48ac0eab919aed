import Foundation
import Hummingbird
import TesseraCore
import Testing

/// Hostile input at every route: SQL fragments, path traversal, huge and deeply nested JSON,
/// invalid UTF-8, wrong types and other tenants' ids. Every answer must be a 4xx in the shared
/// error shape, and nothing may change in either tenant.
@Suite("Hostile input at every route")
struct HostileInputTests {
    static let hostileSegments = [
        "'; DROP TABLE customer; --", "..%2F..%2Fetc%2Fpasswd", "../../../etc/passwd", "%00", "customer%00", "x%27%20OR%201%3D1",
        String(repeating: "a", count: 3000), "%E5%AE%A2%E6%88%B7", "%F0%9F%92%A3", "pg_catalog.pg_class", "tessera.tenants", "_users",
    ]
    static let hostileBodies: [String] = [
        "{", "[", "{\"name\":", "null", "42", "\"text\"", "[1,2,3]", "{\"name\":{\"$gt\":\"\"}}",
        String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000),
        "{\"a\":" + String(repeating: "{\"a\":", count: 500) + "1" + String(repeating: "}", count: 501),
        "{\"name\":\"x'); DROP TABLE customer; --\",\"phone\":\"1; SELECT pg_sleep(5)\",\"amount\":\"1e999\"}",
        "{\"name\":1,\"industry\":[\"medical\"],\"amount\":{\"x\":1},\"tags\":\"vip\",\"email\":true}",
        "{\"id\":\"00000000-0000-0000-0000-000000000000\",\"version\":\"1 OR 1=1\",\"owner_id\":\"' OR '1'='1\"}",
        "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"a\",\"fields\":[{\"name\":\"x\",\"type\":\"text\",\"type\":\"number\"}]}",
        "{\"kind\":\"expression\",\"name\":\"r\",\"expression\":\"record.name == '' || (SELECT 1) == 1\"}",
        "{\"slug\":\"../x\",\"name\":\"x\"}",
    ]

    @Test("every route answers 4xx with the error shape, and no data changes in either tenant")
    func hostile() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant()
            let otherKey = try await app.createTenant()
            for k in [key, otherKey] {
                try await app.createEntity(k, customerEntity)
                #expect(
                    try await app.call(
                        .post, "/api/v1/meta/entities/customer/rules", key: k,
                        json: ["name": "named", "kind": "expression", "expression": "has(record.name)"]
                    ).status == 201)
            }
            for k in [key, otherKey] {
                let view: JSONValue = ["name": "all", "entity": "customer", "type": "list", "columns": ["name"], "shared": true]
                #expect(try await app.call(.post, "/api/v1/meta/views", key: k, json: view).status == 201)
                let form: JSONValue = ["name": "main", "sections": [["fields": ["name", "phone"]]]]
                #expect(try await app.call(.post, "/api/v1/meta/entities/customer/forms", key: k, json: form).status == 201)
            }
            let mine = try await app.create(key, "customer", ["name": "Mine", "phone": "13800000001"])
            let theirs = try await app.create(otherKey, "customer", ["name": "Theirs", "phone": "13800000002"])
            let mineID = try #require(mine["id"]?.stringValue), theirID = try #require(theirs["id"]?.stringValue)
            let file = try await app.call(.post, "/api/v1/files?name=x.txt", key: otherKey, raw: "secret", headers: [.contentType: "text/plain"])
            let theirFile = try #require(file.id)

            func snapshot(_ k: String) async throws -> String {
                let meta = try await app.call(.get, "/api/v1/meta/entities", key: k).text
                let data = try await app.call(.get, "/api/v1/data/customer?limit=500&order=id.asc", key: k).text
                let layouts =
                    try await app.call(.get, "/api/v1/meta/views", key: k).text
                    + app.call(.get, "/api/v1/meta/entities/customer/forms", key: k).text
                let bin = try await app.call(.get, "/api/v1/data/customer?deleted=only", key: k).text
                return meta + data + bin + layouts
            }
            let before = (try await snapshot(key), try await snapshot(otherKey))

            var cases = 0
            var failures: [String] = []
            func check(_ reply: TestApp.Reply, _ what: String) {
                cases += 1
                let shaped = reply.json?["error"]?["code"]?.stringValue != nil && reply.json?["error"]?["message"]?.stringValue != nil
                if !(400..<500).contains(reply.status) || !shaped {
                    failures.append("\(what) → \(reply.status) \(reply.text.prefix(200))")
                }
            }

            // Path segments where an entity, field, rule, record or file goes.
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/v1/meta/entities/{x}"), (.patch, "/api/v1/meta/entities/{x}"), (.delete, "/api/v1/meta/entities/{x}"),
                (.post, "/api/v1/meta/entities/{x}/fields"), (.patch, "/api/v1/meta/entities/customer/fields/{x}"),
                (.delete, "/api/v1/meta/entities/customer/fields/{x}"), (.get, "/api/v1/meta/entities/{x}/rules"),
                (.post, "/api/v1/meta/entities/{x}/rules"), (.post, "/api/v1/meta/entities/{x}/rules/preview"),
                (.patch, "/api/v1/meta/entities/customer/rules/{x}"), (.delete, "/api/v1/meta/entities/customer/rules/{x}"),
                (.get, "/api/v1/data/{x}"), (.post, "/api/v1/data/{x}"), (.get, "/api/v1/data/customer/{x}"),
                (.patch, "/api/v1/data/customer/{x}"), (.delete, "/api/v1/data/customer/{x}"), (.post, "/api/v1/data/customer/{x}/restore"),
                (.get, "/api/v1/data/customer/{x}/stages"), (.get, "/api/v1/data/customer/{x}/history"), (.get, "/api/v1/files/{x}"),
                (.post, "/api/v1/packs/{x}/install"), (.get, "/api/v1/meta/views/{x}"), (.patch, "/api/v1/meta/views/{x}"),
                (.delete, "/api/v1/meta/views/{x}"), (.get, "/api/v1/views/{x}/data"), (.get, "/api/v1/meta/entities/{x}/forms"),
                (.post, "/api/v1/meta/entities/{x}/forms"), (.get, "/api/v1/meta/entities/customer/forms/{x}"),
                (.patch, "/api/v1/meta/entities/customer/forms/{x}"), (.delete, "/api/v1/meta/entities/customer/forms/{x}"),
                (.get, "/api/v1/data/{x}/form"), (.post, "/api/v1/data/{x}/form"), (.get, "/api/v1/data/customer/{x}/form"),
                (.post, "/api/v1/data/customer/{x}/form"), (.get, "/api/v1/meta/approvals/{x}"), (.patch, "/api/v1/meta/approvals/{x}"),
                (.delete, "/api/v1/meta/approvals/{x}"), (.get, "/api/v1/meta/approvals/{x}/versions"),
                (.post, "/api/v1/data/customer/{x}/approvals"), (.get, "/api/v1/data/customer/{x}/approvals"),
                (.post, "/api/v1/data/{x}/\(mineID)/approvals"), (.get, "/api/v1/approvals/{x}"), (.post, "/api/v1/approvals/{x}/approve"),
                (.post, "/api/v1/approvals/{x}/delegate"), (.post, "/api/v1/approvals/{x}/recall"), (.get, "/api/v1/data/{x}/aggregate"),
                (.get, "/api/v1/meta/dashboards/{x}"), (.patch, "/api/v1/meta/dashboards/{x}"), (.delete, "/api/v1/meta/dashboards/{x}"),
                (.get, "/api/v1/dashboards/{x}/data"), (.get, "/api/v1/dashboards/{x}/widgets/{x}.svg"),
                (.get, "/api/v1/meta/revisions/{x}"), (.post, "/api/v1/meta/revisions/{x}/revert"), (.post, "/api/v1/packs/{x}/upgrade"),
                (.get, "/api/v1/data/customer/{x}/related"), (.get, "/api/v1/data/{x}/\(mineID)/related"),
                (.get, "/api/v1/data/customer/\(mineID)/related?entity={x}"), (.get, "/api/v1/data/customer/\(mineID)/related?limit={x}"),
                (.get, "/api/v1/openapi.json?version={x}"), (.get, "/api/v1/openapi.json?{x}=1"),
            ]
            for (method, template) in routes {
                for segment in Self.hostileSegments + [theirID, theirFile] {
                    let path = template.replacingOccurrences(of: "{x}", with: segment)
                    let body: JSONValue? = method == .get || method == .delete ? nil : ["name": "x"]
                    check(try await app.call(method, path, key: key, json: body), "\(method) \(path.prefix(80))")
                }
            }
            // Hostile bodies at every route that takes one.
            let bodyRoutes: [(HTTPRequest.Method, String)] = [
                (.post, "/api/v1/meta/entities"), (.patch, "/api/v1/meta/entities/customer"), (.post, "/api/v1/meta/entities/customer/fields"),
                (.patch, "/api/v1/meta/entities/customer/fields/name"), (.post, "/api/v1/meta/entities/customer/rules"),
                (.post, "/api/v1/meta/entities/customer/rules/preview"), (.patch, "/api/v1/meta/entities/customer/rules/named"),
                (.post, "/api/v1/data/customer"), (.patch, "/api/v1/data/customer/\(mineID)"), (.post, "/api/v1/meta/views"),
                (.patch, "/api/v1/meta/views/all"), (.post, "/api/v1/meta/entities/customer/forms"),
                (.patch, "/api/v1/meta/entities/customer/forms/main"), (.post, "/api/v1/meta/approvals"),
                (.post, "/api/v1/data/customer/\(mineID)/approvals"), (.post, "/api/v1/meta/dashboards"),
                (.post, "/api/v1/packs/sales/upgrade?dry_run=true"),
            ]
            for (method, path) in bodyRoutes {
                for body in Self.hostileBodies {
                    check(try await app.call(method, path, key: key, raw: body), "\(method) \(path) body \(body.prefix(40))")
                }
                check(
                    try await app.callBytes(method, path, key: key, bytes: [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D]),
                    "\(method) \(path) invalid UTF-8")
                let huge = "{\"name\":\"" + String(repeating: "x", count: 9 << 20) + "\"}"
                check(try await app.call(method, path, key: key, raw: huge), "\(method) \(path) 9 MB body")
            }
            // A form draft is a preview: an object's bad values come back as the form's problems (200),
            // anything else is a 4xx; neither writes anything.
            for path in ["/api/v1/data/customer/form", "/api/v1/data/customer/\(mineID)/form"] {
                for body in Self.hostileBodies {
                    let reply = try await app.call(.post, path, key: key, raw: body)
                    if reply.status == 200 {
                        cases += 1
                        if reply.json?["problems"]?.arrayValue == nil {
                            failures.append("POST \(path) body \(body.prefix(40)) → \(reply.text.prefix(200))")
                        }
                    } else {
                        check(reply, "POST \(path) body \(body.prefix(40))")
                    }
                }
            }
            for query in ["cursor=AAAA", "lane=x", "from=2026-01-01&to=2027-12-31", "where=(SELECT%201)", "order=name;DROP", "limit=-1"] {
                check(try await app.call(.get, "/api/v1/views/all/data?\(query)", key: key), "GET view ?\(query)")
            }
            check(try await app.call(.post, "/api/v1/tenants", key: TestApp.adminToken, raw: "{\"slug\":\"../x\",\"name\":\"x\"}"), "tenant slug")
            check(try await app.call(.post, "/api/v1/tenants", key: key, json: ["slug": "stolen", "name": "x"]), "tenant key on admin route")

            // Query strings.
            for query in [
                "where=record.name%20%3D%3D%20''%3B%20DROP%20TABLE%20customer", "where=(SELECT%201)", "where=" + String(repeating: "(", count: 100),
                "order=name;DROP", "order=name.desc,%22id%22", "select=name,(SELECT%201)", "limit=-1", "limit=1e9", "cursor=AAAA",
                "cursor=" + String(repeating: "A", count: 5000), "name=in.(a,b", "amount=gt.abc",
                "secret=eq.1", "count=all", "tags=cs.{vip", "id=eq.' OR '1'='1",
            ] {
                check(try await app.call(.get, "/api/v1/data/customer?\(query)", key: key), "GET ?\(query.prefix(50))")
            }
            // Aggregates: every malformed group, metric, band, order and limit is a 422.
            for query in [
                "group=name", "group=" + String(repeating: "(", count: 100), "group=amount:bands(1,,2)", "group=amount:bands(nan)",
                "group=amount:bands(" + (0..<50).map(String.init).joined(separator: ",") + ")", "group=created_at:century",
                "group=industry;DROP", "group=tags", "metrics=sum(name)", "metrics=sum(amount", "metrics=percentile(amount,1e400)",
                "metrics=sum((SELECT%201))", "metrics=" + String(repeating: "count,", count: 50), "order=count;DROP", "order=(SELECT%201).desc",
                "limit=0", "limit=1e9", "cursor=AAAA", "where=(SELECT%201)", "secret=eq.1", "metrics=count_distinct(tags)",
            ] {
                check(try await app.call(.get, "/api/v1/data/customer/aggregate?\(query)", key: key), "GET aggregate ?\(query.prefix(50))")
            }
            // Process metrics: an entity without a stage, unknown ones, malformed periods, groups and thresholds.
            for query in [
                "funnel", "funnel?entity=customer", "funnel?entity=(SELECT%201)", "funnel?entity=" + String(repeating: "x", count: 5000),
                "dwell?entity=customer&from=2026-01-01;DROP", "funnel?entity=customer&group=(SELECT%201)", "dwell?entity=customer&stuck=-1h",
                "dwell?entity=customer&limit=99999", "dwell?entity=\(theirID)", "funnel?entity=customer&where=(SELECT%201)",
            ] {
                check(try await app.call(.get, "/api/v1/metrics/\(query)", key: key), "GET metrics/\(query.prefix(50))")
            }
            // Revisions: numbers only; a revert to a revision that does not exist changes nothing.
            for path in [
                "revisions?before=-1", "revisions?before=1e9", "revisions?before=(SELECT%201)", "revisions?before=99999999999999999999",
                "revisions/99999999", "revisions/0x10", "revisions/%EF%BC%91",
            ] {
                check(try await app.call(.get, "/api/v1/meta/\(path)", key: key), "GET meta/\(path)")
            }
            for n in ["99999999", "-1", "1;DROP", "%EF%BC%91"] {
                check(try await app.call(.post, "/api/v1/meta/revisions/\(n)/revert?dry_run=true", key: key), "POST revert \(n)")
            }
            // Well-formed filters with hostile values are data: they match nothing, they run nothing.
            for query in [
                "name=eq.x%27%20OR%201%3D1", "name=like.*%27%3B%20DROP%20TABLE%20customer%3B*",
                "where=record.name%20%3D%3D%20%22x%27%20OR%20%271%27%3D%271%22",
            ] {
                let reply = try await app.call(.get, "/api/v1/data/customer?\(query)", key: key)
                cases += 1
                if reply.status != 200 || !reply.data.isEmpty { failures.append("GET ?\(query) → \(reply.status) \(reply.text.prefix(200))") }
            }
            // Other tenants' ids, in bulk: hundreds of guesses return nothing.
            for _ in 0..<200 {
                check(try await app.call(.get, "/api/v1/data/customer/\(UUIDText.v7().uuidString.lowercased())", key: key), "random id")
            }
            for path in [
                "/api/v1/data/customer/\(theirID)", "/api/v1/data/customer/\(theirID)/history", "/api/v1/data/customer/\(theirID)/stages",
                "/api/v1/files/\(theirFile)",
            ] {
                check(try await app.call(.get, path, key: key), "their \(path)")
            }
            check(try await app.call(.get, "/api/v1/data/customer/\(mineID)", key: nil), "no key")
            check(try await app.call(.get, "/api/v1/data/customer/\(mineID)", key: "tsk_" + String(repeating: "0", count: 40)), "forged key")

            #expect(
                failures.isEmpty,
                "\(failures.count) of \(cases) hostile requests were not a clean 4xx:\n\(failures.prefix(20).joined(separator: "\n"))")
            #expect(cases > 500)
            let after = (try await snapshot(key), try await snapshot(otherKey))
            #expect(after.0 == before.0, "tenant A changed")
            #expect(after.1 == before.1, "tenant B changed")
            print("hostile input: \(cases) requests, \(failures.count) not a clean 4xx")
        }
    }

    @Test("NUL characters (which PostgreSQL text cannot hold) are a 400 in bodies and queries, never a 500, and nothing is written")
    func nul() async throws {
        try await TestApp.run { app in
            let key = try await app.createTenant(packs: ["sales"])
            let bodies = [
                "{\"company\":\"a\\u0000b\",\"contact_name\":\"x\",\"source_channel\":\"web_form\"}",
                "[{\"company\":\"ok\",\"contact_name\":\"x\\u0000\",\"source_channel\":\"web_form\"}]",
                "{\"\\u0000\":1}",
            ]
            for body in bodies {
                let reply = try await app.call(.post, "/api/v1/data/lead", key: key, raw: body)
                reply.expectError(400, "malformed_json")
                #expect(reply.json?["error"]?["message"]?.stringValue?.contains("NUL") == true, "\(reply.text)")
            }
            for path in ["/api/v1/data/lead?company=eq.a%00b", "/api/v1/automation-runs?automation=%00", "/api/v1/data/lead?where=%00"] {
                try await app.call(.get, path, key: key).expectError(400, "invalid_query")
            }
            #expect(try await app.call(.get, "/api/v1/data/lead", key: key).data.isEmpty, "nothing written")
        }
    }

    @Test("cross-scope guesses in bulk return nothing and change nothing; identity routes refuse hostile input")
    func crossScope() async throws {
        try await TestApp.run { app in
            let f = try await PermissionFixture.make(app)
            let rep1 = f.keys["rep1"]!
            // A hundred more records rep1 may not see.
            let bulk = try await app.call(
                .post, "/api/v1/data/deal", key: f.admin,
                json: .array((0..<100).map { i in ["name": .string("hidden \(i)"), "owner_id": .string(f.ids["rep2"]!), "cost": 1] }))
            #expect(bulk.status == 201)
            let hiddenIDs = bulk.data.compactMap { $0["id"]?.stringValue } + f.owned("rep2", "rep3", "supervisor")
            func everything() async throws -> String {
                try await app.call(.get, "/api/v1/data/deal?limit=500&order=id.asc", key: f.admin).text
                    + app.call(.get, "/api/v1/data/deal?deleted=only", key: f.admin).text
                    + app.call(.get, "/api/v1/users?limit=500", key: f.admin).text + app.call(.get, "/api/v1/meta/roles", key: f.admin).text
            }
            let before = try await everything()
            var cases = 0
            var failures: [String] = []
            func expect(_ reply: TestApp.Reply, _ statuses: Set<Int>, _ what: String) {
                cases += 1
                let shaped = reply.json?["error"]?["code"]?.stringValue != nil
                if !statuses.contains(reply.status) || !shaped { failures.append("\(what) → \(reply.status) \(reply.text.prefix(160))") }
            }
            for id in hiddenIDs {
                expect(try await app.call(.get, "/api/v1/data/deal/\(id)", key: rep1), [404], "GET \(id)")
                expect(try await app.call(.patch, "/api/v1/data/deal/\(id)", key: rep1, json: ["name": "mine now"]), [404], "PATCH \(id)")
                expect(try await app.call(.delete, "/api/v1/data/deal/\(id)", key: rep1), [404], "DELETE \(id)")
                expect(try await app.call(.get, "/api/v1/data/deal/\(id)/history", key: rep1), [404], "history \(id)")
            }
            for id in hiddenIDs.prefix(20) {
                expect(try await app.call(.post, "/api/v1/data/deal/\(id)/restore", key: rep1), [404], "restore \(id)")
                expect(try await app.call(.get, "/api/v1/data/deal/\(id)/stages", key: rep1), [404], "stages \(id)")
            }
            // Lists by id or owner find nothing of theirs either.
            let idList = hiddenIDs.prefix(50).joined(separator: ",")
            for query in [
                "id=in.(\(idList))", "owner_id=eq.\(f.ids["rep2"]!)", "where=record.owner_id%20%3D%3D%20%22\(f.ids["rep2"]!)%22", "name=like.hidden*",
            ] {
                let reply = try await app.call(.get, "/api/v1/data/deal?\(query)", key: rep1)
                cases += 1
                if reply.status != 200 || !reply.data.isEmpty {
                    failures.append("list ?\(query.prefix(60)) → \(reply.status) \(reply.data.count) rows")
                }
            }
            // Users, roles, teams and settings: hostile segments and bodies, and a rep trying admin work.
            let identityRoutes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/v1/users/{x}"), (.patch, "/api/v1/users/{x}"), (.get, "/api/v1/users/{x}/subordinates"),
                (.get, "/api/v1/users/{x}/managers"),
                (.get, "/api/v1/users/{x}/api-keys"), (.post, "/api/v1/users/{x}/api-keys"),
                (.delete, "/api/v1/users/\(f.ids["rep1"]!)/api-keys/{x}"),
                (.get, "/api/v1/meta/roles/{x}"), (.patch, "/api/v1/meta/roles/{x}"), (.delete, "/api/v1/meta/roles/{x}"),
                (.patch, "/api/v1/teams/{x}"), (.delete, "/api/v1/teams/{x}"), (.get, "/api/v1/teams/{x}/members"),
                (.get, "/api/v1/meta/assignment-rules/{x}"), (.patch, "/api/v1/meta/assignment-rules/{x}"),
                (.delete, "/api/v1/meta/assignment-rules/{x}"),
                (.get, "/api/v1/meta/assignment-rules/{x}/standings"), (.get, "/api/v1/meta/automations/{x}"),
                (.patch, "/api/v1/meta/automations/{x}"),
                (.post, "/api/v1/automation-events/{x}/replay"), (.post, "/api/v1/inbox/{x}/read"),
                (.post, "/api/v1/data/deal/{x}/lock"), (.delete, "/api/v1/data/deal/{x}/lock"),
                (.post, "/api/v1/data/{x}/00000000-0000-0000-0000-000000000000/lock"),
            ]
            for (method, template) in identityRoutes {
                for segment in Self.hostileSegments {
                    let path = template.replacingOccurrences(of: "{x}", with: segment)
                    let body: JSONValue? = method == .get || method == .delete ? nil : ["name": "x"]
                    expect(try await app.call(method, path, key: f.admin, json: body), Set(400..<500), "\(method) \(path.prefix(70))")
                }
            }
            let bodyRoutes: [(HTTPRequest.Method, String)] = [
                (.post, "/api/v1/users"), (.patch, "/api/v1/users/\(f.ids["rep1"]!)"), (.post, "/api/v1/users/\(f.ids["rep1"]!)/api-keys"),
                (.post, "/api/v1/meta/roles"), (.patch, "/api/v1/meta/roles/viewer"), (.post, "/api/v1/teams"), (.patch, "/api/v1/settings"),
                (.post, "/api/v1/auth/login"), (.post, "/api/v1/auth/password"), (.patch, "/api/v1/me"),
                (.post, "/api/v1/meta/assignment-rules"), (.post, "/api/v1/meta/automations"),
            ]
            for (method, path) in bodyRoutes {
                for body in Self.hostileBodies + [
                    "{\"roles\":[\"admin\"],\"name\":\"x\",\"email\":\"a@b.c'--\"}", "{\"permissions\":{\"deal\":{\"read\":\"all' OR 1=1\"}}}",
                    "{\"freeze_after_days\":-1}", "{\"locale\":\"zh-CN'; --\",\"status\":\"active\"}", "{\"locale\":[\"en\"]}",
                    "{\"tenant\":\"x'; --\",\"email\":\"a\",\"password\":\"b\"}",
                    "{\"channels\":{\"x\":{\"type\":\"wecom\",\"url\":\"http://user:pw@10.0.0.1/\"}}}",
                    "{\"smtp\":{\"host\":\"a b\",\"from\":\"x@y\\r\\nRCPT TO:<z@w>\"}}",
                    "{\"name\":\"r\",\"entity\":\"deal\",\"pool\":{\"users\":[\"' OR 1=1 --\"]},\"strategy\":\"weighted\",\"weight\":\"(SELECT 1)\"}",
                    """
                    {\"name\":\"a\",\"entity\":\"deal\",\"trigger\":{\"on\":\"schedule\",\"cron\":\"* * * * * \
                    *\"},\"actions\":[{\"type\":\"lock\",\"duration\":\"99999d\"}]}
                    """,
                ] {
                    expect(try await app.call(method, path, key: f.admin, raw: body), Set(400..<500), "\(method) \(path) body \(body.prefix(40))")
                }
            }
            for (method, path, body) in [
                (HTTPRequest.Method.post, "/api/v1/users", ["name": "x", "email": "x@example.com"] as JSONValue),
                (.patch, "/api/v1/users/\(f.ids["rep1"]!)", ["roles": ["viewer"]]),
                (.patch, "/api/v1/meta/roles/rep", ["permissions": ["deal": ["read": "all"]]]),
                (.post, "/api/v1/meta/roles", ["name": "mine", "special": ["manage_users"]]),
                (.post, "/api/v1/teams", ["name": "Mine"]), (.patch, "/api/v1/settings", ["freeze_after_days": 1]),
                (.patch, "/api/v1/settings", ["channels": ["mine": ["type": "webhook", "url": "https://example.com/x"]]]),
                (.post, "/api/v1/meta/assignment-rules", ["name": "mine", "entity": "deal", "pool": ["role": "rep"]]),
                (.get, "/api/v1/meta/assignment-rules/none/standings", nil),
                (.post, "/api/v1/users/\(f.ids["rep2"]!)/api-keys", ["name": "steal"]),
                (.post, "/api/v1/packs/sales/install", nil),
            ] as [(HTTPRequest.Method, String, JSONValue?)] {
                expect(try await app.call(method, path, key: rep1, json: body), [403], "rep \(method) \(path)")
            }
            #expect(
                failures.isEmpty,
                "\(failures.count) of \(cases) cross-scope requests leaked or failed:\n\(failures.prefix(20).joined(separator: "\n"))")
            #expect(cases > 600)
            #expect(try await everything() == before, "something changed")
            print("cross-scope and identity input: \(cases) requests, \(failures.count) failures")
        }
    }
}
