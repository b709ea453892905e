/// Export formats of `GET /v1/agents/{id}/telemetry`.
public enum TelemetryExportFormat: String, Sendable, CaseIterable {
    case json
    case csv
}
