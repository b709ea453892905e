/// A convex quadratic program in the form the interior-point solver takes:
///   minimise cᵀx + ½ Σ qⱼxⱼ²   subject to   A x = b,   l ≤ x ≤ u,
/// with A stored by columns (each column's row indices and values), q ≥ 0 diagonal, and bounds that may be
/// infinite on one side. An inequality row is written as an equality with a bounded slack column of its own.
/// Every row carries a block tag: the index of the time step it belongs to, or −1 for a border row that
/// spans steps (an EV's energy). `BlockNormalEquations` exploits that layout.
struct SparseQP {
    private(set) var columnStart: [Int] = [0]
    private(set) var rowIndex: [Int] = []
    private(set) var values: [Double] = []
    var cost: [Double] = []
    var quadratic: [Double] = []
    var lower: [Double] = []
    var upper: [Double] = []
    var rhs: [Double] = []
    private(set) var rowBlock: [Int] = []

    var columnCount: Int { cost.count }
    var rowCount: Int { rhs.count }

    /// Adds a row `Σ aⱼxⱼ = rhs`; `block` is its time step, or −1 for a border row.
    mutating func addRow(rhs value: Double, block: Int) -> Int {
        rhs.append(value)
        rowBlock.append(block)
        return rhs.count - 1
    }

    /// Adds a column with its entries (row, coefficient); entries with a zero coefficient are dropped.
    @discardableResult
    mutating func addColumn(
        cost c: Double, quadratic q: Double = 0, lower l: Double, upper u: Double, entries: [(row: Int, value: Double)]
    ) -> Int {
        for entry in entries where entry.value != 0 {
            rowIndex.append(entry.row)
            values.append(entry.value)
        }
        columnStart.append(rowIndex.count)
        cost.append(c)
        quadratic.append(q)
        lower.append(l)
        upper.append(u)
        return cost.count - 1
    }

    /// Appends one entry to the last column added (for rows created after it).
    mutating func appendEntryToLastColumn(row: Int, value: Double) {
        guard value != 0 else { return }
        rowIndex.append(row)
        values.append(value)
        columnStart[columnStart.count - 1] = rowIndex.count
    }

    /// A x.
    func multiply(_ x: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: rowCount)
        for j in 0..<columnCount {
            let xj = x[j]
            guard xj != 0 else { continue }
            for k in columnStart[j]..<columnStart[j + 1] { out[rowIndex[k]] += values[k] * xj }
        }
        return out
    }

    /// Aᵀ y.
    func multiplyTransposed(_ y: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: columnCount)
        for j in 0..<columnCount {
            var sum = 0.0
            for k in columnStart[j]..<columnStart[j + 1] { sum += values[k] * y[rowIndex[k]] }
            out[j] = sum
        }
        return out
    }

    /// The entries of column j.
    @inline(__always)
    func entries(of j: Int) -> Range<Int> { columnStart[j]..<columnStart[j + 1] }

    @inline(__always)
    func row(at k: Int) -> Int { rowIndex[k] }

    @inline(__always)
    func value(at k: Int) -> Double { values[k] }
}
