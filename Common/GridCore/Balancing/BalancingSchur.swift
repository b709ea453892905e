/// Dense solve of the k × k (k ≤ 4) Schur complement S μ = b of the active general rows.
enum BalancingSchur {
    /// Gaussian elimination with partial pivoting on `matrix` (row stride 4); the solution replaces `rhs`.
    /// False when S is numerically singular (relative pivot below 1e-12), which the caller treats as failure.
    static func solve(_ matrix: inout [Double], _ rhs: inout [Double], count k: Int) -> Bool {
        var scale = 0.0
        for j in 0..<k { scale = max(scale, abs(matrix[j * 4 + j])) }
        let tiny = 1e-12 * scale
        for column in 0..<k {
            var pivot = column
            for row in (column + 1)..<max(k, column + 1) where abs(matrix[row * 4 + column]) > abs(matrix[pivot * 4 + column]) {
                pivot = row
            }
            guard abs(matrix[pivot * 4 + column]) > tiny else { return false }
            if pivot != column {
                for l in 0..<k { matrix.swapAt(pivot * 4 + l, column * 4 + l) }
                rhs.swapAt(pivot, column)
            }
            let diagonal = matrix[column * 4 + column]
            for row in (column + 1)..<max(k, column + 1) {
                let factor = matrix[row * 4 + column] / diagonal
                guard factor != 0 else { continue }
                for l in column..<k { matrix[row * 4 + l] -= factor * matrix[column * 4 + l] }
                rhs[row] -= factor * rhs[column]
            }
        }
        for row in stride(from: k - 1, through: 0, by: -1) {
            var value = rhs[row]
            for l in (row + 1)..<max(k, row + 1) { value -= matrix[row * 4 + l] * rhs[l] }
            rhs[row] = value / matrix[row * 4 + row]
        }
        return true
    }
}
