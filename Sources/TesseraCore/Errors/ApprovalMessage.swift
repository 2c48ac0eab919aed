/// The catalogue of built-in messages about approvals (their processes, submitting, answering and
/// the fields they hold), worded in every `MessageLocale`. Names, ids and paths stay as written.
public enum ApprovalMessage: CatalogueMessage, Equatable {
    // Defining processes.
    case stepsShape(max: Int)
    case approversShape(String)
    case approverSource(String)
    case stepTwice(String)
    case notAUserField(String, entity: String)
    case notAUserID(String)
    case frozenUnknown(String, entity: String)
    case outcomeAction(String)
    case managerLevels(String)
    case modeShape
    case deadlineShape(String, max: Int)
    case deadlineAction(String)
    case escalateLevelsOnly(String)
    case holdsShape(max: Int)
    case holdTwice(String)
    case holdWhen(String)
    // Running approvals.
    case noProcess(String)
    case noApproval(String)
    case inactive(String)
    case entryNotMet(String)
    case alreadyPending(process: String, approval: String)
    case notPending(String, status: String)
    case notYourTurn(String)
    case onlySubmitterRecalls(String)
    case delegateTo
    case delegateUnknown(String)
    case delegateSelf
    case commentShape(max: Int)
    case frozenWhilePending(fields: [String], process: String, approval: String)
    case noApprovers(step: String)
    case deleteWhilePending(process: String, approval: String)
    case answerAction(String)
    case forShape
    case limitShape(max: Int)
    case held(process: String, hold: String, entity: String, count: Int)

