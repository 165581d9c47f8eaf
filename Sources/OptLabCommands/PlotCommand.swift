import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab plot results/<suite>`.
    public struct Plot: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Write gnuplot scripts for a suite's figures into plots/<suite>/ and render them.",
            discussion: "Each script reads small data files beside it and renders on its own: 'gnuplot NAME.gp' in that folder.")

        public enum Format: String, ExpressibleByArgument, CaseIterable { case png, svg, both }

        @Argument(help: "The suite's results folder, e.g. results/surfaces.")
        public var directory: String

        @Option(help: "png, svg or both.")
        public var format: Format = .both

        @Option(help: ArgumentHelp("Plots root folder.", valueName: "dir"))
        public var plots: String = "plots"

        @Flag(help: "Also write <surface>-animation.gif: the trajectories growing step by step.")
        public var animate = false

        @Option(name: .customLong("where"), parsing: .singleValue,
                help: ArgumentHelp("Draw only the runs whose runs.csv column takes one of the values, e.g. --where optimizer=sgd,momentum --where lr=0.01,0.1 (repeatable; numbers match by value).", valueName: "column=v1,v2"))
        public var conditions: [String] = []

        @Flag(name: .customLong("lr"), help: "Add the learning rate of each epoch (recorded when the suite uses schedules) as a panel of the loss figures.")
        public var learningRate = false

        public init() {}

        public func run() throws {
            try Self.plot(resultsDirectory: directory, plotsRoot: plots, format: format, animate: animate,
                          selection: try SuitePlotter.parseSelection(conditions), learningRate: learningRate)
        }

        static func plot(resultsDirectory: String, plotsRoot: String, format: Format, animate: Bool = false,
                         selection: [(column: String, values: [String])] = [], learningRate: Bool = false) throws {
            let name = URL(fileURLWithPath: resultsDirectory).standardizedFileURL.lastPathComponent
            var plotter = SuitePlotter(resultsDirectory: resultsDirectory, plotsDirectory: plotsRoot + "/" + name, animate: animate)
            plotter.selection = selection
            plotter.showLearningRate = learningRate
            let started = Date()
            let (figures, leftOut) = try plotter.writeAll()
            print("wrote \(figures.count) gnuplot scripts in \(plotter.plotsDirectory)")
            for reason in leftOut { print("left out: \(reason)") }
            let formats = format == .both ? ["png", "svg"] : [format.rawValue]
            let files = try plotter.render(figures, formats: formats)
            print("rendered \(files.count) files in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
