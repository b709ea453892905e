import EdgeModbus
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ModbusValidationTests {
    @Test(arguments: [(-1, 1), (0, 0), (65535, 2), (65536, 1), (40000, -3)])
    func outOfRangeRequestsFailBeforeAnyIO(address: Int, count: Int) throws {
        // Port 1 on loopback has no server: reaching the network would fail differently.
        let client = try ModbusClient.tcp(host: "127.0.0.1", port: 1)
        let error = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: address, count: count) }
        #expect(error?.label == "modbus.invalid_argument")
        #expect(!client.isConnected)
    }

    @Test func badSettingsAreRejected() throws {
        #expect(throws: ModbusError.self) { try ModbusClient.tcp(host: "127.0.0.1", port: 0) }
        #expect(throws: ModbusError.self) { try ModbusClient.rtu(device: "/dev/null", baud: 9600, parity: .none, dataBits: 9, stopBits: 1) }
        let client = try ModbusClient.tcp(host: "127.0.0.1", port: 1)
        #expect(throws: ModbusError.self) { try client.setUnitID(250) }
        #expect(client.unitID == 1)
        try client.setUnitID(255)
        #expect(client.unitID == 255)
        client.responseTimeoutS = -5
        #expect(client.responseTimeoutS == 0.001)
    }

    @Test func refusedConnectionIsConnectionLost() throws {
        // A port held bound but not listening refuses every connection, and no other test can take it meanwhile
        // (a port bound and released could be reused by a parallel test's server before the connect).
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        try #require(holder >= 0 && bound)
        let client = try ModbusClient.tcp(host: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)))
        let error = #expect(throws: ModbusError.self) { try client.connect() }
        #expect(error?.isConnectionLost == true)
        #expect(error?.label == "modbus.connection_lost")
    }

    @Test func registerMapRejectsBadBlocks() throws {
        #expect(throws: ModbusError.self) { try HoldingRegisterMap(unitID: 0, count: 1) }
        #expect(throws: ModbusError.self) { try HoldingRegisterMap(startAddress: 65500, count: 100) }
        #expect(throws: ModbusError.self) {
            try HoldingRegisterMap([RegisterBlock(unitID: 1, startAddress: 0, count: 1), RegisterBlock(unitID: 1, startAddress: 5, count: 1)])
        }
        let map = try HoldingRegisterMap(unitID: 1, startAddress: 100, count: 10)
        #expect(throws: ModbusError.self) { try map.read(unit: 1, address: 99, count: 1) }
        #expect(throws: ModbusError.self) { try map.write(unit: 1, address: 109, values: [1, 2]) }
        #expect(throws: ModbusError.self) { try map.read(unit: 2, address: 100, count: 1) }
    }
}
