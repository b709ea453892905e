import AgentKit
import AggregatorBench

extension AggregatorProcess {
    /// The agent's TLS files as provisioned for `agentID`.
    func tls(_ agentID: String) -> UplinkTLSFiles {
        UplinkTLSFiles(caPath: ca + "/ca.crt", certificatePath: ca + "/agents/\(agentID).crt", keyPath: ca + "/agents/\(agentID).key")
    }

    func settings(_ agentID: String) -> UplinkSettings {
        var settings = UplinkSettings(baseURL: baseURL, agentID: agentID, tls: tls(agentID))
        settings.connectTimeoutS = 5
        settings.totalTimeoutS = 30
        return settings
    }
}
