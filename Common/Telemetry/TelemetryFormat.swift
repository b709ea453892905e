/// Format constants; the byte layout is tabled in docs/telemetry.md.
public enum TelemetryFormat {
    /// The version byte the encoder writes: first byte of every frame.
    public static let version: UInt8 = 2
    /// The versions a decoder reads: agents in the field upgrade after their aggregator, so it keeps reading
    /// what they sent before. Any other version byte is refused (`frame.bad_version`).
    public static let readableVersions: ClosedRange<UInt8> = 1...2
    /// Timing tags in the body.
    static let regularTiming: UInt8 = 0
    static let explicitTiming: UInt8 = 1
}
