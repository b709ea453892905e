/// [lower, upper] in kW, written in JSON as a two-element array, as the agent's envelope writes its bounds.
public struct KilowattInterval: Sendable, Hashable, Codable, CustomStringConvertible {
    public var lowerKW: Double
    public var upperKW: Double

    public init(_ lowerKW: Double, _ upperKW: Double) {
        self.lowerKW = lowerKW
        self.upperKW = upperKW
    }

    public var range: ClosedRange<Double> { lowerKW...max(lowerKW, upperKW) }
    public func contains(_ kw: Double) -> Bool { lowerKW <= kw && kw <= upperKW }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        lowerKW = try c.decode(Double.self)
        upperKW = try c.decode(Double.self)
        guard c.isAtEnd, lowerKW.isFinite, upperKW.isFinite, lowerKW <= upperKW else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "expected [lower_kw, upper_kw], finite, lower ≤ upper"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(lowerKW)
        try c.encode(upperKW)
    }

    public var description: String { "[\(format(lowerKW)), \(format(upperKW))]" }
}
