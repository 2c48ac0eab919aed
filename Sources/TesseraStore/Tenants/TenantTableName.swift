/// The tables every tenant schema has besides its entities, by name (an entity's API name cannot
/// start with `_`, so none collides with them).
enum TenantTableName {
    static let users = "_users"
    static let teams = "_teams"
    static let files = "_files"
    static let history = "_history"
    static let stageHistory = "_stage_history"
    static let outbox = "_outbox"
    static let automationRuns = "_automation_runs"
    static let inbox = "_inbox"
    static let assignmentState = "_assignment_state"
    static let recordLocks = "_record_locks"
    static let approvals = "_approvals"
    static let approvalTasks = "_approval_tasks"
    static let approvalLog = "_approval_log"
}
