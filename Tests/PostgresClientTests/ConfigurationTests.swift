@testable import PostgresClient
import Testing

/// URL parsing needs no server: these run without PostgreSQL.
@Suite struct ConfigurationTests {
    @Test func parsesAFullURL() throws {
        let config = try PostgresConfiguration(url: "postgresql://app:s3cr%40t@db.example.org:6543/kheo?sslmode=require&application_name=worker&connect_timeout=3")
        #expect(config.user == "app")
        #expect(config.password == "s3cr@t")
        #expect(config.host == "db.example.org")
        #expect(config.port == 6543)
        #expect(config.database == "kheo")
        #expect(config.connectTimeout == 3)
        #expect(config.options == ["sslmode": "require", "application_name": "worker"])
    }

    @Test func acceptsUnixSocketHostsBothWays() throws {
        let encoded = try PostgresConfiguration(url: "postgres://kheo@%2Fvar%2Frun%2Fpostgresql/jobs")
        #expect(encoded.host == "/var/run/postgresql")
        #expect(encoded.database == "jobs")
        let query = try PostgresConfiguration(url: "postgresql:///jobs?host=/tmp/sock&user=kheo")
        #expect(query.host == "/tmp/sock")
        #expect(query.user == "kheo")
    }

    @Test func acceptsIPv6AndEmptyParts() throws {
        let v6 = try PostgresConfiguration(url: "postgresql://[::1]:5433/db")
        #expect(v6.host == "::1")
        #expect(v6.port == 5433)
        let bare = try PostgresConfiguration(url: "postgresql://")
        #expect(bare.host == nil && bare.user == nil && bare.database == nil)
    }

    @Test(arguments: [
        ("mysql://root@localhost/db", "must start with postgresql://"),
        ("postgresql://host:99999/db", "port"),
        ("postgresql://host:abc/db", "port"),
        ("postgresql://host/db?sslmod=require", "unknown connection parameter 'sslmod'"),
        ("postgresql://host/db?sslmode", "no '='"),
        ("postgresql://us%zzer@host/db", "malformed %-escape"),
        ("postgresql://[::1/db", "closing ']'"),
    ])
    func refusesMalformedURLs(url: String, expected: String) {
        #expect {
            try PostgresConfiguration(url: url)
        } throws: { error in
            let error = error as! PostgresError
            return error.code == .invalidConfiguration && error.message.contains(expected)
        }
    }

    @Test func neverShowsThePassword() throws {
        let config = try PostgresConfiguration(url: "postgresql://app:hunter2@db:5432/kheo")
        #expect(!config.description.contains("hunter2"))
        #expect(config.description == "postgresql://app@db:5432/kheo")
        do {
            _ = try PostgresConfiguration(url: "postgresql://app:hunter2@db:70000/kheo")
            Issue.record("a bad port was accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test func urlRoundTrips() throws {
        let original = PostgresConfiguration(host: "/tmp/a dir", port: 5432, user: "kheo", password: "p@ss:w/rd?", database: "dân_vận", options: ["sslmode": "disable"])
        let parsed = try PostgresConfiguration(url: original.url)
        #expect(parsed.host == original.host)
        #expect(parsed.password == original.password)
        #expect(parsed.database == original.database)
        #expect(parsed.options == original.options)
    }

    /// `pool_mode` is ours, not libpq's: read, kept out of libpq's keywords, written back.
    @Test func readsThePoolMode() throws {
        let pooled = try PostgresConfiguration(url: "postgresql://kheo@127.0.0.1:6432/kheo?pool_mode=transaction")
        #expect(pooled.poolMode == .transaction)
        #expect(!pooled.libpqParameters.contains { $0.0 == "pool_mode" })
        #expect(try PostgresConfiguration(url: pooled.url).poolMode == .transaction)
        #expect(pooled.description.contains("pool_mode=transaction"))
        #expect(try PostgresConfiguration(url: "postgresql://kheo@/kheo?host=/run/pg").poolMode == .session)
        #expect {
            try PostgresConfiguration(url: "postgresql://kheo@/kheo?pool_mode=statement")
        } throws: { error in
            (error as? PostgresError)?.code == .invalidConfiguration && "\(error)".contains("pool_mode")
        }
    }
}
