import EdgeModbus
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let socatPath = findExecutable("socat")

/// An RTU client and server joined by a socat pty pair, real libmodbus on both ends.
@Suite(.enabled(if: socatPath != nil, "socat not found on PATH; RTU pty tests skipped"))
struct ModbusRTUTests {
    /// Starts socat with two linked ptys and waits (bounded) until both links exist.
    func ptyPair(in folder: ScratchFolder) throws -> ChildProcess {
        let a = "\(folder.path)/server", b = "\(folder.path)/client"
        let socat = try ChildProcess([socatPath ?? "socat", "pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"])
        for _ in 0..<400 where access(a, F_OK) != 0 || access(b, F_OK) != 0 {
            usleep(25_000)
        }
        guard access(a, F_OK) == 0, access(b, F_OK) == 0 else {
            socat.stop()
            throw FixtureError(description: "socat did not create \(a) and \(b)")
        }
        return socat
    }

    @Test func clientAndServerOverAPtyPair() throws {
        let folder = try ScratchFolder()
        let socat = try ptyPair(in: folder)
        defer {
            socat.stop()
            folder.remove(["server", "client"])
        }
        let map = try sunSpecLikeMap()
        let server = try ModbusRTUServer(registers: map, unitID: 1, device: "\(folder.path)/server",
                                         baud: 19200, parity: .even, dataBits: 8, stopBits: 1)
        defer { server.stop() }
        let log = WriteLog()
        server.onWrite = log.hook
        let client = try ModbusClient.rtu(device: "\(folder.path)/client", baud: 19200, parity: .even, dataBits: 8, stopBits: 1)
        #expect(client.endpoint.contains("8E1"))
        try client.connect()

        // 130 registers: 125 + 5.
        #expect(try client.readHoldingRegisters(address: 40000, count: 130) == (40000..<40130).map(presetValue))
        try client.writeRegisters(address: 40200, values: [5, 6, 7])
        #expect(try map.read(unit: 1, address: 40200, count: 3) == [5, 6, 7])

        let exception = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 40299, count: 2) }
        #expect(exception?.exceptionCode == 2)
        #expect(exception.map(String.init(describing:))?.contains("rtu \(folder.path)/client") == true)
        // The server answered the request after the write, so the write's hook call has run.
        #expect(log.all == [.init(unit: 1, address: 40200, count: 3)])
        #expect(try client.readHoldingRegisters(address: 40001, count: 1) == [presetValue(address: 40001)])

        // Another unit on the line stays silent: a timeout. This goes last because libmodbus then treats
        // the next frame on the line as that unit's reply and ignores it (multi-drop bus behaviour).
        client.responseTimeoutS = 0.2
        try client.setUnitID(2)
        let silent = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 40000, count: 1) }
        #expect(silent?.isTimeout == true)
        client.close()
    }
}
