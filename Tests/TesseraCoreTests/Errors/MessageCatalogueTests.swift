import TesseraCore
import Testing

@Suite("Built-in messages in zh-CN and en")
struct MessageCatalogueTests {
    /// One of every message of the catalogue (but `verbatim`, which only carries a rule's own text).
    static let samples: [Message] = [
        .malformedJSON("x", offset: 3),
        .payloadTooLarge(limit: 3),
        .noSuchRoute,
        .methodNotAllowed,
        .invalidPercentEscape,
        .queryNotUTF8,
        .invalidCursor,
        .keyRequired,
        .keyInvalid,
        .adminTokenRequired,
        .adminTokenNeeded,
        .notAnObject,
        .appearsTwice("x"),
        .required("x"),
        .versionType,
        .ownerType,
        .setByServer("x"),
        .notAField("x", entity: "x"),
        .notAFieldNorParameter("x", entity: "x"),
        .about("x", .required("x")),
        .expected(.string, got: "x"),
        .maxLength(3, got: 3),
        .notEmail("x"),
        .notPhone("x"),
        .notURL("x"),
        .moneyExponent,
        .moneyScale(got: "x"),
        .moneyTooLarge,
        .tooManyDigits,
        .expectedDate,
        .expectedDateTime,
        .notAnOption("x", options: ["a", "b"]),
        .selectedTwice("x"),
        .tooManySelected(max: 3, got: 3),
        .expectedRecordID,
        .expectedFileIDs,
        .attachedTwice("x"),
        .tooFewFiles(min: 3, got: 3),
        .tooManyFiles(max: 3, got: 3),
        .expectedLocation,
        .locationRange,
        .addressTooLong,
        .autoNumbered,
        .computed,
        .atLeast("x"),
        .atMost("x"),
        .notReferenced("x", what: .user),
        .fileNotAccepted("x", contentType: "x", accept: ["a", "b"]),
        .stageCleared,
        .stageInitial(allowed: ["a", "b"], got: "x"),
        .stageTransition(from: "x", to: "x", allowed: ["a", "b"]),
        .stageFiles(stage: "x", min: 3, has: 3),
        .requiredToLeave("x"),
        .leavingNeeds("x", "x"),
        .stageUncheckable(.notAString("x")),
        .ruleUncheckable("x", .notAString("x")),
        .mustSatisfy("x", rule: "x"),
        .requiredHere("x", rule: "x"),
        .ruleMinFiles(3, rule: "x"),
        .ruleMaxSelections(3, rule: "x"),
        .ruleForm("x"),
        .ruleDuplicate(entity: "x", rule: "x"),
        .ruleConflict(entity: "x", rule: "x"),
        .actionForbidden(action: "x", entity: "x"),
        .bulkNeedsImport,
        .exportNeedsPermission,
        .fieldsReadOnly(["a", "b"], entity: "x"),
        .fieldReadOnly,
        .ownerOutOfScope(action: "x", entity: "x", owner: "x"),
        .ownerScope(action: "x"),
        .readButNot(action: "x", entity: "x", id: "x"),
        .emptyArray,
        .bulkLimit(max: 3, got: 3),
        .exportLimit(total: 3, max: 3),
        .noEntity("x"),
        .noRecord(entity: "x", id: "x"),
        .noRecordInBin(entity: "x", id: "x"),
        .inRecycleBin(entity: "x", id: "x"),
        .versionConflict(entity: "x", sent: 3, current: 3),
        .currentVersion(3),
        .locked(entity: "x", id: "x", holder: "x", until: "x"),
        .lockedUntil("x"),
        .lockedBySomeone(entity: "x", id: "x", until: "x"),
        .unlockRefused(entity: "x", id: "x", until: "x"),
        .lockDuration,
        .duplicateValue("x"),
        .mustBeUnique,
        .duplicateRecord("x"),
        .referenceMissing("x"),
        .valueNotStored("x"),
        .expressionFailed("x"),
        .metadataChanged,
        .busy,
        .queryTimeout,
        .tooComplex,
        .limitRange(max: 3),
        .selectNotAField("x", entity: "x"),
        .countExact,
        .orderNotAField("x", entity: "x"),
        .orderType(type: "x", field: "x"),
        .orderModifier("x"),
        .queryProblems(3),
        .isTakes,
        .useContains(type: "x"),
        .inLimit,
        .containsOnArrays,
        .filterNotOption("x"),
        .likeOnText,
        .operatorOnArray("x", type: "x"),
        .notWhole("x"),
        .notNumber("x"),
        .expectedTrueFalse,
        .notDate("x"),
        .notDateTime("x"),
        .notID("x"),
        .expectedList(open: "x", close: "x"),
        .unterminatedQuote,
        .expectedOperator("x", operators: ["a", "b"]),
        .problems(3, ["a", "b"]),
        .definitionProblems(3, ["a", "b"]),
    ]

