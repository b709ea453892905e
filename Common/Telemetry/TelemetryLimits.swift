/// Hard limits a decoder enforces before it allocates; an encoder refuses batches that break them.
public struct TelemetryLimits: Sendable, Hashable {
    /// Largest frame accepted off the wire.
    public var maxFrameBytes: Int
    /// Largest body zstd may produce (a bomb stops here, not at the frame's claimed size).
    public var maxBodyBytes: Int
    public var maxChannels: Int
    public var maxRows: Int
    /// Largest rows × channels per frame: what one frame may cost the aggregator to decode and store. A version-2
    /// frame states its shape before the zstd frame, so this is checked before anything is decompressed.
    public var maxCells: Int

    /// The default cell cap, shared by the agent's encoder and the aggregator's decoder so that no frame an agent
    /// seals is refused as too large: about 17 minutes at 1 Hz of the agent's 31-channel row, and at most about
    /// 0.1 s of aggregator time per frame.
    public static let defaultMaxCells = 32_768

    /// Defaults: 1 MiB frames, 8 MiB bodies, 256 channels, 3600 rows (an hour at 1 Hz, a minute at 100 ms ×10),
    /// 32,768 cells.
    public init(
        maxFrameBytes: Int = 1 << 20, maxBodyBytes: Int = 8 << 20, maxChannels: Int = 256, maxRows: Int = 3_600,
        maxCells: Int = defaultMaxCells
    ) {
        self.maxFrameBytes = maxFrameBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxChannels = maxChannels
        self.maxRows = maxRows
        self.maxCells = maxCells
    }

    /// Most rows one frame of `channels` channels may hold under both the row and the cell limit (at least 1).
    public func maxRows(channels: Int) -> Int {
        max(1, min(maxRows, maxCells / max(channels, 1)))
    }

    /// Refuses a shape above the limits, naming the first one broken.
    func check(channels: UInt64, rows: UInt64) throws(TelemetryFrameError) {
        guard channels <= UInt64(maxChannels) else { throw .tooManyChannels(channels, limit: maxChannels) }
        guard rows <= UInt64(maxRows) else { throw .tooManyRows(rows, limit: maxRows) }
        let (cells, overflow) = channels.multipliedReportingOverflow(by: rows)
        guard !overflow, cells <= UInt64(maxCells) else {
            throw .tooManyCells(rows: rows, channels: channels, limit: maxCells)
        }
    }
}
