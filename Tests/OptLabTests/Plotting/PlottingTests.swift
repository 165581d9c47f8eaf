import Foundation
import Testing
import OptLab
import OptLabCommands

@Suite("Plotting: gnuplot scripts and rendered figures", .serialized,
       .enabled(if: SuitePlotter.gnuplotPath() != nil, "needs gnuplot (apt-get install gnuplot-nox)"))
struct PlottingTests {
    /// A small suite with two surfaces (one run diverges: SGD at η = 0.1 on Rosenbrock)
    /// and a network problem swept over lr × L2 with two repeats.
    static let fixture = """
        name: plotfixture
        seed: 11
        repeats: 2
        optimizers: [sgd, momentum, adam]
        grid:
          lr: [0.001, 0.1]
          l2: [0, 1.0e-3]
        problems:
          - surface: {surface: rosenbrock, steps: 400}
          - surface: {surface: saddle, steps: 100}
          - network: {dataset: mnist, data_dir: "\(TestData.mnistAsTrainingDirectory)", train_limit: 500, test_limit: 200,
                      validation: 100, layers: [16], epochs: 3, batch_size: 50}
        """

    static let expectedFigures = [
        "rosenbrock-trajectories", "rosenbrock-trajectories-panels", "rosenbrock-loss", "rosenbrock-lr",
        "saddle-trajectories", "saddle-trajectories-panels", "saddle-loss", "saddle-lr",
        "mnist-loss", "mnist-loss-time", "mnist-accuracy", "mnist-ranking", "mnist-heatmap", "mnist-lr",
    ]

    static let root = TestData.scratchRoot + "/optlab-plots-\(UUID().uuidString)"

    /// The fixture run, plotted and rendered once; a failure is reported by every test that uses it.
    static let renderedOnce = Result { () throws -> (plots: String, figures: [SuitePlotter.Figure], files: [String]) in
        let root = Self.root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let path = root + "/plotfixture.yaml"
        FileManager.default.createFile(atPath: path, contents: Data(fixture.utf8))
        let suite = try Suite.load(path: path)
        try SuiteRunner(suite: suite, outputRoot: root + "/results", jobs: 2, log: { _ in }).run()
        let plotter = SuitePlotter(resultsDirectory: root + "/results/plotfixture", plotsDirectory: root + "/plots/plotfixture")
        let figures = try plotter.write()
        let files = try plotter.render(figures, formats: ["png", "svg"])
        return (plotter.plotsDirectory, figures, files)
    }

    static var rendered: (plots: String, figures: [SuitePlotter.Figure], files: [String]) {
        get throws { try renderedOnce.get() }
    }

