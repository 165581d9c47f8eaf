import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab report results/<suite>`.
    public struct Report: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Write results/<suite>/report.md and summary.csv: rankings with their evidence and verdicts, best settings, tuning curves and, for momentum sweeps, the course exercise's analysis and its three questions.",
            discussion: """
            Suites named depth*, regularization*, batch-size*, activations* or optimizers-* \
            also get a section checking the course material's claim, with a verdict (held, \
            held in part, did not hold) computed from runs.csv and epochs.csv.
            """)

        @Argument(help: "The suite's results folder, e.g. results/momentum-exercise.")
        public var directory: String

        @Option(help: ArgumentHelp("The suite's figures folder (default: plots/<suite> beside the results root).", valueName: "dir"))
        public var plots: String?

        @Flag(help: "Also write report.html: the same report as one self-contained offline page, figures inline as SVG, and a momentum lab for each ξ × α sweep.")
        public var html = false

        public init() {}

        public func run() throws {
            guard FileManager.default.fileExists(atPath: directory + "/runs.csv") else {
                throw InputError("no runs.csv in \(directory); run the suite first")
            }
            for path in try ReportWriter.write(resultsDirectory: directory, plotsDirectory: plots, html: html) { print("wrote \(path)") }
        }
    }
}
