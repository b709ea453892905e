import GridCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator so every random case replays exactly.
struct BalancingRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }
    mutating func int(_ upperExclusive: Int) -> Int { Int(next() % UInt64(upperExclusive)) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func logUniform(_ a: Double, _ b: Double) -> Double { pow(10, uniform(log10(a), log10(b))) }
}

/// Random balancing problems covering charge-only, bidirectional, stopped, pinned and bad-data chargers,
/// and loose, tight, equality and impossible general limits.
enum BalancingCases {
    static let connections: [PhaseConnection] = [.single(.a), .single(.b), .single(.c), .threePhase]

    static func charger(_ rng: inout BalancingRandom, index: Int, badData: Bool = true) -> BalancingCharger {
        let connection = connections[rng.int(rng.chance(0.25) ? 4 : 3)]
        var lo: Double, hi: Double
        switch rng.int(10) {
        case 0: (lo, hi) = (0, 0)
        case 1: lo = rng.uniform(-5, 5); hi = lo
        case 2, 3, 4: (lo, hi) = (0, rng.uniform(1, 22))
        default: (lo, hi) = (-rng.uniform(0, 11), rng.uniform(0, 11))
        }
        var request = rng.uniform(-15, 25)
        if rng.chance(0.3) { request = hi }
        var weight = rng.logUniform(0.1, 10)
        if badData {
            if rng.chance(0.01) { weight = 0 }
            if rng.chance(0.01) { lo = .nan }
            if rng.chance(0.01) { request = .infinity }
            if rng.chance(0.01) { (lo, hi) = (hi + 1, hi) }
        }
        return BalancingCharger(id: "ev-\(index)", connection: connection, minKW: lo, maxKW: hi, requestKW: request, weight: weight)
    }

    static func problem(_ rng: inout BalancingRandom, chargers count: Int, badData: Bool = true) -> BalancingProblem {
        let chargers = (0..<count).map { charger(&rng, index: $0, badData: badData) }
        let base = PerPhase { phase in
            Phasor(magnitude: rng.uniform(0, 120), angleDegrees: phase.nominalAngleDegrees + rng.uniform(-35, 35))
        }
        let amps = PerPhase { phase in
            Phasor(magnitude: 1000 / rng.uniform(207, 253), angleDegrees: phase.nominalAngleDegrees + rng.uniform(-3, 3))
        }
        let beta = rng.chance(0.05) ? 0 : rng.logUniform(1e-3, 10)
        let n = Double(count)
        var phaseLimits: PerPhase<ClosedRange<Double>>?
        if rng.chance(0.5) { phaseLimits = PerPhase { _ in limit(&rng, scale: 6 + 3 * n) } }
        let total = rng.chance(0.5) ? limit(&rng, scale: 10 + 5 * n) : nil
        return BalancingProblem(
            chargers: chargers, baseCurrentA: base, ampsPerKW: amps, neutralWeight: beta,
            phaseLimitsKW: phaseLimits, totalLimitsKW: total
        )
    }

    /// Loose, tight, one-sided, equality or impossible ranges.
    static func limit(_ rng: inout BalancingRandom, scale: Double) -> ClosedRange<Double> {
        let a = rng.uniform(-scale, 2 * scale)
        switch rng.int(6) {
        case 0: return a...a
        case 1: return -.infinity...a
        case 2: return a...Double.infinity
        default: return a...(a + rng.uniform(0, scale))
        }
    }
}

/// Test-side view of a problem, computed from the public types only (independent of the solver's model).
struct BalancingReference {
    let problem: BalancingProblem
    /// Each charger's box after the documented bad-data rule ([0, 0]).
    let boxes: [ClosedRange<Double>]
    let requests: [Double]
    let weights: [Double]
    let a: [Phasor]
    let c: Phasor
    let beta: Double

    init(_ problem: BalancingProblem) {
        self.problem = problem
        boxes = problem.chargers.map { $0.isUsable ? $0.minKW...$0.maxKW : 0...0 }
        requests = problem.chargers.map { $0.isUsable ? $0.requestKW : 0 }
        weights = problem.chargers.map { $0.isUsable ? $0.weight : 1 }
        a = problem.chargers.map { charger in
            Phase.allCases.reduce(Phasor.zero) { $0 + charger.connection.share(of: $1) * problem.ampsPerKW[$1] }
        }
        c = problem.baseCurrentA.a + problem.baseCurrentA.b + problem.baseCurrentA.c
        beta = problem.neutralWeight
    }

