/// Where one model sits in a device map.
public struct SunSpecModelBlock: Sendable, Hashable {
    public let id: UInt16
    /// Address of the model's ID register.
    public let address: Int
    /// L: registers after ID and L.
    public let length: Int

    public init(id: UInt16, address: Int, length: Int) {
        self.id = id
        self.address = address
        self.length = length
    }

    /// Address of the first data register (after ID and L).
    public var dataAddress: Int { address + 2 }
}

/// A discovered SunSpec device map: its base and the models in order.
public struct SunSpecDevice: Sendable, Hashable {
    /// Address of the "SunS" marker.
    public let base: Int
    public let models: [SunSpecModelBlock]

    /// The SunSpec bases to probe, in the order the spec lists them.
    public static let standardBases = [40000, 0, 50000]
    /// At most this many models are walked; a longer chain is taken for a missing end marker.
    public static let maxModels = 64

    public init(base: Int, models: [SunSpecModelBlock]) {
        self.base = base
        self.models = models
    }

    /// The first model with this id.
    public func model(_ id: UInt16) -> SunSpecModelBlock? { models.first { $0.id == id } }

    /// Finds "SunS" (0x5375 0x6E53) at the first base that has it, then walks (ID, L) pairs to the 0xFFFF end marker.
    /// Addresses only grow and must stay within 0…65535, so a length that would wrap (a loop on devices that
    /// count modulo 2^16) is refused as running past the end; a chain without an end marker stops at 64 models.
    public static func discover(reader: inout some RegisterReader, bases: [Int] = standardBases) throws -> SunSpecDevice {
        var notes: [String] = []
        for base in bases {
            guard (0...65533).contains(base) else {
                notes.append("\(base): not a register address")
                continue
            }
            let marker: [UInt16]
            do {
                marker = try reader.readHoldingRegisters(address: base, count: 2)
            } catch {
                notes.append("\(base): read failed (\(error))")
                continue
            }
            guard marker.count >= 2, marker[0] == 0x5375, marker[1] == 0x6E53 else {
                notes.append("\(base): found \(marker.prefix(2).map { "0x" + String($0, radix: 16) })")
                continue
            }
            return SunSpecDevice(base: base, models: try walk(reader: &reader, from: base + 2))
        }
        throw SunSpecError.noMarker(notes.joined(separator: "; "))
    }

    private static func walk(reader: inout some RegisterReader, from start: Int) throws -> [SunSpecModelBlock] {
        var models: [SunSpecModelBlock] = []
        var address = start
        while true {
            // Read the ID alone first: some devices do not answer for an L after the end marker.
            let id = try reader.readExactly(address: address, count: 1)[0]
            if id == 0xFFFF { return models }
            guard address < 65535 else { throw SunSpecError.lengthPastEnd(address: address, id: id, length: 0) }
            guard models.count < maxModels else { throw SunSpecError.tooManyModels(address: address, limit: maxModels) }
            let length = Int(try reader.readExactly(address: address + 1, count: 1)[0])
            let next = address + 2 + length
            // The next ID register must exist too.
            guard next <= 65535 else { throw SunSpecError.lengthPastEnd(address: address, id: id, length: length) }
            models.append(SunSpecModelBlock(id: id, address: address, length: length))
            address = next
        }
    }

    /// Reads one model's data registers and pairs them with its definition; nil when the device lacks the model.
    public func read(_ id: UInt16, reader: inout some RegisterReader) throws -> SunSpecModelValues? {
        guard let block = model(id) else { return nil }
        guard let definition = SunSpecModels.definition(id: id) else {
            throw SunSpecError.invalidLayout("model \(id) has no definition in this package")
        }
        let registers = try reader.readExactly(address: block.dataAddress, count: block.length)
        return SunSpecModelValues(definition: definition, block: block, registers: registers)
    }
}
