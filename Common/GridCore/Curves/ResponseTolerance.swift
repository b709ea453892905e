/// How IEEE 1547.1-2020 judges a curve function's response. The tolerances are 1.5 × the minimum measurement
/// accuracy of IEEE 1547-2018 Table 3: 1 % of nominal voltage, 5 % of rated power, 10 mHz.
/// A non-finite input (or an unvalidated curve holding NaN) gives the band ∞…∞, which holds no finite value.
public enum ResponseTolerance {
    /// 1.5 × 1 % of Vnom (pu).
    public static let voltageTolerancePU = 1.5 * 0.01
    /// 1.5 × 5 % of Srated (or Prated) (pu).
    public static let powerTolerancePU = 1.5 * 0.05
    /// 1.5 × 10 mHz.
    public static let frequencyToleranceHz = 1.5 * 0.010
    /// Float slack when judging "covered 90 %": an exact first-order lag lands on 90 % at Tr up to rounding.
    public static let fractionSlack = 1e-9

    /// Steady-state Q band (pu of Srated): the curve's min and max over V ± 1.5 % Vnom, widened by ±7.5 %.
    /// `vRefPU` is the (autonomous) reference in force; nil means the configured one.
    public static func steadyStateQBand(curve: VoltVarCurve, voltagePU: Double, vRefPU: Double? = nil) -> ClosedRange<Double> {
        let effective = vRefPU.map { curve.shifted(toVRefPU: $0) } ?? curve
        return band(effective.points, at: voltagePU, xTolerance: voltageTolerancePU)
    }

    /// Steady-state export-limit band (pu of Prated) for Volt-Watt.
    public static func steadyStatePBand(curve: VoltWattCurve, voltagePU: Double) -> ClosedRange<Double> {
        band(curve.points, at: voltagePU, xTolerance: voltageTolerancePU)
    }

    /// Steady-state charge-limit band (pu of rating) for the charging Volt-Watt curve.
    public static func steadyStatePBand(curve: ChargingVoltWattCurve, voltagePU: Double) -> ClosedRange<Double> {
        band(curve.points, at: voltagePU, xTolerance: voltageTolerancePU)
    }

    /// Steady-state export-change band (pu) for frequency droop: f ± 15 mHz, widened by ±7.5 %.
    /// The droop is non-increasing in f, so its extremes lie at the interval's ends.
    public static func steadyStateExportBand(droop: FrequencyDroop, frequencyHz: Double) -> ClosedRange<Double> {
        let low = droop.exportChangePU(frequencyHz: frequencyHz + frequencyToleranceHz)
        let high = droop.exportChangePU(frequencyHz: frequencyHz - frequencyToleranceHz)
        return widened(low, high)
    }

    /// Share of the step from `initial` to `target` that `value` has covered (1 when there is no step).
    public static func stepFractionCovered(initial: Double, target: Double, value: Double) -> Double {
        let step = target - initial
        guard step != 0 else { return 1 }
        return (value - initial) / step
    }

    /// IEEE 1547.1 response time: true when `valueAtResponseTime`, read at t = Tr after the step, has covered
    /// at least 90 % of the step from `initial` toward `target`.
    public static func reachedNinetyPercent(initial: Double, target: Double, valueAtResponseTime: Double) -> Bool {
        stepFractionCovered(initial: initial, target: target, value: valueAtResponseTime) >= 0.9 - fractionSlack
    }

    static func band(_ curve: PiecewiseLinear, at x: Double, xTolerance: Double) -> ClosedRange<Double> {
        guard x.isFinite else { return nothing }
        guard let extremes = curve.extremes(over: (x - xTolerance)...(x + xTolerance)) else { return nothing }
        return widened(extremes.lowerBound, extremes.upperBound)
    }

    /// `low…high` widened by the power tolerance; `nothing` when either is NaN (`...` would trap).
    static func widened(_ low: Double, _ high: Double) -> ClosedRange<Double> {
        guard low <= high else { return nothing }
        return (low - powerTolerancePU)...(high + powerTolerancePU)
    }

    /// A band no finite value lies in (ClosedRange cannot be empty, nor hold NaN bounds).
    static let nothing: ClosedRange<Double> = Double.infinity...Double.infinity
}
