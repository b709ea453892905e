import EdgeModbus
import Testing

@Suite struct ModbusTCPTests {
    @Test func readWriteRoundTrip() throws {
        let map = try sunSpecLikeMap()
        let server = try ModbusTCPServer(registers: map)
        let client = try client(for: server)
        #expect(client.isConnected)

        #expect(try client.readHoldingRegisters(address: 40002, count: 3) == (40002..<40005).map(presetValue))
        try client.writeRegisters(address: 40010, values: [1, 0xFFFF, 0x8000])
        try client.writeRegister(address: 40020, value: 42)
        #expect(try client.readHoldingRegisters(address: 40010, count: 3) == [1, 0xFFFF, 0x8000])
        #expect(try map.read(unit: 1, address: 40020, count: 1) == [42])

        // Server-side changes (the simulator's physics) are what the next poll sees.
        try map.write(unit: 1, address: 40100, values: [7, 8])
        #expect(try client.readHoldingRegisters(address: 40100, count: 2) == [7, 8])
    }

    @Test func longReadsAndWritesAreChunked() throws {
        let map = try sunSpecLikeMap()
        let server = try ModbusTCPServer(registers: map)
        let client = try client(for: server)

        // 300 registers: 125 + 125 + 50.
        #expect(try client.readHoldingRegisters(address: 40000, count: 300) == (40000..<40300).map(presetValue))

        // 250 registers: 123 + 123 + 4.
        let values = (0..<250).map { UInt16(60000 - $0) }
        try client.writeRegisters(address: 40025, values: values)
        #expect(try map.read(unit: 1, address: 40025, count: 250) == values)
        #expect(try map.read(unit: 1, address: 40024, count: 1) == [presetValue(address: 40024)])
        #expect(try map.read(unit: 1, address: 40275, count: 1) == [presetValue(address: 40275)])
    }

