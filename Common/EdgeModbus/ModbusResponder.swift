internal import CModbus

/// Called after a client wrote holding registers: unit id, first address, register count.
public typealias RegisterWriteHook = @Sendable (_ unit: UInt8, _ address: Int, _ count: Int) -> Void

/// Answers one received request from a `HoldingRegisterMap`, with fault injection; shared by the TCP and RTU servers.
// @unchecked Sendable: the mutable settings are only touched under `lock`.
final class ModbusResponder: @unchecked Sendable {
    enum Outcome { case replied, dropped, sendFailed, stopping }

    let registers: HoldingRegisterMap
    private let lock = MapLock()
    private var delayS = 0.0
    private var responding = true
    private var hook: RegisterWriteHook?

    init(registers: HoldingRegisterMap) {
        self.registers = registers
    }

    var responseDelayS: Double {
        get { lock.withLock { delayS } }
        set { lock.withLock { delayS = newValue.isFinite ? max(0, newValue) : 0 } }
    }

    var isResponding: Bool {
        get { lock.withLock { responding } }
        set { lock.withLock { responding = newValue } }
    }

    var onWrite: RegisterWriteHook? {
        get { lock.withLock { hook } }
        set { lock.withLock { hook = newValue } }
    }

    /// Replies to `query` (its `length` bytes as modbus_receive returned them). `pause` sleeps for the
    /// injected delay and returns false if the server is stopping meanwhile.
    func respond(ctx: OpaquePointer, query: UnsafePointer<UInt8>, length: Int32, pause: (Double) -> Bool) -> Outcome {
        let (delay, isOn, hook) = lock.withLock { (delayS, responding, self.hook) }
        guard isOn else { return .dropped }
        if delay > 0, !pause(delay) { return .stopping }

        let header = Int(modbus_get_header_length(ctx))
        let unit = query[header - 1]
        // Broadcast (unit 0) gets no reply on RTU (Modbus over serial line §2.1); nothing here serves it.
        guard unit != 0 else { return .dropped }
        let rc = registers.withLockedMapping(unit: unit) { mapping in
            modbus_reply(ctx, query, length, mapping)
        } ?? modbus_reply_exception(ctx, query, UInt32(v2g_modbus_exception_gateway_target()))
        guard rc != -1 else { return .sendFailed }

        if let hook, let write = WrittenRange(query: query, header: header, length: Int(length)),
           let block = registers.block(unit: unit),
           write.address >= block.startAddress, write.address + write.count <= block.startAddress + block.count {
            hook(unit, write.address, write.count)
        }
        return .replied
    }
}

/// The register range a write request covers (Modbus Application Protocol V1.1b3 §6.6, §6.12, §6.17).
struct WrittenRange {
    var address: Int
    var count: Int

    init?(query: UnsafePointer<UInt8>, header: Int, length: Int) {
        func word(_ at: Int) -> Int { Int(query[header + at]) << 8 | Int(query[header + at + 1]) }
        guard length >= header + 5 else { return nil }
        switch query[header] {
        case 0x06:
            (address, count) = (word(1), 1)
        case 0x10:
            (address, count) = (word(1), word(3))
        case 0x17:
            guard length >= header + 9 else { return nil }
            (address, count) = (word(5), word(7))
        default:
            return nil
        }
        guard count > 0 else { return nil }
    }
}
