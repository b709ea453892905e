#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A complex phasor (RMS magnitude, angle) in rectangular form.
public struct Phasor: Sendable, Hashable, Codable {
    public var real: Double
    public var imaginary: Double

    public init(real: Double, imaginary: Double) {
        self.real = real
        self.imaginary = imaginary
    }

    public init(magnitude: Double, angleDegrees: Double) {
        let radians = angleDegrees * .pi / 180
        self.init(real: magnitude * cos(radians), imaginary: magnitude * sin(radians))
    }

    public static let zero = Phasor(real: 0, imaginary: 0)

    public var magnitude: Double { (real * real + imaginary * imaginary).squareRoot() }
    public var angleDegrees: Double { atan2(imaginary, real) * 180 / .pi }
    public var conjugate: Phasor { Phasor(real: real, imaginary: -imaginary) }

    public static func + (l: Phasor, r: Phasor) -> Phasor { Phasor(real: l.real + r.real, imaginary: l.imaginary + r.imaginary) }
    public static func - (l: Phasor, r: Phasor) -> Phasor { Phasor(real: l.real - r.real, imaginary: l.imaginary - r.imaginary) }
    public static func * (l: Phasor, r: Phasor) -> Phasor {
        Phasor(real: l.real * r.real - l.imaginary * r.imaginary, imaginary: l.real * r.imaginary + l.imaginary * r.real)
    }
    public static func * (l: Double, r: Phasor) -> Phasor { Phasor(real: l * r.real, imaginary: l * r.imaginary) }
    public static func / (l: Phasor, r: Phasor) -> Phasor {
        let d = r.real * r.real + r.imaginary * r.imaginary
        return Phasor(
            real: (l.real * r.real + l.imaginary * r.imaginary) / d,
            imaginary: (l.imaginary * r.real - l.real * r.imaginary) / d
        )
    }
    public static func += (l: inout Phasor, r: Phasor) { l = l + r }
}

/// Symmetrical components (Fortescue) of a three-phase set.
public struct SequenceComponents: Sendable, Hashable {
    public var zero: Phasor
    public var positive: Phasor
    public var negative: Phasor

    /// The operator a = 1∠120°.
    static let a = Phasor(magnitude: 1, angleDegrees: 120)
    static let a2 = Phasor(magnitude: 1, angleDegrees: 240)

    public init(_ p: PerPhase<Phasor>) {
        zero = (1.0 / 3.0) * (p.a + p.b + p.c)
        positive = (1.0 / 3.0) * (p.a + Self.a * p.b + Self.a2 * p.c)
        negative = (1.0 / 3.0) * (p.a + Self.a2 * p.b + Self.a * p.c)
    }

    /// Voltage unbalance factor, VUF = |V2| / |V1| × 100 (IEC 61000-4-30 definition).
    public var unbalancePercent: Double {
        let v1 = positive.magnitude
        return v1 > 0 ? negative.magnitude / v1 * 100 : 0
    }

    /// True when the negative sequence dominates the positive: the phases are wired ACB.
    public var isReverseRotation: Bool { negative.magnitude > positive.magnitude }
}

extension PerPhase where Value == Phasor {
    /// |Ia + Ib + Ic|: the current returning in the neutral conductor.
    public var neutralMagnitude: Double { (a + b + c).magnitude }
}
