/// IEEE 1547-2018 normal operating performance category (§4.3), which sets reactive capability and Volt-VAR defaults.
public enum PerformanceCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case a = "A"
    case b = "B"
}

/// Reactive power a DER must be able to supply, per unit of nameplate VA (IEEE 1547-2018 Table 7).
public struct ReactiveCapability: Sendable, Hashable, Codable {
    /// Largest injection (capacitive), pu.
    public var injectionPU: Double
    /// Largest absorption (inductive), pu, as a positive number.
    public var absorptionPU: Double

    public init(injectionPU: Double, absorptionPU: Double) {
        self.injectionPU = injectionPU
        self.absorptionPU = absorptionPU
    }

    /// Category A: 0.44 injection, 0.25 absorption.
    public static let categoryA = ReactiveCapability(injectionPU: 0.44, absorptionPU: 0.25)
    /// Category B: 0.44 both ways.
    public static let categoryB = ReactiveCapability(injectionPU: 0.44, absorptionPU: 0.44)

    /// Table 7 capability of `category`.
    public static func of(_ category: PerformanceCategory) -> ReactiveCapability {
        category == .a ? categoryA : categoryB
    }
}
