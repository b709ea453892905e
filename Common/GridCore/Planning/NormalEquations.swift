/// The linear system at the heart of each interior-point iteration: (A Θ Aᵀ + δI) y = r, with Θ diagonal > 0.
/// `factor` is called once per iteration, `solve` twice (predictor and corrector).
protocol NormalEquations {
    mutating func factor(_ problem: SparseQP, theta: [Double], regularization: Double) -> Bool
    func solve(_ rhs: inout [Double])
}

/// The plain dense form: A Θ Aᵀ built in full and factored by Cholesky. O(m³); for tests and tiny problems,
/// and as the reference the structured form is checked against.
struct DenseNormalEquations: NormalEquations {
    private var cholesky: DenseCholesky?

    mutating func factor(_ p: SparseQP, theta: [Double], regularization: Double) -> Bool {
        let m = p.rowCount
        var matrix = [Double](repeating: 0, count: m * m)
        for i in 0..<m { matrix[i * m + i] = regularization }
        for j in 0..<p.columnCount {
            let range = p.entries(of: j)
            for a in range {
                let ra = p.row(at: a), va = theta[j] * p.value(at: a)
                for b in range { matrix[ra * m + p.row(at: b)] += va * p.value(at: b) }
            }
        }
        cholesky = DenseCholesky(matrix, size: m)
        return cholesky != nil
    }

    func solve(_ rhs: inout [Double]) { cholesky?.solve(&rhs) }
}
