import Foundation
import KheoTesting
import LocalPostgres
import PostgresClient
import Testing

@Suite struct LocalClusterTests {
    @Test func startsOnceThenReusesStopsAndRestarts() throws {
        try TestCluster.withPrivateCluster { cluster in
            // withPrivateCluster created and started it; starting again reuses it.
            #expect(try cluster.status() == .running)
            #expect(try cluster.start() == .alreadyRunning)
            let connection = try PostgresConnection.connect(to: cluster.connectionConfiguration)
            let database: String = try connection.query("SELECT current_database()").single().decode(0)
            #expect(database == "kheo")
            let listens: String = try connection.query("SHOW listen_addresses").single().decode(0)
            #expect(listens.isEmpty)

            try cluster.stop()
            #expect(try cluster.status() == .stopped)
            #expect(try cluster.start() == .started)
            #expect(try cluster.status() == .running)
            let parsed = try PostgresConfiguration(url: cluster.url)
            #expect(parsed.host == cluster.socketDirectory)
            #expect(try PostgresConnection.connect(to: parsed).query("SELECT 1").count == 1)
        }
    }

    @Test func theSocketDirectoryIsPrivate() throws {
        try TestCluster.withPrivateCluster { cluster in
            let attributes = try FileManager.default.attributesOfItem(atPath: cluster.socketDirectory)
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(permissions & 0o077 == 0, "socket directory permissions \(String(permissions, radix: 8))")
        }
    }

    @Test func missingServerProgramsNameThePackagesToInstall() {
        #expect {
            try PostgresBinaries.locate(environment: ["KHEO_PG_BINDIR": "/nonexistent", "PATH": "/nonexistent"], searchSystemDirectories: false)
        } throws: { error in
            let error = error as! LocalClusterError
            return error.code == .binariesMissing && error.description.contains("apt-get install -y postgresql")
        }
    }

    @Test func anUnreachableDirectoryIsRefusedClearly() throws {
        let root = geteuid() == 0 ? "/root/kheo-unreachable-\(getpid())/postgres" : "/proc/kheo-unwritable/postgres"
        defer { try? FileManager.default.removeItem(atPath: "/root/kheo-unreachable-\(getpid())") }
        let cluster = try LocalCluster(LocalCluster.Configuration(root: root))
        #expect {
            try cluster.start()
        } throws: { error in
            (error as? LocalClusterError)?.code == .directoryUnusable
        }
    }

    @Test func defaultRootFollowsKheoHome() {
        #expect(LocalCluster.defaultRoot(environment: ["KHEO_HOME": "/srv/kheo"]) == "/srv/kheo/postgres")
        if geteuid() != 0 {
            #expect(LocalCluster.defaultRoot(environment: ["HOME": "/home/a"]) == "/home/a/.local/share/kheo/postgres")
        } else {
            #expect(LocalCluster.defaultRoot(environment: ["HOME": "/root"]) == "/var/lib/kheo/postgres")
        }
    }
}
