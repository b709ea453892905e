/// What a transformer draws from the feeder over time: the three-phase net import at its meter (+ import, − export)
/// and its chargers' total (+ charging, − discharging), as means over fixed windows from the start, with the energy
/// imported and exported. A neighborhood adds these up to judge a dispatch goal.
public struct NetPowerSeries: Sendable, Hashable {
    public let intervalS: Double
    public private(set) var importedKWh = 0.0
    public private(set) var exportedKWh = 0.0
    private var netImport: WindowMeans
    private var chargers: WindowMeans

    init(intervalS: Double) {
        self.intervalS = intervalS
        netImport = WindowMeans(windowS: intervalS, keepsAll: true)
        chargers = WindowMeans(windowS: intervalS, keepsAll: true)
    }

    /// Mean net import per complete window, kW; window i covers [i, i + 1) × `intervalS` from the start.
    public var netImportKW: [Double] { netImport.means }
    /// Mean charger power per complete window, kW (+ charging).
    public var chargersKW: [Double] { chargers.means }

    mutating func add(netImportKW: Double, chargersKW: Double, overS seconds: Double, endingAt offsetS: Double) {
        netImport.add(netImportKW, over: seconds, endingAt: offsetS)
        chargers.add(chargersKW, over: seconds, endingAt: offsetS)
        let energyKWh = netImportKW * seconds / 3600
        if energyKWh > 0 { importedKWh += energyKWh } else { exportedKWh -= energyKWh }
    }
}
