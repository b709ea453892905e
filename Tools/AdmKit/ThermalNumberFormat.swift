#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain decimal formatting for the simulation's CSV, without Foundation's locale-aware formatters.
enum ThermalNumberFormat {
    /// `value` with a fixed number of decimals; never prints "-0.0".
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return "\(value)" }
        let units = Int(scaled)
        let whole = units / Int(scale)
        let fraction = units % Int(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(whole)" }
        let digits = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: decimals - digits.count) + digits
    }

    /// `value` with (at least) `digits` significant digits, in plain decimal notation.
    static func significant(_ value: Double, digits: Int) -> String {
        guard value.isFinite, value != 0 else { return fixed(value, decimals: 0) }
        let exponent = Int(floor(log10(abs(value))))
        return fixed(value, decimals: min(max(digits - 1 - exponent, 0), 15))
    }
}
