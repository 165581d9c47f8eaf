import Foundation

/// Several results folders side by side, for the problems they share. A problem is the
/// same in two folders when its resolved definition (everything that changes a run's
/// numbers, and its targets) is identical; otherwise the comparison is refused, naming
/// the field that differs.
public enum Comparison {
    public struct Folder {
        public var directory: String
        public var document: ResolvedSuite.Document
        public var rankings: [SuiteSummary.ProblemRanking]
    }

    /// Reads each folder's resolved suite and ranks its runs.csv.
    public static func load(_ directories: [String]) throws -> [Folder] {
        try directories.map { directory in
            guard let document = try ResolvedSuite.read(in: directory) else {
                throw InputError("no readable \(ResolvedSuite.resolvedName) in \(directory); is it a results folder of this version? (rerun it with --resume to write one)")
            }
            let targets = Dictionary(uniqueKeysWithValues: document.problems.map { problem in
                (problem.name, (problem.definition["targets"] ?? "").split(separator: ",").compactMap { target -> String? in
                    let pair = target.split(separator: "=", maxSplits: 1)
                    return pair.count == 2 ? "to_\(pair[0])_\(pair[1])" : nil
                })
            })
            let tuning = (try? ResolvedSuite.suite(in: directory))?.tuning
            let rankings = SuiteSummary.rank(try RunsTable.read(directory + "/runs.csv"), targets: targets, tuning: tuning)
            return Folder(directory: directory, document: document, rankings: rankings)
        }
    }

    /// Every hyperparameter of an entry's best setting (fixed and swept, defaults included),
    /// its other swept values and its schedule, from the resolved suite: what the number in
    /// a cell was measured with.
    static func configuration(of entry: SuiteSummary.Entry, in document: ResolvedSuite.Document) -> [String: String] {
        guard let id = entry.runIDs.first, let run = document.runs.first(where: { $0.id == id }) else { return [:] }
        var result = run.hyperparameters.mapValues { SuiteSummary.display(CSV.number($0)) }
        for (key, value) in run.swept where result[key] == nil && key != "schedule" { result[key] = value }
        result["schedule"] = run.schedule ?? "constant"
        return result
    }

    /// The text of the comparison: per shared problem, each optimizer's rank, metric and
    /// verdict in every folder. Throws an ``InputError`` when a shared problem differs.
    public static func text(_ folders: [Folder]) throws -> String {
        guard folders.count >= 2 else { throw InputError("compare needs two or more results folders") }
        var names: [String] = []
        for folder in folders { for problem in folder.document.problems where !names.contains(problem.name) { names.append(problem.name) } }
        let shared = names.filter { name in folders.filter { $0.document.problems.contains { $0.name == name } }.count >= 2 }
        guard !shared.isEmpty else { throw InputError("the folders share no problem (by name): nothing to compare") }
        var text = ""
        for name in shared {
            let holding = folders.filter { $0.document.problems.contains { $0.name == name } }
            let definitions = holding.map { folder in folder.document.problems.first { $0.name == name }! }
            for (folder, definition) in zip(holding.dropFirst(), definitions.dropFirst()) {
                let reference = definitions[0]
                let fields = Set(reference.definition.keys).union(definition.definition.keys).sorted()
                    .filter { reference.definition[$0] != definition.definition[$0] }
                if reference.type != definition.type || !fields.isEmpty {
                    let field = fields.first ?? "type"
                    throw InputError("problem '\(name)' differs between \(holding[0].directory) and \(folder.directory): \(field) is \(reference.definition[field] ?? reference.type) in one and \(definition.definition[field] ?? definition.type) in the other; only identical problems are compared")
                }
            }
            let rankings = holding.map { folder in folder.rankings.first { $0.problem == name } }
            let metric = rankings.compactMap { $0?.metric }.first ?? ""
            text += "\n\(name): \(metric) at each optimizer's best setting (rank, mean ± std, n, verdict)\n"
            var optimizers: [String] = []
            for ranking in rankings.compactMap({ $0 }) {
                for entry in ranking.entries where !optimizers.contains("\(entry.optimizer) (\(entry.convention))") {
                    optimizers.append("\(entry.optimizer) (\(entry.convention))")
                }
            }
            var rows = [["optimizer"] + holding.map { URL(fileURLWithPath: $0.directory).standardizedFileURL.lastPathComponent }]
            var differing: [String] = []
            for optimizer in optimizers {
                let entries = rankings.map { $0?.entries.first(where: { "\($0.optimizer) (\($0.convention))" == optimizer }) }
                let configurations = zip(holding, entries).map { folder, e in e.flatMap { $0.rank == nil ? nil : Self.configuration(of: $0, in: folder.document) } }
                // Shown: the learning rate, and every value that is not the same in all cells.
                let ranked = configurations.compactMap { $0 }
                let keys = Set(ranked.flatMap(\.keys)).filter { key in key == "lr" || Set(ranked.map { $0[key] ?? "" }).count > 1 }
                func order(_ a: String, _ b: String) -> Bool { a == "lr" ? b != "lr" : (b == "lr" ? false : a < b) }
                if Set(ranked).count > 1 { differing.append(optimizer) }
                rows.append([optimizer] + zip(entries, configurations).map { e, configuration in
                    guard let e else { return "not run" }
                    guard let rank = e.rank else { return e.verdict?.rawValue ?? "" }
                    let spread = e.values.count > 1 ? String(format: " ± %.2g", e.standardDeviation) : ""
                    let shown = keys.sorted(by: order).compactMap { key in configuration?[key].map { "\(key)=\($0)" } }.joined(separator: " ")
                    return "\(rank). " + String(format: "%.6g", e.mean) + spread + " n=\(e.values.count) \(e.verdict?.rawValue ?? "no test") [\(shown)]"
                })
            }
            text += SuiteSummary.alignedColumns(rows).map { "  " + $0 + "\n" }.joined()
            if !differing.isEmpty {
                text += "  Best settings differ between folders for \(differing.joined(separator: ", ")): the cells compare different configurations.\n"
            }
        }
        let only = names.filter { !shared.contains($0) }
        if !only.isEmpty { text += "\nIn one folder only (not compared): \(only.joined(separator: ", "))\n" }
        return text
    }
}
