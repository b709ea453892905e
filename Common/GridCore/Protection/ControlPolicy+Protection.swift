extension ControlPolicy {
    /// The protection step's settings: the trip block resolved at the transformer's nominal frequency (the only
    /// one in a policy), the data-quality block and the IEEE 1547 enter-service window.
    public var protectionMonitor: ProtectionMonitor {
        ProtectionMonitor(
            trip: trip.settings(nominalHz: transformer.nominalHz), quality: dataQuality,
            enterService: .ieee1547(nominalHz: transformer.nominalHz))
    }

    /// The full protection validation against the transformer: every pickup inside its category's adjustable range
    /// at the system frequency, none that trips at nominal, the data-quality bounds. The error names the policy field.
    func validateProtection() throws(PolicyError) {
        do {
            try protectionMonitor.validate()
        } catch let error as ProtectionSettingsError {
            throw PolicyError(field: error.field, message: error.message)
        } catch {
            throw PolicyError(field: "trip", message: "trip: \(error)")
        }
    }
}

extension ProtectionMonitor {
    /// The trip functions whose clearing time this cycle period cannot meet: past p > clearing/2 a condition that
    /// starts just after a sample is seen one period later and confirmed a period after that, beyond the clearing time.
    public func functionsBeyondReach(cyclePeriodS: Double) -> [TripFunction] {
        TripFunction.allCases.filter { cyclePeriodS > trip[$0].clearingTimeS / 2 + Self.toleranceS }
    }

    /// The standing notice for `functionsBeyondReach`, nil when every function is within reach.
    public func clearingNotice(cyclePeriodS: Double) -> ProtectionEvent? {
        let functions = functionsBeyondReach(cyclePeriodS: cyclePeriodS)
        guard !functions.isEmpty else { return nil }
        let named = functions.map { "\($0) (\(ProtectionFormat.number(trip[$0].clearingTimeS)) s)" }.joined(separator: ", ")
        return ProtectionEvent(
            code: .clearingTimeUnreachable,
            message: "a \(ProtectionFormat.number(cyclePeriodS)) s cycle is more than half the clearing time of \(named): "
                + "each charger's own certified protection (IEEE 1547.1 / UL 1741 SB) must clear these; the agent's own "
                + "trip for them comes within max(clearing time, ride-through minimum + 2 cycles)"
        )
    }
}
