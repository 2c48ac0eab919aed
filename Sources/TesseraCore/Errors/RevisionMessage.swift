/// The catalogue of built-in messages about configuration revisions (`/api/v1/meta/revisions`),
/// worded in every `MessageLocale`.
public enum RevisionMessage: CatalogueMessage, Equatable {
    case noRevision(String)
    case revisionShape(String)
    case current(Int64)
    case cannotRestore(Int64)

    public var wording: Wording {
        switch self {
        case .noRevision(let n):
            return ({ "This tenant has no configuration revision \(n)." }, { "本租户没有第 \(n) 号配置版本。" })
        case .revisionShape(let text):
            return ({ "'\(text)' is not a revision number (a whole number from 0)" }, { "'\(text)' 不是版本号（从 0 开始的整数）" })
        case .current(let n):
            return ({ "Revision \(n) is the configuration as it is now: there is nothing to revert." }, { "第 \(n) 号版本即当前配置，无需回滚。" })
        case .cannotRestore(let n):
            return (
                { "Revision \(n) cannot be restored as it was: its definitions no longer hold (see details)." },
                { "第 \(n) 号版本无法按原样恢复：其定义已不再成立（见 details）。" }
            )
        }
    }
}
