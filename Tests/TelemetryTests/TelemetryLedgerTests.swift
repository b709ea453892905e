import Telemetry
import Testing

@Suite("Telemetry ledger: count and order-independent checksum")
struct TelemetryLedgerTests {
    let cells: [(Int64, String, Int64)] = {
        var cells: [(Int64, String, Int64)] = []
        for t in Int64(0)..<50 {
            let timeMs: Int64 = 1_700_000_000_000 + t * 1000
            cells.append((timeMs, "phase_a_v", 2300 + t % 7))
            cells.append((timeMs, "total_kw", t))
        }
        return cells
    }()

    func ledger(_ cells: some Sequence<(Int64, String, Int64)>) -> TelemetryLedger {
        var ledger = TelemetryLedger()
        for (time, channel, quanta) in cells { ledger.add(timeMs: time, channel: channel, quanta: quanta) }
        return ledger
    }

    @Test("order and batching do not change it")
    func orderIndependent() {
        let whole = ledger(cells)
        var batched = ledger(cells.prefix(30))
        batched.add(ledger(cells.dropFirst(30).reversed()))
        #expect(whole == batched)
        #expect(whole.values == 100)
    }

    @Test("a lost, doubled or altered cell changes it")
    func detectsLossDuplicationAndChange() {
        let whole = ledger(cells)
        #expect(ledger(cells.dropLast()).checksum != whole.checksum)
        #expect(ledger(cells + [cells[3]]) != whole)
        var altered = cells
        altered[10].2 += 1
        #expect(ledger(altered).checksum != whole.checksum)
        var moved = cells
        moved[10].0 += 1000
        #expect(ledger(moved).checksum != whole.checksum)
        var renamed = cells
        renamed[10].1 = "phase_b_v"
        #expect(ledger(renamed).checksum != whole.checksum)
    }

    @Test("prints sixteen hex digits")
    func description() {
        #expect(TelemetryLedger(values: 3, checksum: 0xab).description == "values=3 checksum=00000000000000ab")
    }
}
