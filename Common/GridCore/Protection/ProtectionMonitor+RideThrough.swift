extension ProtectionMonitor {
    /// Starts, carries or ends the ride-through clock of each side of the table whose channel is trusted: a side is
    /// disturbed from the first sample outside continuous operation until a trusted sample shows it back inside.
    func trackDisturbances(_ next: inout ProtectionState, _ sample: Sample, _ table: RideThroughTable) {
        guard let time = sample.time else { return }
        for key in RideThroughSideKey.allCases {
            guard let (_, value) = worst(key.watchedAs, sample) else { continue }
            next.disturbances[key] = key.side(in: table).isDisturbed(value)
                ? ProtectionState.ConditionTimer.start(next.disturbances[key], at: time)
                : nil
        }
    }

    /// Momentary cessation: while a trusted voltage lies in a region whose mode stops output (Category III below
    /// 0.50 or above 1.10 pu; beyond the table in every category), returns the event that stops every charger.
    /// It holds through cycles without a trusted voltage and ends when one shows the voltage out of such regions.
    func updateCessation(_ next: inout ProtectionState, _ sample: Sample, _ cycle: Cycle, _ table: RideThroughTable) -> ProtectionEvent? {
        guard let time = sample.time, sample.voltagePU != nil else {
            return next.cessation.map {
                ProtectionEvent(
                    code: .momentaryCessation,
                    message: "output still ceased: momentary cessation since \(ProtectionFormat.time($0.since)), last seen "
                        + "\(ProtectionFormat.time($0.lastSeen)); no trusted voltage at \(ProtectionFormat.time(cycle.now))")
            }
        }
        for key in [RideThroughSideKey.lowVoltage, .highVoltage] {
            guard let (phase, value) = worst(key.watchedAs, sample),
                  let region = key.side(in: table).region(of: value), region.mode.ceasesOutput else { continue }
            let timer = ProtectionState.ConditionTimer.start(next.cessation, at: time)
            next.cessation = timer
            let subject = phase.map { "phase \($0)" } ?? "voltage"
            return ProtectionEvent(
                code: .momentaryCessation, phase: phase,
                message: "\(subject) at \(ProtectionFormat.number(value)) pu is in the \(region.mode.rawValue) region of "
                    + "\(trip.category) since \(ProtectionFormat.time(timer.since)) at \(ProtectionFormat.time(time)): "
                    + "output ceased without a trip; it returns with the voltage"
            )
        }
        next.cessation = nil
        return nil
    }
}
