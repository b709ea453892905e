import GridCore

extension AgentConfig {
    /// Checks every value against its allowed range. Throws on the first error, naming the field;
    /// returns warnings for what is allowed but probably not meant (no chargers, a phase with none).
    public func validate() throws(AgentConfigError) -> [String] {
        var warnings: [String] = []
        guard !agentID.isEmpty, agentID.utf8.count <= 64,
            agentID.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        else {
            throw .invalid("agent_id", "must be 1–64 characters of letters, digits, '-', '_' or '.', got \"\(agentID)\"")
        }
        // The id becomes a URL path segment and a directory name in the PKI (v2g-pki refuses the same two).
        guard agentID != ".", agentID != ".." else {
            throw .invalid("agent_id", "\"\(agentID)\" names a directory, not an agent")
        }
        try Self.check("cycle_period_s", cyclePeriodS, in: 0.1...10)
        try Self.check("disagreement_alarm_pct", disagreementAlarmPercent, in: 0.1...50)
        for (field, path) in [("state_directory", stateDirectory), ("status_file", statusFile), ("metrics_textfile", metricsTextfile), ("policy_file", policyFile ?? "/")] {
            guard path.hasPrefix("/") else { throw .invalid(field, "must be an absolute path, got \"\(path)\"") }
        }
        try modbus.validate()
        try meter.transport.validate("meter.transport")
        for (name, calibration) in meter.calibration.channels {
            try Self.check("meter.calibration.\(name).gain", calibration.gain, in: 0.5...2)
            guard calibration.offset.isFinite else { throw .invalid("meter.calibration.\(name).offset", "must be a finite number") }
        }
        try temperature?.transport.validate("temperature.transport")
        try validateTrust()

        var endpoints: [String: String] = [meter.transport.description: "meter"]
        var ids: [String: String] = [:]
        for (index, charger) in chargers.enumerated() {
            let field = "chargers[\(index)]"
            guard !charger.id.isEmpty else { throw .invalid("\(field).id", "must not be empty") }
            if let first = ids[charger.id] { throw .duplicate("\(field).id", "charger id \"\(charger.id)\"", first: first) }
            ids[charger.id] = "\(field).id"
            try charger.transport.validate("\(field).transport")
            if let first = endpoints[charger.transport.description] {
                throw .duplicate("\(field).transport", "device address \(charger.transport)", first: first)
            }
            endpoints[charger.transport.description] = field
            try Self.check("\(field).rated_kva", charger.ratedKVA, in: 0.1...400)
            try Self.check("\(field).rated_charge_kw", charger.ratedChargeKW, in: 0...charger.ratedKVA)
            try Self.check("\(field).rated_discharge_kw", charger.ratedDischargeKW, in: 0...charger.ratedKVA)
        }
        if chargers.isEmpty {
            warnings.append("chargers: none configured; the agent will only monitor the transformer")
        } else {
            for phase in Phase.allCases where !chargers.contains(where: { $0.phase.share(of: phase) > 0 }) {
                warnings.append("chargers: none on phase \(phase); balancing cannot move that phase")
            }
        }
        // Envelopes arrive in the answers to state reports and are checked against the one root of trust.
        if trust == nil, (uplink?.stateIntervalS ?? 0) > 0 {
            warnings.append("trust: absent, so every neighborhood envelope in the answers to state reports is refused (trust.root_file names the root that signs them)")
        }
        return warnings
    }

    static func check(_ field: String, _ value: Double, in range: ClosedRange<Double>) throws(AgentConfigError) {
        guard value.isFinite, range.contains(value) else {
            throw .outOfRange(field, value, allowed: "\(format(range.lowerBound))–\(format(range.upperBound))")
        }
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension ModbusTiming {
    func validate() throws(AgentConfigError) {
        try AgentConfig.check("modbus.response_timeout_s", responseTimeoutS, in: 0.05...10)
        try AgentConfig.check("modbus.reconnect_initial_s", reconnectInitialS, in: 0.1...600)
        try AgentConfig.check("modbus.reconnect_max_s", reconnectMaxS, in: reconnectInitialS...3_600)
    }
}

extension ModbusTransport {
    /// Standard serial rates; anything else is almost always a typo.
    static let baudRates = [1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 57_600, 115_200]

    func validate(_ field: String) throws(AgentConfigError) {
        switch self {
        case .tcp(let tcp):
            guard !tcp.host.isEmpty else { throw .invalid("\(field).tcp.host", "must not be empty") }
            try AgentConfig.check("\(field).tcp.port", Double(tcp.port), in: 1...65_535)
            try AgentConfig.check("\(field).tcp.unit_id", Double(tcp.unitID), in: 0...247)
        case .rtu(let rtu):
            guard rtu.device.hasPrefix("/dev/") else { throw .invalid("\(field).rtu.device", "must be a device under /dev/, got \"\(rtu.device)\"") }
            guard Self.baudRates.contains(rtu.baud) else {
                throw .invalid("\(field).rtu.baud", "\(rtu.baud) is not one of \(Self.baudRates.map(String.init).joined(separator: ", "))")
            }
            try AgentConfig.check("\(field).rtu.data_bits", Double(rtu.dataBits), in: 7...8)
            try AgentConfig.check("\(field).rtu.stop_bits", Double(rtu.stopBits), in: 1...2)
            // Modbus RTU unit 0 is broadcast (no reply); 1–247 address one device (Serial Line v1.02 §2.2).
            try AgentConfig.check("\(field).rtu.unit_id", Double(rtu.unitID), in: 0...247)
        }
    }
}
