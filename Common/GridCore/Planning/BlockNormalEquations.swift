/// A Θ Aᵀ for the planner's layout, in O(steps · block³ + steps · border²) rather than O(rows³).
///
/// Rows are grouped by time step (a block: the step's neutral-current definition, its polygon and its caps)
/// plus a border (each EV's energy, and any SoC path rows). A column touches at most one block and any border
/// rows (an EV's power in one step), except a few global columns (the peak neutral current, in every step).
/// With M₀ the matrix without the global columns, ordered blocks first, M₀ is block-arrow:
///   M₀ = [ M_tt  K_t ; K_tᵀ  M_BB ],  S = M_BB − Σ_t K_tᵀ M_tt⁻¹ K_t   (the Schur complement on the border).
/// K_t is non-zero only on the few "coupling" rows of block t that share a column with a border row
/// (K_t = E_t Ψ_t), so each step adds Ψ_tᵀ (E_tᵀ M_tt⁻¹ E_t) Ψ_t to S at the cost of a handful of solves.
/// The global columns G come back through Sherman–Morrison–Woodbury: M⁻¹ = M₀⁻¹ − U C⁻¹ Uᵀ-style
/// with U = M₀⁻¹G and C = Θ_G⁻¹ + GᵀU.
struct BlockNormalEquations: NormalEquations {
    /// Per block: its global row indices; `coupling` are local indices of rows that share a column with the border.
    private struct Block {
        var rows: [Int] = []
        var coupling: [Int] = []
        /// Border rows (as border indices) that share a column with this block.
        var border: [Int] = []
        var cholesky: DenseCholesky?
        /// Ψ_t: coupling × border (row-major).
        var psi: [Double] = []
        /// Z_t = M_tt⁻¹ E_t: rows × coupling (column-major: one solved vector per coupling row).
        var z: [Double] = []
    }

    private var blocks: [Block]
    /// Row index → (block, local index) or (−1, border index).
    private let place: [(block: Int, local: Int)]
    private let borderRows: [Int]
    private let globalColumns: [Int]
    /// Per column: its block (−1: border only or global).
    private let columnBlock: [Int]
    /// Per entry of A: for a block row its coupling slot (or −1); for a border row its slot in the block's border list.
    private let entrySlot: [Int]
    private var schur: DenseCholesky?
    // Woodbury pieces for the global columns.
    private var u: [[Double]] = []
    private var capacitance: DenseCholesky?
    private var globalEntries: [[(row: Int, value: Double)]] = []

    init(_ p: SparseQP) {
        let blockCount = (p.rowBlock.max() ?? -1) + 1
        var blocks = [Block](repeating: Block(), count: blockCount)
        var place = [(block: Int, local: Int)](repeating: (-1, 0), count: p.rowCount)
        var border: [Int] = []
        for r in 0..<p.rowCount {
            let b = p.rowBlock[r]
            if b >= 0 {
                place[r] = (b, blocks[b].rows.count)
                blocks[b].rows.append(r)
            } else {
                place[r] = (-1, border.count)
                border.append(r)
            }
        }
        var coupling = [Set<Int>](repeating: [], count: blockCount)
        var touched = [Set<Int>](repeating: [], count: blockCount)
        var globals: [Int] = []
        var columnBlock = [Int](repeating: -1, count: p.columnCount)
        for j in 0..<p.columnCount {
            var columnBlocks = Set<Int>()
            var hasBorder = false
            for k in p.entries(of: j) {
                let at = place[p.row(at: k)]
                if at.block >= 0 { columnBlocks.insert(at.block) } else { hasBorder = true }
            }
            if columnBlocks.count > 1 { globals.append(j); continue }
            guard let b = columnBlocks.first else { continue }
            columnBlock[j] = b
            guard hasBorder else { continue }
            for k in p.entries(of: j) {
                let at = place[p.row(at: k)]
                if at.block >= 0 { coupling[b].insert(at.local) } else { touched[b].insert(at.local) }
            }
        }
        var entrySlot = [Int](repeating: -1, count: p.columnStart.last ?? 0)
        for b in 0..<blockCount {
            blocks[b].coupling = coupling[b].sorted()
            blocks[b].border = touched[b].sorted()
        }
        let couplingSlot = blocks.map { block in Dictionary(uniqueKeysWithValues: block.coupling.enumerated().map { ($1, $0) }) }
        let borderSlot = blocks.map { block in Dictionary(uniqueKeysWithValues: block.border.enumerated().map { ($1, $0) }) }
        for j in 0..<p.columnCount where columnBlock[j] >= 0 {
            let b = columnBlock[j]
            for k in p.entries(of: j) {
                let at = place[p.row(at: k)]
                entrySlot[k] = at.block >= 0 ? (couplingSlot[b][at.local] ?? -1) : (borderSlot[b][at.local] ?? -1)
            }
        }
        self.blocks = blocks
        self.place = place
        self.columnBlock = columnBlock
        self.entrySlot = entrySlot
        borderRows = border
        globalColumns = globals
    }

