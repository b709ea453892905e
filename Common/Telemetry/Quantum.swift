/// A resolution of 10^-decimals (0.1, 0.01, 0.001): values are stored as whole numbers of quanta.
///
/// Quantizing rounds half away from zero on the decimal value, so 0.15 V → 2 quanta of 0.1 V even though
/// the Double nearest 0.15 lies just below it: the codec must never move a value because of binary drift.
public struct Quantum: Sendable, Hashable, CustomStringConvertible {
    /// Largest magnitude stored, in quanta: 2^53, so every stored count is exact as a Double too.
    public static let maxQuanta: Int64 = 1 << 53

    /// Decimal places, 0…9.
    public let decimals: Int

    public init(decimals: Int) {
        precondition((0...9).contains(decimals), "a quantum has 0…9 decimals, got \(decimals)")
        self.decimals = decimals
    }

    /// 10^decimals, exact.
    public var scale: Int64 {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        return scale
    }

    /// The quantum as a number, e.g. "0.01".
    public var description: String {
        decimals == 0 ? "1" : "0." + String(repeating: "0", count: decimals - 1) + "1"
    }

    /// `value` in quanta, rounded half away from zero; nil when not finite or beyond ±2^53 quanta.
    public func quantize(_ value: Double) -> Int64? {
        guard value.isFinite else { return nil }
        let scaled = value * Double(scale)
        guard abs(scaled) < Double(Self.maxQuanta) else { return nil }
        let fraction = abs(scaled - scaled.rounded(.towardZero))
        // Near a half the binary product may sit on the wrong side: settle it on the shortest decimal text.
        if abs(fraction - 0.5) < 1e-6 { return quantize(decimal: "\(value)") }
        return Int64(scaled.rounded(.toNearestOrAwayFromZero))
    }

    /// Decimal text (`-12.345`, `1e-3`, `+7`) in quanta, rounded half away from zero with integer arithmetic only;
    /// nil when the text is not a plain decimal number or is beyond ±2^53 quanta.
    public func quantize<S: StringProtocol>(decimal text: S) -> Int64? {
        guard let number = DecimalText(text) else { return nil }
        var digits = number.digits
        let shift = number.exponent + decimals  // value in quanta = digits × 10^shift
        var roundUp = false
        if shift >= 0 {
            guard shift <= 18 else { return digits.allSatisfy { $0 == 0 } ? 0 : nil }
            digits += [UInt8](repeating: 0, count: shift)
        } else {
            let keep = digits.count + shift
            roundUp = keep >= 0 && keep < digits.count && digits[keep] >= 5
            digits = keep > 0 ? Array(digits[..<keep]) : []
        }
        var magnitude: Int64 = 0
        for digit in digits {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2, next <= Self.maxQuanta else { return nil }
            magnitude = next
        }
        if roundUp { magnitude += 1 }
        guard magnitude < Self.maxQuanta else { return nil }
        return number.negative ? -magnitude : magnitude
    }

    /// The Double nearest `quanta` × 10^-decimals (exact division by a power of ten).
    public func value(ofQuanta quanta: Int64) -> Double {
        Double(quanta) / Double(scale)
    }

    /// `quanta` as exact decimal text with `decimals` places, e.g. 2305 at 0.1 → "230.5", -7 at 0.01 → "-0.07".
    public func text(ofQuanta quanta: Int64) -> String {
        let magnitude = quanta.magnitude
        let whole = magnitude / UInt64(scale)
        let sign = quanta < 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(whole)" }
        let fraction = String(magnitude % UInt64(scale))
        return "\(sign)\(whole).\(String(repeating: "0", count: decimals - fraction.count))\(fraction)"
    }
}

/// A parsed plain decimal: sign, significant digits and a power of ten (value = digits × 10^exponent).
struct DecimalText {
    var negative = false
    var digits: [UInt8] = []
    var exponent = 0

    init?<S: StringProtocol>(_ text: S) {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var sawDigit = false, sawPoint = false
        while let byte = bytes.first {
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                sawDigit = true
                // Leading zeros carry nothing; keeping them out bounds the digit count by significance.
                if !(digits.isEmpty && byte == UInt8(ascii: "0")) { digits.append(byte - UInt8(ascii: "0")) }
                if sawPoint { exponent -= 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            bytes = bytes.dropFirst()
        }
        guard sawDigit, digits.count <= 40 else { return nil }
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            guard let power = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)), abs(power) <= 400 else { return nil }
            exponent += power
            bytes = []
        }
        guard bytes.isEmpty else { return nil }
        if digits.isEmpty { negative = false }
    }
}