    public var wording: Wording {
        switch self {
        case .stepsShape(let max): return ({ "steps must be an array of 1 to \(max) steps" }, { "steps 必须是 1 到 \(max) 个步骤的数组" })
        case .approversShape(let path):
            return (
                { "\(path) must be a non-empty array of {\"role\"}, {\"field\"}, {\"manager\"} or {\"user\"}" },
                { "\(path) 必须是非空数组，元素为 {\"role\"}、{\"field\"}、{\"manager\"} 或 {\"user\"}" }
            )
        case .approverSource(let path):
            return (
                { "\(path) names exactly one of role, field, manager or user" }, { "\(path) 只能指定 role、field、manager、user 之一" }
            )
        case .stepTwice(let name): return ({ "step '\(name)' appears twice" }, { "步骤 '\(name)' 出现了两次" })
        case .notAUserField(let field, let entity):
            return ({ "\(entity) has no user field '\(field)'" }, { "\(entity) 没有用户字段 '\(field)'" })
        case .notAUserID(let value): return ({ "'\(value)' is not a user id" }, { "'\(value)' 不是用户 id" })
        case .frozenUnknown(let field, let entity):
            return ({ "\(entity) has no field '\(field)' to freeze" }, { "\(entity) 没有可冻结的字段 '\(field)'" })
        case .outcomeAction(let path):
            return (
                { "\(path): approvals run set, create, update_related and notify actions" },
                { "\(path)：审批只能执行 set、create、update_related 和 notify 动作" }
            )
        case .modeShape: return ({ "mode must be any or all" }, { "mode 必须是 any 或 all" })
        case .managerLevels(let path): return ({ "\(path) must be 1 to 10" }, { "\(path) 必须在 1 到 10 之间" })
        case .noProcess(let name): return ({ "No approval process '\(name)'." }, { "没有审批流程 '\(name)'。" })
        case .noApproval(let id): return ({ "No approval \(id) that you can see." }, { "没有你可见的审批 \(id)。" })
        case .inactive(let name):
            return ({ "Approval process '\(name)' is switched off." }, { "审批流程 '\(name)' 已停用。" })
        case .entryNotMet(let name):
            return (
                { "The record does not meet the entry condition of approval process '\(name)'." },
                { "记录不满足审批流程 '\(name)' 的提交条件。" }
            )
        case .alreadyPending(let process, let approval):
            return (
                { "The record already has a pending '\(process)' approval (\(approval))." },
                { "该记录已有待处理的 '\(process)' 审批（\(approval)）。" }
            )
        case .notPending(let id, let status):
            return ({ "Approval \(id) is \(status), not pending." }, { "审批 \(id) 的状态为 \(status)，不是待处理。" })
        case .notYourTurn(let id):
            return (
                { "You are not an approver of the current step of approval \(id)." }, { "你不是审批 \(id) 当前步骤的审批人。" }
            )
        case .onlySubmitterRecalls(let id):
            return ({ "Only the submitter can recall approval \(id)." }, { "只有提交人可以撤回审批 \(id)。" })
        case .delegateTo: return ({ "to must be the id of the user to delegate to" }, { "to 必须是被委托用户的 id" })
        case .delegateUnknown(let id): return ({ "No active user \(id) to delegate to." }, { "没有可委托的在职用户 \(id)。" })
        case .delegateSelf:
            return ({ "The delegate already answers this step." }, { "被委托人已经是该步骤的审批人。" })
        case .commentShape(let max):
            return ({ "comment must be a string of at most \(max) characters" }, { "comment 必须是不超过 \(max) 个字符的文本" })
        case .frozenWhilePending(let fields, let process, let approval):
            return (
                { "\(list(fields)) cannot change while approval \(approval) ('\(process)') is pending." },
                { "审批 \(approval)（'\(process)'）待处理期间，\(list(fields)) 不可修改。" }
            )
        case .deleteWhilePending(let process, let approval):
            return (
                { "The record cannot be deleted while approval \(approval) ('\(process)') is pending." },
                { "审批 \(approval)（'\(process)'）待处理期间，记录不可删除。" }
            )
        case .noApprovers(let step):
            return ({ "Step '\(step)' has nobody to answer it." }, { "步骤 '\(step)' 没有可审批的人。" })
        case .forShape: return ({ "for must be me or submitted" }, { "for 必须是 me 或 submitted" })
        case .limitShape(let max): return ({ "limit must be 1 to \(max)" }, { "limit 必须在 1 到 \(max) 之间" })
        case .deadlineShape(let path, let max):
            return (
                { "\(path) must be an array of 1 to \(max) marks ({after, actions}), each later than the one before" },
                { "\(path) 必须是 1 到 \(max) 个时限（{after, actions}）的数组，且每个晚于前一个" }
            )
        case .deadlineAction(let path):
            return (
                { "\(path): a deadline may only notify, escalate or set fields" },
                { "\(path)：时限只能发通知、升级或设置字段" }
            )
        case .escalateLevelsOnly(let path):
            return (
                { "\(path): a deadline escalates to the waiting approvers' managers: use levels, not role or field" },
                { "\(path)：时限升级给待审批人的上级：请用 levels，不要用 role 或 field" }
            )
        case .holdsShape(let max):
            return (
                { "holds must be an array of at most \(max) holds ({name, entity, when, message})" },
                { "holds 必须是最多 \(max) 个阻断条件（{name, entity, when, message}）的数组" }
            )
        case .holdWhen(let path):
            return (
                { "\(path) is required: the condition over record and other that blocks submission" },
                { "\(path) 必填：基于 record 与 other 的阻断条件" }
            )
        case .holdTwice(let name): return ({ "hold '\(name)' appears twice" }, { "阻断条件 '\(name)' 出现了两次" })
        case .held(let process, let hold, let entity, let count):
            return (
                { "The record cannot be submitted to '\(process)': \(count) \(entity) record(s) meet hold '\(hold)' (see blocking)." },
                { "记录不能提交审批 '\(process)'：有 \(count) 条 \(entity) 记录满足阻断条件 '\(hold)'（见 blocking）。" }
            )
        case .answerAction(let action):
            return (
                { "'\(action)' is not an answer: use approve, reject, recall or delegate." },
                { "'\(action)' 不是审批操作：请使用 approve、reject、recall 或 delegate。" }
            )
        }
    }
}

extension TesseraError.Detail {
    /// A problem with an approval, worded by `ApprovalMessage` in every language.
    public static func approval(field: String?, rule: String, _ message: ApprovalMessage) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message)
    }
}
