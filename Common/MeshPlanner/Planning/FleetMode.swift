import GridCore

/// How a transformer's phases move in one pass (docs/neighborhood.md, "Envelopes and the agent").
///
/// The agent reads a phase bound ≤ 0 as "no charger on this phase charges" and a bound ≥ 0 as "none discharges",
/// and a three-phase charger obeys all three phases. So, with envelopes at the planned power, every charger of a
/// phase moves the phase's way (no EV charges another behind a net figure), and a three-phase charger moves only
/// when all three phases go its way.
public enum FleetMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every phase ≥ 0: EVs charge, none discharges.
    case charging
    /// Every phase ≤ 0: EVs discharge or idle; none charges (no EV on this transformer must charge now).
    case discharging
    /// Phases with an EV that must charge now charge; the others may discharge; three-phase chargers idle.
    case mixed
}

/// The chargers of one transformer summed per phase, single-phase and three-phase apart.
struct PhasePools: Sendable {
    /// Single-phase chargers, per phase: Σ max(lower, 0), Σ upper, Σ min(lower, 0).
    var chargeLow = SIMD3<Double>.zero
    var chargeHigh = SIMD3<Double>.zero
    var dischargeLow = SIMD3<Double>.zero
    var mustCharge = SIMD3<Double>.zero
    /// Three-phase chargers (their whole power; a third of it on each phase).
    var chargeLow3 = 0.0
    var chargeHigh3 = 0.0
    var dischargeLow3 = 0.0
    var mustCharge3 = false
    /// The most each phase could discharge with every charger on it discharging, ≤ 0 (the lower bound of a ceiling envelope).
    var physicalLow = SIMD3<Double>.zero
    /// Σ max(lower, 0): what the EVs that must charge now draw at least.
    var needKW = 0.0

    init(chargers: [ChargerReport], bounds: [ChargerBounds]) {
        for (charger, b) in zip(chargers, bounds) {
            let up = max(b.lowerKW, 0)
            let down = min(b.lowerKW, 0)
            needKW += up
            switch charger.connection {
            case .single(let phase):
                let i = phase.index
                chargeLow[i] += up
                chargeHigh[i] += b.upperKW
                dischargeLow[i] += down
                physicalLow[i] += down
                if b.mustCharge { mustCharge[i] = 1 }
            case .threePhase:
                chargeLow3 += up
                chargeHigh3 += b.upperKW
                dischargeLow3 += down
                physicalLow += SIMD3(repeating: down / 3)
                if b.mustCharge { mustCharge3 = true }
            }
        }
    }

    /// The mode a discharge pass uses: all phases may discharge unless some EV must charge now.
    var dischargePassMode: FleetMode {
        if mustCharge3 { return .charging }
        if mustCharge == .zero { return .discharging }
        return .mixed
    }

    /// Bounds of the single-phase sums y (per phase) and of the three-phase sum z in `mode`.
    func bounds(_ mode: FleetMode) -> (lowY: SIMD3<Double>, highY: SIMD3<Double>, lowZ: Double, highZ: Double) {
        switch mode {
        case .charging:
            return (chargeLow, chargeHigh, chargeLow3, chargeHigh3)
        case .discharging:
            return (dischargeLow, .zero, dischargeLow3, 0)
        case .mixed:
            let charging = mustCharge .> 0
            return (chargeLow.replacing(with: dischargeLow, where: .!charging), chargeHigh.replacing(with: 0, where: .!charging), 0, 0)
        }
    }
}

extension Phase {
    /// 0, 1, 2 for A, B, C: the position in a SIMD3.
    var index: Int {
        switch self {
        case .a: 0
        case .b: 1
        case .c: 2
        }
    }
}
