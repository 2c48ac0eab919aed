/// The catalogue of built-in messages about tenants, users, teams, keys, sign-in, settings and
/// files, worded in every `MessageLocale` (see `Message` for requests and records).
public enum AccountMessage: CatalogueMessage, Equatable {
    // Request bodies and paths.
    case needsBody
    case ifMatch
    case missingPathParameter(String)
    case bodyObject
    case tenantBody
    case settingsBody
    case notLoginProperty(String)
    case notKnownProperty(String)
    case notKeyProperty(String)
    case notTenantProperty(String)
    case notASetting(String, settings: [String])
    case requiredString(String)
    case passwordsRequired
    case nameLength
    case keyName
    case expiresRange
    case freezeRange
    case retentionRange
    case localeChoice(nullable: Bool)
    case mustBeID(String)
    case managerID
    // Users.
    case passwordTooShort(Int)
    case passwordTooLong(Int)
    case passwordNUL
    case notRoleNames([String])
    case kindImmutable
    case kindEnum
    case statusOnCreate
    case statusEnum
    case personNeedsEmail
    case integrationNoPassword
    case integrationNoSignIn
    case noUser(String)
    case noTeamWithID(field: String, id: String)
    case noManager(String)
    case managerCycle
    case emailTaken
    case emailTakenBy(String)
    case noTeam(String)
    case teamExists(String)
    case teamInUse(Int)
    case noAPIKey(String)
    case userInactive(String)
    case onlyAdminChangesAdmin
    case needsManageUsers
    case unknownRoles([String])
    case onlyAdminGrants(String)
    case needsPermission(String, roles: [String])
    // Signing in.
    case wrongCredentials
    case tooManyLogins(seconds: Int)
    case wrongCurrentPassword
    case accountFrozen
    case accountDisabled
    case notASession
    // Tenants and packs.
    case slugForm
    case notTimeZone(String)
    case tenantExists(String)
    case packsType
    case noPack(String)
    case adminTogether
    case noTenant(String)
    // Files.
    case emptyFile
    case noFile(String)
    case fileContentMissing
    case cannotStoreFile
    // Automations' logs.
    case recordQuery
    case resultQuery
    case noDeadEvent
    case noDeadEventID(Int64)
    case noInboxMessage
    case noInboxMessageID(Int64)
    case packNeeds(String, missing: [String])
    case packNotInstalled(String)
    case acceptShape
    case packUpToDate(String, version: String)
    case noDefinition(kind: String, name: String)
    case databaseUnreachable
    case migrationsPending
    case databaseBusy

