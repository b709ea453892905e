import GridCore
import Testing

/// Exhaustive check on 1–3 chargers: a grid over the boxes, then a pattern search from the best grid point,
/// never finds a feasible plan whose J is lower than the solver's by more than 1e-9·(1 + |J|).
@Suite struct BalancingBruteForceTests {
    @Test(arguments: [1, 2, 3])
    func gridSearchNeverBeatsTheSolver(chargers: Int) throws {
        var rng = BalancingRandom(seed: 0xB4A1_0000 + UInt64(chargers))
        let steps = [1: 2000, 2: 150, 3: 24][chargers]!
        var compared = 0
        for round in 0..<40 {
            var problem = BalancingCases.problem(&rng, chargers: chargers, badData: false)
            if round % 4 == 0 { problem.phaseLimitsKW = nil; problem.totalLimitsKW = nil }
            let solution = PhaseBalancer.solve(problem)
            let reference = BalancingReference(problem)
            let limits = reference.appliedLimits(solution)
            #expect(solution.outcome == .optimal)
            #expect(reference.isFeasible(solution.setpointsKW, limits: limits, tolerance: 1e-7))
            guard let best = search(reference, limits: limits, steps: steps) else { continue }
            compared += 1
            let solverJ = reference.objective(solution.setpointsKW)
            #expect(solverJ <= best.objective + 1e-9 * (1 + abs(best.objective)), "round \(round): \(best.plan)")
        }
        #expect(compared >= 20)  // equality limits rarely hit grid points; most rounds must still be compared
    }

    /// Best feasible grid point, refined by a feasible pattern search (single and paired coordinate moves).
    private func search(_ ref: BalancingReference, limits: [ClosedRange<Double>], steps: Int) -> (plan: [Double], objective: Double)? {
        let n = ref.boxes.count
        var best: [Double]?
        var bestJ = Double.infinity
        var index = [Int](repeating: 0, count: n)
        var x = [Double](repeating: 0, count: n)
        outer: while true {
            for k in 0..<n {
                let box = ref.boxes[k]
                x[k] = box.lowerBound + (box.upperBound - box.lowerBound) * Double(index[k]) / Double(steps)
            }
            if ref.isFeasible(x, limits: limits, tolerance: 0) {
                let j = ref.objective(x)
                if j < bestJ { bestJ = j; best = x }
            }
            var k = 0
            while k < n {
                index[k] += 1
                if index[k] <= steps { continue outer }
                index[k] = 0
                k += 1
            }
            break
        }
        guard var point = best else { return nil }
        var h = ref.boxes.map { $0.upperBound - $0.lowerBound }.max()! / Double(steps)
        var moves: [[Double]] = []
        for k in 0..<n {
            for sign in [-1.0, 1] { var m = [Double](repeating: 0, count: n); m[k] = sign; moves.append(m) }
            for l in 0..<n where l != k { var m = [Double](repeating: 0, count: n); m[k] = 1; m[l] = -1; moves.append(m) }
        }
        while h > 1e-10 {
            var improved = false
            for move in moves {
                var trial = point
                for k in 0..<n { trial[k] = min(max(point[k] + h * move[k], ref.boxes[k].lowerBound), ref.boxes[k].upperBound) }
                guard ref.isFeasible(trial, limits: limits, tolerance: 0) else { continue }
                let j = ref.objective(trial)
                if j < bestJ { bestJ = j; point = trial; improved = true }
            }
            if !improved { h /= 2 }
        }
        return (point, bestJ)
    }
}
