/// The catalogue of the server's built-in messages about metadata definitions (entities, fields,
/// rules, stages, roles, automations, assignment rules, channels, expressions): each case is one
/// message, worded in every `MessageLocale`. Paths such as `fields[2].options[0].key` and names,
/// keys, types and examples stay as written in every language.
public indirect enum DefinitionMessage: CatalogueMessage, Equatable {
    /// A problem under a path: `fields[2].target: …`.
    case about(String, DefinitionMessage)
    /// A problem at a place in an expression's text.
    case at(line: Int, column: Int, DefinitionMessage)
    /// A problem another catalogue already worded (a default value checked as a record's would be).
    case detail(TesseraError.Detail)

    // The shape of JSON (ObjectReader, shared by every decoder).
    case notAnObject(String)
    case notAString(String)
    case notABool(String)
    case notAWholeNumber(String)
    case notANumber(String)
    case notAStringArray(String)
    case notAnArray(String)
    case atLeast(String, Int)
    case range(String, Int, Int)
    case lengthRange(String, Int, Int)
    case notALabel(String)
    case notALanguageTag(String)
    case badTranslation(String)
    case unknownProperty(String)
    case required(String)
    case requiredOneOf(String, [String])
    case labelRequired(String)
    case mustBeOneOf(String, String)
    case notOneOf(String, [String])
    case mustBeName(String)
    case nameMustMatch
    case noEntity(String)

    // The designer API's refusals.
    case alreadyExists(Definition, String)
    case alreadyExistAll(Definition, [String])
    case extensionClashes([String])
    case packExtendsMissing(String, entity: String)
    case noSuch(Definition, String)
    case nameImmutable(Definition)
    case entityHasField(String, String)
    case entityHasNoField(String, String)
    case entityHasRule(String, String)
    case entityHasNoRule(String, String)
    case entityInUse(String, referrers: [String])
    case fieldNameImmutable
    case entityNameImmutable
    case ruleImmutable(String)
    case fieldsViaRoutes
    case rulesViaRoutes
    case typeChange(from: String, to: String)
    case targetImmutable
    case adminImmutable
    case ruleInUse(String, automations: [String])

    // Entities and fields.
    case badEntityName(String)
    case badFieldName(String)
    case badOptionKey(String)
    case badRuleName(String)
    case reservedFieldName(String)
    case unknownFieldType(String, known: [String])
    case propertyForOtherTypes(String, owners: [String], type: String)
    case resultType(String, allowed: [String])
    case optionsShape(String)
    case minAboveMax(Double, Double)
    case minCountAboveMaxCount(Int, Int)
    case needsOption(String)
    case optionKeyTwice(String)
    case optionColor(String, color: String)
    case maxSelectionsAboveOptions(Int, options: Int)
    case relationNeedsTarget
    case autoNumberNeedsPattern
    case patternLength
    case patternUnclosed
    case patternToken(String)
    case patternCharacter(String)
    case patternCounter
    case formulaNeedsExpression
    case formulaNeedsResult([String])
    case formulaCannotBe(String)
    case notMimePattern(String)
    case maxLengthLimit
    case cannotBeUnique(String)
    case locationNotIndexed
    case noDefault(String)
    case fieldTwice(String)
    case ruleTwice(String)
    case unknownTarget(relation: String, target: String)
    case titleFieldUnknown(String, entity: String)
    case oneStage([String])
    case tooManyFields

    // Rules.
    case unknownRuleKind(String, known: [String])
    case propertyForOtherKinds(String, owners: [String], kind: String)
    case ruleAction
    case setShape
    case ruleNeeds(kind: String, key: String, example: String)
    case withinDuration(String)
    case notAField(String, entity: String)
    case computedNotRequired(String)
    case readOnlyRequired(String)
    case countsListFields(kind: String, type: String)
    case patternOnText(String)
    case cannotMatch(type: String, field: String)
    case linkFieldType(String, entity: String)
    case computedNotCopied(String)
    case setCopyNeedFlagOrLink

    // Stages.
    case transitionsShape(String)
    case stageKeys(String)
    case exitShape(String)
    case nonNegativeCount(String)
    case countsShape(String)
    case notAnOptionOf(String, field: String)
    case minAttachmentsType(type: String, field: String)

    // Roles.
    case adminReserved
    case permissionsShape
    case assignedNotCreate
    case entityLacksField(String, String)
    case fieldAccessNeedsEntity
    case fieldAccessShape(String)

    // Automations.
    case conditionForBecomesTrue
    case actionsShape(String, max: Int)
    case slaHasSteps
    case stepAfter(String)
    case stepsShape(max: Int)
    case stepsOnlySLA
    case triggerRequired
    case noField(String, field: String)
    case noDateFieldForStart(String, field: String)
    case noStopField(String, field: String)
    case noStageField(String)
    case notAStageOf(String, stage: String)
    case noDateField(String, field: String)
    case triggerDuration(String, signed: Bool)
    case triggerOn
    case notifyChannel(String)
    case channelHasNoTo
    case noRelationField(String, field: String)
    case noAssignmentRule(String)
    case ruleAssignsOther(String, assigns: String, entity: String)
    case lockDuration(String)
    case noStageToMoveBack(String)
    case unknownRole(String)
    case levelsOrRole
    case noUserField(String, field: String)
    case actionType(String)
    case recipient(String, allowed: [String])
    case valuesShape(String)
    case noWritableField(String, field: String)

    // Assignment rules.
    case routesShape(max: Int)
    case poolRequired
    case figureName
    case figuresShape(max: Int)
    case weightOnlyWeighted
    case strategy
    case poolShape(String)
    case poolExactlyOne(String)
    case usersEmails(String)
    case usersCount(String)

    // Channels, mail, webhooks, schedules.
    case channelsShape
    case channelName
    case channelType(String)
    case secretDingTalkOnly(String)
    case smtpHost
    case smtpFrom
    case urlTooLong
    case urlWhitespace(String)
    case notHTTPURL(String)
    case urlNoHost
    case urlCredentials
    case cronFields
    case cronField(CronPart, String, low: Int, high: Int)

    // Rows that stop a schema change.
    case entityNotEmpty(String, count: Int)
    case recordCount(Int)
    case duplicateValues(Int, field: String)
    case recordsDuplicate(Int)
    case optionsInUse(Int, keys: [String], field: String)
    case recordsUseOptions(Int, [String])
    case unconvertible(Int, field: String, type: String)
    case recordsUnconvertible(Int)
    case outsideLimits(Int, field: String)
    case recordsOutsideLimits(Int)

    // Expressions: checking.
    case formulaIncomplete(String)
    case formulaGives(String, result: String, expected: String)
    case scopeNotValue(String, example: String)
    case unknownName(String, scopes: String)
    case negateType(String)
    case branchTypes(String, String)
    case listMixed(String, String)
    case listAllNull
    case listOfLists
    case operandType(String, type: String, got: String)
    case conditionType(type: String, got: String)
    case noUserAttribute(String, known: [String])
    case scopeUnavailable(String, use: String)
    case formulaCycle(String, chain: [String])
    case formulaNesting(Int)
    case inFormula(String, DefinitionMessage)
    case unknownRelationTarget(String)
    case relatedFormula(String)
    case oneHop(String)
    case cannotCompare(String, String, op: String)
    case cannotOrder(String, String, op: String)
    case inNeedsList(String)
    case inTypes(String, list: String)
    case operatorTypes(String, String, String)
    case divisionByZero
    case hasArity
    case hasField
    case arity(String, Int, usage: String)
    case constantString(String, usage: String)
    case argumentTypes(String, [String], usage: String)
    case notADuration(String)
    case workingDaysUse(String, String, String)
    case notATimestamp(String)
    case notADate(String)
    case notWholeText(String)
    case notNumberText(String)
    case unknownFunction(String)
    case alwaysFails(DefinitionMessage)
    case mustGive(String, got: String)

    // Expressions: text and limits.
    case unexpectedCharacter(String)
    case numberRunsIntoName(String)
    case numberRange(String)
    case integerRange(String)
    case unclosedString(String)
    case nulInString
    case unicodeEscapeDigits
    case unicodeEscapeInvalid(String)
    case unknownEscape(String)
    case expressionTooLong(Int, max: Int)
    case expressionEmpty
    case expected(Expectation, found: Found)
    case tooManyParts(Int)
    case nestsTooDeep(Int)
    case noIndexing

    // Expressions: evaluation.
    case outOfRange(RangeKind)
    case underflow
    case textTooLong(Int)
    case operatorValues(String)

    // Regular expressions.
    case regexTooLong(Int)
    case regexTooLarge
    /// A problem at a (1-based) character of a regular expression.
    case regexAt(Int, DefinitionMessage)
    case regexUnmatchedParen
    case regexUnexpected(String)
    case regexNothingToRepeat
    case regexRepeatRepeat
    case regexNumberAfterBrace
    case regexUnclosedRepeat
    case regexRepeatOrder(min: Int, max: Int)
    case regexRepeatLimit(Int)
    case regexNesting
    case regexGroupKind
    case regexMissingParen
    case regexNothingBefore(String)
    case regexTrailingBackslash
    case regexClassInClass(String)
    case regexEscape(String)
    case regexMissingBracket
    case regexBracketInClass
    case regexRangeEndsInClass
    case regexRangeOrder

    /// A kind of named definition the designer API keeps.
    public enum Definition: Sendable, Equatable, CaseIterable {
        case entity, role, automation, assignmentRule, view, form, approval, dashboard

        var noun: String {
            switch self {
            case .entity: "entity"
            case .role: "role"
            case .automation: "automation"
            case .assignmentRule: "assignment rule"
            case .view: "view"
            case .form: "form"
            case .approval: "approval process"
            case .dashboard: "dashboard"
            }
        }

        var plural: String { self == .entity ? "entities" : noun + "s" }

        var withArticle: String { (noun.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + noun }

        var zh: String {
            switch self {
            case .entity: "实体"
            case .role: "角色"
            case .automation: "自动化"
            case .assignmentRule: "分配规则"
            case .view: "视图"
            case .form: "表单"
            case .approval: "审批流程"
            case .dashboard: "看板"
            }
        }
    }

    /// What overflowed while evaluating.
    public enum RangeKind: String, Sendable, Equatable, CaseIterable {
        case integer, number, duration, timestamp, date, distance

        var zh: String {
            switch self {
            case .integer: "整数"
            case .number: "数字"
            case .duration: "时长"
            case .timestamp: "时间戳"
            case .date: "日期"
            case .distance: "距离"
            }
        }
    }

    /// A field of a cron schedule.
    public enum CronPart: String, Sendable, Equatable, CaseIterable {
        case minute, hour
        case dayOfMonth = "day of month"
        case month
        case dayOfWeek = "day of week"

        var zh: String {
            switch self {
            case .minute: "分钟"
            case .hour: "小时"
            case .dayOfMonth: "日"
            case .month: "月"
            case .dayOfWeek: "星期"
            }
        }
    }

    /// What the expression parser expected to read next.
    public enum Expectation: Sendable, Equatable {
        case operatorOrEnd, nameAfterDot, conditionalColon, operand, value
        case symbol(String)
        case commaOr(String)

        var en: String {
            switch self {
            case .operatorOrEnd: "an operator or the end of the expression"
            case .nameAfterDot: "a field or function name after '.'"
            case .conditionalColon: "':' of the conditional (a ? b : c)"
            case .operand: "a value, a name or '('"
            case .value: "a value"
            case .symbol(let s): "'\(s)'"
            case .commaOr(let closing): "',' or '\(closing)'"
            }
        }

        /// Latin text starts with a space, to sit after Chinese.
        var zh: String {
            switch self {
            case .operatorOrEnd: "运算符或表达式结尾"
            case .nameAfterDot: " '.' 后的字段名或函数名"
            case .conditionalColon: "条件表达式（a ? b : c）中的 ':'"
            case .operand: "值、名称或 '('"
            case .value: "值"
            case .symbol(let s): " '\(s)'"
            case .commaOr(let closing): " ',' 或 '\(closing)'"
            }
        }
    }

    /// What the expression parser found instead.
    public enum Found: Sendable, Equatable {
        case end
        /// A number or a quoted name or symbol, as written.
        case token(String)
        /// A string literal (already shortened).
        case string(String)

        var en: String {
            switch self {
            case .end: "the end of the expression"
            case .token(let t): t
            case .string(let s): "a string \"\(s)\""
            }
        }

        var zh: String {
            switch self {
            case .end: "表达式结尾"
            case .token(let t): " \(t)"
            case .string(let s): "字符串 \"\(s)\""
            }
        }
    }

    public var wording: Wording {
        switch self {
        case .about(let path, let inner): return ({ "\(path): \(inner.text(.en))" }, { "\(path)：\(inner.text(.zhCN))" })
        case .at(let line, let column, let inner):
            return ({ "line \(line), column \(column): \(inner.text(.en))" }, { "第 \(line) 行第 \(column) 列：\(inner.text(.zhCN))" })
        case .detail(let detail): return ({ detail.message }, { detail.text(.zhCN) })

        case .notAnObject(let path):
            return ({ "\(path.isEmpty ? "the body" : path) must be a JSON object" }, { "\(path.isEmpty ? "请求体" : path) 必须是 JSON 对象" })
        case .notAString(let path): return ({ "\(path) must be a string" }, { "\(path) 必须是字符串" })
        case .notABool(let path): return ({ "\(path) must be true or false" }, { "\(path) 必须是 true 或 false" })
        case .notAWholeNumber(let path): return ({ "\(path) must be a whole number" }, { "\(path) 必须是整数" })
        case .notANumber(let path): return ({ "\(path) must be a number" }, { "\(path) 必须是数字" })
        case .notAStringArray(let path): return ({ "\(path) must be an array of strings" }, { "\(path) 必须是字符串数组" })
        case .notAnArray(let path): return ({ "\(path) must be an array" }, { "\(path) 必须是数组" })
        case .atLeast(let path, let n): return ({ "\(path) must be at least \(n)" }, { "\(path) 不能小于 \(n)" })
        case .range(let path, let low, let high): return ({ "\(path) must be \(low) to \(high)" }, { "\(path) 必须在 \(low) 到 \(high) 之间" })
        case .lengthRange(let path, let low, let high):
            return ({ "\(path) must have \(low) to \(high) characters" }, { "\(path) 须为 \(low) 到 \(high) 个字符" })
        case .notALabel(let path):
            return (
                { "\(path) must be an object of translations like {\"zh-CN\":\"…\",\"en\":\"…\"}" },
                { "\(path) 必须是各语言译文组成的对象，如 {\"zh-CN\":\"…\",\"en\":\"…\"}" }
            )
        case .notALanguageTag(let tag):
            return ({ "'\(tag)' is not a language tag like zh-CN or en" }, { "'\(tag)' 不是语言标签（如 zh-CN 或 en）" })
        case .badTranslation(let path):
            return ({ "\(path) must be a non-empty string of at most 2000 characters" }, { "\(path) 必须是非空字符串，最多 2000 个字符" })
        case .unknownProperty(let path): return ({ "\(path) is not a known property" }, { "\(path) 不是已知的属性" })
        case .required(let path): return ({ "\(path) is required" }, { "\(path) 为必填项" })
        case .requiredOneOf(let path, let choices):
            return ({ "\(path) is required: one of \(list(choices))" }, { "\(path) 为必填项，可选：\(list(choices))" })
        case .labelRequired(let path):
            return ({ "\(path) is required: {\"zh-CN\":\"…\",\"en\":\"…\"}" }, { "\(path) 为必填项：{\"zh-CN\":\"…\",\"en\":\"…\"}" })
        case .mustBeOneOf(let path, let choices): return ({ "\(path) must be one of \(choices)" }, { "\(path) 必须是 \(choices) 之一" })
        case .notOneOf(let value, let choices):
            return ({ "'\(value)' is not one of \(list(choices))" }, { "'\(value)' 不是以下之一：\(list(choices))" })
        case .mustBeName(let path): return ({ "\(path) must be a name" }, { "\(path) 必须是名称" })
        case .nameMustMatch: return ({ "name must match ^[a-z][a-z0-9_]{0,47}$" }, { "name 必须匹配 ^[a-z][a-z0-9_]{0,47}$" })
        case .noEntity(let name): return ({ "the tenant has no entity '\(name)'" }, { "租户中没有实体 '\(name)'" })

        case .alreadyExists(let kind, let name):
            return ({ "\(kind.withArticle.capitalizedFirst) named '\(name)' already exists." }, { "已存在名为 '\(name)' 的\(kind.zh)。" })
        case .extensionClashes(let names):
            return (
                { "The entity already has \(list(names)): a pack's extension only adds what is new." },
                { "实体中已有 \(list(names))：模板包的扩展只能新增。" }
            )
        case .packExtendsMissing(let pack, let entity):
            return (
                { "Pack '\(pack)' adds to entity '\(entity)', which this tenant does not have: install the pack that brings it first." },
                { "模板包 '\(pack)' 扩展实体 '\(entity)'，但本租户没有该实体：请先安装提供它的模板包。" }
            )
        case .alreadyExistAll(let kind, let names):
            return ({ "The tenant already has \(kind.plural) named \(list(names))." }, { "租户中已有名为 \(list(names)) 的\(kind.zh)。" })
        case .noSuch(let kind, let name): return ({ "No \(kind.noun) '\(name)'." }, { "没有\(kind.zh) '\(name)'。" })
        case .nameImmutable(let kind):
            return ({ "\(kind.withArticle)'s name cannot change (others refer to it)" }, { "\(kind.zh)的名称不能修改（有其他定义引用它）" })
        case .entityHasField(let entity, let field):
            return ({ "Entity '\(entity)' already has a field '\(field)'." }, { "实体 '\(entity)' 已有字段 '\(field)'。" })
        case .entityHasNoField(let entity, let field):
            return ({ "Entity '\(entity)' has no field '\(field)'." }, { "实体 '\(entity)' 没有字段 '\(field)'。" })
        case .entityHasRule(let entity, let rule):
            return ({ "Entity '\(entity)' already has a rule '\(rule)'." }, { "实体 '\(entity)' 已有规则 '\(rule)'。" })
        case .entityHasNoRule(let entity, let rule):
            return ({ "Entity '\(entity)' has no rule '\(rule)'." }, { "实体 '\(entity)' 没有规则 '\(rule)'。" })
        case .entityInUse(let entity, let referrers):
            return (
                { "Entity '\(entity)' is the target of \(list(referrers)); remove those relation fields first." },
                { "实体 '\(entity)' 是 \(list(referrers)) 的关联目标；请先删除这些 relation 字段。" }
            )
        case .fieldNameImmutable: return ({ "A field's name cannot change; add a new field instead." }, { "字段名不能修改；请新增一个字段。" })
        case .entityNameImmutable: return ({ "An entity's name cannot change." }, { "实体名不能修改。" })
        case .ruleImmutable(let key): return ({ "A rule's \(key) cannot change; add a new rule instead." }, { "规则的 \(key) 不能修改；请新增一条规则。" })
        case .fieldsViaRoutes: return ({ "fields are changed through /fields routes, one at a time" }, { "字段需通过 /fields 接口逐个修改" })
        case .rulesViaRoutes: return ({ "rules are changed through /rules routes, one at a time" }, { "规则需通过 /rules 接口逐条修改" })
        case .typeChange(let from, let to):
            return (
                { "A \(from) field cannot become \(to); add a new field and copy the data instead." },
                { "\(from) 字段不能改为 \(to)；请新增一个字段并复制数据。" }
            )
        case .targetImmutable:
            return ({ "A relation's target cannot change; add a new relation field instead." }, { "relation 字段的目标不能修改；请新增一个 relation 字段。" })
        case .adminImmutable: return ({ "The built-in 'admin' role cannot be changed or deleted." }, { "内置的 'admin' 角色不能修改或删除。" })
        case .ruleInUse(let name, let automations):
            return (
                { "Assignment rule '\(name)' is used by automation \(list(automations)); change those first." },
                { "分配规则 '\(name)' 正被自动化 \(list(automations)) 使用；请先修改这些自动化。" }
            )

        case .badEntityName(let name): return ({ "entity name '\(name)' \(APIName.describeRule())" }, { "实体名 '\(name)' \(Self.nameRuleZH)" })
        case .badFieldName(let name): return ({ "field name '\(name)' \(APIName.describeRule())" }, { "字段名 '\(name)' \(Self.nameRuleZH)" })
        case .badOptionKey(let key): return ({ "option key '\(key)' \(APIName.describeRule())" }, { "选项键 '\(key)' \(Self.nameRuleZH)" })
        case .badRuleName(let name): return ({ "rule name '\(name)' \(APIName.describeRule())" }, { "规则名 '\(name)' \(Self.nameRuleZH)" })
        case .reservedFieldName(let name):
            return (
                { "'\(name)' is reserved (system column or query word); choose another field name" },
                { "'\(name)' 是保留名（系统列或查询关键字），请换一个字段名" }
            )
        case .unknownFieldType(let name, let known):
            return ({ "'\(name)' is not a field type; use one of: \(list(known))" }, { "'\(name)' 不是字段类型；可选：\(list(known))" })
        case .propertyForOtherTypes(let path, let owners, let type):
            let owners = owners.joined(separator: "/")
            return ({ "\(path) applies only to \(owners) fields, not \(type)" }, { "\(path) 只适用于 \(owners) 字段，不适用于 \(type)" })
        case .resultType(let name, let allowed):
            return ({ "result '\(name)' must be one of: \(list(allowed))" }, { "result '\(name)' 必须是以下之一：\(list(allowed))" })
        case .optionsShape(let path): return ({ "\(path) must be an array of {key,label,color}" }, { "\(path) 必须是 {key,label,color} 组成的数组" })
        case .minAboveMax(let min, let max): return ({ "min (\(min)) is greater than max (\(max))" }, { "min（\(min)）大于 max（\(max)）" })
        case .minCountAboveMaxCount(let min, let max):
            return ({ "min_count (\(min)) is greater than max_count (\(max))" }, { "min_count（\(min)）大于 max_count（\(max)）" })
        case .needsOption(let type): return ({ "a \(type) field needs at least one option" }, { "\(type) 字段至少需要一个选项" })
        case .optionKeyTwice(let key): return ({ "option key '\(key)' appears twice" }, { "选项键 '\(key)' 重复出现" })
        case .optionColor(let key, let color):
            return ({ "option '\(key)': color '\(color)' must look like #3b82f6" }, { "选项 '\(key)'：颜色 '\(color)' 应形如 #3b82f6" })
        case .maxSelectionsAboveOptions(let max, let options):
            return (
                { "max_selections (\(max)) is larger than the number of options (\(options))" }, { "max_selections（\(max)）大于选项个数（\(options)）" }
            )
        case .relationNeedsTarget: return ({ "a relation field needs a target entity" }, { "relation 字段需要指定目标实体（target）" })
        case .autoNumberNeedsPattern:
            return ({ "an auto_number field needs a pattern like CT-{YYYY}-{0000}" }, { "auto_number 字段需要编号规则（pattern），如 CT-{YYYY}-{0000}" })
        case .patternLength: return ({ "pattern must have 1 to 40 characters" }, { "pattern 须为 1 到 40 个字符" })
        case .patternUnclosed: return ({ "'{' without a matching '}' in pattern" }, { "pattern 中的 '{' 没有对应的 '}'" })
        case .patternToken(let token):
            return (
                { "unknown token {\(token)}; use {YYYY} {YY} {MM} {DD} or a counter like {0000}" },
                { "未知的占位符 {\(token)}；请用 {YYYY} {YY} {MM} {DD} 或计数器（如 {0000}）" }
            )
        case .patternCharacter(let c):
            return (
                { "character '\(c)' is not allowed in a pattern (letters, digits, - _ / . only)" },
                { "pattern 中不能使用字符 '\(c)'（只能用字母、数字和 - _ / .）" }
            )
        case .patternCounter:
            return ({ "a pattern needs exactly one counter token like {0000}" }, { "pattern 必须恰好包含一个计数器占位符，如 {0000}" })
        case .formulaNeedsExpression:
            return ({ "a formula field needs an expression, like record.amount * 0.1" }, { "formula 字段需要表达式（expression），如 record.amount * 0.1" })
        case .formulaNeedsResult(let results):
            return ({ "a formula field needs a result type: \(list(results))" }, { "formula 字段需要结果类型（result）：\(list(results))" })
        case .formulaCannotBe(let property):
            return ({ "a formula is computed on read; it cannot be \(property)" }, { "formula 字段在读取时计算，不能设为 \(property)" })
        case .notMimePattern(let mime):
            return (
                { "'\(mime)' is not a MIME type pattern like image/* or application/pdf" }, { "'\(mime)' 不是 MIME 类型模式（如 image/* 或 application/pdf）" }
            )
        case .maxLengthLimit: return ({ "max_length may be at most 100000" }, { "max_length 最大为 100000" })
        case .cannotBeUnique(let type): return ({ "\(type) fields cannot be unique" }, { "\(type) 字段不能设为唯一" })
        case .locationNotIndexed: return ({ "location fields cannot be indexed yet" }, { "location 字段暂不支持索引" })
        case .noDefault(let type): return ({ "\(type) fields cannot have a default" }, { "\(type) 字段不能设置默认值" })
        case .fieldTwice(let name): return ({ "field '\(name)' appears twice" }, { "字段 '\(name)' 重复出现" })
        case .ruleTwice(let name): return ({ "rule '\(name)' appears twice" }, { "规则 '\(name)' 重复出现" })
        case .unknownTarget(let relation, let target):
            return (
                { "relation '\(relation)' targets '\(target)', which is not an entity of this tenant" },
                { "relation 字段 '\(relation)' 的目标 '\(target)' 不是本租户的实体" }
            )
        case .titleFieldUnknown(let title, let entity):
            return ({ "title_field '\(title)' is not a field of '\(entity)'" }, { "title_field '\(title)' 不是 '\(entity)' 的字段" })
        case .oneStage(let names):
            return ({ "only one field can be the stage (found \(list(names)))" }, { "只能有一个字段作为阶段（当前有 \(list(names))）" })
        case .tooManyFields: return ({ "an entity may have at most 500 fields" }, { "一个实体最多 500 个字段" })

        case .unknownRuleKind(let name, let known):
            return ({ "'\(name)' is not a rule kind; use one of: \(list(known))" }, { "'\(name)' 不是规则类型；可选：\(list(known))" })
        case .propertyForOtherKinds(let path, let owners, let kind):
            let owners = owners.joined(separator: "/")
            return ({ "\(path) applies only to \(owners) rules, not \(kind)" }, { "\(path) 只适用于 \(owners) 规则，不适用于 \(kind)" })
        case .ruleAction: return ({ "action must be one of: block, flag, link" }, { "action 必须是以下之一：block, flag, link" })
        case .setShape: return ({ "set must be an object of field values" }, { "set 必须是由字段值组成的对象" })
        case .ruleNeeds(let kind, let key, let example):
            return ({ "a \(kind) rule needs \(key), like \(example)" }, { "\(kind) 规则需要 \(key)，如 \(example)" })
        case .withinDuration(let within):
            return ({ "within '\(within)' is not a positive duration like \"30d\"" }, { "within '\(within)' 不是正的时长（如 \"30d\"）" })
        case .notAField(let name, let entity): return ({ "'\(name)' is not a field of \(entity)" }, { "'\(name)' 不是 \(entity) 的字段" })
        case .computedNotRequired(let name): return ({ "'\(name)' is computed and cannot be required" }, { "'\(name)' 是计算字段，不能设为必填" })
        case .readOnlyRequired(let name):
            return (
                { "'\(name)' is read_only and required without a default: nobody could create a record" },
                { "'\(name)' 只读且必填又无默认值：将无法创建记录" }
            )
        case .countsListFields(let kind, let type):
            return (
                { "\(kind) applies to attachment and multi_select fields, not \(type)" }, { "\(kind) 只适用于 attachment 和 multi_select 字段，不适用于 \(type)" }
            )
        case .patternOnText(let type): return ({ "pattern applies to text fields, not \(type)" }, { "pattern 只适用于文本字段，不适用于 \(type)" })
        case .cannotMatch(let type, let field):
            return ({ "\(type) field '\(field)' cannot be matched" }, { "\(type) 字段 '\(field)' 不能用于查重匹配" })
        case .linkFieldType(let link, let entity):
            return ({ "'\(link)' must be a relation to \(entity)" }, { "'\(link)' 必须是指向 \(entity) 的 relation 字段" })
        case .computedNotCopied(let name): return ({ "'\(name)' is computed and cannot be copied" }, { "'\(name)' 是计算字段，不能复制" })
        case .setCopyNeedFlagOrLink:
            return (
                { "set and copy apply to flag and link rules; a block rule writes nothing" }, { "set 和 copy 只适用于 flag 和 link 规则；block 规则不写入任何内容" }
            )

        case .transitionsShape(let path):
            return ({ "\(path) must map each stage to the stages it may move to" }, { "\(path) 必须为每个阶段列出它可以转到的阶段" })
        case .stageKeys(let path): return ({ "\(path) must be an array of stage keys" }, { "\(path) 必须是阶段键的数组" })
        case .exitShape(let path): return ({ "\(path) must map stages to their exit conditions" }, { "\(path) 必须为各阶段给出离开条件" })
        case .nonNegativeCount(let path): return ({ "\(path) must be a whole number ≥ 0" }, { "\(path) 必须是 ≥ 0 的整数" })
        case .countsShape(let path): return ({ "\(path) must map fields to counts" }, { "\(path) 必须为各字段给出数量" })
        case .notAnOptionOf(let key, let field): return ({ "'\(key)' is not an option of \(field)" }, { "'\(key)' 不是 \(field) 的选项" })
        case .minAttachmentsType(let type, let field):
            return (
                { "min_attachments needs an attachment field, not \(type) '\(field)'" },
                { "min_attachments 需要 attachment 字段，而 '\(field)' 是 \(type) 字段" }
            )

        case .adminReserved:
            return ({ "'admin' is the built-in tenant administrator and cannot be redefined" }, { "'admin' 是内置的租户管理员角色，不能重新定义" })
        case .permissionsShape:
            return (
                { "permissions must be an object of entity name → {create, read, update, delete, fields}" },
                { "permissions 必须是以实体名为键、值为 {create, read, update, delete, fields} 的对象" }
            )
        case .assignedNotCreate:
            return ({ "'assigned' applies to existing records, not to create" }, { "'assigned' 只适用于已有记录，不适用于 create" })
        case .entityLacksField(let entity, let field):
            return ({ "the entity '\(entity)' has no field '\(field)'" }, { "实体 '\(entity)' 没有字段 '\(field)'" })
        case .fieldAccessNeedsEntity: return ({ "field access needs a named entity, not '*'" }, { "字段权限需要指定具体实体，不能用 '*'" })
        case .fieldAccessShape(let path):
            return ({ "\(path) must be an object of field name → none|read|edit" }, { "\(path) 必须是以字段名为键、值为 none|read|edit 的对象" })

        case .conditionForBecomesTrue:
            return (
                { "condition is required with trigger.becomes_true: the automation runs when it becomes true" },
                { "使用 trigger.becomes_true 时 condition 为必填项：自动化在条件变为 true 时运行" }
            )
        case .actionsShape(let path, let max):
            return ({ "\(path) must be an array of 1 to \(max) actions" }, { "\(path) 必须是包含 1 到 \(max) 个动作的数组" })
        case .slaHasSteps:
            return ({ "an sla automation has steps, each with its actions, not actions" }, { "sla 自动化使用 steps（每一步有各自的 actions），而不是 actions" })
        case .stepAfter(let path):
            return (
                { "\(path) must be a positive duration like \"4h\" or \"2wd\" (working days), later than the step before and in the same unit kind" },
                { "\(path) 必须是正的时长（如 \"4h\"，或工作日 \"2wd\"），晚于上一步，且与上一步同为固定时长或同为工作日" }
            )
        case .stepsShape(let max):
            return (
                { "steps must be an array of 1 to \(max) {\"after\": \"4h\", \"actions\": […]}" },
                { "steps 必须是包含 1 到 \(max) 个 {\"after\": \"4h\", \"actions\": […]} 的数组" }
            )
        case .stepsOnlySLA: return ({ "steps belong to sla triggers" }, { "steps 只适用于 sla 触发器" })
        case .triggerRequired: return ({ "trigger is required, e.g. {\"on\":\"create\"}" }, { "trigger 为必填项，如 {\"on\":\"create\"}" })
        case .noField(let owner, let field): return ({ "\(owner) has no field '\(field)'" }, { "\(owner) 没有字段 '\(field)'" })
        case .noDateFieldForStart(let entity, let field):
            return (
                { "\(entity) has no date or datetime field '\(field)' (created_at counts)" },
                { "\(entity) 没有 date 或 datetime 字段 '\(field)'（created_at 也可以）" }
            )
        case .noStopField(let entity, let field):
            return ({ "\(entity) has no field '\(field)'; the clock stops when it is set" }, { "\(entity) 没有字段 '\(field)'；计时在该字段有值时停止" })
        case .noStageField(let entity): return ({ "\(entity) has no stage field" }, { "\(entity) 没有阶段字段" })
        case .notAStageOf(let key, let stage): return ({ "'\(key)' is not a stage of \(stage)" }, { "'\(key)' 不是 \(stage) 的阶段" })
        case .noDateField(let entity, let field):
            return ({ "\(entity) has no date or datetime field '\(field)'" }, { "\(entity) 没有 date 或 datetime 字段 '\(field)'" })
        case .triggerDuration(let path, let signed):
            return (
                {
                    let examples = signed ? ("\"-1d\" or \"2h\"", "\"-1wd\"") : ("\"72h\" or \"14d\"", "\"2wd\"")
                    return "\(path) must be a duration like \(examples.0), or working days like \(examples.1)"
                },
                { "\(path) 必须是时长，如 \(signed ? "\"-1d\" 或 \"2h\"" : "\"72h\" 或 \"14d\"")，或工作日，如 \(signed ? "\"-1wd\"" : "\"2wd\"")" }
            )
        case .triggerOn:
            let all = "create, update, stage_change, delete, time, inactive, sla, schedule"
            return ({ "trigger.on must be one of \(all)" }, { "trigger.on 必须是以下之一：\(all)" })
        case .notifyChannel(let path):
            return (
                { "\(path) must be inbox, email, or the name of one of the tenant's channels (settings.channels)" },
                { "\(path) 必须是 inbox、email 或租户的某个渠道名（settings.channels）" }
            )
        case .channelHasNoTo:
            return ({ "a channel posts to its group; to applies to inbox and email" }, { "渠道消息发到对应的群；to 只适用于 inbox 和 email" })
        case .noRelationField(let entity, let field):
            return ({ "\(entity) has no relation field '\(field)'" }, { "\(entity) 没有 relation 字段 '\(field)'" })
        case .noAssignmentRule(let name): return ({ "no assignment rule '\(name)'" }, { "没有分配规则 '\(name)'" })
        case .ruleAssignsOther(let rule, let assigns, let entity):
            return ({ "rule '\(rule)' assigns \(assigns), not \(entity)" }, { "规则 '\(rule)' 分配的是 \(assigns)，而不是 \(entity)" })
        case .lockDuration(let path):
            return ({ "\(path) must be a duration from 1m to 30d, like \"2h\"" }, { "\(path) 必须是 1m 到 30d 之间的时长，如 \"2h\"" })
        case .noStageToMoveBack(let entity): return ({ "\(entity) has no stage field to move back" }, { "\(entity) 没有可回退的阶段字段" })
        case .unknownRole(let name): return ({ "no role '\(name)'" }, { "没有角色 '\(name)'" })
        case .levelsOrRole: return ({ "name levels or role, not both" }, { "levels 和 role 只能指定其一" })
        case .noUserField(let entity, let field): return ({ "\(entity) has no user field '\(field)'" }, { "\(entity) 没有 user 字段 '\(field)'" })
        case .actionType(let path):
            let all = "set, create, update_related, notify, webhook, assign, lock, stage_back, escalate"
            return ({ "\(path) must be one of \(all)" }, { "\(path) 必须是以下之一：\(all)" })
        case .recipient(let path, let allowed):
            return (
                { "\(path) must be \(allowed.joined(separator: ", ")) or role:<name>" },
                { "\(path) 必须是 \(allowed.joined(separator: "、")) 或 role:<name>" }
            )
        case .valuesShape(let path):
            return (
                { "\(path) must be an object of field → value or {\"expression\":\"…\"}" },
                { "\(path) 必须是以字段为键、值为常量或 {\"expression\":\"…\"} 的对象" }
            )
        case .noWritableField(let entity, let field): return ({ "\(entity) has no writable field '\(field)'" }, { "\(entity) 没有可写字段 '\(field)'" })

        case .routesShape(let max):
            return (
                { "routes must be an array of at most \(max) {\"when\": …, \"team\"|\"role\"|\"users\": …}" },
                { "routes 必须是最多 \(max) 个 {\"when\": …, \"team\"|\"role\"|\"users\": …} 组成的数组" }
            )
        case .poolRequired:
            return (
                { "pool is required when there are no routes: {\"team\": …}, {\"role\": …} or {\"users\": [emails]}" },
                { "没有 routes 时 pool 为必填项：{\"team\": …}、{\"role\": …} 或 {\"users\": [emails]}" }
            )
        case .figureName:
            return (
                { "a figure's name must match ^[a-z][a-z0-9_]{0,47}$ and not be 'id'" }, { "指标名必须匹配 ^[a-z][a-z0-9_]{0,47}$，且不能是 'id'" }
            )
        case .figuresShape(let max):
            return (
                { "figures must be an object of at most \(max) {\"entity\": …, \"where\": …}" },
                { "figures 必须是最多包含 \(max) 项 {\"entity\": …, \"where\": …} 的对象" }
            )
        case .weightOnlyWeighted: return ({ "weight applies only to strategy weighted" }, { "weight 只适用于 weighted 策略" })
        case .strategy: return ({ "strategy must be round_robin or weighted" }, { "strategy 必须是 round_robin 或 weighted" })
        case .poolShape(let path):
            return (
                { "\(path) must be an object: {\"team\": …}, {\"role\": …} or {\"users\": [emails]}" },
                { "\(path) 必须是对象：{\"team\": …}、{\"role\": …} 或 {\"users\": [emails]}" }
            )
        case .poolExactlyOne(let path):
            return ({ "\(path) must name exactly one of team, role or users" }, { "\(path) 必须且只能指定 team、role、users 中的一个" })
        case .usersEmails(let path): return ({ "\(path) must be a list of email addresses" }, { "\(path) 必须是电子邮件地址的列表" })
        case .usersCount(let path):
            return ({ "\(path) must be a list of 1 to 500 email addresses" }, { "\(path) 必须是包含 1 到 500 个电子邮件地址的列表" })

        case .channelsShape:
            return (
                { "channels must be an object of at most 50 name → {\"type\", \"url\", \"secret\"}" },
                { "channels 必须是最多 50 项、以名称为键、值为 {\"type\", \"url\", \"secret\"} 的对象" }
            )
        case .channelName:
            return (
                { "a channel name must match ^[a-z][a-z0-9_]{0,47}$ and not be inbox or email" },
                { "渠道名必须匹配 ^[a-z][a-z0-9_]{0,47}$，且不能是 inbox 或 email" }
            )
        case .channelType(let path): return ({ "\(path) must be webhook, wecom or dingtalk" }, { "\(path) 必须是 webhook、wecom 或 dingtalk" })
        case .secretDingTalkOnly(let path): return ({ "\(path) applies to dingtalk robots only" }, { "\(path) 只适用于钉钉机器人（dingtalk）" })
        case .smtpHost: return ({ "smtp.host must be a host name or address" }, { "smtp.host 必须是主机名或地址" })
        case .smtpFrom: return ({ "smtp.from must be an email address" }, { "smtp.from 必须是电子邮件地址" })
        case .urlTooLong: return ({ "a URL of at most 2048 bytes is needed" }, { "URL 最长 2048 字节" })
        case .urlWhitespace(let url):
            return (
                { "'\(url)' contains a space or control character; percent-encode it (%20)" }, { "'\(url)' 含有空格或控制字符；请使用百分号编码（%20）" }
            )
        case .notHTTPURL(let url): return ({ "'\(url)' is not an http(s) URL" }, { "'\(url)' 不是 http(s) 网址" })
        case .urlNoHost: return ({ "the URL has no host" }, { "URL 中没有主机名" })
        case .urlCredentials:
            return ({ "credentials do not belong in the URL; verify the signature instead" }, { "URL 中不应包含账号密码；请改为校验签名" })
        case .cronFields:
            return (
                { "a schedule has five fields: minute hour day-of-month month day-of-week, e.g. \"0 9 * * 1-5\"" },
                { "定时规则有五个字段：分钟 小时 日 月 星期，如 \"0 9 * * 1-5\"" }
            )
        case .cronField(let part, let text, let low, let high):
            return (
                { "the \(part.rawValue) field '\(text)' must be *, a number from \(low) to \(high), a range a-b, a step */n or a list" },
                { "\(part.zh)字段 '\(text)' 必须是 *、\(low) 到 \(high) 之间的数字、范围 a-b、步长 */n 或列表" }
            )

        case .entityNotEmpty(let entity, let n):
            return (
                {
                    """
                    Entity '\(entity)' still has \(n) record(s) (the recycle bin included); delete them first or pass ?force=true to drop them \
                    with the entity.
                    """
                },
                { "实体 '\(entity)' 还有 \(n) 条记录（含回收站）；请先删除这些记录，或传 ?force=true 将其随实体一并删除。" }
            )
        case .recordCount(let n): return ({ "\(n) record(s)" }, { "\(n) 条记录" })
        case .duplicateValues(let n, let field):
            return (
                { "\(n) record(s) share a value of '\(field)' with another record; make them distinct before making it unique." },
                { "有 \(n) 条记录的 '\(field)' 与其他记录重复；请先消除重复，再设为唯一。" }
            )
        case .recordsDuplicate(let n): return ({ "\(n) record(s) have duplicate values" }, { "\(n) 条记录有重复值" })
        case .optionsInUse(let n, let keys, let field):
            return (
                { "\(n) record(s) still use option(s) \(list(keys)) of '\(field)'; change those records first." },
                { "仍有 \(n) 条记录在使用 '\(field)' 的选项 \(list(keys))；请先修改这些记录。" }
            )
        case .recordsUseOptions(let n, let keys): return ({ "\(n) record(s) use \(list(keys))" }, { "\(n) 条记录使用了 \(list(keys))" })
        case .unconvertible(let n, let field, let type):
            return (
                { "\(n) record(s) have values of '\(field)' that cannot become \(type); fix or clear them first." },
                { "有 \(n) 条记录的 '\(field)' 值无法转换为 \(type)；请先修正或清空这些值。" }
            )
        case .recordsUnconvertible(let n): return ({ "\(n) record(s) cannot be converted" }, { "\(n) 条记录无法转换" })
        case .outsideLimits(let n, let field):
            return (
                { "\(n) record(s) have values of '\(field)' outside the new limits; fix them first." },
                { "有 \(n) 条记录的 '\(field)' 值超出了新的限制；请先修正。" }
            )
        case .recordsOutsideLimits(let n): return ({ "\(n) record(s) are outside the new limits" }, { "\(n) 条记录超出了新的限制" })

        case .formulaIncomplete(let name):
            return ({ "formula '\(name)' needs an expression and a result type" }, { "公式 '\(name)' 需要表达式和结果类型" })
        case .formulaGives(let got, let result, let expected):
            return (
                { "the formula gives \(got), but its result is \(result) (\(expected))" }, { "公式的计算结果是 \(got)，但其 result 为 \(result)（\(expected)）" }
            )
        case .scopeNotValue(let name, let example):
            return ({ "'\(name)' is not a value by itself; name one of its fields, like \(example)" }, { "'\(name)' 本身不是值；请写出它的字段，如 \(example)" })
        case .unknownName(let name, let scopes):
            return ({ "unknown name '\(name)'; expressions start from \(scopes) or a function" }, { "未知的名称 '\(name)'；表达式应以 \(scopes) 或函数开头" })
        case .negateType(let type): return ({ "'-' needs a number or a duration, not \(type)" }, { "'-' 需要数字或时长，而不是 \(type)" })
        case .branchTypes(let a, let b):
            return ({ "both branches of '? :' must have one type, not \(a) and \(b)" }, { "'? :' 的两个分支必须是同一类型，而不是 \(a) 和 \(b)" })
        case .listMixed(let a, let b):
            return ({ "a list holds values of one type; found \(a) and \(b)" }, { "列表中的值必须是同一类型；发现了 \(a) 和 \(b)" })
        case .listAllNull: return ({ "a list needs at least one value that is not null" }, { "列表至少需要一个不是 null 的值" })
        case .listOfLists: return ({ "lists of lists are not supported" }, { "不支持列表嵌套列表" })
        case .operandType(let op, let type, let got): return ({ "'\(op)' needs \(type), not \(got)" }, { "'\(op)' 需要 \(type)，而不是 \(got)" })
        case .conditionType(let type, let got):
            return ({ "the condition of '? :' needs \(type), not \(got)" }, { "'? :' 的条件需要 \(type)，而不是 \(got)" })
        case .noUserAttribute(let name, let known):
            return ({ "user has no attribute '\(name)'; known: \(list(known))" }, { "user 没有属性 '\(name)'；可用：\(list(known))" })
        case .scopeUnavailable(let name, let use): return ({ "'\(name)' is not available here; use \(use)" }, { "此处不能使用 '\(name)'；请用 \(use)" })
        case .formulaCycle(let name, let chain):
            let chain = chain.joined(separator: " → ")
            return ({ "formula '\(name)' refers to itself (\(chain))" }, { "公式 '\(name)' 引用了自身（\(chain)）" })
        case .formulaNesting(let n): return ({ "formulas nest more than \(n) deep" }, { "公式嵌套超过 \(n) 层" })
        case .inFormula(let name, let inner): return ({ "in formula '\(name)': \(inner.text(.en))" }, { "公式 '\(name)' 中：\(inner.text(.zhCN))" })
        case .unknownRelationTarget(let reference):
            return ({ "the entity that \(reference) points to is not known" }, { "不知道 \(reference) 指向哪个实体" })
        case .relatedFormula(let path):
            return ({ "formula fields of a related record cannot be read (\(path))" }, { "不能读取关联记录的公式字段（\(path)）" })
        case .oneHop(let path): return ({ "only one relation hop is allowed (\(path))" }, { "只能跨一层关联（\(path)）" })
        case .cannotCompare(let a, let b, let op): return ({ "cannot compare \(a) with \(b) using '\(op)'" }, { "不能用 '\(op)' 比较 \(a) 和 \(b)" })
        case .cannotOrder(let a, let b, let op): return ({ "cannot order \(a) and \(b) with '\(op)'" }, { "不能用 '\(op)' 比较 \(a) 和 \(b) 的大小" })
        case .inNeedsList(let type): return ({ "'in' needs a list on its right, not \(type)" }, { "'in' 的右边必须是列表，而不是 \(type)" })
        case .inTypes(let type, let element): return ({ "cannot look for \(type) in a list of \(element)" }, { "不能在 \(element) 的列表中查找 \(type)" })
        case .operatorTypes(let op, let a, let b): return ({ "'\(op)' does not apply to \(a) and \(b)" }, { "'\(op)' 不能用于 \(a) 和 \(b)" })
        case .divisionByZero: return ({ "division by zero" }, { "除数为零" })
        case .hasArity: return ({ "has() takes one field, like has(record.phone)" }, { "has() 只接受一个字段，如 has(record.phone)" })
        case .hasField: return ({ "has() takes a field, like has(record.phone)" }, { "has() 的参数必须是字段，如 has(record.phone)" })
        case .arity(let name, let n, let usage):
            return ({ "\(name)() takes \(n) argument\(n == 1 ? "" : "s"): \(usage)" }, { "\(name)() 需要 \(n) 个参数：\(usage)" })
        case .constantString(let name, let usage):
            return ({ "\(name)() needs a string written in the expression: \(usage)" }, { "\(name)() 需要直接写在表达式中的字符串：\(usage)" })
        case .argumentTypes(let name, let types, let usage):
            return ({ "\(name)() does not take (\(list(types))); use \(usage)" }, { "\(name)() 不接受（\(list(types))）；请用 \(usage)" })
        case .notADuration(let text):
            return (
                { "'\(text)' is not a duration; write it like \"90s\", \"4h\", \"1h30m\" or \"30d\", or working days like \"2wd\"" },
                { "'\(text)' 不是时长；请写成 \"90s\"、\"4h\"、\"1h30m\"、\"30d\" 的形式，或工作日 \"2wd\"" }
            )
        case .workingDaysUse(let op, let left, let right):
            return (
                {
                    "working days only move a timestamp or a date: record.created_at + duration(\"2wd\"), "
                        + "now() - duration(\"1wd\") (not \(left) \(op) \(right))"
                },
                { "工作日只能加到或减自时间戳或日期上：record.created_at + duration(\"2wd\")、now() - duration(\"1wd\")（不能 \(left) \(op) \(right)）" }
            )
        case .notATimestamp(let text):
            return (
                { "'\(text)' is not an RFC 3339 timestamp like 2026-11-23T09:30:00+08:00" },
                { "'\(text)' 不是 RFC 3339 时间戳，如 2026-11-23T09:30:00+08:00" }
            )
        case .notADate(let text): return ({ "'\(text)' is not a date like 2026-11-23" }, { "'\(text)' 不是日期，如 2026-11-23" })
        case .notWholeText(let text): return ({ "'\(text)' is not a whole number" }, { "'\(text)' 不是整数" })
        case .notNumberText(let text): return ({ "'\(text)' is not a number" }, { "'\(text)' 不是数字" })
        case .unknownFunction(let name):
            let known = "size, has, contains, startsWith, endsWith, matches, duration, timestamp, date, distance_m, int, double, string, now"
            return ({ "unknown function '\(name)'; known: \(known)" }, { "未知的函数 '\(name)'；可用：\(known)" })
        case .alwaysFails(let inner): return ({ "this part always fails: \(inner.text(.en))" }, { "这部分一定会出错：\(inner.text(.zhCN))" })
        case .mustGive(let type, let got):
            return ({ "the expression must give \(type), but gives \(got)" }, { "表达式的结果必须是 \(type)，但实际是 \(got)" })

        case .unexpectedCharacter(let c): return ({ "unexpected character '\(c)'" }, { "意外的字符 '\(c)'" })
        case .numberRunsIntoName(let text): return ({ "a number cannot run into a name ('\(text)')" }, { "数字后不能紧跟名称（'\(text)'）" })
        case .numberRange(let text): return ({ "number \(text) is out of range" }, { "数字 \(text) 超出范围" })
        case .integerRange(let text): return ({ "integer \(text) is out of range" }, { "整数 \(text) 超出范围" })
        case .unclosedString(let quote): return ({ "string is not closed (expected \(quote))" }, { "字符串没有闭合（缺少 \(quote)）" })
        case .nulInString: return ({ "strings cannot hold the NUL character" }, { "字符串不能包含 NUL 字符" })
        case .unicodeEscapeDigits: return ({ "\\u needs four hexadecimal digits" }, { "\\u 后需要四位十六进制数字" })
        case .unicodeEscapeInvalid(let hex): return ({ "\\u\(hex) is not a character" }, { "\\u\(hex) 不是有效的字符" })
        case .unknownEscape(let e):
            return (
                { "unknown escape \\\(e) (use \\n \\t \\r \\\\ \\\" \\' or \\uXXXX)" }, { "未知的转义 \\\(e)（可用 \\n \\t \\r \\\\ \\\" \\' 或 \\uXXXX）" }
            )
        case .expressionTooLong(let length, let max):
            return ({ "the expression is \(length) characters long; at most \(max) are allowed" }, { "表达式长 \(length) 个字符，最多允许 \(max) 个" })
        case .expressionEmpty: return ({ "the expression is empty" }, { "表达式为空" })
        case .expected(let expected, let found): return ({ "expected \(expected.en), found \(found.en)" }, { "应为\(expected.zh)，实际为\(found.zh)" })
        case .tooManyParts(let n): return ({ "the expression has more than \(n) parts" }, { "表达式超过 \(n) 个部分" })
        case .nestsTooDeep(let n): return ({ "the expression nests deeper than \(n) levels" }, { "表达式嵌套超过 \(n) 层" })
        case .noIndexing:
            return ({ "indexing with [ ] is not supported; use 'in' or contains()" }, { "不支持用 [ ] 取下标；请用 'in' 或 contains()" })

        case .outOfRange(let kind): return ({ "\(kind.rawValue) out of range" }, { "\(kind.zh)超出范围" })
        case .underflow: return ({ "number out of range (underflow)" }, { "数字超出范围（下溢）" })
        case .textTooLong(let n): return ({ "text longer than \(n) bytes" }, { "文本超过 \(n) 字节" })
        case .operatorValues(let op): return ({ "'\(op)' does not apply to these values" }, { "'\(op)' 不能用于这些值" })

        case .regexTooLong(let n): return ({ "the regular expression is longer than \(n) characters" }, { "正则表达式超过 \(n) 个字符" })
        case .regexTooLarge:
            return ({ "the regular expression is too large once its repetitions are expanded" }, { "正则表达式展开重复后过大" })
        case .regexAt(let i, let inner):
            return ({ "regular expression, character \(i): \(inner.text(.en))" }, { "正则表达式第 \(i) 个字符：\(inner.text(.zhCN))" })
        case .regexUnmatchedParen: return ({ "unmatched ')'" }, { "多余的 ')'" })
        case .regexUnexpected(let c): return ({ "unexpected '\(c)'" }, { "意外的 '\(c)'" })
        case .regexNothingToRepeat: return ({ "nothing to repeat" }, { "没有可重复的内容" })
        case .regexRepeatRepeat: return ({ "a repetition cannot be repeated directly; use a group" }, { "重复不能直接再重复；请使用分组" })
        case .regexNumberAfterBrace: return ({ "expected a number after '{'" }, { "'{' 后应为数字" })
        case .regexUnclosedRepeat: return ({ "expected '}' to close the repetition" }, { "重复次数缺少闭合的 '}'" })
        case .regexRepeatOrder(let min, let max):
            return ({ "repetition {\(min),\(max)} has its maximum below its minimum" }, { "重复次数 {\(min),\(max)} 的最大值小于最小值" })
        case .regexRepeatLimit(let n): return ({ "repetitions are limited to \(n)" }, { "重复次数最多为 \(n)" })
        case .regexNesting: return ({ "groups nest too deeply" }, { "分组嵌套过深" })
        case .regexGroupKind: return ({ "only (?: …) groups are supported" }, { "只支持 (?: …) 分组" })
        case .regexMissingParen: return ({ "missing ')'" }, { "缺少 ')'" })
        case .regexNothingBefore(let c): return ({ "nothing to repeat before '\(c)'" }, { "'\(c)' 前面没有可重复的内容" })
        case .regexTrailingBackslash: return ({ "trailing backslash" }, { "末尾多了反斜杠" })
        case .regexClassInClass(let e): return ({ "\\\(e) cannot be used inside [ ]" }, { "\\\(e) 不能用在 [ ] 中" })
        case .regexEscape(let e): return ({ "unsupported escape \\\(e)" }, { "不支持的转义 \\\(e)" })
        case .regexMissingBracket: return ({ "missing ']'" }, { "缺少 ']'" })
        case .regexBracketInClass: return ({ "'[' inside a class must be escaped" }, { "字符类中的 '[' 必须转义" })
        case .regexRangeEndsInClass: return ({ "a range cannot end in a class" }, { "范围不能以字符类结尾" })
        case .regexRangeOrder: return ({ "range out of order" }, { "范围的起止顺序颠倒" })
        }
    }

    /// `APIName.describeRule()` in Chinese.
    private static var nameRuleZH: String { "必须以小写英文字母开头，只能包含小写字母、数字和 '_'（最多 \(APIName.maxLength) 个字符）" }
}

extension String {
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

extension TesseraError.Detail {
    /// A problem with a definition, worded by `DefinitionMessage` in every language.
    public static func definition(
        field: String?, rule: String, _ message: DefinitionMessage, extra: [String: JSONValue] = [:]
    ) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message, extra: extra)
    }
}

extension TesseraError {
    /// A 409 about definitions (a name taken, a definition still in use, rows in the way).
    public static func definitionConflict(_ message: DefinitionMessage, code: String, details: [Detail] = []) -> TesseraError {
        .init(status: 409, code: code, localized: message, details: details)
    }

    /// A 404 for a definition that does not exist.
    public static func definitionNotFound(_ message: DefinitionMessage) -> TesseraError {
        .init(status: 404, code: "not_found", localized: message)
    }
}
