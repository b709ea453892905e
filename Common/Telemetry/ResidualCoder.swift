/// How a column's residuals (zigzagged, so small magnitudes are small numbers) are written in the bit stream.
///
/// Rice(k): a value v is q = v >> k zero bits, a one bit, then the k low bits of v. When q would reach 24 it is
/// escaped instead: 24 zero bits, 6 bits of v's bit length L (1…63), then v's L − 1 bits below its top bit; an
/// escape is only valid for values that need one. Sparse: the count of non-zero values in the header, then per
/// non-zero value the zeros before it (Rice, `runK`) and the value − 1 (Rice, `valueK`); zeros after the last
/// non-zero value are implied. It costs well under a bit a value on slow channels (temperatures, SoC, an idle
/// charger), where Rice cannot go below one.
enum ResidualCoder: Equatable, Sendable {
    case rice(k: Int)
    case sparse(nonZero: Int, runK: Int, valueK: Int)

    static let escapeQuotient = 24
    static let maxK = 62

    /// Tag bits of each form (bits 3–2 of the column tag).
    var tagBits: UInt8 {
        switch self {
        case .rice: 0
        case .sparse: 1
        }
    }

    /// The cheaper form for `values` and its exact size in bits, header bytes included.
    static func cheapest(_ values: [UInt64]) -> (coder: Self, bits: Int) {
        let (k, riceBits) = bestK(values)
        var best: (coder: Self, bits: Int) = (.rice(k: k), riceBits + 8)
        let zeros = values.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        if zeros * 2 >= values.count {
            let (runs, nonZero) = split(values)
            let (runK, runBits) = bestK(runs)
            let (valueK, valueBits) = bestK(nonZero)
            let bits = runBits + valueBits + 8 * (varintSize(UInt64(nonZero.count)) + 2)
            if bits < best.bits { best = (.sparse(nonZero: nonZero.count, runK: runK, valueK: valueK), bits) }
        }
        return best
    }

    /// Size in bits of `values` under the cheapest form (what the predictor search compares).
    static func cost(_ values: [UInt64]) -> Int { cheapest(values).bits }

    /// Writes the form's parameters (header bytes).
    func writeHeader(into writer: inout ByteWriter) {
        switch self {
        case .rice(let k):
            writer.byte(UInt8(k))
        case .sparse(let nonZero, let runK, let valueK):
            writer.varint(UInt64(nonZero))
            writer.byte(UInt8(runK))
            writer.byte(UInt8(valueK))
        }
    }

    /// Reads the parameters of the form named by `tagBits`, for `count` residuals.
    static func readHeader(
        tagBits: UInt8, count: Int, from reader: inout ByteReader, channel: String
    ) throws(TelemetryFrameError) -> Self {
        func k(_ what: String) throws(TelemetryFrameError) -> Int {
            let value = Int(try reader.byte("\(what) of \(channel)"))
            guard value <= maxK else { throw .badField("\(what) of \(channel) is \(value), above \(maxK)") }
            return value
        }
        switch tagBits {
        case 0:
            return .rice(k: try k("Rice parameter"))
        case 1:
            let nonZero = try reader.count("non-zero count of \(channel)", limit: count)
            return .sparse(nonZero: nonZero, runK: try k("run parameter"), valueK: try k("value parameter"))
        default:
            throw .badField("column coder \(tagBits) of \(channel) is not 0 (Rice) or 1 (sparse)")
        }
    }

    func write(_ values: [UInt64], into bits: inout BitWriter) {
        switch self {
        case .rice(let k):
            for value in values { Self.rice(value, k: k, into: &bits) }
        case .sparse(_, let runK, let valueK):
            var zeros: UInt64 = 0
            for value in values {
                if value == 0 {
                    zeros += 1
                } else {
                    Self.rice(zeros, k: runK, into: &bits)
                    Self.rice(value - 1, k: valueK, into: &bits)
                    zeros = 0
                }
            }
        }
    }

