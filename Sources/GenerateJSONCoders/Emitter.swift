import Yams

/// Writes the Swift source of the readers and writers, as extensions of the types
/// swift-openapi-generator generates for the same document (naming strategy
/// `idiomatic`). Names are computed here the way the generator computes them for the
/// plain names this document uses; a name that would need its escaping stops the build,
/// and a name computed wrongly fails to compile, so the two never drift apart silently.
struct Emitter {
    let schemas: Yams.Node.Mapping
    private(set) var source: [String] = []
    /// What is still to write, and what has been (by coder and type).
    private var pending: [(coder: Coder, type: String, node: SchemaNode, path: String)] = []
    private var done: Set<String> = []

    enum Coder { case reader, writer }

    init(schemas: Yams.Node.Mapping) {
        self.schemas = schemas
    }

    // MARK: Names

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "func", "import", "init", "inout", "let", "operator",
        "protocol", "static", "struct", "subscript", "typealias", "var", "break", "case", "continue", "default", "defer",
        "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as",
        "catch", "false", "is", "nil", "rethrows", "super", "self", "Self", "throw", "throws", "true", "try", "Type",
    ]

    static func isPlain(_ name: String, upper: Bool) -> Bool {
        guard let first = name.unicodeScalars.first, !keywords.contains(name) else { return false }
        let initialOK = upper ? ("A"..."Z").contains(first) : ("a"..."z").contains(first)
        return initialOK && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    static func upperFirst(_ name: String) -> String { name.prefix(1).uppercased() + name.dropFirst() }

    func componentType(_ name: String, at path: String) throws -> String {
        guard Self.isPlain(name, upper: true) else { throw Unsupported(description: "\(path): the schema name \(name) needs the generator's escaping") }
        return "Components.Schemas.\(name)"
    }

    func component(_ name: String, at path: String) throws -> SchemaNode {
        guard let schema = schemas[name] else { throw Unsupported(description: "\(path): no schema \(name) in components") }
        return try SchemaNode(schema: schema, at: "#/components/schemas/\(name)")
    }

    /// The schema a `$ref` names, where it is, and its Swift type when it has one of its
    /// own (nil when the generator writes it as a standard type, read or written inline).
    func referenced(_ name: String, at path: String) throws -> (node: SchemaNode, type: String?, path: String) {
        let node = try component(name, at: path)
        return (node, Self.isNamedType(node.shape) ? try componentType(name, at: path) : nil, "#/components/schemas/\(name)")
    }

    /// Writes the reader or writer of `type` and every one it needs.
    mutating func generate(_ coder: Coder, for type: String, node: SchemaNode, at path: String) throws {
        pending.append((coder, type, node, path))
        while let next = pending.popLast() {
            guard done.insert("\(next.coder) \(next.type)").inserted else { continue }
            switch next.coder {
            case .reader: try emitReader(type: next.type, node: next.node, at: next.path)
            case .writer: try emitWriter(type: next.type, node: next.node, at: next.path)
            }
        }
    }

    /// Whether a schema becomes a type of its own (which gets an extension) rather than
    /// a standard type such as `Swift.String` (which is read inline).
    static func isNamedType(_ shape: Shape) -> Bool {
        switch shape {
        case .object, .oneOf: true
        case .string(_, let cases): cases != nil
        default: false
        }
    }

    // MARK: Readers

    /// An expression of type `swiftType` read from `value`, a `FastJSONValue`.
    mutating func readExpression(_ node: SchemaNode, owner: String, property: String, value: String, at path: String) throws -> String {
        switch node.shape {
        case .reference(let name):
            let (target, type, targetPath) = try referenced(name, at: path)
            guard let type else { return try readExpression(target, owner: owner, property: property, value: value, at: targetPath) }
            pending.append((.reader, type, target, targetPath))
            return "try \(type)(fastJSON: \(value), state)"
        case .string(let format, let cases):
            if cases != nil {
                let type = "\(owner).\(Self.upperFirst(property))Payload"
                pending.append((.reader, type, node, path))
                return "try \(type)(fastJSON: \(value), state)"
            }
            return format == "date-time" ? "try FastJSONReading.date(\(value), state)" : "try FastJSONReading.string(\(value), state)"
        case .integer(let format):
            return format == "int64" ? "try FastJSONReading.int64(\(value), state)" : "try FastJSONReading.int(\(value), state)"
        case .boolean:
            return "try FastJSONReading.bool(\(value), state)"
        case .array(let items):
            guard !items.nullable, !Self.isNamedType(items.shape) || { if case .reference = items.shape { true } else { false } }() else {
                throw Unsupported(description: "\(path).items: nullable items, or an inline schema that would need a type of its own")
            }
            let element = try readExpression(items, owner: owner, property: property, value: "$0", at: "\(path).items")
            return "try FastJSONReading.array(\(value), state) { \(element) }"
        case .object(_, _, .freeForm):
            let type = "\(owner).\(Self.upperFirst(property))Payload"
            return "try FastJSONReading.decodable(\(type).self, \(value), state)"
        case .object:
            let type = "\(owner).\(Self.upperFirst(property))Payload"
            pending.append((.reader, type, node, path))
            return "try \(type)(fastJSON: \(value), state)"
        case .oneOf:
            throw Unsupported(description: "\(path): a oneOf inside a schema")
        }
    }

    mutating func emitReader(type: String, node: SchemaNode, at path: String) throws {
        var lines: [String] = []
        lines.append("extension \(type) {")
        lines.append("    /// `\(path)`, read as its generated `Decodable` conformance reads it.")
        lines.append("    init(fastJSON value: FastJSONValue, _ state: FastJSONDecoder.State) throws {")
        switch node.shape {
        case .string(_, let cases?):
            _ = cases
            lines.append("        guard let read = Self(rawValue: try FastJSONReading.string(value, state)) else { throw FastJSONReading.mismatch(Self.self, value) }")
            lines.append("        self = read")
        case .oneOf(let names):
            // The first case that decodes, as the generated `init(from:)` tries them;
            // giving up (`state.gaveUp`) is not a mismatch and ends the search.
            for name in names {
                let caseType = try componentType(name, at: path)
                pending.append((.reader, caseType, try component(name, at: path), "#/components/schemas/\(name)"))
                lines.append("        if let read = try FastJSONReading.firstMatch(state, { try \(caseType)(fastJSON: value, state) }) {")
                lines.append("            self = .\(name)(read)")
                lines.append("            return")
                lines.append("        }")
            }
            lines.append("        throw FastJSONReading.mismatch(Self.self, value)")
        case .object(let properties, let required, let additional):
            lines.append("        let members = try FastJSONReading.members(value, state)")
            for property in properties {
                guard Self.isPlain(property.name, upper: false) else {
                    throw Unsupported(description: "\(path).properties.\(property.name): a name that needs the generator's escaping")
                }
            }
            for property in properties {
                let swiftType = try declaredType(property, owner: type, at: "\(path).properties.\(property.name)")
                lines.append("        var \(property.name): \(swiftType)?")
            }
            lines.append("        for member in members {")
            lines.append("            switch member.key {")
            for property in properties {
                let read = try readExpression(property.node, owner: type, property: property.name, value: "member.value", at: "\(path).properties.\(property.name)")
                // `decodeIfPresent` takes null as absent; `decode` refuses it.
                if required.contains(property.name) {
                    lines.append("            case \"\(property.name)\": \(property.name) = \(read)")
                } else {
                    lines.append("            case \"\(property.name)\": if case .null = member.value {} else { \(property.name) = \(read) }")
                }
            }
            switch additional {
            case .refused: lines.append("            default: throw FastJSONReading.mismatch(Self.self, value)")
            case .ignored: lines.append("            default: continue")
            case .freeForm: throw Unsupported(description: "\(path): a free-form object is read by its conformance")
            }
            lines.append("            }")
            lines.append("        }")
            for property in properties where required.contains(property.name) {
                lines.append("        guard let \(property.name) else { throw FastJSONReading.mismatch(Self.self, value) }")
            }
            let arguments = properties.map { "\($0.name): \($0.name)" }.joined(separator: ", ")
            lines.append("        self.init(\(arguments))")
        default:
            throw Unsupported(description: "\(path): not a type of its own")
        }
        lines.append("    }")
        lines.append("}")
        source.append(lines.joined(separator: "\n"))
    }

    /// The Swift type of a property's value, without the optional.
    func declaredType(_ property: Property, owner: String, at path: String) throws -> String {
        try swiftType(property.node, owner: owner, property: property.name, at: path)
    }

    func swiftType(_ node: SchemaNode, owner: String, property: String, at path: String) throws -> String {
        switch node.shape {
        case .reference(let name):
            let (target, type, targetPath) = try referenced(name, at: path)
            return try type ?? swiftType(target, owner: owner, property: property, at: targetPath)
        case .string(let format, let cases):
            if cases != nil { return "\(owner).\(Self.upperFirst(property))Payload" }
            return format == "date-time" ? "Foundation.Date" : "Swift.String"
        case .integer(let format): return format == "int64" ? "Swift.Int64" : "Swift.Int"
        case .boolean: return "Swift.Bool"
        case .array(let items): return "[\(try swiftType(items, owner: owner, property: property, at: "\(path).items"))]"
        case .object: return "\(owner).\(Self.upperFirst(property))Payload"
        case .oneOf: throw Unsupported(description: "\(path): a oneOf inside a schema")
        }
    }

    // MARK: Writers

    mutating func writeStatement(_ node: SchemaNode, owner: String, property: String, value: String, at path: String) throws -> String {
        switch node.shape {
        case .reference(let name):
            let (target, type, targetPath) = try referenced(name, at: path)
            guard let type else { return try writeStatement(target, owner: owner, property: property, value: value, at: targetPath) }
            pending.append((.writer, type, target, targetPath))
            return "\(value).fastJSON(into: &writer)"
        case .string(let format, let cases):
            guard format == nil else { throw Unsupported(description: "\(path): a formatted string is written by the generated encoder") }
            return cases != nil ? "writer.string(\(value).rawValue)" : "writer.string(\(value))"
        case .integer: return "writer.integer(\(value))"
        case .boolean: return "writer.bool(\(value))"
        case .array(let items):
            let element = try writeStatement(items, owner: owner, property: property, value: "element", at: "\(path).items")
            return "writer.array(\(value)) { writer, element in \(element) }"
        case .object(_, _, .freeForm), .oneOf:
            throw Unsupported(description: "\(path): written by the generated encoder")
        case .object:
            let type = "\(owner).\(Self.upperFirst(property))Payload"
            pending.append((.writer, type, node, path))
            return "\(value).fastJSON(into: &writer)"
        }
    }

    mutating func emitWriter(type: String, node: SchemaNode, at path: String) throws {
        guard case .object(let properties, let required, _) = node.shape else {
            throw Unsupported(description: "\(path): only objects are written")
        }
        var lines: [String] = []
        lines.append("extension \(type) {")
        lines.append("    /// `\(path)` as compact JSON, the members the generated `Encodable` conformance writes.")
        lines.append("    func fastJSON() -> [UInt8] {")
        lines.append("        var writer = FastJSONWriter()")
        lines.append("        fastJSON(into: &writer)")
        lines.append("        return writer.bytes")
        lines.append("    }")
        lines.append("")
        lines.append("    func fastJSON(into writer: inout FastJSONWriter) {")
        lines.append("        writer.beginObject()")
        for property in properties {
            guard Self.isPlain(property.name, upper: false) else {
                throw Unsupported(description: "\(path).properties.\(property.name): a name that needs the generator's escaping")
            }
            let at = "\(path).properties.\(property.name)"
            if required.contains(property.name) {
                let write = try writeStatement(property.node, owner: type, property: property.name, value: "self.\(property.name)", at: at)
                lines.append("        writer.key(\"\(property.name)\"); \(write)")
            } else {
                let write = try writeStatement(property.node, owner: type, property: property.name, value: property.name, at: at)
                lines.append("        if let \(property.name) = self.\(property.name) { writer.key(\"\(property.name)\"); \(write) }")
            }
        }
        lines.append("        writer.endObject()")
        lines.append("    }")
        lines.append("}")
        source.append(lines.joined(separator: "\n"))
    }
}
