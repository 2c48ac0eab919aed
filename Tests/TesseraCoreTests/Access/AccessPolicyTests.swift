import TesseraCore
import Testing

@Suite("Roles and access policies")
struct AccessPolicyTests {
    let lead = EntityDefinition(
        name: "lead",
        fields: [
            FieldDefinition(name: "phone", type: .phone), FieldDefinition(name: "cost", type: .money),
            FieldDefinition(name: "margin", type: .percent),
        ])
    let contract = EntityDefinition(name: "contract", fields: [FieldDefinition(name: "amount", type: .money)])

    func role(_ json: JSONValue) throws -> RoleDefinition { try RoleDecoder.role(json, entities: [lead, contract]) }

    @Test("roles decode with scopes, field access and specials, and round-trip through their JSON")
    func decode() throws {
        let rep = try role([
            "name": "rep", "label": ["en": "Rep"], "default": true,
            "permissions": ["lead": ["create": "own", "read": "own", "update": "own", "fields": ["cost": "none", "margin": "read"]]],
            "special": ["export"],
        ])
        #expect(rep.isDefault && rep.special == [.export])
        #expect(rep.permissions["lead"]?.scope(.read) == .own && rep.permissions["lead"]?.scope(.delete) == RecordScope.none)
        #expect(rep.permissions["lead"]?.fields == ["cost": .none, "margin": .read])
        #expect(try role(rep.json) == rep)
    }

