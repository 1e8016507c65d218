internal import CLibPQ
import Logging

/// How strictly concurrent transactions are kept apart (PostgreSQL's isolation levels).
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// Called again inside `body`, it opens a savepoint instead, so a nested block can
    /// fail and roll back alone while the outer transaction goes on.
    ///
    /// If a statement inside failed and `body` caught that error and returned anyway,
    /// PostgreSQL has already aborted the transaction; committing would silently roll
    /// back, so this rolls back and throws `transactionMisuse` instead.
    public func transaction<Result>(
        isolation: IsolationLevel? = nil,
        _ body: (PostgresConnection) throws -> Result
    ) throws -> Result {
        let depth = handle.transactionDepth
        if depth > 0, isolation != nil {
            throw PostgresError(
                code: .transactionMisuse,
                message: "an isolation level can only be set on the outermost transaction",
                hint: "drop the isolation argument of the nested transaction call"
            )
        }
        let savepoint = "kheo_savepoint_\(depth)"
        if depth == 0 {
            try execute(script: isolation.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN")
            do { try applyTransactionSettings() } catch {
                rollBack(depth: depth, savepoint: savepoint)
                throw error
            }
        } else {
            try execute(script: "SAVEPOINT \(savepoint)")
        }
        handle.transactionDepth += 1
        defer { handle.transactionDepth = depth }

        let result: Result
        do {
            result = try body(self)
        } catch {
            rollBack(depth: depth, savepoint: savepoint)
            throw error
        }
        if PQtransactionStatus(handle.raw) == PQTRANS_INERROR {
            rollBack(depth: depth, savepoint: savepoint)
            throw PostgresError(
                code: .transactionMisuse,
                message: "a statement in the transaction failed and its error was caught, so nothing was committed",
                hint: "let the error propagate, or wrap the statement that may fail in a nested transaction (a savepoint)"
            )
        }
        if depth == 0 {
            try execute(script: "COMMIT")
        } else {
            try execute(script: "RELEASE SAVEPOINT \(savepoint)")
        }
        return result
    }

    /// Best effort: if the connection is gone the server has rolled back already.
    private func rollBack(depth: Int, savepoint: String) {
        guard isOpen else { return }
        do {
            if depth == 0 {
                try execute(script: "ROLLBACK")
            } else {
                try execute(script: "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
            }
        } catch {
            handle.markBroken()
            logger.warning("rollback failed; discarding the connection", metadata: ["error": "\(error)"])
        }
    }
}