    /// The PNG size a script asks for (`set terminal pngcairo size W,H`).
    static func declaredSize(_ script: String) -> (Int, Int)? {
        guard let line = script.split(separator: "\n").first(where: { $0.contains("set terminal pngcairo size ") }),
              let size = line.split(separator: " ").first(where: { $0.contains(",") }) else { return nil }
        let parts = size.split(separator: ",").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    @Test("every expected figure renders to a valid, non-blank PNG of the stated size, and to SVG")
    func pngs() throws {
        let (plots, figures, files) = try Self.rendered
        #expect(Set(figures.map(\.name)) == Set(Self.expectedFigures))
        #expect(files.count == 2 * figures.count)
        for name in Self.expectedFigures {
            let image = try PNGImage(path: "\(plots)/\(name).png")
            let size = try #require(Self.declaredSize(try String(contentsOfFile: "\(plots)/\(name).gp", encoding: .utf8)))
            #expect(image.width == size.0 && image.height == size.1, "\(name)")
            #expect(size.0 >= PlotStyle.size.width && size.1 >= 500, "\(name): \(size)")
            #expect(image.distinctColors > 40, "\(name) has only \(image.distinctColors) colours")
            let svg = try String(contentsOfFile: "\(plots)/\(name).svg", encoding: .utf8)
            #expect(svg.contains("<svg") && svg.contains("</svg>"), "\(name).svg")
        }
    }

    @Test("the map is zoomed to the paths within the surface's window; the lr figure puts a diverged setting in its band")
    func windowAndBand() throws {
        let (plots, _, _) = try Self.rendered
        let script = try String(contentsOfFile: "\(plots)/rosenbrock-trajectories.gp", encoding: .utf8)
        func range(_ axis: String) throws -> (Double, Double) {
            let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("set \(axis)range [") })
            let parts = line.dropFirst("set xrange [".count).dropLast().split(separator: ":").compactMap { Double($0) }
            return (parts[0], parts[1])
        }
        // Rosenbrock's window is [−2, 2] × [−1, 3]; the start (−2, 2) and the minimum (1, 1) are inside the zoom.
        let (x, y) = (try range("x"), try range("y"))
        #expect(x.0 >= -2 && x.0 <= -2 + 1e-12 && x.1 >= 1 && x.1 <= 2, "\(x)")
        #expect(y.0 >= -1 && y.0 <= 1 && y.1 >= 2 && y.1 <= 3, "\(y)")
        let lr = try String(contentsOfFile: "\(plots)/rosenbrock-lr.dat", encoding: .utf8)
        // SGD at η = 0.1 diverged: no value, and a row (its index, 0) in the band; dodged within 3% of 0.1.
        let sgd = lr.split(separator: "\n").map { $0.split(separator: " ") }.first { $0.first == "sgd" && $0[2] == "nan" }
        #expect(sgd.map { abs(Double($0[1])! / 0.1 - 1) < 0.03 && $0[3] == "0" } == true)
        let figure = try String(contentsOfFile: "\(plots)/rosenbrock-lr.gp", encoding: .utf8)
        #expect(figure.contains("set xrange [0.0008:0.125]"), "the x range is the grid's, 1.25× beyond each end")
    }

    @Test("a path that diverged is drawn until it leaves the window, its exit marked on the border")
    func exitMarker() throws {
        let root = ExecutionTests.temporaryRoot()
        let text = """
            name: leave
            optimizers: [{name: sgd, set: {lr: 0.1}}, {name: adam, set: {lr: 0.1}}]
            problems: [{surface: {surface: rosenbrock, steps: 300}}]
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 1, log: { _ in }).run()
        try SuitePlotter(resultsDirectory: root + "/leave", plotsDirectory: root + "/plots").write()
        let script = try String(contentsOfFile: root + "/plots/rosenbrock-trajectories.gp", encoding: .utf8)
        func block(_ name: String) -> [Double] {
            guard let start = script.range(of: "$\(name) << EOD\n") else { return [] }
            return script[start.upperBound...].prefix { $0 != "E" }.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }.filter(\.isFinite)
        }
        func range(_ axis: String) -> [Double] {
            let line = script.split(separator: "\n").first { $0.hasPrefix("set \(axis)range [") } ?? ""
            return line.dropFirst("set xrange [".count).dropLast().split(separator: ":").compactMap { Double($0) }
        }
        // Ranked first, adam's path (index 0) ends at its last point; sgd (index 1) diverged:
        // no end marker, an exit marker on the window's border.
        let (x, y) = (range("x"), range("y"))
        let exit = block("exit1")
        #expect(exit.count == 2 && block("end1").isEmpty)
        let onBorder = [abs(exit[0] - x[0]), abs(exit[0] - x[1]), abs(exit[1] - y[0]), abs(exit[1] - y[1])].min()!
        #expect(onBorder < 1e-9, "exit \(exit) in \(x) × \(y)")
        #expect(block("end0").count == 2 && block("exit0").isEmpty)
        // The path data stops at the first point outside the window.
        let paths = try String(contentsOfFile: root + "/plots/rosenbrock-paths.dat", encoding: .utf8)
        let sgd = paths.split(separator: "\n").filter { $0.hasPrefix("sgd ") }.map { $0.split(separator: " ").map { Double($0) ?? .nan } }
        let inside = sgd.filter { $0[2] >= x[0] && $0[2] <= x[1] && $0[3] >= y[0] && $0[3] <= y[1] }
        #expect(inside.count == sgd.count - 1, "all but the last point inside")
    }

    @Test("a script renders from its own folder with its data files alone")
    func standalone() throws {
        let (plots, _, _) = try Self.rendered
        let copy = TestData.scratchRoot + "/optlab-standalone-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: plots) where file.hasPrefix("rosenbrock-") && !file.hasSuffix(".png") && !file.hasSuffix(".svg") {
            try FileManager.default.copyItem(atPath: plots + "/" + file, toPath: copy + "/" + file)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SuitePlotter.gnuplotPath()!)
        process.arguments = ["rosenbrock-trajectories.gp"]
        process.currentDirectoryURL = URL(fileURLWithPath: copy)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try PNGImage(path: copy + "/rosenbrock-trajectories.png").distinctColors > 40)
    }

    /// `OPTLAB_UPDATE_GOLDEN=1 swift test --filter golden` rewrites the golden scripts after a
    /// deliberate change to a figure (review the diff before committing it).
    static func updateGoldenIfAsked(_ name: String, _ script: String) throws {
        guard ProcessInfo.processInfo.environment["OPTLAB_UPDATE_GOLDEN"] == "1" else { return }
        try script.write(toFile: "Tests/OptLabTests/Plotting/Golden/\(name).gp", atomically: true, encoding: .utf8)
    }

    @Test("golden text of one script of each kind", arguments: ["rosenbrock-trajectories", "rosenbrock-trajectories-panels", "rosenbrock-loss",
                                                                 "rosenbrock-lr", "mnist-ranking"])
    func golden(name: String) throws {
        let (plots, _, _) = try Self.rendered
        let script = try String(contentsOfFile: "\(plots)/\(name).gp", encoding: .utf8)
        try Self.updateGoldenIfAsked(name, script)
        let golden = try String(contentsOfFile: "Tests/OptLabTests/Plotting/Golden/\(name).gp", encoding: .utf8)
        #expect(script == golden)
    }

    /// Numbers in the network figures' scripts depend on the training results (best
    /// settings in labels, the colour range), so those goldens compare with every
    /// number replaced by `#`.
    @Test("golden text of the network figures' scripts, numbers masked",
          arguments: ["mnist-loss", "mnist-heatmap", "mnist-accuracy", "mnist-loss-time", "mnist-lr"])
    func maskedGolden(name: String) throws {
        let (plots, _, _) = try Self.rendered
        func masked(_ text: String) -> String {
            text.replacingOccurrences(of: #"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?"#, with: "#", options: .regularExpression)
        }
        let script = try String(contentsOfFile: "\(plots)/\(name).gp", encoding: .utf8)
        try Self.updateGoldenIfAsked(name, script)
        let golden = try String(contentsOfFile: "Tests/OptLabTests/Plotting/Golden/\(name).gp", encoding: .utf8)
        #expect(masked(script) == masked(golden))
    }

    @Test("--animate: a GIF of the trajectories, 60 frames per surface")
    func animation() throws {
        _ = try Self.rendered
        let plotter = SuitePlotter(resultsDirectory: Self.root + "/results/plotfixture",
                                   plotsDirectory: Self.root + "/animated", animate: true)
        let animations = try plotter.write().filter { $0.name.hasSuffix("-animation") }
        #expect(animations.map(\.name) == ["rosenbrock-animation", "saddle-animation"])
        let files = try plotter.render(animations, formats: ["png"])
        #expect(files == animations.map { plotter.plotsDirectory + "/" + $0.name + ".gif" })
        let gif = try #require(FileManager.default.contents(atPath: files[0]))
        #expect(gif.prefix(6) == Data("GIF89a".utf8))
        // One graphic control extension (21 F9 04) per frame.
        let marker = Data([0x21, 0xF9, 0x04])
        var frames = 0, index = gif.startIndex
        while let range = gif.range(of: marker, in: index..<gif.endIndex) { frames += 1; index = range.upperBound }
        #expect(frames == 60)
        // The script, exactly: the surfaces are deterministic.
        let script = try String(contentsOfFile: plotter.plotsDirectory + "/rosenbrock-animation.gp", encoding: .utf8)
        try Self.updateGoldenIfAsked("rosenbrock-animation", script)
        #expect(script == (try String(contentsOfFile: "Tests/OptLabTests/Plotting/Golden/rosenbrock-animation.gp", encoding: .utf8)))
    }

    @Test("a momentum sweep gets the (ξ, α) heatmap of steps to target")
    func momentumHeatmap() throws {
        let root = TestData.scratchRoot + "/optlab-momentum-plot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let text = """
            name: sweep
            optimizers: [{name: momentum, grid: {momentum: [0, 0.5, 0.9], lr: [0.01, 0.1, 0.3]}}]
            problems:
              - surface: {surface: quadratic, steps: 400, targets: {distance: 1.0e-3}}
            """
        FileManager.default.createFile(atPath: root + "/sweep.yaml", contents: Data(text.utf8))
        try SuiteRunner(suite: try Suite.load(path: root + "/sweep.yaml"), outputRoot: root + "/results", log: { _ in }).run()
        let plotter = SuitePlotter(resultsDirectory: root + "/results/sweep", plotsDirectory: root + "/plots")
        let figures = try plotter.write()
        let figure = try #require(figures.first { $0.name == "quadratic-momentum-distance_0.001" })
        _ = try plotter.render([figure], formats: ["png"])
        // The chosen cells' trajectories: one block each, every one from the start (−8, 3).
        let cells = try #require(figures.first { $0.name == "quadratic-momentum-cells-distance_0.001" })
        _ = try plotter.render([cells], formats: ["png"])
        #expect(try PNGImage(path: root + "/plots/\(cells.name).png").distinctColors > 40)
        let analysis = try #require(MomentumAnalysis.analyses(runsCSV: ResultsStore.readRows(root + "/results/sweep/runs.csv")).first)
        let blocks = try String(contentsOfFile: root + "/plots/\(cells.name).dat", encoding: .utf8).components(separatedBy: "\n\n\n")
            .filter { $0.contains("ξ =") }
        #expect(blocks.count == analysis.chosenCells.count && blocks.count >= 3)
        #expect(blocks.allSatisfy { $0.contains("\n0 -8.0 3.0\n") })
        #expect(try PNGImage(path: root + "/plots/\(figure.name).png").distinctColors > 40)
        // SGD (ξ = 0) at α = 0.1 on the bowl: x shrinks by 0.9 per step from −8, y is exact after
        // one step, so it is within 1e-3 when 8·0.9ᵗ ≤ 1e-3: t = 86. The cell prints it, as a
        // whole number (a cell reached by only some repeats would add "(k/n)").
        let data = try String(contentsOfFile: root + "/plots/\(figure.name).dat", encoding: .utf8)
        #expect(data.contains("\n1 0 86.0 0 \"86\" "))
        // Both scripts, exactly (a surface is deterministic).
        for name in [figure.name, cells.name] {
            let script = try String(contentsOfFile: root + "/plots/\(name).gp", encoding: .utf8)
                .replacingOccurrences(of: root, with: "ROOT")
            try Self.updateGoldenIfAsked(name, script)
            #expect(script == (try String(contentsOfFile: "Tests/OptLabTests/Plotting/Golden/\(name).gp", encoding: .utf8)), "\(name)")
        }
    }

    @Test("--where draws only the selected runs; an unknown column or an empty selection is an input error")
    func selection() throws {
        let root = ExecutionTests.temporaryRoot()
        let text = """
            name: pick
            optimizers: [sgd, momentum, adam]
            grid: {lr: [0.001, 0.01]}
            problems: [{surface: {surface: quadratic, steps: 50}}]
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        var plotter = SuitePlotter(resultsDirectory: root + "/pick", plotsDirectory: root + "/plots")
        plotter.selection = try SuitePlotter.parseSelection(["optimizer=sgd,momentum", "lr=1e-2"])
        try plotter.write()
        let script = try String(contentsOfFile: root + "/plots/quadratic-trajectories.gp", encoding: .utf8)
        #expect(script.contains("sgd") && script.contains("momentum") && !script.contains("adam"))
        #expect(script.contains("0.01") && !script.contains("0.001"))
        plotter.selection = try SuitePlotter.parseSelection(["optimiser=sgd"])
        let unknown = #expect(throws: InputError.self) { try plotter.write() }
        #expect(unknown?.message.contains("did you mean 'optimizer'?") == true)
        plotter.selection = try SuitePlotter.parseSelection(["optimizer=lion"])
        let none = #expect(throws: InputError.self) { try plotter.write() }
        #expect(none?.message == "--where optimizer=lion selects no run")
        #expect(throws: InputError.self) { try SuitePlotter.parseSelection(["optimizer"]) }
    }

    @Test("--lr adds the learning rate of each epoch to the loss figure (real MNIST test digits, or the shipped subset)")
    func learningRatePanel() throws {
        let root = ExecutionTests.temporaryRoot()
        let text = """
            name: rates
            optimizers: [{name: sgd, set: {lr: 0.01}, schedule: {type: step, every: 1, factor: 0.5}}]
            problems:
              - network: {name: net, dataset: mnist, data_dir: "\(TestData.mnistAsTrainingDirectory)", train_limit: 300, test_limit: 100,
                          validation: 50, layers: [8], epochs: 3, batch_size: 50}
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 1, log: { _ in }).run()
        var plotter = SuitePlotter(resultsDirectory: root + "/rates", plotsDirectory: root + "/plots")
        try plotter.write()
        #expect(!FileManager.default.fileExists(atPath: root + "/plots/net-rates.dat"))
        plotter.showLearningRate = true
        try plotter.write()
        // Epochs 1, 2, 3 use 0.01, 0.005, 0.0025 (halved each epoch from the second).
        let rates = try String(contentsOfFile: root + "/plots/net-rates.dat", encoding: .utf8)
        #expect(rates.contains("sgd 1 0.01\n") && rates.contains("sgd 2 0.005\n") && rates.contains("sgd 3 0.0025\n"))
        let script = try String(contentsOfFile: root + "/plots/net-loss.gp", encoding: .utf8)
        #expect(script.contains("set multiplot layout 1,3") && script.contains("learning rate of each epoch"))
    }

    @Test("descend --plot draws the run over the contour map as PNG or SVG; another extension exits 2")
    func descendQuickLook() throws {
        let root = ExecutionTests.temporaryRoot()
        let png = root + "/path.png", svg = root + "/path.svg"
        let arguments = ["descend", "--surface", "rosenbrock", "--optimizer", "adam", "--lr", "0.02", "--steps", "300",
                         "--schedule", "step:every=100,factor=0.5"]
        #expect(OptLabCommand.execute(arguments + ["--plot", png]).0 == 0)
        let image = try PNGImage(path: png)
        #expect(image.width >= PlotStyle.size.width && image.height >= 500 && image.distinctColors > 40)
        #expect(OptLabCommand.execute(arguments + ["--plot", svg]).0 == 0)
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
        let (code, message) = OptLabCommand.execute(arguments + ["--plot", root + "/path.jpg"])
        #expect(code == 2 && message?.contains("--plot writes a .png or .svg file") == true)
    }

    @Test("each optimizer keeps one colour everywhere")
    func colours() {
        let colours = OptimizerKind.allCases.map { PlotStyle.color($0.rawValue) }
        #expect(Set(colours).count == OptimizerKind.allCases.count)
        // Each a #RRGGBB of its own, none the fallback for unknown names.
        for kind in OptimizerKind.allCases {
            let colour = PlotStyle.color(kind.rawValue)
            #expect(colour.count == 7 && colour.hasPrefix("#") && UInt32(colour.dropFirst(), radix: 16) != nil && colour != PlotStyle.color("none"),
                    "\(kind.rawValue)'s colour \(colour)")
        }
    }
}

@Suite("Plotting: the claims' own figures", .serialized)
struct ClaimFigureTests {
    @Test("a depth suite gets claim-depth: every seed's test accuracy and the mean per stack, from runs.csv; the report links it")
    func depth() throws {
        let root = ExecutionTests.temporaryRoot()
        let text = """
            name: depth-tiny
            seed: 2
            repeats: 2
            optimizers: [adam]
            grid: {layers: [[8], [4, 4]]}
            problems:
              - network: {dataset: mnist, data_dir: "\(TestData.mnistAsTrainingDirectory)", train_limit: 300, test_limit: 100,
                          validation: 50, epochs: 1, batch_size: 50}
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        let plots = root + "/plots"
        let figures = try SuitePlotter(resultsDirectory: root + "/depth-tiny", plotsDirectory: plots).write().map(\.name)
        #expect(figures.contains("claim-depth"))
        // Its script, numbers masked (they come from training).
        let script = try String(contentsOfFile: plots + "/claim-depth.gp", encoding: .utf8)
            .replacingOccurrences(of: #"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?"#, with: "#", options: .regularExpression)
        try PlottingTests.updateGoldenIfAsked("claim-depth", script)
        #expect(script == (try String(contentsOfFile: "Tests/OptLabTests/Plotting/Golden/claim-depth.gp", encoding: .utf8)))
        let table = try RunsTable.read(root + "/depth-tiny/runs.csv")
        let data = try String(contentsOfFile: plots + "/claim-depth.dat", encoding: .utf8)
        let blocks = data.components(separatedBy: "\n\n\n").map { block in
            block.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").compactMap { Double($0) } }
        }
        // Stack 0 is the shallow one (8), stack 1 the deep one (4-4); one row per seed, then the means.
        for (index, stack) in ["8", "4-4"].enumerated() {
            let values = table.records.filter { $0.settings["layers"] == stack }.compactMap { $0.metric("final_test_acc") }.map { $0 * 100 }
            let drawn = blocks[0].filter { $0[0] == Double(index) }.map { $0[1] }
            #expect(values.count == 2 && drawn.count == 2)
            for (v, d) in zip(values.sorted(), drawn.sorted()) { #expect(abs(v - d) < 1e-9) }
            let mean = try #require(blocks[1].first { $0[0] == Double(index) })
            #expect(abs(mean[1] - Statistics.mean(values)) < 1e-9)
        }
        let report = try String(contentsOfFile: ReportWriter.write(resultsDirectory: root + "/depth-tiny", plotsDirectory: plots)[0], encoding: .utf8)
        #expect(report.contains("claim-depth.png)") == FileManager.default.fileExists(atPath: plots + "/claim-depth.png"))
    }
}
