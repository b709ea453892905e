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

    /// JSON: `{"agent", "resolution", "from_ms", "to_ms", "truncated", "channels": [...], "rows": [[t_ms, cell, …], …]}`.
    /// A raw cell is a number; a minute cell is `{"min","max","sum","count"}`; a missing one is `null`.
    /// Numbers are exact decimal text from quanta (never through a Double).
    public func jsonText() -> String {
        var out = "{\"agent\":\(JSONText.string(agentID)),\"resolution\":\"\(resolution.rawValue)\""
        out += ",\"from_ms\":\(fromMs),\"to_ms\":\(toMs),\"truncated\":\(truncated)"
        out += ",\"channels\":[" + channels.map { JSONText.string($0.name) }.joined(separator: ",") + "],\"rows\":["
        out += rows.map { row in
            var fields = [String(row.timeMs)]
            for (channel, cell) in zip(channels, row.cells) {
                let quantum = channel.quantum
                switch cell {
                case .raw(let quanta)?: fields.append(quantum.text(ofQuanta: quanta))
                case .minute(let aggregate)?:
                    fields.append(
                        "{\"min\":\(quantum.text(ofQuanta: aggregate.minQuanta)),\"max\":\(quantum.text(ofQuanta: aggregate.maxQuanta))"
                            + ",\"sum\":\(quantum.text(ofQuanta: aggregate.sumQuanta)),\"count\":\(aggregate.count)}")
                case nil: fields.append("null")
                }
            }
            return "[" + fields.joined(separator: ",") + "]"
        }.joined(separator: ",")
        return out + "]}"
    }
}

extension AgentFleetState {
    /// JSON array of agents: `{"agent","last_seen_ms","highest_sequence","acknowledged_through","batches",
    /// "latest":{"<channel>":{"t_ms","value"}}}`, values exact from quanta.
    public static func jsonText(_ fleet: [AgentFleetState]) -> String {
        "[" + fleet.map { agent in
            let latest = agent.latest.map { "\(JSONText.string($0.channel.name)):{\"t_ms\":\($0.timeMs),\"value\":\($0.text)}" }
            return "{\"agent\":\(JSONText.string(agent.agentID)),\"last_seen_ms\":\(agent.lastSeenMs)"
                + ",\"highest_sequence\":\(agent.highestSequence),\"acknowledged_through\":\(agent.acknowledgedThrough)"
                + ",\"batches\":\(agent.batches),\"latest\":{\(latest.joined(separator: ","))}}"
        }.joined(separator: ",") + "]"
    }
}

/// Minimal JSON text writing (RFC 8259 §7 string escapes).
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
