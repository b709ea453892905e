internal import CModbus

/// A contiguous block of holding registers served for one unit id.
public struct RegisterBlock: Sendable, Hashable {
    /// The unit (slave) id that answers for this block, 1...247.
    public var unitID: UInt8
    /// Protocol address of the first register, e.g. 40000 for a SunSpec map.
    public var startAddress: Int
    /// Number of registers.
    public var count: Int

    public init(unitID: UInt8, startAddress: Int, count: Int) {
        self.unitID = unitID
        self.startAddress = startAddress
        self.count = count
    }
}

/// Owns one `modbus_mapping_t` with holding registers only, freed in `deinit`.
final class RegisterMapping {
    let block: RegisterBlock
    private let mapping: UnsafeMutablePointer<modbus_mapping_t>

    init(_ block: RegisterBlock) throws {
        self.block = block
        mapping = try modbusCall("modbus_mapping_new_start_address", RequestContext(endpoint: "register map", unit: block.unitID)) {
            modbus_mapping_new_start_address(0, 0, 0, 0, UInt32(block.startAddress), UInt32(block.count), 0, 0)
        }
    }

    deinit {
        modbus_mapping_free(mapping)
    }

    func withUnsafeMappingPointer<R>(_ body: (UnsafeMutablePointer<modbus_mapping_t>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(mapping) }
    }
}

/// The holding registers a server exposes, one block per unit id, safe to read and write from any thread.
// @unchecked Sendable: the mappings never change identity after init and every access holds `lock`.
public final class HoldingRegisterMap: @unchecked Sendable {
    private let lock = MapLock()
    private let mappings: [UInt8: RegisterMapping]

    /// A map with the given blocks; unit ids must be distinct and each block must lie in 0...65535.
    public init(_ blocks: [RegisterBlock]) throws {
        var mappings: [UInt8: RegisterMapping] = [:]
        for block in blocks {
            let context = RequestContext(endpoint: "register map", unit: block.unitID, operation: "define", address: block.startAddress, count: block.count)
            guard (1...247).contains(block.unitID) else { throw ModbusError.invalidArgument("unit id \(block.unitID) not in 1...247", context: context.text) }
            guard mappings[block.unitID] == nil else { throw ModbusError.invalidArgument("unit id \(block.unitID) defined twice", context: context.text) }
            guard block.startAddress >= 0, block.count >= 1, block.startAddress + block.count <= 0x10000 else {
                throw ModbusError.invalidArgument("block must have count >= 1 and lie in 0...65535", context: context.text)
            }
            mappings[block.unitID] = try RegisterMapping(block)
        }
        self.mappings = mappings
    }

    /// A map with one block for one unit.
    public convenience init(unitID: UInt8 = 1, startAddress: Int = 0, count: Int) throws {
        try self.init([RegisterBlock(unitID: unitID, startAddress: startAddress, count: count)])
    }

    /// The blocks served, by unit id.
    public var blocks: [RegisterBlock] { mappings.values.map(\.block).sorted { $0.unitID < $1.unitID } }

    /// Runs `body` under the lock with the unit's registers; index 0 is the block's `startAddress`.
    public func withRegisters<R>(unit: UInt8, _ body: (inout UnsafeMutableBufferPointer<UInt16>) throws -> R) throws -> R {
        let mapping = try mapping(unit: unit)
        return try lock.withLock {
            try mapping.withUnsafeMappingPointer { raw in
                var buffer = UnsafeMutableBufferPointer(start: raw.pointee.tab_registers, count: Int(raw.pointee.nb_registers))
                return try body(&buffer)
            }
        }
    }

    /// Copies `count` registers from protocol address `address`.
    public func read(unit: UInt8, address: Int, count: Int) throws -> [UInt16] {
        let offset = try offsetOf(unit: unit, address: address, count: count, operation: "read")
        return try withRegisters(unit: unit) { Array($0[offset..<(offset + count)]) }
    }

    /// Stores `values` from protocol address `address`; does not call the server's write hook.
    public func write(unit: UInt8, address: Int, values: [UInt16]) throws {
        let offset = try offsetOf(unit: unit, address: address, count: values.count, operation: "write")
        try withRegisters(unit: unit) { registers in
            for (i, value) in values.enumerated() { registers[offset + i] = value }
        }
    }

    /// Runs `body` under the lock with the unit's libmodbus mapping, or returns nil for an unknown unit.
    func withLockedMapping<R>(unit: UInt8, _ body: (UnsafeMutablePointer<modbus_mapping_t>) throws -> R) rethrows -> R? {
        guard let mapping = mappings[unit] else { return nil }
        return try lock.withLock { try mapping.withUnsafeMappingPointer(body) }
    }

    func block(unit: UInt8) -> RegisterBlock? { mappings[unit]?.block }

    private func mapping(unit: UInt8) throws -> RegisterMapping {
        guard let mapping = mappings[unit] else {
            throw ModbusError.invalidArgument("unit id \(unit) not served", context: RequestContext(endpoint: "register map", unit: unit).text)
        }
        return mapping
    }

    private func offsetOf(unit: UInt8, address: Int, count: Int, operation: String) throws -> Int {
        let block = try mapping(unit: unit).block
        guard count >= 0, address >= block.startAddress, address + count <= block.startAddress + block.count else {
            let context = RequestContext(endpoint: "register map", unit: unit, operation: operation, address: address, count: count)
            throw ModbusError.invalidArgument(
                "outside block \(block.startAddress)..<\(block.startAddress + block.count)", context: context.text)
        }
        return address - block.startAddress
    }
}
