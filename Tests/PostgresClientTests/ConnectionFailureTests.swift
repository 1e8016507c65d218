import KheoTesting
import LocalPostgres
import PostgresClient
import Testing

@Suite struct ConnectionFailureTests {
    @Test func unreachableHostIsConnectionFailed() {
        let config = PostgresConfiguration(host: "127.0.0.1", port: 1, user: "kheo", password: "do-not-print", database: "kheo", connectTimeout: 2)
        #expect {
            try PostgresConnection.connect(to: config)
        } throws: { error in
            let error = error as! PostgresError
            return error.code == .connectionFailed && error.message.contains("127.0.0.1")
                && !"\(error)".contains("do-not-print") && error.hint != nil
        }
    }

    @Test func missingDatabaseIsDatabaseNotFound() throws {
        try TestDatabase.with(migrated: false) { db in
            var config = db.configuration
            config.database = "no_such_database_here"
            #expect {
                try PostgresConnection.connect(to: config)
            } throws: { error in
                let error = error as! PostgresError
                return error.code == .databaseNotFound && error.message.contains("no_such_database_here")
            }
        }
    }

    @Test func wrongPasswordIsAuthenticationFailed() throws {
        try TestCluster.withPrivateCluster { cluster in
            let admin = try PostgresConnection.connect(to: cluster.connectionConfiguration)
            try admin.execute(script: "CREATE ROLE officer LOGIN PASSWORD 'right-password'")
            var config = cluster.connectionConfiguration
            config.user = "officer"
            config.password = "wrong-password"
            #expect {
                try PostgresConnection.connect(to: config)
            } throws: { error in
                let error = error as! PostgresError
                return error.code == .authenticationFailed && !"\(error)".contains("wrong-password")
            }
            config.password = "right-password"
            let connection = try PostgresConnection.connect(to: config)
            #expect(try connection.query("SELECT current_user").single().decode(0, as: String.self) == "officer")
        }
    }

    @Test func sqlErrorsAreTypedAndLeaveTheConnectionUsable() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 1)) { db in
            try db.pool.withConnection { connection in
                #expect {
                    try connection.query("SELEC 1")
                } throws: { error in
                    let error = error as! PostgresError
                    return error.code == .server && error.sqlState == "42601" && error.message.contains("syntax error")
                }
                #expect {
                    try connection.query("SELECT * FROM missing_table")
                } throws: { ($0 as? PostgresError)?.sqlState == SQLState.undefinedTable }
                #expect {
                    try connection.query("SELECT $1::int4", "twelve")
                } throws: { error in
                    let error = error as! PostgresError
                    return error.sqlState == SQLState.invalidTextRepresentation
                }
                #expect(connection.isOpen)
                let two: Int = try connection.query("SELECT 2").single().decode(0)
                #expect(two == 2)
            }
        }
    }
}
