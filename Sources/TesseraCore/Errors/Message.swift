/// The catalogue of the server's built-in messages about requests and records: each case is one
/// message, worded in every `MessageLocale`. (Rules and stages carry their own translated
/// messages; `DefinitionMessage` holds those about metadata definitions.)
public indirect enum Message: CatalogueMessage, Equatable {
    // The request itself.
    case malformedJSON(String, offset: Int)
    case payloadTooLarge(limit: Int)
    case noSuchRoute
    case methodNotAllowed
    case invalidPercentEscape
    case queryNotUTF8
    case queryNUL
    case invalidCursor
    // Authentication.
    case keyRequired
    case keyInvalid
    case adminTokenRequired
    case adminTokenNeeded
    // A record body.
    case notAnObject
    case appearsTwice(String)
    case required(String)
    case versionType
    case ownerType
    case setByServer(String)
    case notAField(String, entity: String)
    case notAFieldNorParameter(String, entity: String)
    /// A problem with one field's value: the field's name, then the problem.
    case about(String, Message)
    // A field's value (always inside `.about`).
    case expected(Expected, got: String)
    case maxLength(Int, got: Int)
    case notEmail(String)
    case notPhone(String)
    case notURL(String)
    case moneyExponent
    case moneyScale(got: String)
    case moneyTooLarge
    case tooManyDigits
    case exponentRange
    case expectedDate
    case expectedDateTime
    case notAnOption(String, options: [String])
    case selectedTwice(String)
    case tooManySelected(max: Int, got: Int)
    case expectedRecordID
    case expectedFileIDs
    case attachedTwice(String)
    case tooFewFiles(min: Int, got: Int)
    case tooManyFiles(max: Int, got: Int)
    case expectedLocation
    case locationRange
    case addressTooLong
    case autoNumbered
    case computed
    case atLeast(String)
    case atMost(String)
    case notReferenced(String, what: ReferenceKind)
    case fileNotAccepted(String, contentType: String, accept: [String])
    // Stages.
    case stageCleared
    case stageInitial(allowed: [String], got: String)
    case stageTransition(from: String, to: String, allowed: [String])
    case stageFiles(stage: String, min: Int, has: Int)
    case requiredToLeave(String)
    case leavingNeeds(String, String)
    case stageUncheckable(DefinitionMessage)
    case ruleUncheckable(String, DefinitionMessage)
    // A rule without a message of its own.
    case mustSatisfy(String, rule: String)
    case requiredHere(String?, rule: String)
    case ruleMinFiles(Int, rule: String)
    case ruleMaxSelections(Int, rule: String)
    case ruleForm(String)
    case ruleDuplicate(entity: String, rule: String)
    case ruleConflict(entity: String, rule: String)
    /// A text already in the caller's language (a rule's own message).
    case verbatim(String)
    // Access.
    case actionForbidden(action: String, entity: String)
    case bulkNeedsImport
    case exportNeedsPermission
    case fieldsReadOnly([String], entity: String)
    case fieldReadOnly
    case fieldsKeptByProcess([String], entity: String)
    case fieldKeptByProcess
    case ownerOutOfScope(action: String, entity: String, owner: String)
    case ownerScope(action: String)
    case readButNot(action: String, entity: String, id: String)
    // Records.
    case emptyArray
    case bulkLimit(max: Int, got: Int)
    case exportLimit(total: Int, max: Int)
    case noEntity(String)
    case noRecord(entity: String, id: String)
    case noRecordInBin(entity: String, id: String)
    case inRecycleBin(entity: String, id: String)
    case versionConflict(entity: String, sent: Int64, current: Int64)
    case currentVersion(Int64)
    case locked(entity: String, id: String, holder: String, until: String)
    case lockedUntil(String)
    case lockedBySomeone(entity: String, id: String, until: String)
    case unlockRefused(entity: String, id: String, until: String)
    case lockDuration
    case duplicateValue(String)
    case mustBeUnique
    case duplicateRecord(String)
    case referenceMissing(String)
    case valueNotStored(String)
    case expressionFailed(String)
    case metadataChanged
    case busy
    case queryTimeout
    case tooComplex
    // Queries.
    case limitRange(max: Int)
    case selectNotAField(String, entity: String)
    case countExact
    case orderNotAField(String, entity: String)
    case orderType(type: String, field: String)
    case orderModifier(String)
    case queryProblems(Int)
    case isTakes
    case useContains(type: String)
    case inLimit
    case containsOnArrays
    case filterNotOption(String)
    case likeOnText
    case operatorOnArray(String, type: String)
    case notWhole(String)
    case notNumber(String)
    case expectedTrueFalse
    case notDate(String)
    case notDateTime(String)
    case notID(String)
    case expectedList(open: String, close: String)
    case unterminatedQuote
    case expectedOperator(String, operators: [String])
    // Summaries of several details.
    case problems(Int, [String])
    case definitionProblems(Int, [String])

    /// The kind of JSON value a field takes.
    public enum Expected: Sendable, Equatable {
        case string, number, wholeNumber, boolean, optionKey, optionKeys, fileIDs

        var en: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .wholeNumber: "a whole number"
            case .boolean: "true or false"
            case .optionKey: "an option key (string)"
            case .optionKeys: "an array of option keys"
            case .fileIDs: "an array of file ids"
            }
        }

        var zh: String {
            switch self {
            case .string: "文本"
            case .number: "数字"
            case .wholeNumber: "整数"
            case .boolean: "true 或 false"
            case .optionKey: "选项键（文本）"
            case .optionKeys: "选项键的数组"
            case .fileIDs: "文件 ID 的数组"
            }
        }
    }

    /// What a relation, user or file field must point at.
    public enum ReferenceKind: Sendable, Equatable {
        case user, file
        case record(String)
    }

    public var wording: Wording {
        switch self {
        case .malformedJSON(let why, let offset):
            return ({ "The request body is not valid JSON: \(why) at byte \(offset)." }, { "请求体不是合法的 JSON：第 \(offset) 字节处 \(why)。" })
        case .payloadTooLarge(let limit):
            return ({ "The request body is larger than the limit of \(limit) bytes." }, { "请求体超过了 \(limit) 字节的上限。" })
        case .noSuchRoute: return ({ "No such route." }, { "没有这个接口。" })
        case .methodNotAllowed: return ({ "Method Not Allowed" }, { "该接口不支持此请求方法。" })
        case .invalidPercentEscape: return ({ "The query string has an invalid percent escape." }, { "查询字符串中有无效的百分号转义。" })
        case .queryNotUTF8: return ({ "The query string is not valid UTF-8." }, { "查询字符串不是合法的 UTF-8。" })
        case .queryNUL: return ({ "The query string holds a NUL character (%00), which is not accepted." }, { "查询字符串含有 NUL 字符（%00），不予接受。" })
        case .invalidCursor:
            return ({ "The cursor is not valid for this query; request the first page again." }, { "游标对此查询无效，请重新请求第一页。" })
        case .keyRequired:
            return (
                { "A valid API key is required: send 'Authorization: Bearer <key>'." }, { "需要有效的 API 密钥：请发送 'Authorization: Bearer <key>'。" }
            )
        case .keyInvalid: return ({ "The API key is not valid (unknown or revoked)." }, { "API 密钥无效（不存在或已吊销）。" })
        case .adminTokenRequired:
            return (
                { "The platform admin token is required: send 'Authorization: Bearer <token>'." },
                { "需要平台管理员令牌：请发送 'Authorization: Bearer <token>'。" }
            )
        case .adminTokenNeeded:
            return ({ "This route needs the platform admin token, not a tenant key." }, { "此接口需要平台管理员令牌，而不是租户密钥。" })
        case .notAnObject: return ({ "A record must be a JSON object keyed by field name." }, { "记录必须是以字段名为键的 JSON 对象。" })
        case .appearsTwice(let key): return ({ "\(key) appears twice in the body" }, { "\(key) 在请求体中出现了两次" })
        case .required(let field): return ({ "\(field) is required" }, { "\(field) 为必填项" })
        case .versionType: return ({ "version must be a positive whole number" }, { "version 必须是正整数" })
        case .ownerType: return ({ "owner_id must be a user id (UUID)" }, { "owner_id 必须是用户 ID（UUID）" })
        case .setByServer(let key): return ({ "\(key) is set by the server and cannot be written" }, { "\(key) 由服务器设置，不能写入" })
        case .notAField(let name, let entity): return ({ "'\(name)' is not a field of \(entity)" }, { "'\(name)' 不是 \(entity) 的字段" })
        case .notAFieldNorParameter(let name, let entity):
            return ({ "'\(name)' is not a field of \(entity) (nor a query parameter)" }, { "'\(name)' 既不是 \(entity) 的字段，也不是查询参数" })
        case .about(let field, let inner): return ({ "\(field): \(inner.text(.en))" }, { "\(field)：\(inner.text(.zhCN))" })
        case .expected(let what, let got): return ({ "expected \(what.en), got \(got)" }, { "应为\(what.zh)，实际为 \(got)" })
        case .maxLength(let max, let got): return ({ "must be at most \(max) characters (got \(got))" }, { "最多 \(max) 个字符（当前 \(got) 个）" })
        case .notEmail(let s): return ({ "'\(s)' is not an email address" }, { "'\(s)' 不是电子邮件地址" })
        case .notPhone(let s):
            return (
                { "'\(s)' is not a phone number (digits, optional leading +, spaces, - and parentheses)" },
                { "'\(s)' 不是电话号码（数字，可带开头的 +、空格、- 和括号）" }
            )
        case .notURL(let s): return ({ "'\(s)' is not an http(s) URL" }, { "'\(s)' 不是 http(s) 网址" })
        case .moneyExponent: return ({ "write money without an exponent" }, { "金额不能用科学计数法书写" })
        case .moneyScale(let got): return ({ "money has at most 2 decimal places (got \(got))" }, { "金额最多两位小数（当前 \(got)）" })
        case .moneyTooLarge: return ({ "is too large for a money amount" }, { "超出金额的范围" })
        case .tooManyDigits: return ({ "has more than 30 digits" }, { "超过 30 位数字" })
        case .exponentRange: return ({ "has an exponent outside -30 to 30" }, { "指数超出 -30 到 30 的范围" })
        case .expectedDate: return ({ "expected a date like 2026-11-23" }, { "应为日期，如 2026-11-23" })
        case .expectedDateTime:
            return (
                { "expected an RFC 3339 date-time with a time zone, like 2026-11-23T09:30:00+08:00" },
                { "应为带时区的 RFC 3339 日期时间，如 2026-11-23T09:30:00+08:00" }
            )
        case .notAnOption(let key, let options):
            return ({ "'\(key)' is not an option; use one of: \(list(options))" }, { "'\(key)' 不是可选项；可选：\(list(options))" })
        case .selectedTwice(let key): return ({ "'\(key)' is selected twice" }, { "'\(key)' 被选了两次" })
        case .tooManySelected(let max, let got): return ({ "at most \(max) may be selected (got \(got))" }, { "最多可选 \(max) 项（当前 \(got) 项）" })
        case .expectedRecordID: return ({ "expected a record id (UUID)" }, { "应为记录 ID（UUID）" })
        case .expectedFileIDs: return ({ "expected an array of file ids (UUIDs)" }, { "应为文件 ID（UUID）的数组" })
        case .attachedTwice(let id): return ({ "file \(id) is attached twice" }, { "文件 \(id) 被附加了两次" })
        case .tooFewFiles(let min, let got): return ({ "needs at least \(min) file(s) (got \(got))" }, { "至少需要 \(min) 个文件（当前 \(got) 个）" })
        case .tooManyFiles(let max, let got): return ({ "allows at most \(max) file(s) (got \(got))" }, { "最多允许 \(max) 个文件（当前 \(got) 个）" })
        case .expectedLocation:
            return (
                { "expected {\"lat\":…,\"lng\":…,\"address\":…} with numeric lat and lng" },
                { "应为 {\"lat\":…,\"lng\":…,\"address\":…}，lat 和 lng 为数字" }
            )
        case .locationRange: return ({ "lat must be within ±90 and lng within ±180" }, { "lat 须在 ±90 以内，lng 须在 ±180 以内" })
        case .addressTooLong: return ({ "address must be at most 500 characters" }, { "address 最多 500 个字符" })
        case .autoNumbered: return ({ "is numbered by the server and cannot be written" }, { "由服务器编号，不能写入" })
        case .computed: return ({ "is computed from its expression and cannot be written" }, { "由公式计算，不能写入" })
        case .atLeast(let n): return ({ "must be at least \(n)" }, { "不能小于 \(n)" })
        case .atMost(let n): return ({ "must be at most \(n)" }, { "不能大于 \(n)" })
        case .notReferenced(let id, let what):
            switch what {
            case .user: return ({ "\(id) is not an active user of this tenant" }, { "\(id) 不是本租户的在职用户" })
            case .file: return ({ "\(id) is not an uploaded file of this tenant" }, { "\(id) 不是本租户已上传的文件" })
            case .record(let entity): return ({ "\(id) is not a \(entity) record of this tenant" }, { "\(id) 不是本租户的 \(entity) 记录" })
            }
        case .fileNotAccepted(let id, let type, let accept):
            return ({ "file \(id) is \(type); allowed: \(list(accept))" }, { "文件 \(id) 的类型是 \(type)；允许：\(list(accept))" })
        case .stageCleared: return ({ "the stage cannot be cleared once set" }, { "阶段一经设置不能清空" })
        case .stageInitial(let allowed, let got):
            return (
                { "a new record starts in \(allowed.joined(separator: " or ")), not \(got)" },
                { "新记录须从 \(allowed.joined(separator: " 或 ")) 开始，而不是 \(got)" }
            )
        case .stageTransition(let from, let to, let allowed):
            if allowed.isEmpty {
                return ({ "cannot move from \(from) to \(to): \(from) is a final stage" }, { "不能从 \(from) 转到 \(to)：\(from) 是终止阶段" })
            }
            return (
                { "cannot move from \(from) to \(to): from \(from) a record may move to \(list(allowed))" },
                { "不能从 \(from) 转到 \(to)：从 \(from) 只能转到 \(list(allowed))" }
            )
        case .stageFiles(let stage, let min, let has):
            return ({ "leaving \(stage) needs at least \(min) file(s) (has \(has))" }, { "离开 \(stage) 至少需要 \(min) 个文件（当前 \(has) 个）" })
        case .requiredToLeave(let stage): return ({ "is required to leave \(stage)" }, { "离开 \(stage) 前必须填写" })
        case .leavingNeeds(let stage, let condition): return ({ "leaving \(stage) needs \(condition)" }, { "离开 \(stage) 需要满足 \(condition)" })
        case .stageUncheckable(let why):
            return ({ "the exit condition could not be checked: \(why.text(.en))" }, { "无法检查离开条件：\(why.text(.zhCN))" })
        case .ruleUncheckable(let rule, let why):
            return ({ "rule \(rule) could not be checked: \(why.text(.en))" }, { "无法检查规则 \(rule)：\(why.text(.zhCN))" })
        case .mustSatisfy(let e, let rule): return ({ "must satisfy \(e) (rule \(rule))" }, { "须满足 \(e)（规则 \(rule)）" })
        case .requiredHere(let field, let rule):
            let en = field.map { "\($0) is required here" } ?? "is required here", zh = field.map { "此处 \($0) 为必填项" } ?? "此处为必填项"
            return ({ "\(en) (rule \(rule))" }, { "\(zh)（规则 \(rule)）" })
        case .ruleMinFiles(let n, let rule): return ({ "needs at least \(n) file(s) (rule \(rule))" }, { "至少需要 \(n) 个文件（规则 \(rule)）" })
        case .ruleMaxSelections(let n, let rule): return ({ "at most \(n) may be selected (rule \(rule))" }, { "最多可选 \(n) 项（规则 \(rule)）" })
        case .ruleForm(let rule): return ({ "does not have the required form (rule \(rule))" }, { "格式不符合要求（规则 \(rule)）" })
        case .ruleDuplicate(let entity, let rule):
            return ({ "a matching \(entity) already exists (rule \(rule))" }, { "已存在相同的 \(entity)（规则 \(rule)）" })
        case .ruleConflict(let entity, let rule): return ({ "conflicts with another \(entity) (rule \(rule))" }, { "与另一条 \(entity) 冲突（规则 \(rule)）" })
        case .verbatim(let text): return ({ text }, { text })
        case .actionForbidden(let action, let entity):
            return ({ "Your roles do not allow you to \(action) \(entity) records." }, { "你的角色不允许对 \(entity) 记录执行 \(action)。" })
        case .bulkNeedsImport:
            return (
                { "Creating records in bulk (an array) needs the 'import' permission; send one record per request." },
                { "批量创建记录（数组）需要 'import' 权限；请每次请求只发送一条记录。" }
            )
        case .exportNeedsPermission: return ({ "Exporting records needs the 'export' permission." }, { "导出记录需要 'export' 权限。" })
        case .fieldsReadOnly(let fields, let entity):
            return ({ "Your roles do not allow you to change \(list(fields)) on \(entity)." }, { "你的角色不允许修改 \(entity) 的 \(list(fields))。" })
        case .fieldReadOnly: return ({ "is read-only for you" }, { "对你只读" })
        case .fieldsKeptByProcess(let fields, let entity):
            return (
                { "\(list(fields)) on \(entity) are kept by approvals and automations; nobody changes them by hand." },
                { "\(entity) 的 \(list(fields)) 由审批和自动化维护，任何人都不能手动修改。" }
            )
        case .fieldKeptByProcess: return ({ "is kept by approvals and automations" }, { "由审批和自动化维护" })
        case .ownerOutOfScope(let action, let entity, let owner):
            return (
                { "Your roles do not allow you to \(action) \(entity) records owned by \(owner)." },
                { "你的角色不允许对 \(owner) 负责的 \(entity) 记录执行 \(action)。" }
            )
        case .ownerScope(let action): return ({ "owner_id is outside your \(action) scope" }, { "owner_id 超出了你的 \(action) 范围" })
        case .readButNot(let action, let entity, let id):
            return ({ "Your roles let you read this \(entity) (\(id)) but not \(action) it." }, { "你的角色可以查看此 \(entity)（\(id)），但不能执行 \(action)。" })
        case .emptyArray: return ({ "The array holds no records." }, { "数组中没有记录。" })
        case .bulkLimit(let max, let got): return ({ "At most \(max) records per request (got \(got))." }, { "每次请求最多 \(max) 条记录（当前 \(got) 条）。" })
        case .exportLimit(let total, let max):
            return (
                { "\(total) records match; an export takes at most \(max). Narrow the filters." }, { "有 \(total) 条记录符合条件；一次最多导出 \(max) 条，请缩小筛选范围。" }
            )
        case .noEntity(let name): return ({ "No entity '\(name)'." }, { "没有实体 '\(name)'。" })
        case .noRecord(let entity, let id): return ({ "No \(entity) with id '\(id)'." }, { "没有 id 为 '\(id)' 的 \(entity)。" })
        case .noRecordInBin(let entity, let id):
            return ({ "No \(entity) with id '\(id)' in the recycle bin." }, { "回收站中没有 id 为 '\(id)' 的 \(entity)。" })
        case .inRecycleBin(let entity, let id): return ({ "The \(entity) \(id) is in the recycle bin." }, { "\(entity) \(id) 在回收站中。" })
        case .versionConflict(let entity, let sent, let current):
            return (
                { "The \(entity) was changed by someone else: you sent version \(sent), the current version is \(current). Reload and retry." },
                { "此 \(entity) 已被他人修改：你发送的版本是 \(sent)，当前版本是 \(current)。请刷新后重试。" }
            )
        case .currentVersion(let v): return ({ "current version is \(v)" }, { "当前版本是 \(v)" })
        case .locked(let entity, let id, let holder, let until):
            return (
                { "The \(entity) \(id) is locked\(holder.isEmpty ? "" : " for \(holder)") until \(until); others may read it but not change it." },
                { "\(entity) \(id) 已\(holder.isEmpty ? "" : "为 \(holder) ")锁定至 \(until)；其他人可以查看，但不能修改。" }
            )
        case .lockedUntil(let until): return ({ "locked until \(until)" }, { "锁定至 \(until)" })
        case .lockedBySomeone(let entity, let id, let until):
            return ({ "The \(entity) \(id) is locked by someone else until \(until)." }, { "\(entity) \(id) 已被他人锁定至 \(until)。" })
        case .unlockRefused(let entity, let id, let until):
            return (
                { "The \(entity) \(id) is locked by someone else until \(until); only they or an admin can unlock it." },
                { "\(entity) \(id) 已被他人锁定至 \(until)；只有锁定人或管理员可以解锁。" }
            )
        case .lockDuration:
            return ({ "the body is {\"duration\": \"2h\"}, a duration from 1m to 30d" }, { "请求体应为 {\"duration\": \"2h\"}，时长在 1m 到 30d 之间" })
        case .duplicateValue(let field): return ({ "Another record already has this \(field)." }, { "已有其他记录使用了此 \(field)。" })
        case .mustBeUnique: return ({ "must be unique" }, { "不能重复" })
        case .duplicateRecord(let why): return ({ "The change would create a duplicate: \(why)" }, { "此修改会产生重复：\(why)" })
        case .referenceMissing(let field): return ({ "\(field) points to a record that does not exist" }, { "\(field) 指向的记录不存在" })
        case .valueNotStored(let why): return ({ "A value could not be stored: \(why)" }, { "有一个值无法保存：\(why)" })
        case .expressionFailed(let why): return ({ "The expression could not be evaluated: \(why)" }, { "表达式无法计算：\(why)" })
        case .metadataChanged: return ({ "The entity's definition changed while the request ran; retry it." }, { "请求执行期间实体定义发生了变化，请重试。" })
        case .busy: return ({ "The record is busy with a concurrent change; retry." }, { "记录正被并发修改，请重试。" })
        case .queryTimeout: return ({ "The query took too long and was cancelled." }, { "查询耗时过长，已被取消。" })
        case .tooComplex: return ({ "The request is too complex for the database." }, { "请求过于复杂，数据库无法处理。" })
        case .limitRange(let max): return ({ "limit must be a whole number from 1 to \(max)" }, { "limit 必须是 1 到 \(max) 之间的整数" })
        case .selectNotAField(let name, let entity):
            return ({ "select: '\(name)' is not a field of \(entity)" }, { "select：'\(name)' 不是 \(entity) 的字段" })
        case .countExact: return ({ "count takes only the value 'exact'" }, { "count 只能取值 'exact'" })
        case .orderNotAField(let name, let entity):
            return ({ "order: '\(name)' is not a field of \(entity)" }, { "order：'\(name)' 不是 \(entity) 的字段" })
        case .orderType(let type, let field):
            return ({ "order: \(type) field '\(field)' cannot be sorted" }, { "order：\(type) 类型的字段 '\(field)' 不能排序" })
        case .orderModifier(let m):
            return ({ "order: '\(m)' is not asc, desc, nullsfirst or nullslast" }, { "order：'\(m)' 不是 asc、desc、nullsfirst 或 nullslast" })
        case .queryProblems(let n): return ({ "The query string has \(n) problems." }, { "查询字符串有 \(n) 个问题。" })
        case .isTakes:
            return ({ "is. takes null, not_null, or true/false for boolean fields" }, { "is. 只接受 null、not_null，布尔字段还可用 true/false" })
        case .useContains(let type): return ({ "use cs.{…} or ov.{…} for \(type) fields" }, { "\(type) 字段请用 cs.{…} 或 ov.{…}" })
        case .inLimit: return ({ "in.(…) takes at most 1000 values" }, { "in.(…) 最多 1000 个值" })
        case .containsOnArrays:
            return ({ "cs. and ov. apply to multi_select and attachment fields" }, { "cs. 和 ov. 只适用于 multi_select 和 attachment 字段" })
        case .filterNotOption(let item): return ({ "'\(item)' is not an option" }, { "'\(item)' 不是可选项" })
        case .likeOnText: return ({ "like/ilike apply to text fields" }, { "like/ilike 只适用于文本字段" })
        case .operatorOnArray(let op, let type):
            return ({ "\(op) does not apply to \(type) fields; use cs. or ov." }, { "\(op) 不适用于 \(type) 字段；请用 cs. 或 ov." })
        case .notWhole(let t): return ({ "'\(t)' is not a whole number" }, { "'\(t)' 不是整数" })
        case .notNumber(let t): return ({ "'\(t)' is not a number" }, { "'\(t)' 不是数字" })
        case .expectedTrueFalse: return ({ "expected true or false" }, { "应为 true 或 false" })
        case .notDate(let t): return ({ "'\(t)' is not a date like 2026-11-23" }, { "'\(t)' 不是日期，如 2026-11-23" })
        case .notDateTime(let t): return ({ "'\(t)' is not an RFC 3339 date-time" }, { "'\(t)' 不是 RFC 3339 日期时间" })
        case .notID(let t): return ({ "'\(t)' is not an id (UUID)" }, { "'\(t)' 不是 ID（UUID）" })
        case .expectedList(let open, let close): return ({ "expected a list like \(open)a,b\(close)" }, { "应为列表，如 \(open)a,b\(close)" })
        case .expectedOperator(let field, let operators):
            let all = operators.joined(separator: " ")
            return (
                { "expected operator.value, e.g. \(field)=eq.something (operators: \(all))" }, { "应为 运算符.值，如 \(field)=eq.something（运算符：\(all)）" }
            )
        case .unterminatedQuote: return ({ "unterminated quote in list" }, { "列表中的引号没有闭合" })
        case .problems(let count, let items):
            return ({ "\(count) problems: \(items.joined(separator: "; "))" }, { "\(count) 个问题：\(items.joined(separator: "；"))" })
        case .definitionProblems(let count, let items):
            return (
                { "\(count) problems in the definition: \(items.joined(separator: "; "))" }, { "定义中有 \(count) 个问题：\(items.joined(separator: "；"))" }
            )
        }
    }
}
