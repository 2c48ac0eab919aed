/// An expression compiled when the metadata is loaded, or why it did not compile. Metadata is
/// checked when it is saved, so a failure here is an older server's metadata: the place of use
/// fails as it would have by compiling itself, and nothing else is affected.
public typealias CompiledOnce = Result<CompiledExpression, ExpressionError>

extension Result where Success == CompiledExpression, Failure == ExpressionError {
    /// Compiles `source` now, keeping the error for whoever uses it.
    public static func compile(_ source: String, in context: ExpressionContext, expecting: ExpressionType? = nil) -> CompiledOnce {
        Result { () throws(ExpressionError) in try CompiledExpression(source, in: context, expecting: expecting) }
    }
}
