import DanVan
import KheoAPI
package import PostgresClient

/// The tokens the demo prints at its end, so a newcomer signs in to the console on the
/// province just lived through: the province's editor, the editor of the commune with
/// the most models, and an operator.
package enum DemoConsole {
    package static func signIn(on connection: PostgresConnection) throws -> [String] {
        let province = try connection.query(
            "SELECT id, name FROM danvan.units WHERE parent_id IS NULL ORDER BY id LIMIT 1"
        ).single()
        let commune = try connection.query(
            """
            SELECT u.id, u.name FROM danvan.units AS u
            WHERE u.kind = 'commune' AND (u.valid_until IS NULL OR u.valid_until > danvan.today())
            ORDER BY (SELECT count(*) FROM danvan.models AS m WHERE m.unit_id = u.id) DESC, u.id LIMIT 1
            """
        ).single()
        let tokens = APITokens()
        let provinceID: Int64 = try province.decode("id"), communeID: Int64 = try commune.decode("id")
        let provinceToken = try tokens.create(unit: provinceID, role: .editor, label: "demo: province editor", on: connection)
        let communeToken = try tokens.create(unit: communeID, role: .editor, label: "demo: commune editor", on: connection)
        let operatorToken = try tokens.create(unit: nil, role: .operator, label: "demo: operator", on: connection)
        return [
            "\(try province.decode("name", as: String.self)) (editor):  \(provinceToken.token)",
            "\(try commune.decode("name", as: String.self)) (editor):  \(communeToken.token)",
            "operator (queues and jobs):  \(operatorToken.token)",
        ]
    }
}
