extension ProtectionMonitor {
    /// Advances the pickup timer of every trip function whose channel is trusted this cycle, and returns a
    /// TRIP_* event for each one due: its clearing rule says so (observed + 2p > clearing) and the disturbance has
    /// surely lasted the ride-through minimum of the region the value is in (see `ProtectionMonitor`).
    func tripEvents(_ next: inout ProtectionState, _ sample: Sample, _ cycle: Cycle, _ table: RideThroughTable) -> [ProtectionEvent] {
        guard let time = sample.time else { return [] }
        var events: [ProtectionEvent] = []
        for function in TripFunction.allCases {
            guard let (phase, value) = worst(function, sample) else { continue }
            let setting = trip[function]
            let pickedUp = function.picksUpAbove ? value > setting.pickup : value < setting.pickup
            guard pickedUp else {
                next.pickups[function] = nil
                continue
            }
            let timer = ProtectionState.ConditionTimer.start(next.pickups[function], at: time)
            next.pickups[function] = timer
            guard timer.heldS + 2 * cycle.periodS > setting.clearingTimeS + Self.toleranceS else { continue }
            let key = RideThroughSideKey(function)
            let region = key.side(in: table).region(of: value)
            // The clearing time wins where a site set it shorter than the ride-through minimum.
            let minimumS = min(region?.minimumS(at: value) ?? 0, setting.clearingTimeS)
            let disturbedS = next.disturbances[key].map { time - $0.since } ?? timer.heldS
            guard disturbedS + Self.toleranceS >= minimumS else { continue }
            let unit = function.pickupUnit
            let subject = phase.map { "phase \($0) at" } ?? "frequency"
            let rideThrough = region.map {
                ", \($0.mode.rawValue) region with \(ProtectionFormat.number(minimumS)) s ride-through, disturbed "
                    + "\(ProtectionFormat.number(disturbedS)) s"
            } ?? ""
            events.append(ProtectionEvent(
                code: function.code, phase: phase,
                message: "\(subject) \(ProtectionFormat.number(value)) \(unit) \(function.picksUpAbove ? "above" : "below") "
                    + "\(ProtectionFormat.number(setting.pickup)) \(unit) for \(ProtectionFormat.number(timer.heldS)) s since "
                    + "\(ProtectionFormat.time(timer.since)) (clearing time \(ProtectionFormat.number(setting.clearingTimeS)) s\(rideThrough), "
                    + "cycle \(ProtectionFormat.number(cycle.periodS)) s) at \(ProtectionFormat.time(time)): cease to energize"
            ))
        }
        return events
    }

    /// The value a function watches: the highest phase for OV, the lowest for UV, the frequency for OF/UF.
    /// Nil when that channel is not trusted this cycle.
    func worst(_ function: TripFunction, _ sample: Sample) -> (Phase?, Double)? {
        if function.watchesVoltage {
            guard let volts = sample.voltagePU else { return nil }
            let phases = Phase.allCases
            let pick = function.picksUpAbove
                ? phases.max { volts[$0] < volts[$1] }
                : phases.min { volts[$0] < volts[$1] }
            return pick.map { ($0, volts[$0]) }
        }
        return sample.frequencyHz.map { (nil, $0) }
    }

    /// Blocks discharge while any trusted phase is above `dischargeBlockAbovePU`; holds the block through
    /// cycles without a trusted voltage, and lifts it only when a trusted voltage shows every phase back at or below.
    func updateOvervoltageBlock(_ next: inout ProtectionState, _ sample: Sample, _ cycle: Cycle, _ events: inout [ProtectionEvent]) {
        let limit = ProtectionFormat.number(dischargeBlockAbovePU)
        guard let time = sample.time, sample.voltagePU != nil else {
            if let block = next.overvoltageBlock {
                events.append(ProtectionEvent(
                    code: .overvoltageDischargeBlocked,
                    message: "discharge still blocked: above \(limit) pu since \(ProtectionFormat.time(block.since)), "
                        + "last seen \(ProtectionFormat.time(block.lastSeen)); no trusted voltage at \(ProtectionFormat.time(cycle.now))"
                ))
            }
            return
        }
        guard let (phase, pu) = worst(.ov1, sample), let phase, pu > dischargeBlockAbovePU else {
            next.overvoltageBlock = nil
            return
        }
        let block = ProtectionState.ConditionTimer.start(next.overvoltageBlock, at: time)
        next.overvoltageBlock = block
        events.append(ProtectionEvent(
            code: .overvoltageDischargeBlocked, phase: phase,
            message: "phase \(phase) at \(ProtectionFormat.number(pu)) pu above \(limit) pu since "
                + "\(ProtectionFormat.time(block.since)) at \(ProtectionFormat.time(time)): discharge blocked"
        ))
    }

    /// While tripped: true once the enter-service window (IEEE 1547-2018 §4.10.3) has held continuously for the
    /// delay, which clears the trip. Otherwise adds an ENTER_SERVICE_WAIT event saying what is missing.
    func enterServiceHolds(_ next: inout ProtectionState, _ sample: Sample, _ cycle: Cycle, _ events: inout [ProtectionEvent]) -> Bool {
        guard let trip = next.trip else { return true }
        let window = enterService
        let tripped = "ceased to energize since \(ProtectionFormat.time(trip.since)) (\(trip.causes.map(\.rawValue).joined(separator: ", ")))"
        let needs = "enter service needs every phase within \(ProtectionFormat.number(window.minVoltagePU))–"
            + "\(ProtectionFormat.number(window.maxVoltagePU)) pu and frequency within \(ProtectionFormat.number(window.minFrequencyHz))–"
            + "\(ProtectionFormat.number(window.maxFrequencyHz)) Hz for \(ProtectionFormat.number(window.delayS)) s"
        func wait(_ phase: Phase?, _ why: String) -> Bool {
            events.append(ProtectionEvent(code: .enterServiceWait, phase: phase, message: "\(tripped); \(why); \(needs)"))
            return false
        }
        guard let time = sample.time, let volts = sample.voltagePU, let hz = sample.frequencyHz else {
            return wait(nil, "no trusted voltage and frequency at \(ProtectionFormat.time(cycle.now))")
        }
        let at = ProtectionFormat.time(time)
        for phase in Phase.allCases where !(window.minVoltagePU...window.maxVoltagePU).contains(volts[phase]) {
            next.enterService = nil
            return wait(phase, "phase \(phase) at \(ProtectionFormat.number(volts[phase])) pu at \(at)")
        }
        guard (window.minFrequencyHz...window.maxFrequencyHz).contains(hz) else {
            next.enterService = nil
            return wait(nil, "frequency \(ProtectionFormat.number(hz)) Hz at \(at)")
        }
        let timer = ProtectionState.ConditionTimer.start(next.enterService, at: time, maxGapS: cycle.staleLimitS)
        guard timer.heldS + Self.toleranceS >= window.delayS else {
            next.enterService = timer
            return wait(nil, "window held \(ProtectionFormat.number(timer.heldS)) s since \(ProtectionFormat.time(timer.since)) at \(at)")
        }
        next.trip = nil
        next.enterService = nil
        next.pickups = [:]
        return true
    }
}
