import SunSpec

extension SunSpecImageBuilder {
    /// Sets a point in engineering units at the image's SF, clamped to what its type can carry without hitting
    /// the "not implemented" marker; nil or a non-finite value marks it not implemented.
    mutating func put(_ name: String, _ value: Double?, in model: UInt16) throws {
        guard let value, value.isFinite else { return try clear(name, in: model) }
        let (block, point) = try locate(name, in: model)
        guard let range = SunSpecEncode.range(of: point.type) else { return try set(name, value, in: model) }
        var scale = 0
        if let sfName = point.scaleFactor {
            scale = SunSpecDecode.scaleFactor(registers[try address(of: sfName, in: model) - base]) ?? 0
        }
        // ±1e15 keeps any SF in −3…10 clear of scaledRaw's 64-bit limit; the type's range clamps further.
        let raw = try SunSpecEncode.scaledRaw(min(max(value, -1e15), 1e15), scaleFactor: scale, name: name)
        let words = try SunSpecEncode.integer(min(max(raw, range.lowerBound), range.upperBound), as: point.type, name: name)
        try writeRegisters(address: block.dataAddress + point.offset, values: words)
    }

    /// Sets several scale factors of one model.
    mutating func setScaleFactors(_ factors: [String: Int], in model: UInt16) throws {
        for (name, sf) in factors { try set(name, Double(sf), in: model) }
    }

    /// Fills a point with garbage a reader must catch: a scale factor becomes 0x7FFF (outside −10…10); any other
    /// point its type's largest value short of the "not implemented" marker (int16 0x7FFF, uint16 0xFFFE, …), an
    /// implausible reading at the scale factors chosen here. Returns false when no model of the image has the point.
    mutating func fillWithGarbage(_ name: String) -> Bool {
        guard let (block, point) = try? locate(name) else { return false }
        let words: [UInt16]
        switch point.type {
        case .sunssf, .int16, .pad: words = [0x7FFF]
        case .uint16, .enum16, .bitfield16: words = [0xFFFE]
        case .int32: words = [0x7FFF, 0xFFFF]
        case .uint32, .enum32, .bitfield32, .acc32: words = [0xFFFF, 0xFFFE]
        case .uint64, .acc64: words = [0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF]
        case .float32: words = [0x7F7F, 0xFFFF]  // the largest finite float32
        case .string(let count): words = Array(repeating: 0xFFFF, count: count)  // not UTF-8
        }
        return (try? writeRegisters(address: block.dataAddress + point.offset, values: words)) != nil
    }
}

/// Chooses scale factors so that a device's largest plausible value still fits its register.
enum ScaleFactorChoice {
    /// The smallest SF in −3…10 (finest resolution) at which `magnitude` stays within `rawLimit`
    /// (32767 for int16, 65534 for uint16).
    static func finest(for magnitude: Double, rawLimit: Double) -> Int {
        var sf = -3
        while sf < 10, abs(magnitude) / power(sf) > rawLimit { sf += 1 }
        return sf
    }

    /// 10^sf.
    static func power(_ sf: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(sf) { result *= 10 }
        return sf < 0 ? 1 / result : result
    }

    static let int16Limit = 32_767.0
    static let uint16Limit = 65_534.0
}
