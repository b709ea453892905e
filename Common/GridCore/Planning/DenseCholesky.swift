/// In-place Cholesky factorisation of a small dense symmetric positive-definite matrix (row-major, n × n):
/// the lower triangle becomes L with A = L Lᵀ. Used for the per-step blocks and the border of the planner's
/// normal equations, which are at most a few dozen rows.
struct DenseCholesky {
    private(set) var factor: [Double]
    let size: Int

    /// Nil when a pivot is not positive (the matrix is not numerically positive definite).
    init?(_ matrix: [Double], size n: Int) {
        var a = matrix
        size = n
        for j in 0..<n {
            var d = a[j * n + j]
            for k in 0..<j { d -= a[j * n + k] * a[j * n + k] }
            guard d > 0, d.isFinite else { return nil }
            let pivot = d.squareRoot()
            a[j * n + j] = pivot
            for i in (j + 1)..<max(n, j + 1) {
                var s = a[i * n + j]
                for k in 0..<j { s -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = s / pivot
            }
        }
        factor = a
    }

    /// Solves A x = b in place.
    func solve(_ b: inout [Double]) { solve(&b, offset: 0) }

    /// Solves A x = b for a vector stored at `offset` with stride 1 inside a larger buffer.
    func solve(_ buffer: inout [Double], offset: Int) {
        let n = size
        for i in 0..<n {
            var s = buffer[offset + i]
            for k in 0..<i { s -= factor[i * n + k] * buffer[offset + k] }
            buffer[offset + i] = s / factor[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = buffer[offset + i]
            for k in (i + 1)..<max(n, i + 1) { s -= factor[k * n + i] * buffer[offset + k] }
            buffer[offset + i] = s / factor[i * n + i]
        }
    }
}