    @Test func illegalAddressIsException2AndKeepsTheLink() throws {
        let server = try ModbusTCPServer(registers: sunSpecLikeMap())
        let client = try client(for: server)

        let error = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 39990, count: 20) }
        #expect(error?.exceptionCode == 2)
        #expect(error?.isTimeout == false)
        #expect(error?.isConnectionLost == false)
        #expect(error?.label == "modbus.exception_2")
        let text = error.map(String.init(describing:)) ?? ""
        for part in ["tcp 127.0.0.1:\(server.port)", "unit 1", "address 39990", "count 20"] {
            #expect(text.contains(part), "\(part) missing from \(text)")
        }

        let writeError = #expect(throws: ModbusError.self) { try client.writeRegister(address: 40300, value: 1) }
        #expect(writeError?.exceptionCode == 2)
        #expect(client.isConnected)
        #expect(try client.readHoldingRegisters(address: 40299, count: 1) == [presetValue(address: 40299)])
    }

    @Test func silentServerTimesOutThenRecovers() throws {
        let server = try ModbusTCPServer(registers: sunSpecLikeMap())
        let client = try client(for: server)
        client.responseTimeoutS = 0.2

        server.isResponding = false
        let error = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 40000, count: 4) }
        #expect(error?.isTimeout == true)
        #expect(error?.label == "modbus.timeout")
        // The link is dropped so a late reply cannot answer the next request.
        #expect(!client.isConnected)

        server.isResponding = true
        #expect(try client.readHoldingRegisters(address: 40000, count: 4) == (40000..<40004).map(presetValue))
        #expect(client.isConnected)
    }

    @Test func slowServerTimesOut() throws {
        let server = try ModbusTCPServer(registers: sunSpecLikeMap())
        let client = try client(for: server)
        client.responseTimeoutS = 0.2
        server.responseDelayS = 0.6
        let error = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 40000, count: 1) }
        #expect(error?.isTimeout == true)

        // The server is still sleeping out the first request and serves one at a time: allow for that.
        server.responseDelayS = 0
        client.responseTimeoutS = 5
        #expect(try client.readHoldingRegisters(address: 40001, count: 1) == [presetValue(address: 40001)])
    }

    @Test func reconnectsAfterServerRestart() throws {
        let map = try sunSpecLikeMap()
        let first = try ModbusTCPServer(registers: map)
        let port = first.port
        let client = try client(for: first)
        #expect(try client.readHoldingRegisters(address: 40000, count: 1) == [presetValue(address: 40000)])

        first.stop()
        first.stop()  // idempotent
        let lost = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 40000, count: 1) }
        #expect(lost?.isConnectionLost == true)
        #expect(!client.isConnected)
        let refused = #expect(throws: ModbusError.self) { try client.connect() }
        #expect(refused?.isConnectionLost == true)

        let second = try ModbusTCPServer(registers: map, port: port)
        #expect(second.port == port)
        #expect(try client.readHoldingRegisters(address: 40299, count: 1) == [presetValue(address: 40299)])
        #expect(client.isConnected)
    }

    @Test func droppedServerStopsInDeinit() throws {
        var server: ModbusTCPServer? = try ModbusTCPServer(registers: sunSpecLikeMap())
        let port = try #require(server?.port)
        let client = try ModbusClient.tcp(host: "127.0.0.1", port: port)
        try client.connect()
        server = nil
        let error = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 40000, count: 1) }
        #expect(error?.isConnectionLost == true)
    }

    @Test func twoClientsAtOnce() async throws {
        let map = try sunSpecLikeMap()
        let server = try ModbusTCPServer(registers: map)
        let port = server.port
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<2 {
                group.addTask {
                    let client = try ModbusClient.tcp(host: "127.0.0.1", port: port)
                    let address = 40000 + lane * 100
                    for round in 0..<40 {
                        let values = (0..<10).map { UInt16(lane * 10000 + round * 10 + $0) }
                        try client.writeRegisters(address: address, values: values)
                        #expect(try client.readHoldingRegisters(address: address, count: 10) == values)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try map.read(unit: 1, address: 40100, count: 1) == [10390])
    }

    @Test func unitIDsRouteToTheirOwnBlocks() throws {
        let map = try HoldingRegisterMap([
            RegisterBlock(unitID: 1, startAddress: 0, count: 10),
            RegisterBlock(unitID: 2, startAddress: 0, count: 10),
        ])
        try map.write(unit: 1, address: 0, values: [111])
        try map.write(unit: 2, address: 0, values: [222])
        let server = try ModbusTCPServer(registers: map)
        let client = try client(for: server)

        #expect(try client.readHoldingRegisters(address: 0, count: 1) == [111])
        try client.setUnitID(2)
        #expect(try client.readHoldingRegisters(address: 0, count: 1) == [222])
        try client.writeRegister(address: 5, value: 9)
        #expect(try map.read(unit: 2, address: 5, count: 1) == [9])
        #expect(try map.read(unit: 1, address: 5, count: 1) == [0])

        try client.setUnitID(3)
        let error = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 0, count: 1) }
        #expect(error?.exceptionCode == 0x0B)  // gateway target device failed to respond
    }

    @Test func writeHookSeesEachClientWrite() throws {
        let map = try sunSpecLikeMap()
        let server = try ModbusTCPServer(registers: map)
        let log = WriteLog()
        server.onWrite = log.hook
        let client = try client(for: server)

        try client.writeRegisters(address: 40010, values: [1, 2, 3, 4, 5])
        try client.writeRegister(address: 40020, value: 6)
        _ = try? client.writeRegister(address: 40300, value: 7)  // rejected: no hook call
        try map.write(unit: 1, address: 40030, values: [8])      // local write: no hook call
        // The server handles one request at a time, so after this reply every earlier hook call has run.
        _ = try client.readHoldingRegisters(address: 40000, count: 1)
        #expect(log.all == [.init(unit: 1, address: 40010, count: 5), .init(unit: 1, address: 40020, count: 1)])
    }
}
