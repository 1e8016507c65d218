/// A command could not do what was asked, for a reason the operator can act on; the
/// message is printed as is and the command exits 1.
struct OperatorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
