import TesseraCore
import Testing

@Suite("Definition messages in zh-CN and en")
struct DefinitionMessageTests {
    /// One of every message of the catalogue.
    static let samples: [DefinitionMessage] = [
        .about("x", .required("x")),
        .at(line: 3, column: 3, .required("x")),
        .detail(.init(field: "x", rule: "x", Message.required("x"))),
        .notAnObject("x"),
        .notAString("x"),
        .notABool("x"),
        .notAWholeNumber("x"),
        .notANumber("x"),
        .notAStringArray("x"),
        .notAnArray("x"),
        .atLeast("x", 3),
        .range("x", 3, 3),
        .lengthRange("x", 3, 3),
        .notALabel("x"),
        .notALanguageTag("x"),
        .badTranslation("x"),
        .unknownProperty("x"),
        .required("x"),
        .requiredOneOf("x", ["a", "b"]),
        .labelRequired("x"),
        .mustBeOneOf("x", "x"),
        .notOneOf("x", ["a", "b"]),
        .mustBeName("x"),
        .nameMustMatch,
        .noEntity("x"),
        .alreadyExists(.role, "x"),
        .alreadyExistAll(.role, ["a", "b"]),
        .noSuch(.role, "x"),
        .nameImmutable(.role),
        .entityHasField("x", "x"),
        .entityHasNoField("x", "x"),
        .entityHasRule("x", "x"),
        .entityHasNoRule("x", "x"),
        .entityInUse("x", referrers: ["a", "b"]),
        .fieldNameImmutable,
        .entityNameImmutable,
        .ruleImmutable("x"),
        .fieldsViaRoutes,
        .rulesViaRoutes,
        .typeChange(from: "x", to: "x"),
        .targetImmutable,
        .adminImmutable,
        .ruleInUse("x", automations: ["a", "b"]),
        .badEntityName("x"),
        .badFieldName("x"),
        .badOptionKey("x"),
        .badRuleName("x"),
        .reservedFieldName("x"),
        .unknownFieldType("x", known: ["a", "b"]),
        .propertyForOtherTypes("x", owners: ["a", "b"], type: "x"),
        .resultType("x", allowed: ["a", "b"]),
        .optionsShape("x"),
        .minAboveMax(1.5, 1.5),
        .minCountAboveMaxCount(3, 3),
        .needsOption("x"),
        .optionKeyTwice("x"),
        .optionColor("x", color: "x"),
        .maxSelectionsAboveOptions(3, options: 3),
        .relationNeedsTarget,
        .autoNumberNeedsPattern,
        .patternLength,
        .patternUnclosed,
        .patternToken("x"),
        .patternCharacter("x"),
        .patternCounter,
        .formulaNeedsExpression,
        .formulaNeedsResult(["a", "b"]),
        .formulaCannotBe("x"),
        .notMimePattern("x"),
        .maxLengthLimit,
        .cannotBeUnique("x"),
        .locationNotIndexed,
        .noDefault("x"),
        .fieldTwice("x"),
        .ruleTwice("x"),
        .unknownTarget(relation: "x", target: "x"),
        .titleFieldUnknown("x", entity: "x"),
        .oneStage(["a", "b"]),
        .tooManyFields,
        .unknownRuleKind("x", known: ["a", "b"]),
        .propertyForOtherKinds("x", owners: ["a", "b"], kind: "x"),
        .ruleAction,
        .setShape,
        .ruleNeeds(kind: "x", key: "x", example: "x"),
        .withinDuration("x"),
        .notAField("x", entity: "x"),
        .computedNotRequired("x"),
        .countsListFields(kind: "x", type: "x"),
        .patternOnText("x"),
        .cannotMatch(type: "x", field: "x"),
        .linkFieldType("x", entity: "x"),
        .computedNotCopied("x"),
        .setCopyNeedFlagOrLink,
        .transitionsShape("x"),
        .stageKeys("x"),
        .exitShape("x"),
        .nonNegativeCount("x"),
        .countsShape("x"),
        .notAnOptionOf("x", field: "x"),
        .minAttachmentsType(type: "x", field: "x"),
        .adminReserved,
        .permissionsShape,
        .assignedNotCreate,
        .entityLacksField("x", "x"),
        .fieldAccessNeedsEntity,
        .fieldAccessShape("x"),
        .conditionForBecomesTrue,
        .actionsShape("x", max: 3),
        .slaHasSteps,
        .stepAfter("x"),
        .stepsShape(max: 3),
        .stepsOnlySLA,
        .triggerRequired,
        .noField("x", field: "x"),
        .noDateFieldForStart("x", field: "x"),
        .noStopField("x", field: "x"),
        .noStageField("x"),
        .notAStageOf("x", stage: "x"),
        .noDateField("x", field: "x"),
        .triggerDuration("x", signed: true),
        .triggerOn,
        .notifyChannel("x"),
        .channelHasNoTo,
        .noRelationField("x", field: "x"),
        .noAssignmentRule("x"),
        .ruleAssignsOther("x", assigns: "x", entity: "x"),
        .lockDuration("x"),
        .noStageToMoveBack("x"),
        .unknownRole("x"),
        .levelsOrRole,
        .noUserField("x", field: "x"),
        .actionType("x"),
        .recipient("x", allowed: ["owner", "manager"]),
        .valuesShape("x"),
        .noWritableField("x", field: "x"),
        .routesShape(max: 3),
        .poolRequired,
        .figureName,
        .figuresShape(max: 3),
        .weightOnlyWeighted,
        .strategy,
        .poolShape("x"),
        .poolExactlyOne("x"),
        .usersEmails("x"),
        .usersCount("x"),
        .channelsShape,
        .channelName,
        .channelType("x"),
        .secretDingTalkOnly("x"),
        .smtpHost,
        .smtpFrom,
        .urlTooLong,
        .urlWhitespace("x"),
        .notHTTPURL("x"),
        .urlNoHost,
        .urlCredentials,
        .cronFields,
        .cronField(.minute, "x", low: 3, high: 3),
        .entityNotEmpty("x", count: 3),
        .recordCount(3),
        .duplicateValues(3, field: "x"),
        .recordsDuplicate(3),
        .optionsInUse(3, keys: ["a", "b"], field: "x"),
        .recordsUseOptions(3, ["a", "b"]),
        .unconvertible(3, field: "x", type: "x"),
        .recordsUnconvertible(3),
        .outsideLimits(3, field: "x"),
        .recordsOutsideLimits(3),
        .formulaIncomplete("x"),
        .formulaGives("x", result: "x", expected: "x"),
        .scopeNotValue("x", example: "x"),
        .unknownName("x", scopes: "x"),
        .negateType("x"),
        .branchTypes("x", "x"),
        .listMixed("x", "x"),
        .listAllNull,
        .listOfLists,
        .operandType("x", type: "x", got: "x"),
        .conditionType(type: "x", got: "x"),
        .noUserAttribute("x", known: ["a", "b"]),
        .scopeUnavailable("x", use: "x"),
        .formulaCycle("x", chain: ["a", "b"]),
        .formulaNesting(3),
        .inFormula("x", .required("x")),
        .unknownRelationTarget("x"),
        .relatedFormula("x"),
        .oneHop("x"),
        .cannotCompare("x", "x", op: "x"),
        .cannotOrder("x", "x", op: "x"),
        .inNeedsList("x"),
        .inTypes("x", list: "x"),
        .operatorTypes("x", "x", "x"),
        .divisionByZero,
        .hasArity,
        .hasField,
        .arity("x", 3, usage: "x"),
        .constantString("x", usage: "x"),
        .argumentTypes("x", ["a", "b"], usage: "x"),
        .notADuration("x"),
        .notATimestamp("x"),
        .notADate("x"),
        .notWholeText("x"),
        .notNumberText("x"),
        .unknownFunction("x"),
        .alwaysFails(.required("x")),
        .mustGive("x", got: "x"),
        .unexpectedCharacter("x"),
        .numberRunsIntoName("x"),
        .numberRange("x"),
        .integerRange("x"),
        .unclosedString("x"),
        .nulInString,
        .unicodeEscapeDigits,
        .unicodeEscapeInvalid("x"),
        .unknownEscape("x"),
        .expressionTooLong(3, max: 3),
        .expressionEmpty,
        .expected(.operand, found: .end),
        .tooManyParts(3),
        .nestsTooDeep(3),
        .noIndexing,
        .outOfRange(.integer),
        .underflow,
        .textTooLong(3),
        .operatorValues("x"),
        .regexTooLong(3),
        .regexTooLarge,
        .regexAt(3, .required("x")),
        .regexUnmatchedParen,
        .regexUnexpected("x"),
        .regexNothingToRepeat,
        .regexRepeatRepeat,
        .regexNumberAfterBrace,
        .regexUnclosedRepeat,
        .regexRepeatOrder(min: 3, max: 3),
        .regexRepeatLimit(3),
        .regexNesting,
        .regexGroupKind,
        .regexMissingParen,
        .regexNothingBefore("x"),
        .regexTrailingBackslash,
        .regexClassInClass("x"),
        .regexEscape("x"),
        .regexMissingBracket,
        .regexBracketInClass,
        .regexRangeEndsInClass,
        .regexRangeOrder,
    ]

