import EdgeModbus
import GridCore
import SunSpec
import Synchronization

/// The field as Modbus TCP servers on 127.0.0.1, one per device, unit id 1, SunSpec maps at 40000: the meter (1, 203),
/// the transformer's temperature block (1, 64900) and each charger (1, 701, 702, 704, 713, 64901), on consecutive
/// ports in that order. `publish` writes an observation into the registers; the agent's 704 writes come back through
/// `drainSetpoints`.
public final class SimulatedField: Sendable {
    /// One served device.
    public struct Device: Sendable, Hashable {
        /// "meter", "transformer" or the charger's id.
        public var name: String
        public var port: Int
        public var unitID: Int
    }

    public static let base = 40000
    public static let unitID: UInt8 = 1

    /// Every device in port order: meter, transformer, then the chargers in scenario order.
    public let devices: [Device]
    public let scenario: Scenario

    private let meterServer: ModbusTCPServer
    private let temperatureServer: ModbusTCPServer
    private let chargerServers: [ChargerServer]
    /// Model 704's data registers as indices from the base: the same in every charger image.
    private let controlIndices: Range<Int>
    private let images: Mutex<FieldImages>
    private let writes: WriteLog

    /// Starts the servers. `basePort` 0 gives every device an ephemeral port; otherwise the meter takes `basePort`,
    /// the temperature block `basePort + 1`, and the chargers the ports after it.
    public init(scenario: Scenario, basePort: Int = 0) throws(SimFieldError) {
        let count = 2 + scenario.chargers.count
        guard basePort == 0 || (1024...65535).contains(basePort) && basePort + count - 1 <= 65535 else {
            throw .portOutOfRange(base: basePort, devices: count)
        }
        func port(_ index: Int) -> Int { basePort == 0 ? 0 : basePort + index }
        let images: FieldImages
        do {
            images = try FieldImages(scenario: scenario)
        } catch {
            throw .imageFailed("field", error)
        }
        let writes = WriteLog()
        meterServer = try Self.serve("meter", images.meter.image, port: port(0))
        temperatureServer = try Self.serve("transformer", images.temperatures.image, port: port(1))
        var chargerServers: [ChargerServer] = []
        for (index, charger) in images.chargers.enumerated() {
            let server = try Self.serve(charger.spec.id, charger.image, port: port(2 + index))
            let (id, controls) = (charger.spec.id, charger.controlIndices)
            server.onWrite = { _, address, count in
                // Only writes that touch model 704 are setpoints.
                let first = address - Self.base, end = address - Self.base + count
                if first < controls.upperBound, end > controls.lowerBound { writes.mark(id) }
            }
            let block = SunSpecModelBlock(id: 704, address: Self.base + controls.lowerBound - 2, length: controls.count)
            chargerServers.append(ChargerServer(id: id, server: server, controlBlock: block))
        }
        self.scenario = scenario
        self.chargerServers = chargerServers
        self.images = Mutex(images)
        self.writes = writes
        devices = [Device(name: "meter", port: meterServer.port, unitID: Int(Self.unitID)),
                   Device(name: "transformer", port: temperatureServer.port, unitID: Int(Self.unitID))]
            + chargerServers.map { Device(name: $0.id, port: $0.server.port, unitID: Int(Self.unitID)) }
        self.controlIndices = images.chargers.first?.controlIndices ?? 0..<0
    }

    deinit {
        stop()
    }

    /// The port a device answers on ("meter", "transformer" or a charger id).
    public func port(of device: String) -> Int? { devices.first { $0.name == device }?.port }

    /// Writes an observation into the images; each device's registers change in one locked update, so a reader
    /// never sees half of one. A frozen meter keeps its registers; listed garbage registers are filled with garbage;
    /// an offline charger stops answering (and answers again once back online).
    public func publish(_ observation: FieldObservation) {
        // Held across the copies too, so that two publishes never interleave (lock order: images, then a map).
        images.withLock { images in
            let served = images.publish(observation)
            if let meter = served.meter { copy(meter, into: meterServer, keeping: nil) }
            copy(served.temperatures, into: temperatureServer, keeping: nil)
            for (registers, charger) in zip(served.chargers, chargerServers) {
                copy(registers, into: charger.server, keeping: controlIndices)
            }
        }
        for charger in observation.chargers {
            chargerServers.first { $0.id == charger.id }?.server.isResponding = charger.online
        }
    }

    /// The setpoints written into 704 since the last drain, one per charger written, decoded from its 704 block as it
    /// stands now (see `ChargerCommand`). Apply them with `ChargerCommand.apply(to:)`. A write is logged just after
    /// the server replies to it, so one that lands during a drain shows up (again) in the next: applying the same
    /// setpoint twice only restarts its reversion timer a tick later.
    public func drainSetpoints() -> [ChargerCommand] {
        let written = writes.drain()
        guard !written.isEmpty else { return [] }
        let requests = images.withLock { $0.requestedKW }
        return chargerServers.compactMap { charger in
            let block = charger.controlBlock
            guard written.contains(charger.id),
                  let registers = try? charger.server.registers.read(unit: Self.unitID, address: block.dataAddress, count: block.length)
            else { return nil }
            let controls = SunSpecModelValues(definition: SunSpecModels.derControls, block: block, registers: registers)
            return ChargerCommand.decode(chargerID: charger.id, controls: controls, requestedKW: requests[charger.id] ?? 0)
        }
    }

    /// Stops every server and joins its thread. Idempotent.
    public func stop() {
        meterServer.stop()
        temperatureServer.stop()
        for charger in chargerServers { charger.server.stop() }
    }

    private static func serve(_ device: String, _ image: SunSpecImageBuilder, port: Int) throws(SimFieldError) -> ModbusTCPServer {
        do {
            let map = try HoldingRegisterMap(unitID: unitID, startAddress: image.base, count: image.registers.count)
            try map.write(unit: unitID, address: image.base, values: image.registers)
            return try ModbusTCPServer(registers: map, host: "127.0.0.1", port: port)
        } catch {
            throw .serverFailed(device, port: port, error)
        }
    }

    /// Copies an image into a server's map under its lock, leaving `keeping` (indices the agent owns) as written.
    private func copy(_ registers: [UInt16], into server: ModbusTCPServer, keeping: Range<Int>?) {
        // The map was sized from this image, so the unit exists and the counts match.
        try? server.registers.withRegisters(unit: Self.unitID) { buffer in
            for index in 0..<min(buffer.count, registers.count) where !(keeping?.contains(index) ?? false) {
                buffer[index] = registers[index]
            }
        }
    }
}

/// A charger's server and where its 704 block sits.
private struct ChargerServer: Sendable {
    let id: String
    let server: ModbusTCPServer
    let controlBlock: SunSpecModelBlock
}

/// The chargers whose 704 a client wrote since the last drain; marked from the server threads.
private final class WriteLog: Sendable {
    private let written = Mutex<Set<String>>([])

    func mark(_ id: String) { _ = written.withLock { $0.insert(id) } }

    func drain() -> Set<String> {
        written.withLock { written in
            defer { written = [] }
            return written
        }
    }
}
