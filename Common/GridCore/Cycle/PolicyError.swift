/// A policy value outside its allowed range, named by its JSON path: the message gives the field, the value
/// and the allowed range ("volt_var.v1_pu = 0.7 is outside the allowed range 0.82…0.96 (IEEE 1547-2018 Table 8,
/// VRef−0.18…V2−0.02)"), so that an operator can fix it from the log line alone.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The JSON path of the field ("thermal.hot_spot_limit_c", "volt_var.v1_pu").
    public let field: String
    /// The field, its value and the allowed range.
    public let message: String

    public static func outOfRange(field: String, value: Double, allowed: String) -> PolicyError {
        PolicyError(field: field, message: "\(field) = \(value.settingText) is outside the allowed range \(allowed)")
    }

    static func check(_ field: String, _ value: Double, in range: ClosedRange<Double>) throws(PolicyError) {
        guard value.isFinite, range.contains(value) else {
            throw .outOfRange(field: field, value: value, allowed: "\(range.lowerBound.settingText)…\(range.upperBound.settingText)")
        }
    }

    /// Re-labels an error from a curve or setting type with the policy block it came from, keeping its
    /// message (which names the field, the value and the range): "volt_var.v1_pu = …", never a bare code.
    static func wrap(_ block: String, _ body: () throws -> Void) throws(PolicyError) {
        do {
            try body()
        } catch let error as any PolicySettingError {
            // Some setting types already name their block ("trip.nominalHz"); do not say it twice.
            let prefixed = error.field.hasPrefix(block + ".")
            throw PolicyError(
                field: prefixed ? error.field : "\(block).\(error.field)",
                message: prefixed ? error.message : "\(block).\(error.message)")
        } catch {
            throw PolicyError(field: block, message: "\(block): \(error)")
        }
    }

    public var description: String { message }
}

/// A setting type's validation error that names its field and carries a full message (field, value, range).
protocol PolicySettingError: Error {
    /// The field within its block, as the block's JSON names it.
    var field: String { get }
    /// Starts with `field`, then the value and the allowed range.
    var message: String { get }
}

extension CurveError: PolicySettingError {}
extension ThermalError: PolicySettingError {}
extension ProtectionSettingsError: PolicySettingError {}