    func neutral(_ x: [Double]) -> Phasor {
        zip(a, x).reduce(c) { $0 + $1.1 * $1.0 }
    }

    func objective(_ x: [Double]) -> Double {
        let i = neutral(x)
        var j = beta * (i.real * i.real + i.imaginary * i.imaginary)
        for k in x.indices { j += weights[k] * (x[k] - requests[k]) * (x[k] - requests[k]) }
        return j
    }

    /// Σ share·P per phase, then the total.
    func rows(_ x: [Double]) -> [Double] {
        var values = [0.0, 0, 0, 0]
        for (k, charger) in problem.chargers.enumerated() {
            for (p, phase) in Phase.allCases.enumerated() { values[p] += charger.connection.share(of: phase) * x[k] }
            values[3] += x[k]
        }
        return values
    }

    /// The limits as requested: [A, B, C, total].
    var requestedLimits: [ClosedRange<Double>] {
        let open = -Double.infinity...Double.infinity
        let phases = problem.phaseLimitsKW.map { [$0.a, $0.b, $0.c] } ?? [open, open, open]
        return phases + [problem.totalLimitsKW ?? open]
    }

    /// The limits the solution had to meet: relaxed ones replaced by what the solver reports.
    func appliedLimits(_ solution: BalancingSolution) -> [ClosedRange<Double>] {
        var limits = requestedLimits
        for relaxation in solution.relaxations {
            switch relaxation.limit {
            case .phase(let phase): limits[Phase.allCases.firstIndex(of: phase)!] = relaxation.appliedKW
            case .total: limits[3] = relaxation.appliedKW
            }
        }
        return limits
    }

    func isFeasible(_ x: [Double], limits: [ClosedRange<Double>], tolerance: Double) -> Bool {
        for (k, box) in boxes.enumerated() where x[k] < box.lowerBound || x[k] > box.upperBound { return false }
        for (value, range) in zip(rows(x), limits)
        where value < range.lowerBound - tolerance || value > range.upperBound + tolerance { return false }
        return true
    }

    /// Independent KKT check with the solution's multipliers; returns the worst scaled violation (≤ 1 passes).
    func kktViolation(_ solution: BalancingSolution) -> Double {
        let x = solution.setpointsKW
        let mu = solution.limitMultipliers
        let limits = appliedLimits(solution)
        let i = neutral(x)
        var weightScale = 0.0, aMax = 0.0, aSum = 0.0, rowScale = 1.0
        for k in x.indices {
            let size = max(abs(boxes[k].lowerBound), abs(boxes[k].upperBound))
            weightScale = max(weightScale, weights[k] * (abs(requests[k]) + size))
            aMax = max(aMax, a[k].magnitude)
            aSum += a[k].magnitude * size
            rowScale += size
        }
        let gradScale = max(1e-12, weightScale + beta * aMax * (c.magnitude + aSum))
        let gTol = 1e-7 * gradScale, rTol = 1e-8 * rowScale, xTol = 1e-8 * rowScale
        var worst = 0.0
        for (k, charger) in problem.chargers.enumerated() where boxes[k].lowerBound < boxes[k].upperBound {
            var nu = weights[k] * (x[k] - requests[k]) + beta * (a[k].real * i.real + a[k].imaginary * i.imaginary)
            for (p, phase) in Phase.allCases.enumerated() { nu -= mu[p] * charger.connection.share(of: phase) }
            nu -= mu[3]
            let atLower = x[k] - boxes[k].lowerBound <= xTol
            let atUpper = boxes[k].upperBound - x[k] <= xTol
            if !atLower { worst = max(worst, nu / gTol) }
            if !atUpper { worst = max(worst, -nu / gTol) }
        }
        for (value, (range, m)) in zip(rows(x), zip(limits, mu)) {
            worst = max(worst, (range.lowerBound - value) / rTol, (value - range.upperBound) / rTol)
            if m > gTol { worst = max(worst, (value - range.lowerBound) / rTol) }
            if m < -gTol { worst = max(worst, (range.upperBound - value) / rTol) }
        }
        return worst
    }
}