    /// Every wording of the small vocabularies messages take.
    static let variants: [DefinitionMessage] =
        DefinitionMessage.Definition.allCases.flatMap { kind in
            [.alreadyExists(kind, "x"), .alreadyExistAll(kind, ["a", "b"]), .noSuch(kind, "x"), .nameImmutable(kind)]
        }
        + DefinitionMessage.RangeKind.allCases.map { .outOfRange($0) }
        + DefinitionMessage.CronPart.allCases.map { .cronField($0, "x", low: 0, high: 7) }
        + [.operatorOrEnd, .nameAfterDot, .conditionalColon, .operand, .value, .symbol(")"), .commaOr("]")].map { .expected($0, found: .end) }
        + [.end, .token("'x'"), .string("x")].map { .expected(.operand, found: $0) }
        + [.triggerDuration("x", signed: false), .arity("x", 1, usage: "x"), .notAnObject("")]

    @Test("every message of the catalogue has a Chinese and an English wording, and they differ")
    func bothLanguages() {
        for message in Self.samples + Self.variants {
            let zh = message.text(.zhCN), en = message.text(.en)
            #expect(!en.isEmpty && !zh.isEmpty, "\(message)")
            #expect(zh != en, "\(message): \(en)")
            #expect(zh.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(message) has no Chinese: \(zh)")
            #expect(en.unicodeScalars.allSatisfy { $0.value < 0x3000 }, "\(message) has Chinese in English: \(en)")
        }
    }

