/// The EV fleet powers x (one per phase) a transformer can take in one mode, as box and difference constraints:
///
///     lower_φ ≤ x_φ ≤ upper_φ,    x_φ − x_ψ ≤ gap[φ][ψ]
///
/// With x_φ = y_φ + z/3 (y: single-phase chargers, z: three-phase chargers), the box is y's box plus a third of z's,
/// and z being one number shared by the phases gives x_φ − x_ψ ≤ highY_φ − lowY_ψ (a set of intervals on a line
/// meet when each pair does). The phase balance limit adds (b_φ + x_φ) − (b_ψ + x_ψ) ≤ U, relaxed for a pair that
/// the idle plan already sets further apart, so that the idle plan always fits.
struct PhasePolytope: Sendable {
    var lower: SIMD3<Double>
    var upper: SIMD3<Double>
    /// gap[3·φ + ψ] bounds x_φ − x_ψ (the diagonal is unused).
    var gap: [Double]

    init(pools: PhasePools, mode: FleetMode, householdKW b: SIMD3<Double>, balanceLimitKW: Double?) {
        let (lowY, highY, lowZ, highZ) = pools.bounds(mode)
        lower = lowY + SIMD3(repeating: lowZ / 3)
        upper = highY + SIMD3(repeating: highZ / 3)
        let idleY = pointwiseMin(pointwiseMax(.zero, lowY), highY)
        let idleZ = min(max(0, lowZ), highZ)
        let idle = idleY + SIMD3(repeating: idleZ / 3)
        gap = Array(repeating: .infinity, count: 9)
        for φ in 0..<3 {
            for ψ in 0..<3 where φ != ψ {
                var bound = highY[φ] - lowY[ψ]
                if let balanceLimitKW {
                    bound = min(bound, max(balanceLimitKW + b[ψ] - b[φ], idle[φ] - idle[ψ]))
                }
                gap[3 * φ + ψ] = bound
            }
        }
    }

    /// Shortest paths over the constraint graph (node 0 is x = 0, nodes 1–3 the phases): the componentwise largest
    /// feasible x is the distance from 0 and the smallest is minus the distance to 0, so together they give the
    /// exact range of Σx. Nil when the constraints contradict each other (a negative cycle beyond rounding: the idle
    /// plan fits by construction, up to the last bit of a sum).
    func extremes() -> (low: SIMD3<Double>, high: SIMD3<Double>)? {
        var d = [Double](repeating: 0, count: 16)
        for φ in 0..<3 {
            d[φ + 1] = upper[φ]              // edge 0 → φ: x_φ − x_0 ≤ upper
            d[4 * (φ + 1)] = -lower[φ]       // edge φ → 0: x_0 − x_φ ≤ −lower
            for ψ in 0..<3 where φ != ψ {
                d[4 * (ψ + 1) + (φ + 1)] = gap[3 * φ + ψ]  // edge ψ → φ: x_φ − x_ψ ≤ gap
            }
        }
        for k in 0..<4 {
            for i in 0..<4 {
                for j in 0..<4 where d[4 * i + k] + d[4 * k + j] < d[4 * i + j] {
                    d[4 * i + j] = d[4 * i + k] + d[4 * k + j]
                }
            }
        }
        for i in 0..<4 where d[5 * i] < -1e-7 { return nil }
        return (SIMD3(-d[4], -d[8], -d[12]), SIMD3(d[1], d[2], d[3]))
    }

    /// Every constraint as a row a·x ≤ β: the six box bounds, then the six differences.
    var rows: [(a: SIMD3<Double>, beta: Double)] {
        var rows: [(SIMD3<Double>, Double)] = []
        rows.reserveCapacity(12)
        for φ in 0..<3 {
            var e = SIMD3<Double>.zero
            e[φ] = 1
            rows.append((e, upper[φ]))
            rows.append((-e, -lower[φ]))
        }
        for φ in 0..<3 {
            for ψ in 0..<3 where φ != ψ && gap[3 * φ + ψ].isFinite {
                var a = SIMD3<Double>.zero
                a[φ] = 1
                a[ψ] = -1
                rows.append((a, gap[3 * φ + ψ]))
            }
        }
        return rows
    }
}
