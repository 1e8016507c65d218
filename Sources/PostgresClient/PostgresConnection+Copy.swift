internal import CLibPQ

extension PostgresConnection {
    /// Bulk-loads rows with `COPY … FROM STDIN`: `body` appends rows to the writer.
    ///
    /// `sql` is a COPY statement written by the program, e.g.
    /// `COPY kheo.jobs (kind, args) FROM STDIN`; it takes no parameters, so it must not
    /// be built from user input. If `body` throws, the COPY is aborted and no row is
    /// stored. Returns the number of rows the server stored.
    @discardableResult
    public func copy(_ sql: String, _ body: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        let start = PQexec(handle.raw, sql)
        if let start, PQresultStatus(start) == PGRES_COPY_IN {
            PQclear(start)
        } else {
            // An error (thrown by check) or a statement that is not COPY … FROM STDIN.
            _ = try handle.check(start, statement: "copy")
            throw PostgresError(
                code: .transactionMisuse,
                message: "copy(_:_:) needs a COPY … FROM STDIN statement",
                statement: "copy"
            )
        }
        var writer = PostgresCopyWriter(handle: handle)
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(handle.raw, "aborted by the client")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle.raw, nil) == 1 else { throw handle.connectionError(statement: "copy") }
        defer { drainResults() }
        return try handle.check(PQgetResult(handle.raw), statement: "copy").affectedRows
    }

    /// Reads and frees results until libpq has none left, so the connection is ready again.
    private func drainResults() {
        while let result = PQgetResult(handle.raw) { PQclear(result) }
    }
}