    /// Reads `count` residuals.
    func read(_ count: Int, from bits: inout BitReader, channel: String) throws(TelemetryFrameError) -> [UInt64] {
        switch self {
        case .rice(let k):
            var values: [UInt64] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try Self.readRice(k: k, from: &bits, channel: channel)) }
            return values
        case .sparse(let nonZero, let runK, let valueK):
            var values = [UInt64](repeating: 0, count: count)
            var position = 0
            for _ in 0..<nonZero {
                let run = try Self.readRice(k: runK, from: &bits, channel: channel)
                guard run < UInt64(count - position) else {
                    throw .badField("zero run of \(channel) passes its \(count) residuals")
                }
                position += Int(run)
                let value = try Self.readRice(k: valueK, from: &bits, channel: channel)
                guard value < UInt64.max else { throw .badField("residual of \(channel) overflows") }
                values[position] = value + 1
                position += 1
            }
            return values
        }
    }

    static func rice(_ value: UInt64, k: Int, into bits: inout BitWriter) {
        let quotient = value >> UInt64(k)
        if quotient < UInt64(escapeQuotient) {
            bits.unary(Int(quotient))
            bits.bits(value, count: k)
        } else {
            let length = 64 - value.leadingZeroBitCount
            bits.bits(0, count: escapeQuotient)
            bits.bits(UInt64(length), count: 6)
            bits.bits(value, count: length - 1)
        }
    }

    static func readRice(k: Int, from bits: inout BitReader, channel: String) throws(TelemetryFrameError) -> UInt64 {
        let what = "residual of \(channel)"
        let quotient = try bits.zeros(upTo: escapeQuotient, what)
        if quotient < escapeQuotient {
            return UInt64(quotient) << UInt64(k) | (try bits.bits(k, what))
        }
        let length = Int(try bits.bits(6, what))
        guard length >= 1 else { throw .badField("escaped \(what) has bit length 0") }
        let value = UInt64(1) << UInt64(length - 1) | (try bits.bits(length - 1, what))
        guard value >> UInt64(k) >= UInt64(escapeQuotient) else {
            throw .badField("escaped \(what) (\(value)) fits the Rice code: not canonical")
        }
        return value
    }

    /// Bits of `value` under Rice(k).
    @inline(__always) static func riceBits(_ value: UInt64, k: Int) -> Int {
        let quotient = value >> UInt64(k)
        return quotient < UInt64(escapeQuotient)
            ? Int(quotient) + 1 + k : escapeQuotient + 6 + (63 - value.leadingZeroBitCount)
    }

    /// The k with the fewest bits (searched downhill from log2 of the mean), and those bits.
    static func bestK(_ values: [UInt64]) -> (k: Int, bits: Int) {
        guard !values.isEmpty else { return (0, 0) }
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        var k = mean >= 2 ? min(maxK, Int(mean.exponent)) : 0
        func bits(_ k: Int) -> Int { values.reduce(0) { $0 + riceBits($1, k: k) } }
        var best = bits(k)
        while k > 0 {
            let lower = bits(k - 1)
            guard lower <= best else { break }
            (k, best) = (k - 1, lower)
        }
        while k < maxK {
            let higher = bits(k + 1)
            guard higher < best else { break }
            (k, best) = (k + 1, higher)
        }
        return (k, best)
    }

    /// Zero runs (before each non-zero value) and the non-zero values − 1.
    private static func split(_ values: [UInt64]) -> (runs: [UInt64], nonZero: [UInt64]) {
        var runs: [UInt64] = []
        var nonZero: [UInt64] = []
        var zeros: UInt64 = 0
        for value in values {
            if value == 0 {
                zeros += 1
            } else {
                runs.append(zeros)
                nonZero.append(value - 1)
                zeros = 0
            }
        }
        return (runs, nonZero)
    }
}
