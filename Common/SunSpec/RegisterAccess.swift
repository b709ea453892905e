/// Reads holding registers (function 0x03). The agent plugs its Modbus client in here; tests use an array.
public protocol RegisterReader {
    /// `count` registers from `address`; a device may answer with fewer, which callers treat as a truncated read.
    mutating func readHoldingRegisters(address: Int, count: Int) throws -> [UInt16]
}

/// Writes holding registers (function 0x10).
public protocol RegisterWriter {
    /// Writes `values` to consecutive registers from `address`.
    mutating func writeRegisters(address: Int, values: [UInt16]) throws
}

/// One write: consecutive registers from `address`.
public struct RegisterWrite: Sendable, Hashable {
    public let address: Int
    public let values: [UInt16]

    public init(address: Int, values: [UInt16]) {
        self.address = address
        self.values = values
    }
}

extension RegisterReader {
    /// Reads `count` registers in requests of at most 125 (the Modbus PDU limit); throws on a short answer.
    mutating func readExactly(address: Int, count: Int) throws -> [UInt16] {
        var result: [UInt16] = []
        result.reserveCapacity(count)
        while result.count < count {
            let start = address + result.count
            let chunk = min(125, count - result.count)
            let words = try readHoldingRegisters(address: start, count: chunk)
            guard words.count >= chunk else {
                throw SunSpecError.truncatedRead(address: start, expected: chunk, got: words.count)
            }
            result += words.prefix(chunk)
        }
        return result
    }
}
