import StrictJSON

extension AggregatorConfig {
    /// The operator dashboard (docs/dashboard.md).
    public struct Dashboard: Sendable, Hashable {
        /// Phase-to-neutral voltage the per-unit values and the ± 10 % band are taken against (230 in Europe, 120 or
        /// 277 in North America).
        public var nominalPhaseVoltageV: Double = 230
        /// Event streams open at once; one more is answered 503 `dashboard.busy`.
        public var maxStreams: Int = 16

        public init(nominalPhaseVoltageV: Double = 230, maxStreams: Int = 16) {
            (self.nominalPhaseVoltageV, self.maxStreams) = (nominalPhaseVoltageV, maxStreams)
        }

        init(reading object: JSONObject) throws(StrictJSONError) {
            try object.refuseUnknownKeys(["nominal_phase_voltage_v", "max_streams"])
            self.init()
            nominalPhaseVoltageV = try object.optional("nominal_phase_voltage_v")?.double(object.path("nominal_phase_voltage_v")) ?? nominalPhaseVoltageV
            maxStreams = try object.int("max_streams") ?? maxStreams
        }

        func check() throws(ConfigProblem) {
            guard (50...1_000).contains(nominalPhaseVoltageV) else {
                throw ConfigProblem("dashboard.nominal_phase_voltage_v", "\(nominalPhaseVoltageV) is outside 50...1000 V")
            }
            guard (1...1_000).contains(maxStreams) else {
                throw ConfigProblem("dashboard.max_streams", "\(maxStreams) is outside 1...1000")
            }
        }

        /// How the dashboard judges voltages with this configuration.
        public var settings: DashboardSettings { DashboardSettings(nominalPhaseVoltageV: nominalPhaseVoltageV) }
    }
}