    @Test("bad roles name every problem")
    func refusals() throws {
        let error = #expect(throws: TesseraError.self) {
            try role([
                "name": "Bad Name",
                "permissions": [
                    "nope": ["read": "all"], "lead": ["read": "mine", "create": "assigned", "fields": ["ghost": "read", "phone": "write"]],
                ],
                "special": ["root"], "extra": 1,
            ])
        }
        let fields = Set(error?.details.compactMap(\.field) ?? [])
        #expect(
            fields.isSuperset(of: [
                "name", "permissions.nope", "permissions.lead.read", "permissions.lead.create",
                "permissions.lead.fields.ghost", "permissions.lead.fields.phone", "special", "extra",
            ]), "\(fields)")
        #expect(throws: TesseraError.self) { try role(["name": "admin"]) }
        #expect(throws: TesseraError.self) { try role(["name": "x", "permissions": ["*": ["read": "all", "fields": ["cost": "none"]]]]) }
    }

    @Test("several roles add up: scopes of each kind, the widest field access, specials")
    func union() throws {
        let rep = try role(["name": "rep", "permissions": ["lead": ["read": "own", "update": "own", "fields": ["cost": "none", "margin": "none"]]]])
        let team = try role([
            "name": "team_lead", "permissions": ["lead": ["read": "team", "fields": ["cost": "read", "margin": "none"]]], "special": ["export"],
        ])
        let presales = try role(["name": "presales", "permissions": ["lead": ["read": "assigned"]], "special": ["import"]])
        let policy = AccessPolicy(roles: ["rep", "team_lead"], definitions: [rep, team, presales])
        let access = policy.entity("lead")
        #expect(access.reach(.read).scopes == [.own, .team])
        #expect(access.reach(.update).scopes == [.own])
        #expect(access.reach(.delete).isNothing && access.reach(.create).isNothing)
        // cost: none ∪ read = read; margin hidden by both; phone unrestricted.
        #expect(access.field("cost") == .read && access.field("margin") == .none && access.field("phone") == .edit)
        #expect(access.hidden == ["margin"])
        #expect(policy.has(.export) && !policy.has(.import) && !policy.has(.manageUsers))
        // A role that names the entity without restricting a field lifts the restriction.
        let three = AccessPolicy(roles: ["rep", "team_lead", "presales"], definitions: [rep, team, presales])
        #expect(three.entity("lead").hidden.isEmpty && three.entity("lead").field("cost") == .edit)
        #expect(three.entity("lead").reach(.read).scopes == [.own, .assigned, .team])
        // Entities no role names are out of reach.
        #expect(policy.entity("contract").reach(.read).isNothing)
    }

    @Test("`all` absorbs the rest; `*` covers unnamed entities; admin and unknown roles")
    func everythingAndNothing() throws {
        let director = try role([
            "name": "director",
            "permissions": [
                "*": ["create": "all", "read": "all", "update": "all", "delete": "none"],
                "contract": ["read": "own"],
            ],
        ])
        let rep = try role(["name": "rep", "permissions": ["lead": ["read": "own"]]])
        let policy = AccessPolicy(roles: ["director", "rep"], definitions: [director, rep])
        #expect(policy.entity("lead").reach(.read).isEverything)
        #expect(policy.entity("lead").reach(.read).scopes == [.all])
        // The director's own entry for contract replaces `*` for that entity.
        #expect(policy.entity("contract").reach(.read).scopes == [.own])
        #expect(policy.entity("anything_else").reach(.update).isEverything && policy.entity("anything_else").reach(.delete).isNothing)
        let admin = AccessPolicy(roles: ["admin"], definitions: [])
        #expect(admin.isAdmin && admin.entity("lead").reach(.delete).isEverything && SpecialPermission.allCases.allSatisfy(admin.has))
        let ghost = AccessPolicy(roles: ["deleted_role"], definitions: [rep])
        #expect(ghost.entity("lead").reach(.read).isNothing && !ghost.has(.export))
    }

    @Test("pruning drops grants on entities and fields that are gone")
    func pruning() throws {
        let rep = try role([
            "name": "rep", "permissions": ["lead": ["read": "own", "fields": ["cost": "none"]], "contract": ["read": "all"], "*": ["read": "own"]],
        ])
        var smaller = lead
        smaller.fields.removeAll { $0.name == "cost" }
        let pruned = RoleChangePlanner.pruned(rep, entities: [smaller])
        #expect(Set(pruned.permissions.keys) == ["lead", "*"] && pruned.permissions["lead"]?.fields.isEmpty == true)
    }

    @Test("user bodies: required parts, password bounds, email shape, kinds and statuses")
    func userInput() throws {
        let ok = try UserInput.check(
            ["name": " Li Lei ", "email": "Li.Lei@Example.com", "password": "s3cret-pass", "roles": ["rep", "rep", "finance"]], creating: true)
        #expect(ok.name == "Li Lei" && ok.email == .some("li.lei@example.com") && ok.roles == ["finance", "rep"])
        #expect(try UserInput.check(["name": "王", "email": "wang.fang+sales@例子.中国"], creating: true).email == .some("wang.fang+sales@例子.中国"))
        let bot = try UserInput.check(["name": "ERP sync", "kind": "integration", "roles": ["finance"]], creating: true)
        #expect(bot.kind == .integration && bot.email == nil)
        for (body, field) in [
            (["name": "x", "email": "no-at-sign"] as JSONValue, "email"), (["name": "x", "email": "a@b.c'--"], "email"),
            (["name": "x", "email": "a b@c.d"], "email"), (["name": "x", "email": "a@b.co", "password": "short"], "password"),
            (["name": "x", "email": "a@b.co", "password": .string(String(repeating: "长", count: 30))], "password"),
            (["email": "a@b.co"], "name"), (["name": "x"], "email"), (["name": "x", "kind": "integration", "password": "longenough"], "password"),
            (["name": "x", "email": "a@b.co", "status": "active"], "status"), (["name": "x", "email": "a@b.co", "manager_id": "nope"], "manager_id"),
            (["name": "x", "email": "a@b.co", "roles": ["Bad Role"]], "roles"), (["name": "x", "email": "a@b.co", "is_admin": true], "is_admin"),
        ] {
            let error = #expect(throws: TesseraError.self) { try UserInput.check(body, creating: true) }
            #expect(error?.details.contains { $0.field == field } == true, "\(body) → \(error?.details ?? [])")
        }
        let patch = try UserInput.check(["status": "active", "manager_id": nil], creating: false)
        #expect(patch.status == .active && patch.managerID == .some(nil) && patch.teamID == nil)
        #expect(throws: TesseraError.self) { try UserInput.check(["status": "frozen"], creating: false) }
    }
}
