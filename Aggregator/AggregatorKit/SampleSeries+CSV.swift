import Telemetry

extension SampleSeries {
    /// CSV with a header: raw `t_ms,<channel>,…`; minute `t_ms,<channel>_min,<channel>_max,<channel>_mean,<channel>_count,…`.
    /// Values are exact decimal text from quanta at the channel's decimals (the minute mean is rounded to the quantum).
    /// An empty cell is a missing sample.
    public func csvText() -> String {
        var header = ["t_ms"]
        for channel in channels {
            switch resolution {
            case .raw: header.append(channel.name)
            case .minute: header += ["min", "max", "mean", "count"].map { "\(channel.name)_\($0)" }
            }
        }
        var lines = [header.joined(separator: ",")]
        for row in rows {
            var fields = [String(row.timeMs)]
            for (channel, cell) in zip(channels, row.cells) {
                let quantum = channel.quantum
                switch (resolution, cell) {
                case (.raw, .raw(let quanta)?): fields.append(quantum.text(ofQuanta: quanta))
                case (.raw, _): fields.append("")
                case (.minute, .minute(let aggregate)?):
                    fields += [
                        quantum.text(ofQuanta: aggregate.minQuanta), quantum.text(ofQuanta: aggregate.maxQuanta),
                        quantum.text(ofQuanta: aggregate.roundedMeanQuanta), String(aggregate.count),
                    ]
                case (.minute, _): fields += ["", "", "", ""]
                }
            }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
