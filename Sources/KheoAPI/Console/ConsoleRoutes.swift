import DanVan

/// Every page and form of the console, with the `Action` each performs. The server
/// registers exactly these; the scope and CSRF tests walk exactly these.
enum ConsoleRoutes {
    /// A form's body, evidence included (5 MiB and the multipart framing).
    static let maxBody = (5 << 20) + 64 * 1024

    static let all: [ConsoleRoute] = [
        // Anyone: the way in, and the console's own files.
        .init(.get, "/console/", nil, SessionPages.home),
        .init(.get, "/console/sign-in", nil) { SessionPages.signInForm($0) },
        .init(.post, "/console/sign-in", nil, SessionPages.signIn),
        .init(.post, "/console/sign-out", nil, SessionPages.signOut),
        .init(.get, "/console/assets/console.css", nil) { _ in .asset(ConsoleAssets.css, type: "text/css; charset=utf-8") },
        .init(.get, "/console/assets/console.js", nil) { _ in .asset(ConsoleAssets.javascript, type: "text/javascript; charset=utf-8") },

        // Officials (and operators, for any unit).
        .init(.get, "/console/units", .readUnits, UnitPages.root),
        .init(.get, "/console/units/{unit}", .readUnits, UnitPages.show),
        .init(.get, "/console/inbox", .readInbox, UnitPages.inbox),
        .init(.post, "/console/notifications/{notification}/read", .markNotificationRead, UnitPages.markRead),
        .init(.get, "/console/models", .readModels, ModelPages.list),
        .init(.get, "/console/models/new", .registerModel, ModelPages.newForm),
        .init(.post, "/console/models", .registerModel, ModelPages.register),
        .init(.get, "/console/models/{model}", .readModels, ModelPages.show),
        .init(.post, "/console/models/{model}/transition", .advanceModel, ModelPages.transition),
        .init(.post, "/console/models/{model}/evidence", .describeModel, ModelPages.attach),
        .init(.get, "/console/models/{model}/evidence/{evidence}", .readModels, ModelPages.download),
        .init(.get, "/console/inspections", .readInspections, InspectionPages.list),
        .init(.get, "/console/inspections/new", .submitInspectionPlan, InspectionPages.newForm),
        .init(.post, "/console/inspections", .submitInspectionPlan, InspectionPages.submit),
        .init(.get, "/console/inspections/{plan}", .readInspections, InspectionPages.show),
        .init(.post, "/console/visits/{visit}/findings", .recordFindings, InspectionPages.findings),
        .init(.get, "/console/deadlines", .readDeadlines, DeadlinePages.list),
        .init(.get, "/console/statistics", .readStatistics, StatisticsPages.show),
        .init(.get, "/console/reports", .readReports, ReportPages.list),
        .init(.post, "/console/reports", .requestReport, ReportPages.request),
        .init(.get, "/console/reports/{report}/download", .readReports, ReportPages.download),
        .init(.get, "/console/documents", .readDocuments, DocumentPages.list),
        .init(.post, "/console/documents", .draftDocument, DocumentPages.draft),
        .init(.get, "/console/documents/{document}", .readDocuments, DocumentPages.show),
        .init(.post, "/console/documents/{document}/edit", .editDocument, DocumentPages.edit),
        .init(.post, "/console/documents/{document}/issue", .issueDocument, DocumentPages.issue),
        .init(.get, "/console/documents/{document}/download", .readDocuments, DocumentPages.download),

        // Operators.
        .init(.get, "/console/ops", .readMetrics, OperatorPages.overview),
        .init(.get, "/console/ops/queues", .readMetrics, OperatorPages.queues),
        .init(.get, "/console/ops/queues/{queue}/confirm", .administerQueues, OperatorPages.confirmQueue),
        .init(.post, "/console/ops/queues/{queue}/pause", .administerQueues, OperatorPages.pause),
        .init(.post, "/console/ops/queues/{queue}/resume", .administerQueues, OperatorPages.resume),
        .init(.get, "/console/ops/jobs", .readMetrics, JobPages.list),
        .init(.get, "/console/ops/jobs/bulk", .administerQueues, JobPages.bulkConfirm),
        .init(.post, "/console/ops/jobs/bulk", .administerQueues, JobPages.bulk),
        .init(.get, "/console/ops/jobs/{job}", .readJobs, JobPages.show),
        .init(.post, "/console/ops/jobs/{job}/retry", .controlJob, JobPages.retry),
        .init(.post, "/console/ops/jobs/{job}/cancel", .controlJob, JobPages.cancel),
        .init(.get, "/console/ops/periodic", .readMetrics, OperatorPages.periodic),
        .init(.get, "/console/ops/nodes", .readMetrics, OperatorPages.nodes),
    ]
}
