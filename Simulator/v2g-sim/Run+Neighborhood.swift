import ArgumentParser
import FoundationEssentials
import GridCore
import SimKit
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Run {
    /// `run --neighborhood`: every transformer's servers in this process, on one clock, with one agent
    /// configuration per transformer; the report per transformer and for the neighborhood at the end.
    func runNeighborhood(_ path: String) async throws {
        let neighborhood = try ScenarioInputs.neighborhood(path)
        let sitePolicyBase = try policy.map(ScenarioInputs.policy)
        let uplink = try agentUplinkSection()
        if let uplink, let agentUplink, neighborhood.transformers.count > 1, !uplink.certificateNamesAgent {
            throw fail("\(agentUplink): cert_file must contain \(UplinkSection.agentPlaceholder), so that each agent presents its own certificate")
        }
        var runner: NeighborhoodRunner
        do { runner = try NeighborhoodRunner(neighborhood: neighborhood, basePort: basePort) } catch { throw fail(error.message) }
        defer { for field in runner.fields { field.stop() } }
        for (transformer, field) in zip(neighborhood.transformers, runner.fields) {
            for device in field.devices { print("\(transformer.id) \(device.name): 127.0.0.1:\(device.port) unit \(device.unitID)") }
        }
        if let agentConfigDir {
            do {
                let files = try runner.writeAgentConfigs(
                    to: Self.absolute(agentConfigDir), cyclePeriodS: cyclePeriod ?? 1, policy: sitePolicyBase, uplink: uplink)
                for (transformer, file) in zip(neighborhood.transformers, files) { print("\(transformer.id) agent \(transformer.agentID): \(file)") }
            } catch {
                throw fail(error.message)
            }
        }
        let scale = acceleration ?? neighborhood.timeAcceleration
        let end = min(neighborhood.endTime, neighborhood.startTime + (durationS ?? neighborhood.durationS))
        let clock = SimulationClock(
            wallStartS: SimulationClock.wallNowS(), simStartS: neighborhood.startTime.secondsSinceEpoch, scale: scale)
        if let clockFile {
            do { try clock.write(to: clockFile) } catch { throw fail(error.message) }
        }
        Self.stopOnSignals()
        var control = controlFile.map { AmbientControlFile(path: Self.absolute($0), neighborhood: neighborhood) }
        let chargers = neighborhood.transformers.reduce(0) { $0 + $1.scenario.chargers.count }
        print("playing \(neighborhood.name ?? path) at ×\(scale): \(neighborhood.transformers.count) transformers, \(chargers) chargers, "
            + "\(Int(end - neighborhood.startTime)) s simulated")
        // Out now, even into a file or pipe: a script waits for the ports, and for the control file's lines below.
        fflush(nil)
        try await runner.run(clock: clock, until: end, control: {
            switch control?.poll() {
            case .success(let adjustments)?:
                let listed = adjustments.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                print("control file: " + (listed.isEmpty ? "no ambient adjustments" : listed.joined(separator: ", ")))
                fflush(nil)
                return adjustments
            case .failure(let error)?:
                var stream = StandardError()
                print("v2g-sim: \(error.message); the ambient stays as it was", to: &stream)
                return nil
            case nil:
                return nil
            }
        }) { stopRequested.load(ordering: .relaxed) }

        let report = NeighborhoodReport(runner: runner)
        print(report.text)
        if let metricsOut {
            do { try report.write(to: metricsOut) } catch { throw fail(error.message) }
        }
    }
}
