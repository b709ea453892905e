public import GridCore

extension Scenario {
    /// A policy whose transformer nameplate and thermal parameters match this scenario's transformer,
    /// as a commissioning engineer would set them for the site.
    public func sitePolicy(from base: ControlPolicy = .builtInSafeDefaults) -> ControlPolicy {
        var policy = base
        policy.transformer.ratedKVA = transformer.ratedKVA
        policy.transformer.nominalPhaseVoltageV = transformer.nominalPhaseVoltageV
        policy.transformer.impedancePercent = transformer.impedancePercent
        policy.transformer.xOverR = transformer.xOverR
        policy.transformer.nominalHz = frequency.nominalHz
        policy.thermal.parameters = transformer.thermal
        // Trip and data-quality settings follow transformer.nominal_hz by themselves.
        if frequency.nominalHz != base.transformer.nominalHz {
            policy.frequencyDroop = FrequencyDroop(nominalHz: frequency.nominalHz)
        }
        return policy
    }
}
