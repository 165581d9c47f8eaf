import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab run SUITE.yaml`.
    public struct Run: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run an experiment suite into results/<suite>/ (runs.csv, epochs.csv, trajectories.csv, summary.csv).",
            discussion: """
            The suite is validated before anything runs. Runs execute in parallel (--jobs, \
            default: the core count). A network run trains on one thread while runs wait to \
            start, then on the processors that finished runs leave (--threads auto); a run's \
            numbers are the same whatever its thread count. \
            Each finished run is written at once, so an interrupted suite continues with \
            --resume. One process writes a results folder at a time (a second exits 2). \
            --shard I/N runs the runs whose index is I modulo N into \
            results/<suite>/shards/shard-I-of-N/; 'optlab merge' combines them. The ranking \
            at the end (also in summary.csv) ranks only runs that ended ok, with seeds, a 95% \
            interval and a verdict (best, tied, worse; diverged or failed for optimizers \
            without a usable run); see README, "Rankings and verdicts".
            """)

        @Argument(help: "The suite file (YAML).")
        public var suite: String

        @Option(help: "Runs executed at once.")
        public var jobs: Int = ThreadTeam.availableCores

        @Option(help: ArgumentHelp("Threads per network run: a number, or auto (one per run while runs wait to start, then the processors left free by finished runs, up to --jobs).", valueName: "n|auto"))
        public var threads: String = "auto"

        @Flag(help: "Continue results already in the folder, running only the missing runs.")
        public var resume = false

        @Flag(help: "Discard results already in the folder and start over.")
        public var restart = false

        @Option(help: ArgumentHelp("Run one shard of the suite: I/N with 0 ≤ I < N.", valueName: "I/N"))
        public var shard: String?

        @Option(help: ArgumentHelp("Results root folder.", valueName: "dir"))
        public var out: String = "results"

        @Option(help: ArgumentHelp("Plots root folder.", valueName: "dir"))
        public var plots: String = "plots"

        @Flag(help: "Do not write and render figures at the end.")
        public var noPlots = false

        @Flag(help: "Leave trajectories.csv gzipped as trajectories.csv.gz (pandas and R read it directly; plot, report, merge and --resume handle it).")
        public var gzip = false

        public init() {}

        public func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be ≥ 1, got \(jobs)") }
            _ = try threadCount()
            guard !(resume && restart) else { throw ValidationError("--resume and --restart exclude each other") }
        }

        /// `--threads`: nil for auto.
        func threadCount() throws -> Int? {
            if threads == "auto" { return nil }
            guard let count = Int(threads), count >= 1, count <= Limits.threads else {
                throw ValidationError("--threads must be auto or a number from 1 to \(Limits.threads), got '\(threads)'")
            }
            return count
        }

        public func run() throws {
            let suite = try Suite.load(path: self.suite)
            var runner = SuiteRunner(suite: suite, outputRoot: out, jobs: jobs, shard: try shard.map(Shard.parse),
                                     existing: resume ? .resume : (restart ? .restart : .refuse))
            runner.gzip = gzip
            runner.threads = try threadCount()
            let (ran, skipped) = try runner.run()
            print("\(ran) runs done\(skipped > 0 ? ", \(skipped) were already complete" : ""); results in \(runner.directory)")
            let targets = Dictionary(uniqueKeysWithValues: suite.problems.map { ($0.name, $0.targets.map(\.column)) })
            let rankings = try SummaryTable.write(resultsDirectory: runner.directory, targets: targets, tuning: suite.tuning)
            print(SuiteSummary.text(rankings), terminator: "")
            // Figures need the whole suite: a shard leaves them to 'optlab merge' and 'optlab plot'.
            if !noPlots && shard == nil {
                do {
                    try Plot.plot(resultsDirectory: runner.directory, plotsRoot: plots, format: .both)
                } catch let failure as RuntimeFailure {
                    print("figures: \(failure.message)")
                }
            }
        }
    }

    /// `optlab validate SUITE.yaml`.
    public struct Validate: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Check a suite without running it.")

        @Argument(help: "The suite file (YAML).")
        public var suite: String

        public init() {}

        public func run() throws {
            let suite = try Suite.load(path: self.suite)
            let runs = suite.expand()
            func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
            if let tuning = suite.tuning {
                let planned = suite.plannedRunCount() ?? runs.count
                print("\(self.suite): valid; \(count(planned, "run")): \(count(runs.count, "tuning run")) (\(tuning.sampler.rawValue) search, one seed) and \(count(planned - runs.count, "confirmation run")) (\(count(tuning.confirmSeeds, "seed")) per selected setting) over \(count(suite.problems.count, "problem")) and \(count(suite.optimizers.count, "optimizer"))")
            } else {
                print("\(self.suite): valid; \(count(runs.count, "run")) (\(count(suite.problems.count, "problem")), \(count(suite.optimizers.count, "optimizer")), \(count(suite.repeats, "repeat")))")
            }
        }
    }

    /// `optlab merge results/<suite>`.
    public struct Merge: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Combine the shards of a suite into the standard results layout (safe while shards still run).")

        @Argument(help: "The suite's results folder, e.g. results/surfaces.")
        public var directory: String

        public init() {}

        public func run() throws {
            let report = try ShardMerger.merge(suiteDirectory: directory)
            print("merged \(report.mergedRuns) of \(report.totalRuns) runs into \(directory)")
            for (shard, count) in report.missing.sorted(by: { $0.key < $1.key }) {
                print("  \(shard): \(count) runs missing")
            }
            if report.complete { print("all shards complete") }
        }
    }
}
