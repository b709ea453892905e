/// Builds a device's register image for a simulator: "SunS", model 1, the requested models, then 0xFFFF 0.
/// Every point starts "not implemented" and every scale factor at 0; setters apply the model's SF.
/// The image is itself a RegisterReader and RegisterWriter, so a server can serve it and tests can discover it.
public struct SunSpecImageBuilder: Sendable, Hashable, RegisterReader, RegisterWriter {
    /// Address of the "SunS" marker.
    public let base: Int
    /// Registers from `base` on.
    public private(set) var registers: [UInt16]
    /// Models in layout order, with where each one starts.
    public let blocks: [SunSpecModelBlock]

    /// Lays out the map at `base` (40000, 0 or 50000 are the SunSpec bases). Model 1 is always first and is filled
    /// from `common`; `models` follow in order (model 1 there is ignored).
    public init(base: Int = 40000, common: SunSpecCommon, models: [SunSpecModelDefinition]) throws {
        let ordered = [SunSpecModels.common] + models.filter { $0.id != 1 }
        let total = 2 + ordered.reduce(0) { $0 + 2 + $1.length } + 2
        guard base >= 0, base + total <= 65536 else {
            throw SunSpecError.invalidLayout("an image of \(total) registers does not fit from base \(base)")
        }
        var registers: [UInt16] = [0x5375, 0x6E53]
        var blocks: [SunSpecModelBlock] = []
        for definition in ordered {
            blocks.append(SunSpecModelBlock(id: definition.id, address: base + registers.count, length: definition.length))
            registers += [definition.id, UInt16(definition.length)]
            for point in definition.points {
                registers += point.type == .sunssf ? [0] : point.type.notImplemented
            }
        }
        registers += [0xFFFF, 0]
        self.base = base
        self.registers = registers
        self.blocks = blocks
        try setString("Mn", common.manufacturer ?? "", in: 1)
        try setString("Md", common.model ?? "", in: 1)
        try setString("Opt", common.options ?? "", in: 1)
        try setString("Vr", common.version ?? "", in: 1)
        try setString("SN", common.serialNumber ?? "", in: 1)
        if let address = common.deviceAddress { try set("DA", Double(address), in: 1) }
    }

    /// Where a point lives: the model's definition and block, and the point. Without a model id, the first model
    /// in the image that defines the name.
    public func locate(_ name: String, in model: UInt16? = nil) throws -> (block: SunSpecModelBlock, point: SunSpecPoint) {
        for block in blocks where model == nil || block.id == model {
            if let point = SunSpecModels.definition(id: block.id)?.point(name) { return (block, point) }
        }
        throw SunSpecError.unknownPoint(name, model: model)
    }

    /// Absolute register address of a point.
    public func address(of name: String, in model: UInt16? = nil) throws -> Int {
        let (block, point) = try locate(name, in: model)
        return block.dataAddress + point.offset
    }

    /// Sets a point in engineering units: raw = value / 10^SF with the image's current SF for that point;
    /// a sunssf point takes the exponent itself. Throws for NaN, an invalid SF, or a raw value that does not fit.
    public mutating func set(_ name: String, _ value: Double, in model: UInt16? = nil) throws {
        let (block, point) = try locate(name, in: model)
        let words: [UInt16]
        switch point.type {
        case .float32:
            words = try SunSpecEncode.float32(value, name: name)
        case .string, .pad:
            throw SunSpecError.valueOutOfRange(name, value, range: "a numeric point (it is \(point.type))")
        default:
            var scale = 0
            if let sfName = point.scaleFactor {
                let sfWord = registers[try address(of: sfName, in: block.id) - base]
                guard let sf = SunSpecDecode.scaleFactor(sfWord) else { throw SunSpecError.invalidScaleFactor(sfName, raw: sfWord) }
                scale = sf
            }
            words = try SunSpecEncode.integer(SunSpecEncode.scaledRaw(value, scaleFactor: scale, name: name), as: point.type, name: name)
        }
        write(block.dataAddress + point.offset - base, words)
    }

    /// Marks a point "not implemented" (its type's marker).
    public mutating func clear(_ name: String, in model: UInt16? = nil) throws {
        let (block, point) = try locate(name, in: model)
        write(block.dataAddress + point.offset - base, point.type.notImplemented)
    }

    /// Sets a string point (cut to fit, NUL padded).
    public mutating func setString(_ name: String, _ text: String, in model: UInt16? = nil) throws {
        let (block, point) = try locate(name, in: model)
        guard case .string(let words) = point.type else {
            throw SunSpecError.invalidLayout("point \(name) of model \(block.id) is \(point.type), not a string")
        }
        write(block.dataAddress + point.offset - base, SunSpecEncode.string(text, words: words))
    }

    /// A point in engineering units, decoded as a client would (nil for "not implemented").
    public func get(_ name: String, in model: UInt16? = nil) throws -> Double? {
        try values(of: locate(name, in: model).block.id).value(name)
    }

    /// A model's current registers, decoded through its definition.
    public func values(of model: UInt16) throws -> SunSpecModelValues {
        guard let block = blocks.first(where: { $0.id == model }), let definition = SunSpecModels.definition(id: model) else {
            throw SunSpecError.modelMissing(model)
        }
        let start = block.dataAddress - base
        return SunSpecModelValues(definition: definition, block: block, registers: Array(registers[start..<start + block.length]))
    }

    /// Serves reads inside the image; a read running past either end is cut short (callers see a truncated read).
    public func readHoldingRegisters(address: Int, count: Int) throws -> [UInt16] {
        let start = max(address - base, 0), end = min(address - base + count, registers.count)
        guard address >= base, start < end else { return [] }
        return Array(registers[start..<end])
    }

    /// Applies a client's write; refuses one outside the image or touching the "SunS" marker or a model header.
    public mutating func writeRegisters(address: Int, values: [UInt16]) throws {
        let start = address - base
        guard start >= 0, start + values.count <= registers.count else {
            throw SunSpecError.invalidLayout("write of \(values.count) registers at \(address) lies outside the image")
        }
        let headers = Set([0, 1] + blocks.flatMap { [$0.address - base, $0.address - base + 1] })
        guard headers.isDisjoint(with: start..<start + values.count) else {
            throw SunSpecError.invalidLayout("write at \(address) would change the SunSpec marker or a model's ID/L")
        }
        write(start, values)
    }

    /// `{"base":40000,"registers":[…]}`, the format Tests/peers/sunspec/serve_image.py serves.
    public var json: String {
        "{\"base\":\(base),\"registers\":[\(registers.map(String.init).joined(separator: ","))]}"
    }

    private mutating func write(_ index: Int, _ words: [UInt16]) {
        registers.replaceSubrange(index..<index + words.count, with: words)
    }
}
