@testable import GenerateJSONCoders
import Testing
import Yams

/// The generator writes a reader only for what it reads exactly as the generated
/// conformances do, and stops the build, naming the place, for anything else.
@Suite struct GenerateJSONCodersTests {
    static func generate(_ schemas: String, body: String = "$ref: '#/components/schemas/Thing'") throws -> String {
        let document = """
            openapi: 3.1.0
            paths:
              /things:
                post:
                  operationId: makeThing
                  requestBody:
                    content:
                      application/json:
                        schema:
                          \(body)
                  responses:
                    '204':
                      description: Made.
            components:
              schemas:
            \(schemas)
            """
        let node = try #require(try Yams.compose(yaml: document))
        return try GenerateJSONCoders.generate(document: node, operations: ["makeThing"])
    }

    @Test func unknownMembersAreRefusedOrIgnoredAsTheSchemaSays() throws {
        let strict = try Self.generate("""
                Thing:
                  type: object
                  additionalProperties: false
                  required: [name]
                  properties:
                    name: {type: string}
                    count: {type: [integer, 'null']}
            """)
        #expect(strict.contains("default: throw FastJSONReading.mismatch"))
        #expect(strict.contains("guard let name else"))
        #expect(strict.contains(#"case "count": if case .null = member.value {} else { count = try FastJSONReading.int(member.value, state) }"#))
        #expect(strict.contains("self.init(name: name, count: count)"))
        let lenient = try Self.generate("""
                Thing:
                  type: object
                  properties:
                    name: {type: string}
            """)
        #expect(lenient.contains("default: continue"))
    }

    @Test(arguments: [
        ("Thing: {type: number}", "#/components/schemas/Thing: type number"),
        ("Thing: {type: object, properties: {a: {type: string, format: uuid}}}", "properties.a: format uuid"),
        ("Thing: {type: object, properties: {a: {anyOf: [{type: string}]}}}", "properties.a: anyOf"),
        ("Thing: {type: object, required: [a], properties: {a: {type: [string, 'null']}}}", "required and nullable"),
        ("Thing: {type: object, properties: {a_b: {type: string}}}", "a_b: a name that needs the generator's escaping"),
        ("Thing: {type: object, additionalProperties: {type: string}, properties: {a: {type: string}}}", "additionalProperties"),
        ("Other: {type: string}", "no schema Thing in components"),
    ])
    func whatItCannotReadExactlyStopsTheBuild(schema: String, message: String) {
        do {
            let source = try Self.generate("    " + schema)
            Issue.record("generated a reader for \(schema): \(source)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
