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

    /// The setting for `kind` on `surface` ("quadratic" or "rosenbrock"), or nil for
    /// another surface. The switch over optimizers is exhaustive: a new optimizer does not
    /// compile without its settings.
    public static func setting(surface: String, kind: OptimizerKind, convention: Convention) -> Setting? {
        // Quadratic bowl from (−8, 3): curvatures 1 and 10. Rosenbrock from (−2, 2):
        // gradients near 10⁴ at the start, a flat valley after.
        let quadratic: (lr: Double, steps: Int), rosenbrock: (lr: Double, steps: Int)
        switch kind {
        case .sgd: (quadratic, rosenbrock) = ((0.1, 200), (1e-3, 30_000))
        case .momentum: (quadratic, rosenbrock) = ((0.01, 300), (1e-3, 3000))
        case .nesterov: (quadratic, rosenbrock) = ((0.01, 300), (3e-4, 15_000))
        case .adagrad: (quadratic, rosenbrock) = ((1.0, 500), (1.0, 30_000))
        // Constant-η RMSprop hovers within about η of the minimum: small η, many steps.
        case .rmsprop: (quadratic, rosenbrock) = ((3e-4, 60_000), (3e-4, 30_000))
        // Adadelta creeps along the valley; PyTorch's ε = 1e-6 needs a smaller η to settle.
        case .adadelta: (quadratic, rosenbrock) = ((0.1, 40_000), (convention == .keras ? 0.01 : 3e-3, 100_000))
        case .adam: (quadratic, rosenbrock) = ((0.1, 1000), (0.01, 10_000))
        case .adamax: (quadratic, rosenbrock) = ((0.1, 1000), (0.01, 20_000))
        case .nadam: (quadratic, rosenbrock) = ((0.1, 1000), (3e-3, 20_000))
        // Decoupled decay pulls towards the origin: on the quadratic, whose minimum is the
        // origin, it helps; on Rosenbrock (minimum (1, 1)) it moves the fixed point (0.023
        // away with PyTorch's λ = 0.01), so λ = 1e-3 there.
        case .adamw: (quadratic, rosenbrock) = ((0.1, 1000), (0.01, 10_000))
        // Steps of exactly η per coordinate: it settles within about η of the minimum.
        case .lion: (quadratic, rosenbrock) = ((1e-3, 20_000), (1e-4, 60_000))
        // Its first steps are momentum SGD on gradients near 10⁴ (ρ_t ≤ 5): η as small as SGD's.
        case .radam: (quadratic, rosenbrock) = ((0.1, 1000), (3e-4, 30_000))
        }
        switch surface {
        case "quadratic": return Setting(overrides: ["lr": quadratic.lr], steps: quadratic.steps)
        case "rosenbrock":
            return Setting(overrides: ["lr": rosenbrock.lr].merging(kind == .adamw ? ["weight_decay": 1e-3] : [:]) { a, _ in a },
                           steps: rosenbrock.steps)
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
