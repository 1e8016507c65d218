/// The pieces every statement that finishes a job shares to move it out of
/// `kheo.jobs` into `kheo.job_history` (migration 0013) in the same statement: a
/// `DELETE … RETURNING` of the job, then an `INSERT` of its finished form.
///
/// Statements in one `WITH` cannot see each other's writes, so a job cannot be updated
/// and then moved; each statement instead splits its jobs in two: those that stay
/// (still to run, or a unique job whose final state still blocks duplicates) are
/// updated in place, the others are deleted and inserted into history with the
/// finished values.
package enum JobHistorySQL {
    /// Every column of `kheo.jobs`, in table order; `kheo.job_history` has the same
    /// (it was made `LIKE kheo.jobs`). `JobHistoryTests` holds this list to the catalog,
    /// so a column added to one table and not here fails a test, not a finish.
    package static let columns = [
        "id", "queue", "kind", "args", "priority", "state", "attempt", "max_attempts", "scheduled_at", "inserted_at",
        "attempted_at", "finalized_at", "attempted_by", "lease_owner", "lease_expires_at", "errors", "tags", "metadata",
        "unique_key", "unique_states", "cancel_requested_at", "partition_key",
    ]

    /// True when a job of `job` (an alias), finishing in `state` (an SQL expression of
    /// type `kheo.job_state`), stays in `kheo.jobs` because it still blocks duplicates.
    package static func staysForUniqueness(_ job: String, finishingIn state: String) -> String {
        "(\(job).unique_key IS NOT NULL AND \(state) = ANY (\(job).unique_states))"
    }

    /// `INSERT INTO kheo.job_history` of the rows of `source` (a CTE returning `*` of
    /// `kheo.jobs`), each column taken as it is unless `overriding` gives an SQL
    /// expression for it. Always clears the lease.
    package static func archive(from source: String, overriding: [String: String]) -> String {
        var values = [String: String]()
        for column in columns { values[column] = "\(source).\(column)" }
        values["lease_owner"] = "NULL"
        values["lease_expires_at"] = "NULL"
        for (column, expression) in overriding {
            precondition(values[column] != nil, "kheo.job_history has no column \(column)")
            values[column] = expression
        }
        return """
            INSERT INTO kheo.job_history (\(columns.joined(separator: ", ")))
                SELECT \(columns.map { values[$0]! }.joined(separator: ", ")) FROM \(source)
            """
    }
}
