/// Builds the model 704 register writes for an active-power (WSet) or reactive-power (VarSet) setpoint, encoded with
/// the device's own WSet_SF / VarSet_SF. Sign convention of 704: + injection (discharge), − absorption (charging).
///
/// Each setpoint is four writes, in this order so that the function is enabled last, on complete values:
/// 1. `…Mod` (WATTS / VARS); `VarSetPri`, between VarSetMod and VarSet, is never written;
/// 2. `…Set` and `…Rvrt` = 0;
/// 3. `…EnaRvrt`, `…RvrtTms`: with a reversion time the device reverts to `…Rvrt` = 0 ("stop") when the agent
///    stops refreshing; without one, reversion is disabled;
/// 4. `…Ena` = 1.
public struct DERControlWriter: Sendable, Hashable {
    /// Model 704 as found on the device.
    public let block: SunSpecModelBlock
    public let activePowerScaleFactor: Int
    public let reactivePowerScaleFactor: Int

    /// Reads WSet_SF and VarSet_SF from the device's 704; throws when the model is missing or an SF is invalid.
    public init(device: SunSpecDevice, reader: inout some RegisterReader) throws {
        guard let values = try device.read(704, reader: &reader) else { throw SunSpecError.modelMissing(704) }
        func sf(_ name: String) throws -> Int {
            guard let raw = values.raw(name)?.first else { throw SunSpecError.invalidLayout("model 704 at \(values.block.address) is too short for \(name)") }
            guard let sf = SunSpecDecode.scaleFactor(raw) else { throw SunSpecError.invalidScaleFactor(name, raw: raw) }
            return sf
        }
        try self.init(block: values.block, activePowerScaleFactor: sf("WSet_SF"), reactivePowerScaleFactor: sf("VarSet_SF"))
    }

    /// For a known block and scale factors (both must lie in −10…10).
    public init(block: SunSpecModelBlock, activePowerScaleFactor: Int, reactivePowerScaleFactor: Int) throws {
        for (name, sf) in [("WSet_SF", activePowerScaleFactor), ("VarSet_SF", reactivePowerScaleFactor)] where PowerOfTen.exact(sf) == nil {
            throw SunSpecError.invalidScaleFactor(name, raw: UInt16(bitPattern: Int16(clamping: sf)))
        }
        guard block.id == 704, block.length >= SunSpecModels.derControls.length else {
            throw SunSpecError.invalidLayout("block at \(block.address) is model \(block.id) with L \(block.length), not a full 704")
        }
        self.block = block
        self.activePowerScaleFactor = activePowerScaleFactor
        self.reactivePowerScaleFactor = reactivePowerScaleFactor
    }

    /// WSet in watts, clamped to [−maxAbsorbW, +maxInjectW] (both ≥ 0, so 0 stays 0 and no sign ever flips), then to
    /// what int32 can carry at WSet_SF. `reversionS` nil disables reversion. NaN or infinities are refused.
    public func activePower(watts: Double, maxInjectW: Double, maxAbsorbW: Double, reversionS: UInt32?) throws -> DERControlWrites {
        try setpoint(prefix: "WSet", value: watts, injectLimit: maxInjectW, absorbLimit: maxAbsorbW,
                     scaleFactor: activePowerScaleFactor, mode: 1, reversionS: reversionS)  // WSetMod 1 = WATTS
    }

    /// VarSet in var (+ injection / over-excited), clamped like `activePower`.
    public func reactivePower(vars: Double, maxInjectVar: Double, maxAbsorbVar: Double, reversionS: UInt32?) throws -> DERControlWrites {
        try setpoint(prefix: "VarSet", value: vars, injectLimit: maxInjectVar, absorbLimit: maxAbsorbVar,
                     scaleFactor: reactivePowerScaleFactor, mode: 4, reversionS: reversionS)  // VarSetMod 4 = VARS
    }

    /// Turns the function off (`WSetEna` or `VarSetEna` = 0); the device returns to its default behaviour.
    public func disable(reactive: Bool) -> DERControlWrites {
        let name = reactive ? "VarSetEna" : "WSetEna"
        return DERControlWrites(writes: [RegisterWrite(address: address(name), values: [0])], encodedRaw: 0, appliedValue: 0)
    }

    /// Decodes a raw int32 setpoint with this writer's SF (for logs and read-back reports).
    public func decode(raw: Int32, reactive: Bool) -> Double {
        SunSpecDecode.scaled(Int64(raw), scaleFactor: reactive ? reactivePowerScaleFactor : activePowerScaleFactor) ?? 0
    }

    private func setpoint(prefix: String, value: Double, injectLimit: Double, absorbLimit: Double,
                          scaleFactor: Int, mode: UInt16, reversionS: UInt32?) throws -> DERControlWrites {
        guard value.isFinite else { throw SunSpecError.invalidValue(prefix, value) }
        for (name, limit) in [("inject limit", injectLimit), ("absorb limit", absorbLimit)] where !(limit.isFinite && limit >= 0) {
            throw SunSpecError.invalidValue("\(prefix) \(name)", limit)
        }
        let clamped = min(max(value, -absorbLimit), injectLimit)
        let factor = PowerOfTen.exact(scaleFactor) ?? 1
        let largest = Double(Int32.max) * (scaleFactor < 0 ? 1 / factor : factor)
        var raw = try SunSpecEncode.scaledRaw(min(max(clamped, -largest), largest), scaleFactor: scaleFactor, name: prefix)
        raw = min(max(raw, -Int64(Int32.max)), Int64(Int32.max))  // never 0x80000000, the not-implemented marker
        let setWords = try SunSpecEncode.integer(raw, as: .int32, name: prefix)
        let reversionWords = try SunSpecEncode.integer(Int64(reversionS ?? 0), as: .uint32, name: "\(prefix)RvrtTms")
        let writes = [
            RegisterWrite(address: address("\(prefix)Mod"), values: [mode]),
            RegisterWrite(address: address(prefix), values: setWords + [0, 0]),  // …Set, then …Rvrt = 0: revert to stop
            RegisterWrite(address: address("\(prefix)EnaRvrt"), values: [reversionS == nil ? 0 : 1] + reversionWords),
            RegisterWrite(address: address("\(prefix)Ena"), values: [1]),
        ]
        return DERControlWrites(writes: writes, encodedRaw: Int32(raw), appliedValue: decode(raw: Int32(raw), reactive: prefix == "VarSet"))
    }

    private func address(_ name: String) -> Int {
        // Only names of the fixed 704 layout reach here; the init checked L covers them.
        block.dataAddress + (SunSpecModels.derControls.point(name)?.offset ?? 0)
    }
}

/// The writes for one setpoint, what was encoded, and a read-back check (each write is
/// checked by reading it back).
public struct DERControlWrites: Sendable, Hashable {
    public let writes: [RegisterWrite]
    /// The int32 that went into WSet/VarSet.
    public let encodedRaw: Int32
    /// The setpoint the device will see after clamping and SF rounding (W or var).
    public let appliedValue: Double

    /// Sends every write, in order.
    public func apply(to writer: inout some RegisterWriter) throws {
        for write in writes { try writer.writeRegisters(address: write.address, values: write.values) }
    }

    /// Reads each written range back and throws `readBackMismatch` naming the first address that differs.
    public func verify(reader: inout some RegisterReader) throws {
        for write in writes {
            let got = try reader.readExactly(address: write.address, count: write.values.count)
            guard got == write.values else { throw SunSpecError.readBackMismatch(address: write.address, expected: write.values, got: got) }
        }
    }
}