    /// One of every account message.
    static let accountSamples: [AccountMessage] = [
        .needsBody,
        .ifMatch,
        .missingPathParameter("x"),
        .bodyObject,
        .tenantBody,
        .settingsBody,
        .notLoginProperty("x"),
        .notKnownProperty("x"),
        .notKeyProperty("x"),
        .notTenantProperty("x"),
        .notASetting("x", settings: ["a", "b"]),
        .requiredString("x"),
        .passwordsRequired,
        .nameLength,
        .keyName,
        .expiresRange,
        .freezeRange,
        .localeChoice(nullable: true),
        .mustBeID("x"),
        .managerID,
        .passwordTooShort(3),
        .passwordTooLong(3),
        .passwordNUL,
        .notRoleNames(["a", "b"]),
        .kindImmutable,
        .kindEnum,
        .statusOnCreate,
        .statusEnum,
        .personNeedsEmail,
        .integrationNoPassword,
        .integrationNoSignIn,
        .noUser("x"),
        .noTeamWithID(field: "x", id: "x"),
        .noManager("x"),
        .managerCycle,
        .emailTaken,
        .emailTakenBy("x"),
        .noTeam("x"),
        .teamExists("x"),
        .teamInUse(3),
        .noAPIKey("x"),
        .userInactive("x"),
        .onlyAdminChangesAdmin,
        .needsManageUsers,
        .unknownRoles(["a", "b"]),
        .onlyAdminGrants("x"),
        .needsPermission("x", roles: ["a", "b"]),
        .wrongCredentials,
        .tooManyLogins(seconds: 3),
        .wrongCurrentPassword,
        .accountFrozen,
        .accountDisabled,
        .notASession,
        .slugForm,
        .notTimeZone("x"),
        .tenantExists("x"),
        .packsType,
        .noPack("x"),
        .adminTogether,
        .noTenant("x"),
        .emptyFile,
        .noFile("x"),
        .fileContentMissing,
        .cannotStoreFile,
        .recordQuery,
        .resultQuery,
        .noDeadEvent,
        .noDeadEventID(3),
        .noInboxMessage,
        .noInboxMessageID(3),
        .packNeeds("x", missing: ["a", "b"]),
        .noDefinition(kind: "x", name: "x"),
        .databaseUnreachable,
    ]

    @Test("every message of the catalogues has a Chinese and an English wording, and they differ")
    func bothLanguages() {
        let all: [any CatalogueMessage] = Self.samples + Self.accountSamples
        for message in all {
            let zh = message.text(.zhCN), en = message.text(.en)
            #expect(!en.isEmpty && !zh.isEmpty, "\(message)")
            #expect(zh != en, "\(message): \(en)")
            #expect(zh.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(message) has no Chinese: \(zh)")
            #expect(en.unicodeScalars.allSatisfy { $0.value < 0x3000 }, "\(message) has Chinese in English: \(en)")
        }
    }

    @Test("false and true select the two wordings of a choice")
    func choices() {
        #expect(AccountMessage.localeChoice(nullable: false).text(.en) == "locale must be zh-CN or en")
        #expect(AccountMessage.localeChoice(nullable: true).text(.zhCN) == "locale 必须是 zh-CN、en 或 null")
    }

    @Test("Accept-Language picks the best supported language by weight; unsupported tags fall through")
    func negotiation() {
        #expect(MessageLocale.negotiate("zh-CN,zh;q=0.9,en;q=0.8") == .zhCN)
        #expect(MessageLocale.negotiate("en-US,en;q=0.9,zh-CN;q=0.8") == .en)
        #expect(MessageLocale.negotiate("fr-FR, zh-TW;q=0.5") == .zhCN)
        #expect(MessageLocale.negotiate("de, en;q=0.1, zh;q=0.2") == .zhCN)
        #expect(MessageLocale.negotiate("zh;q=0, en") == .en)
        #expect(MessageLocale.negotiate("fr, *") == nil)
        #expect(MessageLocale.negotiate("") == nil)
        #expect(MessageLocale.choose(acceptLanguage: "fr", user: .zhCN, tenant: .en) == .zhCN)
        #expect(MessageLocale.choose(acceptLanguage: nil, user: nil, tenant: .zhCN) == .zhCN)
        #expect(MessageLocale.choose(acceptLanguage: "en", user: .zhCN, tenant: .zhCN) == .en)
        #expect(MessageLocale.choose(acceptLanguage: nil, user: nil, tenant: nil) == .en)
    }

    @Test("an error is localized whole: its message, each detail, and the count of several problems")
    func localizedError() {
        let error = TesseraError.validation([
            .init(field: "company", rule: "required", .required("company")),
            .init(field: "colour", rule: "unknown_field", .notAField("colour", entity: "lead")),
        ])
        #expect(error.message == "2 problems: company is required; 'colour' is not a field of lead")
        let zh = error.localized(.zhCN)
        #expect(zh.message == "2 个问题：company 为必填项；'colour' 不是 lead 的字段")
        #expect(zh.details.map(\.message) == ["company 为必填项", "'colour' 不是 lead 的字段"])
        #expect(zh.details.map(\.field) == error.details.map(\.field))
        #expect(error.localized(.en).message == error.message)
        // Prefixes (a bulk item's index) reach every language.
        let prefixed = error.details[0].prefixed(field: "[2].", message: "[2].")
        #expect(prefixed.text(.zhCN) == "[2].company 为必填项" && prefixed.message == "[2].company is required")
        // A message the catalogue lacks stays as written in every language.
        let plain = TesseraError.badRequest("Something only in English.")
        #expect(plain.localized(.zhCN).message == "Something only in English.")
    }
}
