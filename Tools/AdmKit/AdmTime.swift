public import GridCore

/// Times on the command line: RFC 3339 ("2027-01-31T00:00:00Z") or an offset from now ("+90d", "+12h",
/// "+30m", "+45s").
public enum AdmTime {
    public static let help = "RFC 3339 (2027-01-31T00:00:00Z) or from now (+90d, +12h, +30m, +45s)"

    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        if let time = Timestamp(rfc3339: text) { return time }
        guard text.hasPrefix("+"), let unit = text.last, let count = Int(text.dropFirst().dropLast()), count >= 0 else { return nil }
        let seconds: Int
        switch unit {
        case "d": seconds = 86_400
        case "h": seconds = 3_600
        case "m": seconds = 60
        case "s": seconds = 1
        default: return nil
        }
        // Whole seconds: an expiry reads "…T10:00:00Z", not with the milliseconds of the moment it was typed.
        return Timestamp(secondsSinceEpoch: now.secondsSinceEpoch.rounded(.down) + Double(count * seconds))
    }
}