    @Test("a broken entity is refused in both languages: the same fields and rules, the English as it always read")
    func brokenEntity() throws {
        let json: JSONValue = [
            "name": "Lead", "colour": "red",
            "fields": [
                ["name": "stage", "type": "select", "options": [["key": "new"], ["key": "new", "color": "red"]]],
                ["name": "owner_ref", "type": "relation", "target": "ghost"],
                ["name": "w", "type": "wat"],
                ["type": "text", "label": ["en": ""]],
            ],
        ]
        let error = try #require(throws: TesseraError.self) { try MetadataDecoder.entity(json, knownEntities: []) }
        let types = FieldType.allCases.map(\.rawValue).joined(separator: ", ")
        let rule = "must start with a lowercase ASCII letter and contain only lowercase letters, digits and '_' (at most 48 characters)"
        let english = [
            "colour is not a known property",
            "option key 'new' appears twice",
            "option 'new': color 'red' must look like #3b82f6",
            "'wat' is not a field type; use one of: \(types)",
            "field name '' \(rule)",
            "fields[3].name is required",
            "fields[3].label.en must be a non-empty string of at most 2000 characters",
            "entity name 'Lead' \(rule)",
            "relation 'owner_ref' targets 'ghost', which is not an entity of this tenant",
        ]
        #expect(error.code == "invalid_metadata")
        #expect(error.details.map(\.message) == english)
        #expect(error.message == "9 problems in the definition: " + english.joined(separator: "; "))
        #expect(error.localized(.en).message == error.message)

        let zh = error.localized(.zhCN)
        #expect(zh.details.map(\.field) == error.details.map(\.field))
        #expect(zh.details.map(\.rule) == error.details.map(\.rule))
        #expect(
            zh.details.map(\.message) == [
                "colour 不是已知的属性",
                "选项键 'new' 重复出现",
                "选项 'new'：颜色 'red' 应形如 #3b82f6",
                "'wat' 不是字段类型；可选：\(types)",
                "字段名 '' 必须以小写英文字母开头，只能包含小写字母、数字和 '_'（最多 48 个字符）",
                "fields[3].name 为必填项",
                "fields[3].label.en 必须是非空字符串，最多 2000 个字符",
                "实体名 'Lead' 必须以小写英文字母开头，只能包含小写字母、数字和 '_'（最多 48 个字符）",
                "relation 字段 'owner_ref' 的目标 'ghost' 不是本租户的实体",
            ])
        #expect(zh.message.hasPrefix("定义中有 9 个问题：colour 不是已知的属性；选项键 'new' 重复出现；"))
    }

    @Test("an expression's error carries its position and both languages into the detail")
    func expressionDetail() {
        do {
            _ = try CompiledExpression("1 >", in: ExpressionContext(entity: EntityDefinition(name: "lead")))
            Issue.record("an incomplete expression was accepted")
        } catch {
            let detail = error.detail(property: "when")
            #expect(detail.message == "when: line 1, column 4: expected a value, a name or '(', found the end of the expression")
            #expect(detail.text(.zhCN) == "when：第 1 行第 4 列：应为值、名称或 '('，实际为表达式结尾")
        }
    }
}
