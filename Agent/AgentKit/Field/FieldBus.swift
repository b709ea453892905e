public import GridCore

/// Everything the agent reads from and writes to in the field (meter, temperature block, chargers).
/// Implementations never throw: a device that fails is reported offline with an alarm, and the
/// control cycle decides what that means (the safe state for the meter, 0 for a charger).
public protocol FieldBus: AnyObject {
    /// Reads one cycle's inputs. `inputs.meter` is nil when the meter did not answer or answered garbage.
    func poll(now: Timestamp) -> FieldReading
    /// Writes setpoints (SunSpec 704 WSet/VarSet with the reversion timer) and verifies each by reading it
    /// back. Returns the ids of the chargers whose write failed: they are retried next cycle.
    func write(_ setpoints: [ChargerSetpoint], reversionTimeoutS: Double, now: Timestamp) -> FieldWriteResult
}

public struct FieldReading: Sendable {
    public var inputs: CycleInputs
    public var alarms: [FieldAlarm]

    public init(inputs: CycleInputs, alarms: [FieldAlarm] = []) {
        self.inputs = inputs
        self.alarms = alarms
    }
}

public struct FieldWriteResult: Sendable {
    public var failedChargerIDs: Set<String>
    public var alarms: [FieldAlarm]

    public init(failedChargerIDs: Set<String> = [], alarms: [FieldAlarm] = []) {
        self.failedChargerIDs = failedChargerIDs
        self.alarms = alarms
    }
}

/// A field problem with a stable code (MODBUS_TIMEOUT, SUNSPEC_GARBAGE, WRITE_VERIFY_FAILED, …) and the device.
public struct FieldAlarm: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: String
    public var device: String
    public var message: String

    public init(code: String, device: String, message: String) {
        self.code = code
        self.device = device
        self.message = message
    }

    public var description: String { "\(code) \(device): \(message)" }
}
