import GridCore

/// One step disturbance from nominal to a level, and what IEEE 1547-2018 expects of it, written out here by hand
/// from Tables 11–16, 19 and 21 (not read from the code under test): the function that must trip, its clearing
/// time and the ride-through minimum of the region the level lies in.
struct ProtectionStepCase: Sendable, CustomStringConvertible {
    enum Quantity: Sendable {
        /// All three phases at this per-unit voltage.
        case voltage(Double)
        case frequency(Double)
    }

    var category: AbnormalCategory
    var quantity: Quantity
    /// The function that must trip, nil when the level is inside every pickup.
    var function: TripFunction?
    var clearingS: Double
    var rideThroughS: Double

    var description: String {
        switch quantity {
        case .voltage(let pu): "\(category) \(pu) pu"
        case .frequency(let hz): "\(category) \(hz) Hz"
        }
    }

    static func v(_ category: AbnormalCategory, _ pu: Double, _ function: TripFunction?, _ clearing: Double, _ rt: Double) -> Self {
        Self(category: category, quantity: .voltage(pu), function: function, clearingS: clearing, rideThroughS: rt)
    }

    static func f(_ category: AbnormalCategory, _ hz: Double, _ function: TripFunction, _ clearing: Double, _ rt: Double) -> Self {
        Self(category: category, quantity: .frequency(hz), function: function, clearingS: clearing, rideThroughS: rt)
    }

    /// Frequency rows, the same in every category (Table 19 trips, Table 21 ride-through).
    static func frequencyRows(_ c: AbnormalCategory) -> [Self] {
        [.f(c, 61.5, .of1, 300, 299), .f(c, 61.9, .of1, 300, 0), .f(c, 62.5, .of2, 0.16, 0),
         .f(c, 58.0, .uf1, 300, 299), .f(c, 56.0, .uf2, 0.16, 0)]
    }

    /// Category I: Table 11 trips, Table 14 ride-through.
    static let categoryI: [Self] = [
        .v(.i, 1.12, .ov1, 2, 1), .v(.i, 1.16, .ov1, 2, 0.5), .v(.i, 1.19, .ov1, 2, 0.2), .v(.i, 1.25, .ov2, 0.16, 0),
        .v(.i, 0.80, nil, 0, 0), .v(.i, 0.60, .uv1, 2, 0.16), .v(.i, 0.47, .uv1, 2, 0), .v(.i, 0.40, .uv2, 0.16, 0),
    ] + frequencyRows(.i)

    /// Category II: Table 12 trips, Table 15 ride-through (3 s + 8.7 s/pu above 0.65 pu).
    static let categoryII: [Self] = [
        .v(.ii, 1.12, .ov1, 2, 1), .v(.ii, 1.16, .ov1, 2, 0.5), .v(.ii, 1.19, .ov1, 2, 0.2), .v(.ii, 1.25, .ov2, 0.16, 0),
        .v(.ii, 0.80, nil, 0, 0), .v(.ii, 0.69, .uv1, 10, 3 + 8.7 * 0.04), .v(.ii, 0.66, .uv1, 10, 3 + 8.7 * 0.01),
        .v(.ii, 0.60, .uv1, 10, 0.32), .v(.ii, 0.50, .uv1, 10, 0.32), .v(.ii, 0.40, .uv2, 0.16, 0.16),
        .v(.ii, 0.35, .uv2, 0.16, 0.16), .v(.ii, 0.20, .uv2, 0.16, 0),
    ] + frequencyRows(.ii)

    /// Category III: Table 13 trips, Table 16 ride-through (momentary cessation below 0.50 and above 1.10 pu).
    static let categoryIII: [Self] = [
        .v(.iii, 1.15, .ov1, 13, 12), .v(.iii, 1.19, .ov1, 13, 12), .v(.iii, 1.25, .ov2, 0.16, 0),
        .v(.iii, 0.80, .uv1, 21, 20), .v(.iii, 0.60, .uv1, 21, 10), .v(.iii, 0.40, .uv2, 2, 1), .v(.iii, 0.10, .uv2, 2, 1),
    ] + frequencyRows(.iii)

    static let all = categoryI + categoryII + categoryIII

    /// The latest a trip may come after the onset at period p: max(clearing, ride-through + 2p).
    func latestS(periodS: Double) -> Double { max(clearingS, rideThroughS + 2 * periodS) }
}

/// The outcome of driving one step disturbance through a monitor.
struct ProtectionStepResult {
    /// Seconds from the onset to the sample that tripped; nil when nothing tripped.
    var tripDelayS: Double?
    var tripCodes: [ProtectionCode] = []
    /// Verdicts from the onset on, one per sample.
    var verdicts: [ProtectionVerdict] = []
}

extension ProtectionStepCase {
    /// Nominal for 5 samples, then the step at 5 + `onsetPhase` periods (between two samples), held until a trip
    /// or `holdS` past the onset. Samples are taken at t0 + k·p.
    func run(periodS: Double, onsetPhase: Double, holdS: Double? = nil, monitor: ProtectionMonitor? = nil) -> ProtectionStepResult {
        let monitor = monitor ?? ProtectionMonitor(category: category, nominalHz: 60)
        var run = ProtectionRun(monitor, periodS: periodS)
        let onsetS = (5 + onsetPhase) * periodS
        let endS = onsetS + (holdS ?? (latestS(periodS: periodS) + 3 * periodS + 1))
        var result = ProtectionStepResult()
        while Double(run.cycle) * periodS <= endS {
            let sinceOnsetS = Double(run.cycle) * periodS - onsetS
            let disturbed = sinceOnsetS >= 0
            let verdict = switch quantity {
            case .voltage(let pu): run.step(pu: PerPhase(repeating: disturbed ? pu : 1.0))
            case .frequency(let hz): run.step(hz: disturbed ? hz : 60)
            }
            if disturbed { result.verdicts.append(verdict) }
            let trips = verdict.codes.filter(\.isTrip)
            if !trips.isEmpty {
                result.tripDelayS = sinceOnsetS
                result.tripCodes = trips
                break
            }
        }
        return result
    }
}