    public var wording: Wording {
        switch self {
        case .needsBody: return ({ "The request needs a JSON body." }, { "请求需要 JSON 请求体。" })
        case .ifMatch: return ({ "If-Match must carry a record version such as \"3\"." }, { "If-Match 必须是记录版本号，如 \"3\"。" })
        case .missingPathParameter(let name): return ({ "Missing path parameter \(name)." }, { "缺少路径参数 \(name)。" })
        case .bodyObject: return ({ "the body must be a JSON object" }, { "请求体必须是 JSON 对象" })
        case .tenantBody: return ({ "The body must be an object with slug and name." }, { "请求体必须是包含 slug 和 name 的对象。" })
        case .settingsBody:
            return ({ "the body must be an object like {\"freeze_after_days\": 90}" }, { "请求体必须是对象，如 {\"freeze_after_days\": 90}" })
        case .notLoginProperty(let key): return ({ "\(key) is not a login property" }, { "\(key) 不是登录参数" })
        case .notKnownProperty(let key): return ({ "\(key) is not a known property" }, { "\(key) 不是可识别的属性" })
        case .notKeyProperty(let key): return ({ "\(key) is not a key property" }, { "\(key) 不是密钥的属性" })
        case .notTenantProperty(let key): return ({ "'\(key)' is not a tenant property" }, { "'\(key)' 不是租户的属性" })
        case .notASetting(let key, let settings): return ({ "\(key) is not a setting (\(list(settings)))" }, { "\(key) 不是设置项（\(list(settings))）" })
        case .requiredString(let key): return ({ "\(key) is required (a string)" }, { "\(key) 为必填项（文本）" })
        case .passwordsRequired:
            return ({ "current_password and new_password are required (strings)" }, { "current_password 和 new_password 为必填项（文本）" })
        case .nameLength: return ({ "name must have 1 to 200 characters" }, { "name 须为 1 到 200 个字符" })
        case .keyName: return ({ "name is required (1 to 100 characters)" }, { "name 为必填项（1 到 100 个字符）" })
        case .expiresRange: return ({ "expires_in_days must be a whole number from 1 to 3650" }, { "expires_in_days 必须是 1 到 3650 之间的整数" })
        case .retentionRange:
            return (
                { "retention_days must be a whole number from 1 to 3650: how long a removed field's values are kept for a revert" },
                { "retention_days 必须为 1 到 3650 之间的整数：删除字段后其数据为回滚保留的天数" }
            )
        case .freezeRange:
            return (
                { "freeze_after_days must be null (never) or a whole number from 1 to 3650" },
                { "freeze_after_days 必须为 null（永不冻结）或 1 到 3650 之间的整数" }
            )
        case .localeChoice(let nullable):
            return nullable
                ? ({ "locale must be zh-CN, en or null" }, { "locale 必须是 zh-CN、en 或 null" })
                : ({ "locale must be zh-CN or en" }, { "locale 必须是 zh-CN 或 en" })
        case .mustBeID(let key): return ({ "\(key) must be an id" }, { "\(key) 必须是 ID" })
        case .managerID: return ({ "manager_id must be a user id" }, { "manager_id 必须是用户 ID" })
        case .passwordTooShort(let n): return ({ "a password needs at least \(n) characters" }, { "密码至少需要 \(n) 个字符" })
        case .passwordTooLong(let n): return ({ "a password can have at most \(n) bytes (UTF-8)" }, { "密码最多 \(n) 字节（UTF-8）" })
        case .passwordNUL: return ({ "a password cannot contain NUL" }, { "密码不能包含 NUL 字符" })
        case .notRoleNames(let names): return ({ "roles: \(list(names)) is not a role name" }, { "roles：\(list(names)) 不是角色名" })
        case .kindImmutable: return ({ "kind is set when the user is created" }, { "kind 只能在创建用户时设置" })
        case .kindEnum: return ({ "kind must be person or integration" }, { "kind 必须是 person 或 integration" })
        case .statusOnCreate: return ({ "a new user is active; change status afterwards" }, { "新用户默认启用；请在创建后再修改 status" })
        case .statusEnum: return ({ "status can be set to active (also unfreezes) or disabled" }, { "status 可设为 active（同时解冻）或 disabled" })
        case .personNeedsEmail: return ({ "a person needs an email to sign in with" }, { "人员账号需要电子邮件才能登录" })
        case .integrationNoPassword: return ({ "integration identities sign in with API keys, not passwords" }, { "集成身份用 API 密钥登录，不用密码" })
        case .integrationNoSignIn:
            return ({ "integration identities have no email or password; they use API keys" }, { "集成身份没有电子邮件和密码，只用 API 密钥" })
        case .noUser(let id): return ({ "No user with id '\(id)'." }, { "没有 id 为 '\(id)' 的用户。" })
        case .noTeamWithID(let field, let id): return ({ "\(field): no team with id '\(id)'" }, { "\(field)：没有 id 为 '\(id)' 的团队" })
        case .noManager(let id): return ({ "manager_id: no user with id '\(id)'" }, { "manager_id：没有 id 为 '\(id)' 的用户" })
        case .managerCycle:
            return ({ "manager_id: the user would manage themselves (a cycle in the hierarchy)" }, { "manager_id：该用户会成为自己的上级（汇报关系成环）" })
        case .emailTaken: return ({ "email is taken" }, { "该电子邮件已被使用" })
        case .emailTakenBy(let email):
            return ({ "Another user of this tenant has the email '\(email)'." }, { "本租户已有其他用户使用电子邮件 '\(email)'。" })
        case .noTeam(let id): return ({ "No team with id '\(id)'." }, { "没有 id 为 '\(id)' 的团队。" })
        case .teamExists(let name): return ({ "A team named '\(name)' already exists." }, { "已存在名为 '\(name)' 的团队。" })
        case .teamInUse(let n): return ({ "The team still has \(n) member(s); move them first." }, { "该团队还有 \(n) 名成员，请先调走他们。" })
        case .noAPIKey(let id): return ({ "No API key '\(id)' for this user." }, { "该用户没有 API 密钥 '\(id)'。" })
        case .userInactive(let status):
            return ({ "The user is \(status); keys are only made for active users." }, { "该用户的状态是 \(status)；只能为启用的用户创建密钥。" })
        case .onlyAdminChangesAdmin: return ({ "Only a tenant admin can change a tenant admin's account." }, { "只有租户管理员可以修改租户管理员的账号。" })
        case .needsManageUsers:
            return ({ "Managing users and teams needs the 'manage_users' permission." }, { "管理用户和团队需要 'manage_users' 权限。" })
        case .unknownRoles(let names):
            let quoted = names.map { "'\($0)'" }.joined(separator: ", ")
            return ({ "roles: no role \(quoted)" }, { "roles：没有角色 \(quoted)" })
        case .onlyAdminGrants(let role):
            return (
                { "Only a tenant admin can grant the role '\(role)': it carries permissions you do not hold." },
                { "只有租户管理员可以授予角色 '\(role)'：它带有你没有的权限。" }
            )
        case .needsPermission(let permission, let roles):
            return (
                { "This needs the '\(permission)' permission, which none of your roles (\(list(roles))) grants." },
                { "此操作需要 '\(permission)' 权限，你的角色（\(list(roles))）都没有授予。" }
            )
        case .wrongCredentials: return ({ "The tenant, email or password is wrong." }, { "租户、电子邮件或密码错误。" })
        case .tooManyLogins(let seconds):
            return ({ "Too many failed logins for this account; try again in \(seconds) seconds." }, { "此账号登录失败次数过多，请 \(seconds) 秒后再试。" })
        case .wrongCurrentPassword: return ({ "the current password is wrong" }, { "当前密码错误" })
        case .accountFrozen:
            return ({ "The account is frozen after a long time unused; an admin can unfreeze it." }, { "账号因长期未使用已被冻结，管理员可以解冻。" })
        case .accountDisabled: return ({ "The account is disabled." }, { "账号已停用。" })
        case .notASession:
            return (
                { "This token is an API key, not a login session; revoke it with DELETE /api/v1/users/{id}/api-keys/{key}." },
                { "此令牌是 API 密钥，不是登录会话；请用 DELETE /api/v1/users/{id}/api-keys/{key} 吊销。" }
            )
        case .slugForm:
            return (
                { "slug must be 2–40 characters: lowercase ASCII letters, digits and '_', starting with a letter" },
                { "slug 须为 2 到 40 个字符：小写英文字母、数字和 '_'，以字母开头" }
            )
        case .notTimeZone(let zone): return ({ "'\(zone)' is not a time zone name" }, { "'\(zone)' 不是时区名称" })
        case .tenantExists(let slug): return ({ "A tenant with slug '\(slug)' already exists." }, { "slug 为 '\(slug)' 的租户已存在。" })
        case .packsType: return ({ "packs must be an array of pack ids" }, { "packs 必须是模板包 ID 的数组" })
        case .noPack(let id): return ({ "no pack '\(id)'" }, { "没有模板包 '\(id)'" })
        case .adminTogether: return ({ "admin_email and admin_password go together" }, { "admin_email 和 admin_password 须同时提供" })
        case .noTenant(let slug): return ({ "No tenant \(slug)." }, { "没有租户 \(slug)。" })
        case .emptyFile: return ({ "The file is empty." }, { "文件是空的。" })
        case .noFile(let id): return ({ "No file '\(id)'." }, { "没有文件 '\(id)'。" })
        case .fileContentMissing: return ({ "The file's content is missing." }, { "文件内容缺失。" })
        case .cannotStoreFile: return ({ "Cannot store the file." }, { "无法保存文件。" })
        case .recordQuery: return ({ "record must be a record id." }, { "record 必须是记录 ID。" })
        case .resultQuery: return ({ "result must be one of ok, skipped, error, dead." }, { "result 必须是 ok、skipped、error 或 dead 之一。" })
        case .noDeadEvent: return ({ "No dead automation event with that id." }, { "没有该 id 的失败自动化事件。" })
        case .noDeadEventID(let id): return ({ "No dead automation event \(id)." }, { "没有失败的自动化事件 \(id)。" })
        case .noInboxMessageID(let id): return ({ "No message \(id) in your inbox." }, { "你的收件箱中没有消息 \(id)。" })
        case .packNeeds(let pack, let missing):
            return ({ "Pack '\(pack)' needs \(list(missing)) installed first." }, { "模板包 '\(pack)' 需要先安装 \(list(missing))。" })
        case .acceptShape:
            return (
                { "the body must be an object like {\"accept\": [\"entity:lead.label\"]}: the conflicts to resolve for the pack's value" },
                { "请求体必须是对象，如 {\"accept\": [\"entity:lead.label\"]}：按模板包取值的冲突项" }
            )
        case .packNotInstalled(let pack):
            return ({ "Pack '\(pack)' is not installed in this tenant: install it first." }, { "本租户未安装模板包 '\(pack)'：请先安装。" })
        case .packUpToDate(let pack, let version):
            return ({ "Pack '\(pack)' is already at version \(version)." }, { "模板包 '\(pack)' 已是 \(version) 版。" })
        case .noInboxMessage: return ({ "No such message in your inbox." }, { "你的收件箱中没有这条消息。" })
        case .noDefinition(let kind, let name): return ({ "No \(kind) '\(name)'." }, { "没有 \(kind) '\(name)'。" })
        case .databaseUnreachable: return ({ "PostgreSQL is not reachable." }, { "无法连接 PostgreSQL。" })
        case .migrationsPending:
            return ({ "The database lacks migrations this server needs: run tessera migrate." }, { "数据库缺少本服务所需的迁移：请运行 tessera migrate。" })
        case .databaseBusy:
            return ({ "Every database connection stayed busy; try again shortly." }, { "数据库连接全部繁忙，请稍后重试。" })
        }
    }
}
