import GridCore

/// Metrics in the Prometheus text exposition format (prometheus.io/docs/instrumenting/exposition_formats),
/// written for node-exporter's textfile collector: the agent opens no port.
public struct PrometheusTextfile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Renders and atomically replaces the textfile.
    public func write(_ metrics: AgentMetrics) throws(LocalOutputError) {
        try AtomicFile.write(Array(Self.render(metrics).utf8), to: path, mode: AtomicFile.agentFileMode)
    }

    /// The exposition text: HELP and TYPE before each family, series sorted by label, a newline at the end.
    public static func render(_ m: AgentMetrics) -> String {
        var out = Exposition()
        out.family("v2g_agent_cycle_duration_seconds", .gauge, "Duration of the last control cycle.", m.cycleDurationS.map { [([], $0)] })
        out.family("v2g_agent_cycles_total", .counter, "Control cycles run since the agent started.", [([], Double(m.cyclesTotal))])
        out.family("v2g_agent_trips_total", .counter, "Trips (cease to energize) since start, by code.", labelled("code", m.tripsTotalByCode))
        out.family(
            "v2g_agent_alarms_active", .gauge, "Alarms in force, by code.",
            m.activeAlarmCodes.sorted().map { ([("code", $0)], 1) })
        out.family(
            "v2g_agent_notices_active", .gauge, "Standing notices of the policy in force, by code (not alarms).",
            m.noticeCodes.sorted().map { ([("code", $0)], 1) })
        out.family("v2g_agent_policy_version", .gauge, "Version of the policy in force (0: the built-in defaults).", m.policyVersion.map { [([], Double($0))] })
        if let path = m.policyPath {
            out.family("v2g_agent_trust_root_version", .gauge, "Version of the root of trust in force.", path.rootVersion.map { [([], Double($0))] })
            out.family("v2g_agent_policy_reports_pending", .gauge, "Policy reports the aggregator has not acknowledged.", [([], Double(path.pendingReports))])
            out.family(
                "v2g_agent_policy_probation_version", .gauge, "Version of the policy on probation (absent: none).",
                path.probationVersion.map { [([], Double($0))] })
        }
        out.family("v2g_agent_neutral_current_amperes", .gauge, "Neutral current |Ia + Ib + Ic| measured at the transformer.", m.neutralCurrentA.map { [([], $0)] })
        out.family("v2g_agent_voltage_unbalance_percent", .gauge, "Voltage unbalance factor, negative over positive sequence.", m.voltageUnbalancePercent.map { [([], $0)] })
        out.family("v2g_agent_hot_spot_celsius", .gauge, "Estimated winding hot-spot temperature (IEC 60076-7).", m.hotSpotC.map { [([], $0)] })
        out.family("v2g_agent_allowed_kva", .gauge, "Apparent power the thermal limit allows over the horizon.", m.allowedKVA.map { [([], $0)] })
        out.family(
            "v2g_agent_phase_loading_percent", .gauge, "Loading of each phase, in percent of its rating.",
            m.phaseLoadingPercent.map { loading in Phase.allCases.map { ([("phase", $0.rawValue)], loading[$0]) } })
        let setpoints = m.setpoints.sorted { $0.chargerID < $1.chargerID }
        out.family(
            "v2g_agent_charger_setpoint_kw", .gauge, "Commanded active power per charger; positive charges, negative discharges.",
            setpoints.map { ([("charger", $0.chargerID)], $0.activePowerKW) })
        out.family(
            "v2g_agent_charger_setpoint_kvar", .gauge, "Commanded reactive power per charger; positive injects.",
            setpoints.map { ([("charger", $0.chargerID)], $0.reactivePowerKvar) })
        out.family("v2g_agent_modbus_errors_total", .counter, "Failed Modbus transactions since start, by device.", labelled("device", m.modbusErrorsByDevice))
        out.family("v2g_agent_cache_errors_total", .counter, "Failed cache operations since start, by error.", labelled("error", m.cacheErrorsByLabel))
        if let uplink = m.uplink { renderUplink(uplink, into: &out) }
        return out.text
    }

    /// The `v2g_agent_uplink_*` families (docs/uplink.md), as of the uplink's last wake.
    private static func renderUplink(_ u: UplinkStatus, into out: inout Exposition) {
        func one(_ value: Double) -> [([(String, String)], Double)] { [([], value)] }
        out.family("v2g_agent_uplink_pending_frames", .gauge, "Sealed frames waiting for the aggregator's acknowledgement.", one(Double(u.pendingFrames)))
        out.family("v2g_agent_uplink_unsealed_samples", .gauge, "Samples queued since the last sealed batch.", one(Double(u.unsealedSamples)))
        out.family("v2g_agent_uplink_held_raw_rows", .gauge, "Raw rows held (unsealed plus pending raw frames); the queue cap bounds it.", one(Double(u.heldRawRows)))
        out.family("v2g_agent_uplink_dropped_samples_total", .counter, "Raw samples dropped on overflow since the queue file was created; their minute means are kept.", one(Double(u.droppedSamples)))
        out.family("v2g_agent_uplink_dropped_values_total", .counter, "Non-empty cells of the samples dropped on overflow.", one(Double(u.droppedValues)))
        out.family("v2g_agent_uplink_rejected_frames", .gauge, "Frames the aggregator refused for good, kept aside in the queue file.", one(Double(u.rejectedFrames)))
        out.family("v2g_agent_uplink_next_sequence", .gauge, "Sequence number the next sealed frame gets.", one(Double(u.nextSequence)))
        out.family("v2g_agent_uplink_frames_acknowledged_total", .counter, "Frames acknowledged since the agent started, duplicates included.", one(Double(u.framesAcknowledged)))
        out.family("v2g_agent_uplink_duplicates_acknowledged_total", .counter, "Acknowledgements of frames the aggregator already had, since start.", one(Double(u.duplicatesAcknowledged)))
        out.family("v2g_agent_uplink_frame_bytes_sent_total", .counter, "Bytes of frames posted since start, failed attempts included.", one(Double(u.frameBytesSent)))
        out.family("v2g_agent_uplink_consecutive_failures", .gauge, "Uplink wakes in a row that ended on a retryable failure.", one(Double(u.consecutiveFailures)))
        out.family(
            "v2g_agent_uplink_last_failure_info", .gauge, "The most recent upload failure, by label.",
            u.lastFailure.map { [([("reason", $0)], 1)] })
        out.family(
            "v2g_agent_uplink_last_success_timestamp_seconds", .gauge, "When a frame was last acknowledged, seconds since the epoch.",
            u.lastSuccessAt.map { one($0.secondsSinceEpoch) })
        out.family("v2g_agent_uplink_produced_values_total", .counter, "Non-empty telemetry cells queued (the produced ledger's count).", one(Double(u.producedValues)))
        out.family(
            "v2g_agent_uplink_produced_checksum_info", .gauge, "The produced ledger's checksum, 16 hex digits (docs/uplink.md).",
            [([("checksum", u.producedChecksum)], 1)])
    }

    private static func labelled(_ name: String, _ counts: [String: Int]) -> [([(String, String)], Double)] {
        counts.sorted { $0.key < $1.key }.map { ([(name, $0.key)], Double($0.value)) }
    }
}

/// Builds exposition text line by line.
struct Exposition {
    enum Kind: String { case gauge, counter }

    private(set) var text = ""

    /// Appends one family; nothing at all when it has no samples (an unknown figure is absent, not 0).
    mutating func family(_ name: String, _ kind: Kind, _ help: String, _ samples: [([(String, String)], Double)]?) {
        guard let samples, !samples.isEmpty else { return }
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
        for (labels, value) in samples {
            let rendered = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
            text += "\(name)\(rendered) \(Self.format(value))\n"
        }
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// HELP text escapes backslash and line feed only.
    static func escapeHelp(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// Integers without a fraction, non-finite values as the format spells them (`+Inf`, `-Inf`, `NaN`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
