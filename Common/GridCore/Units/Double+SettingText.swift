extension Double {
    /// A setting or bound as a message shows it: rounded to 9 decimals, so that a bound computed from other
    /// settings reads as typed ("0.82", not "0.8200000000000001"). Settings never need more precision.
    var settingText: String {
        guard isFinite else { return "\(self)" }
        return "\((self * 1e9).rounded() / 1e9)"
    }
}
