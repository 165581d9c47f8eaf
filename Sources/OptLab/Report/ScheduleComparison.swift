import Foundation

/// For a suite that sweeps learning-rate schedules: each optimizer with each schedule at
/// that schedule's best learning rate, side by side, with the difference to the constant
/// rate paired by seed. With fewer than 6 seeds no verdict is drawn (an exact two-sided
/// Wilcoxon test on n pairs cannot go below 2/2ⁿ: 0.25 at n = 3).
enum ScheduleComparison {
    static func section(_ table: RunsTable, problem: String, metric: String, higherIsBetter: Bool) -> String? {
        let runs = table.records.filter { $0.problem == problem && $0.settings["schedule"] != nil }
        let schedules = Array(Set(runs.compactMap { $0.settings["schedule"] })).sorted { a, b in a == "constant" || (b != "constant" && a < b) }
        guard schedules.count > 1, schedules.contains("constant") else { return nil }
        var optimizers: [String] = []
        for run in runs where !optimizers.contains(run.optimizer + "|" + run.convention) { optimizers.append(run.optimizer + "|" + run.convention) }
        /// The best setting (by mean over seeds, every seed usable) of one optimizer under one
        /// schedule: its metric by seed.
        func best(_ key: String, _ schedule: String) -> (setting: String, bySeed: [UInt64: Double])? {
            let mine = runs.filter { $0.optimizer + "|" + $0.convention == key && $0.settings["schedule"] == schedule }
            var groups: [String: [RunRecord]] = [:]
            for run in mine {
                var values = run.settings.filter { $0.key != "schedule" && !$0.value.isEmpty }
                if let lr = run.lr { values["lr"] = CSV.number(lr) }
                let setting = values.sorted { $0.key < $1.key }.map { "\($0.key)=\(SuiteSummary.display($0.value))" }.joined(separator: " ")
                groups[setting, default: []].append(run)
            }
            let scored = groups.compactMap { setting, members -> (String, [UInt64: Double], Double)? in
                guard members.allSatisfy(\.isUsable) else { return nil }
                let values = members.compactMap { run in run.metric(metric).map { (run.seed, $0) } }
                guard values.count == members.count, !values.isEmpty else { return nil }
                return (setting, Dictionary(values, uniquingKeysWith: { a, _ in a }), Statistics.mean(values.map(\.1)))
            }
            guard let top = scored.max(by: { higherIsBetter ? $0.2 < $1.2 : $0.2 > $1.2 }) else { return nil }
            return (top.0, top.1)
        }
        func summary(_ values: [Double]) -> String {
            values.isEmpty ? "—" : String(format: "%.4g ± %.2g", Statistics.mean(values), values.count > 1 ? Statistics.standardDeviation(values) : 0)
        }
        var text = "\n### Learning-rate schedules\n\n"
        text += "Each optimizer under each schedule at that schedule's best setting (mean ± std of `\(metric)` over seeds; settings with a diverged or failed run are not eligible), "
        text += "and the mean difference to the constant rate paired by seed, with its 95% bootstrap interval.\n\n"
        text += "| optimizer | " + schedules.map { "`\($0)`" }.joined(separator: " | ") + " | " + schedules.dropFirst().map { "`\($0)` − constant" }.joined(separator: " | ") + " |\n"
        text += "|---|" + String(repeating: "---|", count: schedules.count * 2 - 1) + "\n"
        var pairs = 0
        for key in optimizers {
            let parts = key.split(separator: "|")
            let results = schedules.map { best(key, $0) }
            text += "| \(parts[0]) (\(parts[1])) | " + results.map { r in r.map { "\(summary(Array($0.bySeed.values))) (\($0.setting))" } ?? "no usable setting" }.joined(separator: " | ")
            for r in results.dropFirst() {
                guard let constant = results[0], let r else { text += " | —"; continue }
                let seeds = Set(constant.bySeed.keys).intersection(r.bySeed.keys).sorted()
                let differences = seeds.map { r.bySeed[$0]! - constant.bySeed[$0]! }
                pairs = max(pairs, differences.count)
                let interval = Statistics.bootstrapInterval(differences, seed: fnv1a64(key)).map { String(format: " [%+.3g, %+.3g]", $0.low, $0.high) } ?? ""
                text += differences.isEmpty ? " | —" : String(format: " | %+.3g", Statistics.mean(differences)) + interval + " (n = \(differences.count))"
            }
            text += " |\n"
        }
        if pairs < PairedEvidence.minimumPairs {
            text += "\nWith \(pairs) seed\(pairs == 1 ? "" : "s") per setting no difference can be called significant (an exact paired test needs \(PairedEvidence.minimumPairs)); the intervals show the size and sign of each.\n"
        }
        return text
    }
}