    mutating func factor(_ p: SparseQP, theta: [Double], regularization delta: Double) -> Bool {
        let nB = borderRows.count
        var s = [Double](repeating: 0, count: nB * nB)
        for i in 0..<nB { s[i * nB + i] = delta }
        var dense = blocks.map { [Double](repeating: 0, count: $0.rows.count * $0.rows.count) }
        for b in blocks.indices {
            let n = blocks[b].rows.count
            for i in 0..<n { dense[b][i * n + i] = delta }
            blocks[b].psi = [Double](repeating: 0, count: blocks[b].coupling.count * blocks[b].border.count)
        }
        let isGlobal = Set(globalColumns)
        for j in 0..<p.columnCount where !isGlobal.contains(j) {
            let t = theta[j]
            let range = p.entries(of: j)
            let block = columnBlock[j]
            // Border × border.
            for a in range where place[p.row(at: a)].block < 0 {
                let ia = place[p.row(at: a)].local, va = t * p.value(at: a)
                for c in range where place[p.row(at: c)].block < 0 { s[ia * nB + place[p.row(at: c)].local] += va * p.value(at: c) }
            }
            guard block >= 0 else { continue }
            let n = blocks[block].rows.count
            let width = blocks[block].border.count
            for a in range where place[p.row(at: a)].block >= 0 {
                let ia = place[p.row(at: a)].local, va = t * p.value(at: a)
                for c in range where place[p.row(at: c)].block >= 0 { dense[block][ia * n + place[p.row(at: c)].local] += va * p.value(at: c) }
                // Ψ: this coupling row × the border rows of this column.
                let slot = entrySlot[a]
                guard slot >= 0 else { continue }
                for c in range where place[p.row(at: c)].block < 0 {
                    blocks[block].psi[slot * width + entrySlot[c]] += va * p.value(at: c)
                }
            }
        }
        for b in blocks.indices {
            let n = blocks[b].rows.count
            guard let cholesky = DenseCholesky(dense[b], size: n) else { return false }
            blocks[b].cholesky = cholesky
            let k = blocks[b].coupling.count
            var z = [Double](repeating: 0, count: n * k)
            for (slot, local) in blocks[b].coupling.enumerated() {
                z[slot * n + local] = 1
                cholesky.solve(&z, offset: slot * n)
            }
            blocks[b].z = z
            // S −= Ψᵀ W Ψ with W = E_tᵀ Z_t (k × k).
            let border = blocks[b].border
            let width = border.count
            let psi = blocks[b].psi
            var wPsi = [Double](repeating: 0, count: k * width)  // W Ψ
            for r in 0..<k {
                for c in 0..<k {
                    let w = z[c * n + blocks[b].coupling[r]]
                    guard w != 0 else { continue }
                    for e in 0..<width { wPsi[r * width + e] += w * psi[c * width + e] }
                }
            }
            for e1 in 0..<width {
                for r in 0..<k {
                    let p1 = psi[r * width + e1]
                    guard p1 != 0 else { continue }
                    let row = border[e1] * nB
                    for e2 in 0..<width { s[row + border[e2]] -= p1 * wPsi[r * width + e2] }
                }
            }
        }
        if nB > 0 {
            guard let schur = DenseCholesky(s, size: nB) else { return false }
            self.schur = schur
        } else {
            schur = nil
        }
        // Woodbury for the global columns.
        u = []
        globalEntries = globalColumns.map { j in p.entries(of: j).map { (p.row(at: $0), p.value(at: $0)) } }
        let g = globalColumns.count
        guard g > 0 else { return true }
        for entries in globalEntries {
            var column = [Double](repeating: 0, count: p.rowCount)
            for entry in entries { column[entry.row] += entry.value }
            solveWithoutGlobals(&column)
            u.append(column)
        }
        var c = [Double](repeating: 0, count: g * g)
        for a in 0..<g {
            c[a * g + a] = 1 / theta[globalColumns[a]]
            for b in 0..<g {
                for entry in globalEntries[a] { c[a * g + b] += entry.value * u[b][entry.row] }
            }
        }
        capacitance = DenseCholesky(c, size: g)
        return capacitance != nil
    }

    func solve(_ rhs: inout [Double]) {
        solveWithoutGlobals(&rhs)
        let g = globalColumns.count
        guard g > 0, let capacitance else { return }
        var small = [Double](repeating: 0, count: g)
        for a in 0..<g { for entry in globalEntries[a] { small[a] += entry.value * rhs[entry.row] } }
        capacitance.solve(&small)
        for a in 0..<g where small[a] != 0 {
            for i in rhs.indices { rhs[i] -= u[a][i] * small[a] }
        }
    }

    private func solveWithoutGlobals(_ rhs: inout [Double]) {
        let nB = borderRows.count
        var locals = blocks.map { block in block.rows.map { rhs[$0] } }
        var borderRHS = borderRows.map { rhs[$0] }
        for b in blocks.indices {
            blocks[b].cholesky?.solve(&locals[b])
            let width = blocks[b].border.count
            for (slot, local) in blocks[b].coupling.enumerated() {
                let w = locals[b][local]
                guard w != 0 else { continue }
                for e in 0..<width { borderRHS[blocks[b].border[e]] -= blocks[b].psi[slot * width + e] * w }
            }
        }
        if nB > 0 { schur?.solve(&borderRHS) }
        for b in blocks.indices {
            let n = blocks[b].rows.count
            let width = blocks[b].border.count
            for slot in blocks[b].coupling.indices {
                var v = 0.0
                for e in 0..<width { v += blocks[b].psi[slot * width + e] * borderRHS[blocks[b].border[e]] }
                guard v != 0 else { continue }
                for i in 0..<n { locals[b][i] -= blocks[b].z[slot * n + i] * v }
            }
            for (i, r) in blocks[b].rows.enumerated() { rhs[r] = locals[b][i] }
        }
        for (i, r) in borderRows.enumerated() { rhs[r] = borderRHS[i] }
    }
}
