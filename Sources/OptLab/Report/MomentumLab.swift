import Foundation

/// The data behind one momentum lab of `report.html`: a momentum sweep (ξ × α) on one
/// problem, each cell's runs, and what the page draws for the chosen cell. On a surface:
/// the loss over the region the paths use, each run's path and loss, and, where the surface
/// is a quadratic, the heavy-ball theory. On a network: each run's loss per epoch.
public struct MomentumLab: Codable, Sendable {
    public struct Run: Codable, Sendable {
        public var id: String
        public var `repeat`: Int
        public var status: String
    }

    public struct Cell: Codable, Sendable {
        public var xi: Double
        public var alpha: Double
        public var runs: [Run]
    }

    /// Steps (epochs) to one target, per cell in ``cells`` order.
    public struct Target: Codable, Sendable {
        public var name: String
        public var mean: [Double?]
        public var reached: [Int]
        public var repeats: [Int]
        public var diverged: [Int]
    }

    /// The loss over the drawn window, normalized to [0, 1] on a log scale (row-major from
    /// the bottom row, `size` × `size`), with the start and the minima.
    public struct SurfaceMap: Codable, Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public var size: Int
        public var shade: [Double]
        public var start: [Double]
        public var minima: [[Double]]
    }

    /// A run's recorded points (at most ``maximumPoints``): step, position and loss.
    public struct Path: Codable, Sendable {
        public var step: [Int]
        public var x: [Double]
        public var y: [Double]
        public var loss: [Double?]
        /// The run left the finite numbers after its last point.
        public var escaped: Bool
    }

    public struct Curve: Codable, Sendable {
        public var epoch: [Int]
        public var train: [Double?]
        public var validation: [Double?]
    }

    /// Heavy ball on a quadratic: with Hessian eigenvalues λ, each eigen-direction follows
    /// `e_{t+1} = (1 + ξ − αλ)·e_t − ξ·e_{t−1}`, so the distance shrinks like ρᵗ with ρ the
    /// largest spectral radius of `[[1 + ξ − αλ, −ξ], [1, 0]]` over λ (both conventions:
    /// PyTorch's `b ← μb + g; θ ← θ − ηb` is the same recursion with α = η, ξ = μ).
    public struct Theory: Codable, Sendable {
        public var eigenvalues: [Double]
        public var startDistance: Double
        public var tolerance: Double
        /// ρ over a log-spaced α grid (columns) and a linear ξ grid (rows), row-major.
        public var alphaGrid: [Double]
        public var xiGrid: [Double]
        public var rho: [Double]
        /// The stability boundary α = 2(1 + ξ)/λ_max as (α, ξ) points.
        public var boundary: [[Double]]
        /// Per cell: ρ, and the steps ln(tolerance/d₀)/ln ρ predicted to reach the target
        /// (nil where ρ ≥ 1).
        public var cellRho: [Double]
        public var predicted: [Double?]
    }

    public var problem: String
    public var kind: String
    public var unit: String
    public var xis: [Double]
    public var alphas: [Double]
    public var cells: [Cell]
    public var targets: [Target]
    public var surface: SurfaceMap?
    public var paths: [String: Path]?
    public var curves: [String: Curve]?
    public var theory: Theory?

    public static let maximumPoints = 400
    static let mapSize = 64

    // MARK: Theory

    /// The heavy-ball convergence factor ρ(α, ξ): the largest modulus of the roots of
    /// z² − (1 + ξ − αλ)z + ξ over the eigenvalues λ.
    public static func convergenceFactor(alpha: Double, xi: Double, eigenvalues: [Double]) -> Double {
        var worst = 0.0
        for lambda in eigenvalues {
            let b = 1 + xi - alpha * lambda
            let discriminant = b * b - 4 * xi
            let radius: Double
            if discriminant >= 0 {
                let root = discriminant.squareRoot()
                radius = max(abs(b + root), abs(b - root)) / 2
            } else {
                radius = xi.squareRoot()
            }
            worst = max(worst, radius)
        }
        return worst
    }

    /// Steps for the distance to fall from `startDistance` to `tolerance` at rate ρ per step;
    /// nil when ρ ≥ 1 (no convergence) or the start is already within the tolerance.
    public static func predictedSteps(rho: Double, startDistance: Double, tolerance: Double) -> Double? {
        guard rho < 1, startDistance > tolerance else { return nil }
        if rho == 0 { return 1 }
        return (log(tolerance / startDistance) / log(rho)).rounded(.up)
    }

    /// The Hessian's eigenvalues at `point` by central differences of the gradient.
    static func hessianEigenvalues(_ surface: Surface, at point: Point) -> [Double] {
        let h = 1e-4
        func gradient(_ x: Double, _ y: Double) -> Point { surface.valueAndGradient(at: Point(x, y)).gradient }
        let gxp = gradient(point.x + h, point.y), gxm = gradient(point.x - h, point.y)
        let gyp = gradient(point.x, point.y + h), gym = gradient(point.x, point.y - h)
        let a = (gxp.x - gxm.x) / (2 * h), d = (gyp.y - gym.y) / (2 * h)
        let b = ((gxp.y - gxm.y) / (2 * h) + (gyp.x - gym.x) / (2 * h)) / 2
        let mean = (a + d) / 2, spread = (((a - d) / 2) * ((a - d) / 2) + b * b).squareRoot()
        return [mean - spread, mean + spread]
    }

    /// The theory for a quadratic surface (the same Hessian at the start and at the minimum)
    /// and a distance target; nil otherwise.
    static func theory(surface: Surface, target: String, cells: [Cell], alphas: [Double]) -> Theory? {
        guard target.hasPrefix("distance_"), let tolerance = Double(target.dropFirst("distance_".count)),
              let minimum = surface.minima.first else { return nil }
        let atMinimum = hessianEigenvalues(surface, at: minimum)
        let atStart = hessianEigenvalues(surface, at: surface.start)
        guard atMinimum.allSatisfy({ $0 > 0 }),
              zip(atMinimum, atStart).allSatisfy({ abs($0 - $1) <= 1e-5 * max(1, abs($0)) }) else { return nil }
        let eigenvalues = atMinimum.map { ($0 * 1e6).rounded() / 1e6 }
        let startDistance = surface.start.distance(to: minimum)
        let (low, high) = (log10(alphas.min()! / 3), log10(alphas.max()! * 3))
        let alphaGrid = (0..<60).map { pow(10, low + (high - low) * Double($0) / 59) }
        let xiGrid = (0..<50).map { 0.999 * Double($0) / 49 }
        var rho: [Double] = []
        for xi in xiGrid { for alpha in alphaGrid { rho.append(convergenceFactor(alpha: alpha, xi: xi, eigenvalues: eigenvalues)) } }
        let lambdaMax = eigenvalues.max()!
        let boundary = xiGrid.map { [2 * (1 + $0) / lambdaMax, $0] }
        let cellRho = cells.map { convergenceFactor(alpha: $0.alpha, xi: $0.xi, eigenvalues: eigenvalues) }
        return Theory(eigenvalues: eigenvalues, startDistance: startDistance, tolerance: tolerance,
                      alphaGrid: alphaGrid.map(rounded), xiGrid: xiGrid.map(rounded), rho: rho.map { rounded(min($0, 9.99)) },
                      boundary: boundary.map { $0.map(rounded) }, cellRho: cellRho.map(rounded),
                      predicted: cellRho.map { predictedSteps(rho: $0, startDistance: startDistance, tolerance: tolerance) })
    }

    static func rounded(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value.isFinite ? 0 : value }
        return Double(String(format: "%.6g", value)) ?? value
    }

    // MARK: Building from a results folder

    /// One lab per problem whose momentum runs sweep ξ and α (``MomentumAnalysis``), from
    /// the folder's runs.csv, trajectories.csv and epochs.csv.
    public static func labs(resultsDirectory: String, runs rows: [[String]], suite: Suite?) throws -> [MomentumLab] {
        let analyses = MomentumAnalysis.analyses(runsCSV: rows)
        guard let header = rows.first,
              let idColumn = header.firstIndex(of: "run_id"), let problemColumn = header.firstIndex(of: "problem"),
              let optimizerColumn = header.firstIndex(of: "optimizer"), let xiColumn = header.firstIndex(of: "momentum"),
              let lrColumn = header.firstIndex(of: "lr"), let statusColumn = header.firstIndex(of: "status") else { return [] }
        let repeatColumn = header.firstIndex(of: "repeat"), typeColumn = header.firstIndex(of: "type")
        var labs: [MomentumLab] = []
        // Every problem whose momentum runs sweep at least two ξ and two α, in runs.csv order,
        // whether or not a run reached a target.
        var problems: [String] = []
        let momentumRows = rows.dropFirst().filter { $0[optimizerColumn] == "momentum" && Double($0[xiColumn]) != nil }
        for row in momentumRows where !problems.contains(row[problemColumn]) { problems.append(row[problemColumn]) }
        for problem in problems {
            let mine = analyses.filter { $0.problem == problem }
            let members = momentumRows.filter { $0[problemColumn] == problem }
            let xis = Set(members.compactMap { Double($0[xiColumn]) }).sorted()
            let alphas = Set(members.compactMap { Double($0[lrColumn]) }).sorted()
            guard xis.count > 1, alphas.count > 1 else { continue }
            let unit = typeColumn.map { members.first?[$0] == "surface" ? "steps" : "epochs" } ?? "epochs"
            var cells: [Cell] = []
            for xi in xis {
                for alpha in alphas {
                    let runs = members.filter { Double($0[xiColumn]) == xi && Double($0[lrColumn]) == alpha }
                    guard !runs.isEmpty else { continue }
                    cells.append(Cell(xi: xi, alpha: alpha, runs: runs.map { row in
                        Run(id: row[idColumn], repeat: repeatColumn.flatMap { Int(row[$0]) } ?? 0, status: row[statusColumn])
                    }.sorted { $0.repeat < $1.repeat }))
                }
            }
            var targets = mine.map { a in
                let matched = cells.map { a.cell(xi: $0.xi, alpha: $0.alpha) }
                return Target(name: a.target, mean: matched.map { $0?.meanToTarget.map(rounded) }, reached: matched.map { $0?.reached ?? 0 },
                              repeats: matched.map { $0?.repeats ?? 0 }, diverged: matched.map { $0?.diverged ?? 0 })
            }
            // No target, or none reached: the grid still shows where runs diverged.
            if targets.isEmpty {
                targets = [Target(name: "no target reached", mean: cells.map { _ in nil }, reached: cells.map { _ in 0 },
                                  repeats: cells.map(\.runs.count),
                                  diverged: cells.map { $0.runs.filter { $0.status == RunStatus.diverged.rawValue }.count })]
            }
            var lab = MomentumLab(problem: problem, kind: unit == "steps" ? "surface" : "network", unit: unit,
                                  xis: xis, alphas: alphas, cells: cells, targets: targets)
            let ids = Set(cells.flatMap { $0.runs.map(\.id) })
            if lab.kind == "surface" {
                let surfaceProblem = suite?.problems.lazy.compactMap { p -> Suite.SurfaceProblem? in
                    if case .surface(let s) = p, s.name == problem { return s } else { return nil }
                }.first
                let surface = try surfaceProblem?.surface ?? Surface.named(problem)
                let paths = try readPaths(resultsDirectory + "/trajectories.csv", ids: ids)
                lab.paths = paths
                let statusOf = Dictionary(cells.flatMap { $0.runs.map { ($0.id, $0.status) } }, uniquingKeysWith: { a, _ in a })
                lab.surface = map(surface, paths: paths.filter { statusOf[$0.key] != RunStatus.diverged.rawValue }.map(\.value),
                                  start: surfaceProblem?.starts.first ?? surface.start)
                if let distance = mine.first(where: { $0.target.hasPrefix("distance_") }) {
                    lab.theory = theory(surface: surface, target: distance.target, cells: cells, alphas: alphas)
                }
            } else {
                lab.curves = try readCurves(resultsDirectory + "/epochs.csv", ids: ids)
            }
            labs.append(lab)
        }
        return labs
    }

    /// Each run's recorded points, up to the first non-finite one (a run that escaped).
    static func readPaths(_ path: String, ids: Set<String>) throws -> [String: Path] {
        try SuitePlotter.rows(of: path, ids: ids).mapValues { rows in
            var step: [Int] = [], x: [Double] = [], y: [Double] = [], loss: [Double?] = [], escaped = false
            for row in rows where row.count >= 5 {
                guard let s = Int(row[1]) else { continue }
                guard let px = Double(row[2]), let py = Double(row[3]), px.isFinite, py.isFinite else { escaped = true; break }
                step.append(s); x.append(px); y.append(py); loss.append(Double(row[4]).flatMap { $0.isFinite ? $0 : nil })
            }
            let keep = thin(step.count)
            return Path(step: keep.map { step[$0] }, x: keep.map { rounded(x[$0]) }, y: keep.map { rounded(y[$0]) },
                        loss: keep.map { loss[$0].map(rounded) }, escaped: escaped)
        }
    }

    /// At most ``maximumPoints`` indices of `count`: every one of the first 250 (where a
    /// path oscillates), then evenly spread to the last, which is kept.
    static func thin(_ count: Int) -> [Int] {
        guard count > maximumPoints else { return Array(0..<count) }
        let dense = 250, rest = maximumPoints - dense
        return Array(0..<dense) + (1...rest).map { dense - 1 + $0 * (count - dense) / rest }
    }

    /// Each run's training and validation loss per epoch (epochs.csv starts with
    /// ``EpochRecord/baseColumns``).
    static func readCurves(_ path: String, ids: Set<String>) throws -> [String: Curve] {
        let header = EpochRecord.baseColumns
        let (epochColumn, trainColumn, validationColumn) = (header.firstIndex(of: "epoch")!, header.firstIndex(of: "train_loss")!,
                                                            header.firstIndex(of: "val_loss")!)
        return try SuitePlotter.rows(of: path, ids: ids).mapValues { rows in
            func value(_ row: [String], _ column: Int) -> Double? {
                (column < row.count ? Double(row[column]) : nil).flatMap { $0.isFinite ? rounded($0) : nil }
            }
            let kept = rows.filter { $0.count > epochColumn && Int($0[epochColumn]) != nil }
            return Curve(epoch: kept.map { Int($0[epochColumn])! }, train: kept.map { value($0, trainColumn) },
                         validation: kept.map { value($0, validationColumn) })
        }
    }

    /// The window the sweep's paths use (with the start and the minima inside it), and the
    /// surface's loss over it.
    static func map(_ surface: Surface, paths: [Path], start: Point) -> SurfaceMap {
        // The window the figures use (`PlotWindow.around`), so page and figures agree.
        let window = PlotWindow.around(paths.flatMap { p in zip(p.x, p.y).map { Point($0, $1) } }, start: start, surface: surface)
        let (x0, x1, y0, y1) = (window.x.lower, window.x.upper, window.y.lower, window.y.upper)
        let n = mapSize
        var values: [Double] = []
        for j in 0..<n {
            for i in 0..<n {
                let p = Point(x0 + (x1 - x0) * (Double(i) + 0.5) / Double(n), y0 + (y1 - y0) * (Double(j) + 0.5) / Double(n))
                values.append(surface.value(at: p))
            }
        }
        let floor = surface.minimumValue ?? values.filter(\.isFinite).min() ?? 0
        let logged = values.map { $0.isFinite ? log10(1 + max(0, $0 - floor)) : .nan }
        let top = logged.filter(\.isFinite).max() ?? 1
        let shade = logged.map { $0.isFinite && top > 0 ? (($0 / top) * 1000).rounded() / 1000 : 1 }
        return SurfaceMap(name: surface.name, x: [rounded(x0), rounded(x1)], y: [rounded(y0), rounded(y1)], size: n, shade: shade,
                          start: [start.x, start.y], minima: surface.minima.map { [$0.x, $0.y] })
    }

    /// The labs as JSON safe inside a `<script>` element.
    public static func json(_ labs: [MomentumLab]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(labs)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
    }
}
