import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab descend`: one optimizer on one surface.
    public struct Descend: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run one optimizer on one 2D surface and print (or save) its trajectory.",
            discussion: """
            The CSV has the header step,x,y,loss; row 0 is the start point. A run whose \
            point or loss becomes non-finite, whose point leaves ±1e6 or whose loss leaves \
            ±1e12 stops with status diverged (exit code 0). Negative start coordinates work as written: --start -2,2. \
            --csv writes to the file named, in a folder that must exist.
            """)

        @Option(help: ArgumentHelp("Surface name (see 'optlab list surfaces').", valueName: "name"))
        public var surface: String

        @OptionGroup public var optimizer: OptimizerOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Start point (default: the surface's customary start).", valueName: "x,y"))
        public var start: String?

        @Option(parsing: .unconditional, help: "Number of optimizer steps.")
        public var steps: Int

        @Option(help: ArgumentHelp("Write the trajectory to this CSV file.", valueName: "file"))
        public var csv: String?

        @Option(help: ArgumentHelp("Draw the path over the surface's contour map into this .png or .svg file (needs gnuplot).", valueName: "file"))
        public var plot: String?

        public init() {}

        public func validate() throws {
            guard steps >= 0, steps <= Limits.steps else { throw ValidationError("--steps must be from 0 to \(Limits.steps), got \(steps)") }
            if plot != nil, steps == 0 { throw ValidationError("--plot needs at least one step") }
        }

        public func run() throws {
            if let plot { _ = try Gnuplot.quickLookFormat(of: plot) }
            let surface = try Surface.named(surface)
            let spec = try optimizer.spec()
            let start = try start.map { try parsePoint($0, flag: "--start") } ?? surface.start
            var descent = Descent(surface: surface, optimizer: try spec.make(), start: start, steps: steps)
            descent.schedule = spec.schedule
            let result = descent.run()
            if let csv {
                let writer = try CSVFileWriter(path: csv, header: ["step", "x", "y", "loss"])
                try writer.write(rows: result.trajectory.map {
                    ["\($0.step)", CSV.number($0.point.x), CSV.number($0.point.y), CSV.number($0.loss)]
                })
            }
            if let plot { try QuickLook.descent(surface: surface.name, spec: spec, start: start, steps: steps, to: plot) }
            let final = result.final
            let distance = result.distanceToMinimum.map { "\($0)" } ?? "n/a (no minimum)"
            let lr = try spec.resolvedValues()["lr"]
            print("\(surface.name) \(spec.kind.rawValue) (\(spec.convention.rawValue), lr=\(lr)): "
                + "\(final.step) steps, final point \(final.point), loss \(final.loss), "
                + "distance to nearest minimum \(distance), status \(result.status.rawValue)")
        }
    }
}

/// `--plot FILE`: one run drawn as a suite would draw it, through a one-run suite in a
/// scratch folder (the same code, colours and layout as `optlab plot`).
enum QuickLook {
    static func descent(surface: String, spec: OptimizerSpec, start: Point, steps: Int, to path: String) throws {
        let format = try Gnuplot.quickLookFormat(of: path)
        let scratch = NSTemporaryDirectory() + "optlab-quicklook-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let set = spec.overrides.sorted { $0.key < $1.key }.map { "\($0.key): \(CSV.number($0.value))" }.joined(separator: ", ")
        let schedule = spec.schedule.map { ", schedule: \"\($0.description)\"" } ?? ""
        let text = """
            name: quicklook
            optimizers: [{name: \(spec.kind.rawValue), convention: \(spec.convention.rawValue), set: {\(set)}\(schedule)}]
            problems: [{surface: {surface: \(surface), steps: \(steps), start: [\(CSV.number(start.x)), \(CSV.number(start.y))]}}]
            """
        let suite = try Suite.parse(text, file: "--plot")
        try SuiteRunner(suite: suite, outputRoot: scratch + "/results", jobs: 1, log: { _ in }).run()
        let plotter = SuitePlotter(resultsDirectory: scratch + "/results/quicklook", plotsDirectory: scratch + "/plots")
        let figures = try plotter.write().filter { $0.name == "\(surface)-trajectories" }
        guard let file = try plotter.render(figures, formats: [format]).first else {
            throw RuntimeFailure("gnuplot did not render the figure for --plot")
        }
        try Gnuplot.deliver(file, to: path)
        print("drew \(path)")
    }
}

