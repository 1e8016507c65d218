import Yams

/// What a schema of the document says a value may be, in the few forms the generated
/// readers and writers handle. Anything else in a schema they are asked to read or
/// write stops the build with `Unsupported`, naming it: a reader that guessed could
/// answer differently from the code swift-openapi-generator writes for the same schema.
indirect enum Shape {
    /// `$ref: '#/components/schemas/Name'`.
    case reference(String)
    /// `type: string`, with its `format` and `enum` (keywords the generated types do
    /// not check, such as `pattern` and `maxLength`, are left to the handlers as before).
    case string(format: String?, cases: [String]?)
    case integer(format: String?)
    case boolean
    case array(SchemaNode)
    /// Declared properties and what other members may be.
    case object(properties: [Property], required: Set<String>, additional: Additional)
    /// `oneOf` of references, decoded as the first case that succeeds.
    case oneOf([String])

    enum Additional {
        /// No `additionalProperties`: other members are ignored.
        case ignored
        /// `additionalProperties: false`: another member makes the body invalid.
        case refused
        /// `additionalProperties: true` with no declared properties: a free-form
        /// object, read through its own `Decodable` conformance.
        case freeForm
    }
}

/// A schema and whether `null` is one of its types (`type: [string, 'null']`).
struct SchemaNode {
    var shape: Shape
    var nullable: Bool
}

struct Property {
    var name: String
    var node: SchemaNode
}

struct Unsupported: Error, CustomStringConvertible {
    var description: String
}

extension SchemaNode {
    /// Reads one schema object of the document; `path` names it in errors.
    init(schema: Yams.Node?, at path: String) throws {
        guard let schema, let mapping = schema.mapping else { throw Unsupported(description: "\(path): not a schema object") }
        let keywords = Set(mapping.keys.compactMap(\.string))
        if let reference = schema["$ref"]?.string {
            let prefix = "#/components/schemas/"
            guard reference.hasPrefix(prefix), keywords.isSubset(of: ["$ref", "description"]) else {
                throw Unsupported(description: "\(path): only a bare $ref to \(prefix)… is read")
            }
            self.init(shape: .reference(String(reference.dropFirst(prefix.count))), nullable: false)
            return
        }
        if let cases = schema["oneOf"]?.sequence {
            var names: [String] = []
            for (index, item) in cases.enumerated() {
                guard case .reference(let name) = try SchemaNode(schema: item, at: "\(path).oneOf[\(index)]").shape else {
                    throw Unsupported(description: "\(path).oneOf[\(index)]: only $ref cases are read")
                }
                names.append(name)
            }
            guard !keywords.contains("discriminator") else { throw Unsupported(description: "\(path): a oneOf with a discriminator") }
            self.init(shape: .oneOf(names), nullable: false)
            return
        }
        for keyword in ["allOf", "anyOf", "not", "const", "nullable"] where keywords.contains(keyword) {
            throw Unsupported(description: "\(path): \(keyword)")
        }
        var types: [String]
        if let one = schema["type"]?.string {
            types = [one]
        } else if let many = schema["type"]?.sequence {
            types = many.compactMap(\.string)
        } else {
            throw Unsupported(description: "\(path): no type")
        }
        let nullable = types.contains("null")
        types.removeAll { $0 == "null" }
        guard types.count == 1 else { throw Unsupported(description: "\(path): the types \(types)") }
        let format = schema["format"]?.string
        switch types[0] {
        case "string":
            guard format == nil || format == "date-time" else { throw Unsupported(description: "\(path): format \(format!)") }
            let cases = schema["enum"]?.sequence?.compactMap(\.string)
            if cases != nil, format != nil { throw Unsupported(description: "\(path): an enum with a format") }
            self.init(shape: .string(format: format, cases: cases), nullable: nullable)
        case "integer":
            guard format == nil || format == "int64" else { throw Unsupported(description: "\(path): format \(format!)") }
            guard !keywords.contains("enum") else { throw Unsupported(description: "\(path): an integer enum") }
            self.init(shape: .integer(format: format), nullable: nullable)
        case "boolean":
            self.init(shape: .boolean, nullable: nullable)
        case "array":
            self.init(shape: .array(try SchemaNode(schema: schema["items"], at: "\(path).items")), nullable: nullable)
        case "object":
            // Properties in the document's order, as the generated initialiser takes them.
            var properties: [Property] = []
            for (key, value) in schema["properties"]?.mapping ?? Yams.Node.Mapping([]) {
                guard let name = key.string else { throw Unsupported(description: "\(path): a property name that is not a string") }
                properties.append(Property(name: name, node: try SchemaNode(schema: value, at: "\(path).properties.\(name)")))
            }
            let required = Set(schema["required"]?.sequence?.compactMap(\.string) ?? [])
            for name in required where !properties.contains(where: { $0.name == name }) {
                throw Unsupported(description: "\(path): \(name) is required but not declared")
            }
            for property in properties where required.contains(property.name) && property.node.nullable {
                throw Unsupported(description: "\(path).properties.\(property.name): required and nullable")
            }
            let additional: Shape.Additional
            switch schema["additionalProperties"]?.bool {
            case nil where !keywords.contains("additionalProperties"): additional = .ignored
            case false?: additional = .refused
            case true? where properties.isEmpty: additional = .freeForm
            default: throw Unsupported(description: "\(path): additionalProperties other than false, or true without properties")
            }
            self.init(shape: .object(properties: properties, required: required, additional: additional), nullable: nullable)
        default:
            throw Unsupported(description: "\(path): type \(types[0])")
        }
    }
}
