import Foundation

/// Combines the shard folders of a suite (`results/<suite>/shards/shard-I-of-N/`) into the
/// standard layout. Safe while shards are still running: only complete runs are taken,
/// and the report says which are missing.
public enum ShardMerger {
    public struct Report: Sendable {
        public var totalRuns: Int
        public var mergedRuns: Int
        /// Missing run count per shard folder name.
        public var missing: [String: Int]
        public var complete: Bool { mergedRuns == totalRuns }
    }

    public static func merge(suiteDirectory: String) throws -> Report {
        let suite = try ResolvedSuite.suite(in: suiteDirectory)
        let folderLock = try FolderLock(suiteDirectory)
        defer { withExtendedLifetime(folderLock) {} }
        if let recorded = try ResolvedSuite.readDigest(in: suiteDirectory), recorded != suite.digest {
            throw InputError("the suite file changed since the shards were written (digest \(recorded), now \(suite.digest))", file: suite.file)
        }
        let runs = suite.expand()
        let order = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, $0.index) })
        let shardsRoot = suiteDirectory + "/shards"
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: shardsRoot)) ?? []).filter { $0.hasPrefix("shard-") }.sorted()
        guard !folders.isEmpty else { throw InputError("no shard folders in \(shardsRoot); run 'optlab run SUITE --shard I/N' first") }
        let header = suite.runsHeader
        var runRows: [String: [String]] = [:]
        // The shards' epoch and trajectory files, each with the padding its header needs.
        var sources: [[(path: String, padding: Int)]] = [[], []]
        var complete: Set<Substring> = []
        var shardCounts: Set<Int> = []
        for folder in folders {
            let directory = shardsRoot + "/" + folder
            let parts = folder.split(separator: "-")
            if parts.count == 4, let n = Int(parts[3]) { shardCounts.insert(n) }
            guard FileManager.default.fileExists(atPath: directory + "/runs.csv") else { continue }
            let rows = try ResultsStore.readRows(directory + "/runs.csv")
            guard rows.first == header else { throw InputError("runs.csv has other columns than the suite produces", file: directory + "/runs.csv") }
            for row in rows.dropFirst() where row.count == header.count && order[row[0]] != nil {
                runRows[row[0]] = row
                complete.insert(Substring(row[0]))
            }
            for (name, target) in [("epochs.csv", 0), ("trajectories.csv", 1)] {
                let path = directory + "/" + name
                guard LineStream.resolve(path) != nil else { continue }
                let header = target == 0 ? suite.epochsHeader : ResultsStore.trajectoriesHeader
                // An earlier version's header (a prefix) is padded; another is refused.
                let old = try LineStream.header(of: path)
                _ = try ResultsStore.conform([old], to: header, file: path)
                sources[target].append((path, header.count - old.count))
            }
        }
        guard shardCounts.count <= 1 else {
            throw InputError("\(shardsRoot) mixes shardings (\(shardCounts.sorted().map { "N=\($0)" }.joined(separator: ", "))); remove the stale folders")
        }
        let store = ResultsStore(directory: suiteDirectory, runsHeader: header, epochsHeader: suite.epochsHeader)
        try store.create()
        let sortedRuns = runRows.values.sorted { order[$0[0]]! < order[$1[0]]! }
        try ResultsStore.writeAtomically(suiteDirectory + "/runs.csv", rows: [header] + sortedRuns)
        // The shards' rows of complete runs, streamed into one file each, then put in
        // canonical order: memory grows with the runs, not the rows.
        for (name, target) in [("epochs.csv", 0), ("trajectories.csv", 1)] {
            let path = suiteDirectory + "/" + name
            try LineStream.write(path, header: target == 0 ? suite.epochsHeader : ResultsStore.trajectoriesHeader,
                                 sources: sources[target]) { complete.contains(LineStream.firstField($0)) }
            try ResultsStore.sortLines(path, by: order)
        }
        try SummaryTable.write(resultsDirectory: suiteDirectory,
                               targets: Dictionary(uniqueKeysWithValues: suite.problems.map { ($0.name, $0.targets.map(\.column)) }),
                               tuning: suite.tuning)
        var missing: [String: Int] = [:]
        if let n = shardCounts.first {
            for i in 0..<n {
                let shard = Shard(index: i, count: n)
                let count = runs.filter { shard.contains($0) && runRows[$0.id] == nil }.count
                if count > 0 { missing[shard.folderName] = count }
            }
        }
        return Report(totalRuns: runs.count, mergedRuns: runRows.count, missing: missing)
    }
}
