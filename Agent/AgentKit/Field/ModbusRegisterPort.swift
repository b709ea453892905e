import EdgeModbus
import SunSpec

/// Lets the SunSpec codec read and write through a libmodbus client.
struct ModbusRegisterPort: RegisterReader, RegisterWriter {
    let client: ModbusClient

    mutating func readHoldingRegisters(address: Int, count: Int) throws -> [UInt16] {
        try client.readHoldingRegisters(address: address, count: count)
    }

    mutating func writeRegisters(address: Int, values: [UInt16]) throws {
        try client.writeRegisters(address: address, values: values)
    }
}
