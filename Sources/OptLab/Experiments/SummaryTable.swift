import Foundation

/// `summary.csv`: one row per problem and optimizer, the machine-readable source of the
/// console table and of report.md.
public enum SummaryTable {
    public static let header = ["problem", "rank", "optimizer", "convention", "settings", "metric", "mean", "std", "median",
                                "ci_low", "ci_high", "n", "n_diverged", "n_runs", "verdict", "p_value", "note"]

    public static func rows(_ rankings: [SuiteSummary.ProblemRanking]) -> [[String]] {
        var rows = [header]
        for ranking in rankings {
            for e in ranking.entries {
                func number(_ value: Double?) -> String { value.flatMap { $0.isFinite ? CSV.number($0) : nil } ?? "" }
                rows.append([ranking.problem, e.rank.map(String.init) ?? "", e.optimizer, e.convention, e.setting, ranking.metric,
                             number(e.mean), number(e.values.count > 1 ? e.standardDeviation : nil), number(e.median),
                             number(e.interval?.low), number(e.interval?.high), "\(e.values.count)", "\(e.diverged)", "\(e.runCount)",
                             e.verdict?.rawValue ?? "", number(e.pValue), e.note])
            }
        }
        return rows
    }

    /// Ranks the runs of a results folder and writes its summary.csv; returns the rankings.
    @discardableResult
    public static func write(resultsDirectory: String, targets: [String: [String]]? = nil, tuning: TuningProtocol? = nil) throws -> [SuiteSummary.ProblemRanking] {
        let rankings = SuiteSummary.rank(try RunsTable.read(resultsDirectory + "/runs.csv"), targets: targets, tuning: tuning)
        try ResultsStore.writeAtomically(resultsDirectory + "/summary.csv", rows: rows(rankings))
        return rankings
    }
}
