/// The problem in flat arrays, with bad data made safe. Rows 0, 1, 2 are the phase limits A, B, C; row 3 is the total.
/// Every charger belongs to one group: 0, 1, 2 (single phase A, B, C) or 3 (three-phase); a row's coefficient
/// depends only on the group, so row sums are four group sums (see `coefficient`).
struct BalancingModel {
    static let rowCount = 4
    var count: Int
    var lo: [Double]
    var hi: [Double]
    var request: [Double]
    var weight: [Double]
    /// aᵢ: neutral current per kW of charger i (real and imaginary parts).
    var ax: [Double]
    var ay: [Double]
    var group: [Int]
    /// c = Σ base phase currents.
    var baseX: Double
    var baseY: Double
    /// β, the neutral weight.
    var beta: Double
    /// General limits, ±∞ where absent; relaxed in place by `BalancingFeasibility`.
    var rowLo: [Double]
    var rowHi: [Double]

    /// Share of a group's power counted by a row: 1 on its own phase, 1/3 for three-phase, 1 for the total.
    @inline(__always)
    static func coefficient(row: Int, group: Int) -> Double {
        if row == 3 { return 1 }
        if group == 3 { return 1.0 / 3.0 }
        return row == group ? 1 : 0
    }

    /// Bad charger data (NaN/∞, min > max, weight ≤ 0) is held at [0, 0]; bad phasors count as 0; β < 0 or NaN as 0.
    init(_ problem: BalancingProblem) {
        let n = problem.chargers.count
        count = n
        lo = [Double](repeating: 0, count: n)
        hi = lo
        request = lo
        weight = [Double](repeating: 1, count: n)
        ax = lo
        ay = lo
        group = [Int](repeating: 0, count: n)
        let amps = problem.ampsPerKW.map(Self.finite)
        for (i, charger) in problem.chargers.enumerated() {
            var a = Phasor.zero
            for phase in Phase.allCases { a += charger.connection.share(of: phase) * amps[phase] }
            ax[i] = a.real
            ay[i] = a.imaginary
            switch charger.connection {
            case .single(.a): group[i] = 0
            case .single(.b): group[i] = 1
            case .single(.c): group[i] = 2
            case .threePhase: group[i] = 3
            }
            guard charger.isUsable else { continue }
            lo[i] = charger.minKW
            hi[i] = charger.maxKW
            request[i] = charger.requestKW
            weight[i] = charger.weight
        }
        let bases = problem.baseCurrentA.map(Self.finite)
        let base = bases.a + bases.b + bases.c
        baseX = base.real
        baseY = base.imaginary
        beta = problem.neutralWeight.isFinite && problem.neutralWeight > 0 ? problem.neutralWeight : 0
        rowLo = [Double](repeating: -.infinity, count: Self.rowCount)
        rowHi = [Double](repeating: .infinity, count: Self.rowCount)
        if let limits = problem.phaseLimitsKW {
            for (row, phase) in Phase.allCases.enumerated() {
                rowLo[row] = limits[phase].lowerBound
                rowHi[row] = limits[phase].upperBound
            }
        }
        if let total = problem.totalLimitsKW {
            rowLo[3] = total.lowerBound
            rowHi[3] = total.upperBound
        }
    }

    private static func finite(_ p: Phasor) -> Phasor {
        Phasor(real: p.real.isFinite ? p.real : 0, imaginary: p.imaginary.isFinite ? p.imaginary : 0)
    }

    /// Σ x over each group: [A, B, C, three-phase].
    func groupSums(_ x: [Double]) -> (Double, Double, Double, Double) {
        var s = (0.0, 0.0, 0.0, 0.0)
        for i in 0..<count {
            switch group[i] {
            case 0: s.0 += x[i]
            case 1: s.1 += x[i]
            case 2: s.2 += x[i]
            default: s.3 += x[i]
            }
        }
        return s
    }

    /// Value of a general row for the given group sums.
    @inline(__always)
    static func rowValue(_ row: Int, _ s: (Double, Double, Double, Double)) -> Double {
        switch row {
        case 0: s.0 + s.3 / 3
        case 1: s.1 + s.3 / 3
        case 2: s.2 + s.3 / 3
        default: s.0 + s.1 + s.2 + s.3
        }
    }

    /// The neutral residual c + Σ aᵢxᵢ.
    func residual(_ x: [Double]) -> (Double, Double) {
        var rx = baseX
        var ry = baseY
        for i in 0..<count {
            rx += ax[i] * x[i]
            ry += ay[i] * x[i]
        }
        return (rx, ry)
    }

    /// J(x) = β|c + Ax|² + Σ wᵢ(xᵢ − rᵢ)².
    func objective(_ x: [Double]) -> Double {
        let (rx, ry) = residual(x)
        var j = beta * (rx * rx + ry * ry)
        for i in 0..<count {
            let d = x[i] - request[i]
            j += weight[i] * d * d
        }
        return j
    }

    /// ∂J/∂xᵢ / 2 = wᵢ(xᵢ − rᵢ) + β aᵢ·(c + Ax): the gradient of ½xᵀHx + qᵀx.
    @inline(__always)
    func gradient(_ i: Int, _ x: [Double], residual r: (Double, Double)) -> Double {
        weight[i] * (x[i] - request[i]) + beta * (ax[i] * r.0 + ay[i] * r.1)
    }
}
