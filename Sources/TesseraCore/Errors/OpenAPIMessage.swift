/// The catalogue of built-in messages about the OpenAPI document (`/api/v1/openapi.json`),
/// worded in every `MessageLocale`.
public enum OpenAPIMessage: CatalogueMessage, Equatable {
    case version(String)
    case notForOpenAPI(String)

    public var wording: Wording {
        switch self {
        case .version(let text):
            return ({ "version '\(text)' is not served: use 3.0 (the default) or 3.1" }, { "不提供版本 '\(text)'：请用 3.0（默认）或 3.1" })
        case .notForOpenAPI(let name):
            return ({ "'\(name)' is not a parameter of the OpenAPI document (version)" }, { "'\(name)' 不是 OpenAPI 文档的参数（version）" })
        }
    }
}

extension TesseraError.Detail {
    /// A problem with a request for the OpenAPI document, worded by `OpenAPIMessage`.
    public static func openAPI(field: String?, rule: String, _ message: OpenAPIMessage) -> TesseraError.Detail {
        .init(field: field, rule: rule, localized: message)
    }
}
