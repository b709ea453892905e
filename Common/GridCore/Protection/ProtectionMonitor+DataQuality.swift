extension ProtectionMonitor {
    /// Judges this cycle's reading: which channels can be trusted, and whether the data is bad enough for the safe state.
    /// Voltage and frequency are trusted separately, so that a plausible dead-feeder voltage still trips UV2 even
    /// when the meter reports 0 Hz. Nothing non-finite ever reaches the state or the trip functions.
    func assess(_ reading: MeterReading?, _ next: inout ProtectionState, _ cycle: Cycle) -> Sample {
        guard let reading else { return missing(next, cycle, "no reading this cycle") }
        let t = reading.time
        guard t.secondsSinceEpoch.isFinite else {
            return rejected(&next, .dataImplausible, "reading time \(ProtectionFormat.number(t.secondsSinceEpoch)) is not finite")
        }
        if let last = next.lastReadingTime {
            if t < last {
                return rejected(&next, .dataImplausible,
                    "reading \(ProtectionFormat.time(t)) is older than the previous one \(ProtectionFormat.time(last))")
            }
            if t == last { return missing(next, cycle, "no new sample since \(ProtectionFormat.time(t))") }
        }
        guard t - cycle.now <= cycle.periodS + Self.toleranceS else {
            return rejected(&next, .dataImplausible, "reading \(ProtectionFormat.time(t)) is ahead of now \(ProtectionFormat.time(cycle.now))")
        }
        next.lastReadingTime = t
        let ageS = cycle.now - t
        guard ageS <= cycle.staleLimitS + Self.toleranceS else {
            return rejected(&next, .dataStale, "reading \(ProtectionFormat.time(t)) is \(ProtectionFormat.number(ageS)) s old at "
                + "\(ProtectionFormat.time(cycle.now)), limit \(ProtectionFormat.number(cycle.staleLimitS)) s "
                + "(\(quality.staleAfterCycles) cycles of \(ProtectionFormat.number(cycle.periodS)) s)")
        }

        var sample = Sample()
        let at = ProtectionFormat.time(t)
        func flag(_ phase: Phase?, _ what: String) {
            sample.events.append(ProtectionEvent(code: .dataImplausible, phase: phase, message: "\(what) at \(at)"))
        }
        let vRange = quality.plausibleVoltagePU
        var voltageTrusted = true
        for phase in Phase.allCases {
            let volts = reading.voltageV[phase]
            let pu = volts / cycle.nominalPhaseVoltageV
            if !(volts.isFinite && vRange.contains(pu)) {
                voltageTrusted = false
                flag(phase, "phase \(phase) voltage \(ProtectionFormat.number(volts)) V (\(ProtectionFormat.number(pu)) pu) "
                    + "outside \(ProtectionFormat.number(vRange.lowerBound))–\(ProtectionFormat.number(vRange.upperBound)) pu")
            }
            if let angle = reading.voltageAngleDeg?[phase], !angle.isFinite {
                flag(phase, "phase \(phase) voltage angle \(ProtectionFormat.number(angle))° is not finite")
            }
            let amps = reading.currentA[phase]
            if !(amps.isFinite && amps >= 0 && amps <= quality.maxCurrentA) {
                flag(phase, "phase \(phase) current \(ProtectionFormat.number(amps)) A outside 0–\(ProtectionFormat.number(quality.maxCurrentA)) A")
            }
            let kw = reading.activePowerKW[phase]
            if !(kw.isFinite && abs(kw) <= quality.maxPhaseActivePowerKW) {
                flag(phase, "phase \(phase) active power \(ProtectionFormat.number(kw)) kW beyond "
                    + "±\(ProtectionFormat.number(quality.maxPhaseActivePowerKW)) kW")
            }
            let kvar = reading.reactivePowerKvar[phase]
            if !(kvar.isFinite && abs(kvar) <= quality.maxPhaseReactivePowerKvar) {
                flag(phase, "phase \(phase) reactive power \(ProtectionFormat.number(kvar)) kvar beyond "
                    + "±\(ProtectionFormat.number(quality.maxPhaseReactivePowerKvar)) kvar")
            }
        }
        let hz = reading.frequencyHz
        let fRange = plausibleFrequencyHz
        let frequencyTrusted = hz.isFinite && fRange.contains(hz)
        if !frequencyTrusted {
            flag(nil, "frequency \(ProtectionFormat.number(hz)) Hz outside "
                + "\(ProtectionFormat.number(fRange.lowerBound))–\(ProtectionFormat.number(fRange.upperBound)) Hz")
        }

        // A frozen meter is the safe state, but its repeated values still drive the trip timers: a sag that
        // stops the load makes every channel identical, and that must not hide the trip.
        if trackFrozen(reading, &next) {
            sample.events.append(ProtectionEvent(
                code: .dataFrozen,
                message: "every channel identical for \(next.identicalSamples) samples (limit \(quality.frozenAfterSamples)) up to \(at)"
            ))
        }
        sample.isFault = !sample.events.isEmpty
        next.lastAcceptedTime = sample.isFault ? nil : t
        if voltageTrusted {
            sample.voltagePU = reading.voltageV.map { $0 / cycle.nominalPhaseVoltageV }
        }
        if frequencyTrusted { sample.frequencyHz = hz }
        if voltageTrusted || frequencyTrusted { sample.time = t }
        return sample
    }

    /// Counts consecutive samples with every channel identical; true once the count reaches the frozen limit.
    private func trackFrozen(_ reading: MeterReading, _ next: inout ProtectionState) -> Bool {
        var channels = reading.voltageV.values + reading.currentA.values
            + reading.activePowerKW.values + reading.reactivePowerKvar.values + [reading.frequencyHz]
        if let angles = reading.voltageAngleDeg { channels += angles.values }
        guard channels.allSatisfy(\.isFinite) else {
            next.lastChannels = nil
            next.identicalSamples = 0
            return false
        }
        if channels == next.lastChannels {
            next.identicalSamples += 1
        } else {
            next.lastChannels = channels
            next.identicalSamples = 1
        }
        return next.identicalSamples >= quality.frozenAfterSamples
    }

    /// No new sample: an advisory while the last accepted reading is within the stale limit, else the safe state.
    private func missing(_ state: ProtectionState, _ cycle: Cycle, _ what: String) -> Sample {
        let limit = "limit \(ProtectionFormat.number(cycle.staleLimitS)) s (\(quality.staleAfterCycles) cycles)"
        guard let last = state.lastAcceptedTime else {
            return Sample(
                events: [ProtectionEvent(code: .dataMissing, message: "\(what) at \(ProtectionFormat.time(cycle.now)); no good reading to hold")],
                isFault: true
            )
        }
        let gapS = cycle.now - last
        let fault = gapS > cycle.staleLimitS + Self.toleranceS
        let message = "\(what) at \(ProtectionFormat.time(cycle.now)); last good reading \(ProtectionFormat.time(last)), "
            + "\(ProtectionFormat.number(gapS)) s ago, \(limit)"
        return Sample(events: [ProtectionEvent(code: .dataMissing, message: message)], isFault: fault)
    }

    /// A reading none of whose channels can be trusted.
    private func rejected(_ next: inout ProtectionState, _ code: ProtectionCode, _ message: String) -> Sample {
        next.lastAcceptedTime = nil
        return Sample(events: [ProtectionEvent(code: code, message: message)], isFault: true)
    }
}
