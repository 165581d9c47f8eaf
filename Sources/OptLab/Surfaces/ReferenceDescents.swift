import Foundation

/// Learning rates and step counts with which every optimizer reaches the minimum of
/// the quadratic bowl and of Rosenbrock, in both conventions. The convergence tests
/// assert them and `optlab demo` draws them.
///
/// The values were chosen by hand to converge, not tuned for speed; other settings
/// are not wrong.
public enum ReferenceDescents {
    public struct Setting: Sendable {
        public var overrides: [String: Double]
        public var steps: Int
    }

    /// An optimizer's settings on the two surfaces, written `(lr, steps)` or
    /// `(lr, steps, [other values])` in its own file.
    public struct Pair: Sendable {
        public var quadratic: Setting
        public var rosenbrock: Setting

        public init(quadratic: (Double, Int), rosenbrock: (Double, Int)) {
            self.init(quadratic: (quadratic.0, quadratic.1, [:]), rosenbrock: (rosenbrock.0, rosenbrock.1, [:]))
        }

        public init(quadratic: (Double, Int), rosenbrock: (Double, Int, [String: Double])) {
            self.init(quadratic: (quadratic.0, quadratic.1, [:]), rosenbrock: rosenbrock)
        }

        public init(quadratic: (Double, Int, [String: Double]), rosenbrock: (Double, Int, [String: Double])) {
            self.quadratic = Setting(overrides: quadratic.2.merging(["lr": quadratic.0]) { _, lr in lr }, steps: quadratic.1)
            self.rosenbrock = Setting(overrides: rosenbrock.2.merging(["lr": rosenbrock.0]) { _, lr in lr }, steps: rosenbrock.1)
        }
    }

    /// The setting for `kind` on `surface` ("quadratic" or "rosenbrock", from the quadratic
    /// bowl's (−8, 3) and Rosenbrock's (−2, 2)), or nil for another surface.
    public static func setting(surface: String, kind: OptimizerKind, convention: Convention) -> Setting? {
        let pair = kind.type.referenceDescents(convention)
        switch surface {
        case "quadratic": return pair.quadratic
        case "rosenbrock": return pair.rosenbrock
        default: return nil
        }
    }
}

/// The main job for now: all nine optimizers on the quadratic bowl and Rosenbrock.
public enum SurfaceDemo {
    /// Runs every reference setting under `convention`, writes `trajectories.csv`
    /// (run_id, step, x, y, loss) and `runs.csv` into `outputDirectory`, and returns a
    /// plain-text summary table.
    public static func run(convention: Convention, outputDirectory: String) throws -> String {
        let trajectories = try CSVFileWriter(path: outputDirectory + "/trajectories.csv",
                                             header: ["run_id", "step", "x", "y", "loss"], createFolders: true)
        let runs = try CSVFileWriter(path: outputDirectory + "/runs.csv",
                                     header: ["run_id", "problem", "optimizer", "convention", "lr", "steps",
                                              "status", "final_x", "final_y", "final_loss", "distance_to_minimum"],
                                     createFolders: true)
        var summary = "surface      optimizer  lr        steps  status    final loss     distance\n"
        for surfaceName in ["quadratic", "rosenbrock"] {
            let surface = try Surface.named(surfaceName)
            for kind in OptimizerKind.allCases {
                guard let setting = ReferenceDescents.setting(surface: surfaceName, kind: kind, convention: convention) else { continue }
                let spec = OptimizerSpec(kind: kind, convention: convention, overrides: setting.overrides)
                let lr = try spec.resolvedValues()["lr"]
                let result = Descent(surface: surface, optimizer: try spec.make(), steps: setting.steps).run()
                let id = "\(surfaceName)-\(kind.rawValue)-\(convention.rawValue)"
                try trajectories.write(rows: result.trajectory.map {
                    [id, "\($0.step)", CSV.number($0.point.x), CSV.number($0.point.y), CSV.number($0.loss)]
                })
                let final = result.final
                let distance = result.distanceToMinimum ?? .nan
                try runs.write([id, surfaceName, kind.rawValue, convention.rawValue, CSV.number(lr), "\(final.step)",
                            result.status.rawValue, CSV.number(final.point.x), CSV.number(final.point.y),
                            CSV.number(final.loss), CSV.number(distance)])
                summary += pad(surfaceName, 12) + " " + pad(kind.rawValue, 10) + " " + pad("\(lr)", 9) + " "
                    + pad("\(final.step)", 6) + " " + pad(result.status.rawValue, 9) + " "
                    + pad(String(format: "%.3e", final.loss), 14) + " " + String(format: "%.3e", distance) + "\n"
            }
        }
        summary += "wrote \(outputDirectory)/trajectories.csv and \(outputDirectory)/runs.csv\n"
        return summary
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
    }
}
