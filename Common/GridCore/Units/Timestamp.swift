/// A point in time as seconds since the Unix epoch. The control core never reads a clock;
/// every function takes `now` so that tests and dry runs replay exactly.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var secondsSinceEpoch: Double

    public init(secondsSinceEpoch: Double) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public init(from decoder: any Decoder) throws {
        secondsSinceEpoch = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(secondsSinceEpoch)
    }

    public static func < (l: Timestamp, r: Timestamp) -> Bool { l.secondsSinceEpoch < r.secondsSinceEpoch }
    public static func + (l: Timestamp, seconds: Double) -> Timestamp { Timestamp(secondsSinceEpoch: l.secondsSinceEpoch + seconds) }
    public static func - (l: Timestamp, r: Timestamp) -> Double { l.secondsSinceEpoch - r.secondsSinceEpoch }

    public var description: String { "t=\(secondsSinceEpoch)s" }
}
