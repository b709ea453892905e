/// One model's data registers as read, decoded point by point through its definition.
/// A point that lies beyond the device's L (an older, shorter model version) reads as nil.
public struct SunSpecModelValues: Sendable, Hashable {
    public let definition: SunSpecModelDefinition
    public let block: SunSpecModelBlock
    /// Registers after ID and L.
    public let registers: [UInt16]

    public init(definition: SunSpecModelDefinition, block: SunSpecModelBlock, registers: [UInt16]) {
        self.definition = definition
        self.block = block
        self.registers = registers
    }

    /// The point's registers, or nil when the point is unknown or lies past the registers read.
    public func raw(_ name: String) -> ArraySlice<UInt16>? {
        guard let point = definition.point(name), point.offset + point.type.words <= registers.count else { return nil }
        return registers[point.offset..<point.offset + point.type.words]
    }

    /// The point as an integer, nil for "not implemented"; floats and strings are not integers.
    public func integer(_ name: String) -> Int64? {
        guard let point = definition.point(name), let words = raw(name) else { return nil }
        let w = Array(words)
        switch point.type {
        case .int16, .pad: return SunSpecDecode.int16(w[0]).map(Int64.init)
        case .sunssf: return SunSpecDecode.scaleFactor(w[0]).map(Int64.init)
        case .uint16, .enum16, .bitfield16: return SunSpecDecode.uint16(w[0]).map(Int64.init)
        case .int32: return SunSpecDecode.int32(w[0], w[1]).map(Int64.init)
        case .uint32, .enum32, .bitfield32: return SunSpecDecode.uint32(w[0], w[1]).map(Int64.init)
        case .acc32: return SunSpecDecode.acc32(w[0], w[1]).map(Int64.init)
        case .uint64, .acc64:
            return SunSpecDecode.uint64(words, zeroIsNotImplemented: point.type == .acc64).flatMap { Int64(exactly: $0) }
        case .float32, .string: return nil
        }
    }

    /// The scale factor a point uses (nil if none, not implemented or outside −10…10).
    public func scaleFactor(of name: String) -> Int? {
        guard let sfName = definition.point(name)?.scaleFactor else { return nil }
        return integer(sfName).map(Int.init)
    }

    /// The point in its engineering unit: raw × 10^SF for scaled points, the plain number otherwise; nil for
    /// "not implemented", a missing or invalid SF, or a point past L.
    public func value(_ name: String) -> Double? {
        guard let point = definition.point(name) else { return nil }
        if case .float32 = point.type {
            guard let words = raw(name) else { return nil }
            // Widen through the float's shortest decimal, so 230.1f reads 230.1 rather than 230.10000610351562.
            return SunSpecDecode.float32(words[words.startIndex], words[words.startIndex + 1]).map { Double("\($0)") ?? Double($0) }
        }
        guard let raw = integer(name) else { return nil }
        guard point.scaleFactor != nil else { return Double(raw) }
        return SunSpecDecode.scaled(raw, scaleFactor: scaleFactor(of: name))
    }

    /// A string point, nil when all zero.
    public func string(_ name: String) -> String? {
        raw(name).flatMap(SunSpecDecode.string)
    }
}
