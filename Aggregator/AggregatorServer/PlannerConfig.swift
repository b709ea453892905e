import StrictJSON

extension AggregatorConfig {
    /// The `planner` section (docs/aggregator.md, "Planner"): its presence turns the planning service on.
    public struct Planner: Sendable, Hashable {
        /// false keeps the section but runs no planner (no envelopes: every agent on its own policy).
        public var enabled: Bool = true
        /// One planning pass every this many seconds.
        public var periodS: Double = 30
        /// How long each envelope is valid; nil: 2 × `periodS` + 15 s, so one lost pass does not let envelopes lapse.
        /// Must be within the root's envelope `max_validity_s` (checked at start) and longer than `periodS`.
        public var envelopeValidityS: Double? = nil
        /// A state report older than this leaves its transformer out of the pass (no envelope).
        public var staleAfterS: Double = 10
        /// The plan's horizon in minutes (EV energy and the thermal forecast are checked over it).
        public var horizonMinutes: Double = 15
        /// The signed root whose `envelope` role authorises the keys; nil: `trust.root_file`.
        public var rootFile: String? = nil
        /// Ed25519 private keys (PKCS#8 PEM, mode 0600), envelope keys of that root, at least its threshold.
        public var envelopeKeyFiles: [String]

        public init(
            enabled: Bool = true, periodS: Double = 30, envelopeValidityS: Double? = nil, staleAfterS: Double = 10,
            horizonMinutes: Double = 15, rootFile: String? = nil, envelopeKeyFiles: [String]
        ) {
            (self.enabled, self.periodS, self.envelopeValidityS, self.staleAfterS) = (enabled, periodS, envelopeValidityS, staleAfterS)
            (self.horizonMinutes, self.rootFile, self.envelopeKeyFiles) = (horizonMinutes, rootFile, envelopeKeyFiles)
        }

        /// `envelope_validity_s`, or its default from the period.
        public var resolvedValidityS: Double { envelopeValidityS ?? 2 * periodS + 15 }

        static let periodRange = 1.0...3_600.0
        static let validityRange = 1.0...86_400.0

        func check(trustRootFile: String?) throws(ConfigProblem) {
            guard periodS.isFinite, Self.periodRange.contains(periodS) else {
                throw ConfigProblem("planner.period_s", "\(periodS) is outside 1...3600 s")
            }
            if let envelopeValidityS, !(envelopeValidityS.isFinite && Self.validityRange.contains(envelopeValidityS)) {
                throw ConfigProblem("planner.envelope_validity_s", "\(envelopeValidityS) is outside 1...86400 s")
            }
            guard resolvedValidityS > periodS else {
                throw ConfigProblem(
                    "planner.envelope_validity_s",
                    "\(resolvedValidityS) s must be longer than period_s (\(periodS) s), or every envelope lapses before the next pass")
            }
            guard staleAfterS.isFinite, (1.0...3_600.0).contains(staleAfterS) else {
                throw ConfigProblem("planner.stale_after_s", "\(staleAfterS) is outside 1...3600 s")
            }
            guard horizonMinutes.isFinite, (1.0...120.0).contains(horizonMinutes) else {
                throw ConfigProblem("planner.horizon_min", "\(horizonMinutes) is outside 1...120 min")
            }
            if rootFile?.isEmpty == true { throw ConfigProblem("planner.root_file", "must name a file (leave the key out for trust.root_file)") }
            guard enabled else { return }
            if rootFile == nil, trustRootFile == nil {
                throw ConfigProblem("planner.root_file", "required: the signed root whose envelope role authorises the keys (or set trust.root_file)")
            }
            guard !envelopeKeyFiles.isEmpty else {
                throw ConfigProblem("planner.envelope_key_files", "must list at least one envelope key file (`v2g-adm keys init` writes keys/envelope-*.pem)")
            }
            for (i, file) in envelopeKeyFiles.enumerated() where file.isEmpty {
                throw ConfigProblem("planner.envelope_key_files", "entry \(i) is empty: name a PEM file")
            }
            if Set(envelopeKeyFiles).count != envelopeKeyFiles.count {
                throw ConfigProblem("planner.envelope_key_files", "lists one file twice: a key counts once toward the threshold")
            }
        }
    }
}

extension AggregatorConfig.Planner {
    init(reading object: JSONObject) throws(StrictJSONError) {
        try object.refuseUnknownKeys([
            "enabled", "period_s", "envelope_validity_s", "stale_after_s", "horizon_min", "root_file", "envelope_key_files",
        ])
        var files: [String] = []
        if let node = object.optional("envelope_key_files") {
            let field = object.path("envelope_key_files")
            for (i, entry) in try node.array(field).enumerated() { files.append(try entry.string("\(field)[\(i)]")) }
        }
        self.init(envelopeKeyFiles: files)
        enabled = try object.optional("enabled")?.bool(object.path("enabled")) ?? enabled
        periodS = try object.optional("period_s")?.double(object.path("period_s")) ?? periodS
        envelopeValidityS = try object.optional("envelope_validity_s")?.double(object.path("envelope_validity_s"))
        staleAfterS = try object.optional("stale_after_s")?.double(object.path("stale_after_s")) ?? staleAfterS
        horizonMinutes = try object.optional("horizon_min")?.double(object.path("horizon_min")) ?? horizonMinutes
        rootFile = try object.string("root_file")
    }
}
