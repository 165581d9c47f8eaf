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
        "rosenbrock-trajectories", "rosenbrock-loss", "rosenbrock-lr",
        "saddle-trajectories", "saddle-loss", "saddle-lr",
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

    @Test("every expected figure renders to a valid, non-blank PNG of the stated size, and to SVG")
    func pngs() throws {
        let (plots, figures, files) = try Self.rendered
        #expect(Set(figures.map(\.name)) == Set(Self.expectedFigures))
        #expect(files.count == 2 * figures.count)
        for name in Self.expectedFigures {
            let image = try PNGImage(path: "\(plots)/\(name).png")
            #expect(image.width == PlotStyle.size.width && image.height == PlotStyle.size.height, "\(name)")
            #expect(image.distinctColors > 40, "\(name) has only \(image.distinctColors) colours")
            let svg = try String(contentsOfFile: "\(plots)/\(name).svg", encoding: .utf8)
            #expect(svg.contains("<svg") && svg.contains("</svg>"), "\(name).svg")
        }
    }

    @Test("the run that diverged is marked and the axes keep the window")
    func divergedRun() throws {
        let (plots, _, _) = try Self.rendered
        let script = try String(contentsOfFile: "\(plots)/rosenbrock-trajectories.gp", encoding: .utf8)
        #expect(script.contains("set xrange [-2.0:2.0]"))
        #expect(script.contains("set yrange [-1.0:3.0]"))
        let lr = try String(contentsOfFile: "\(plots)/rosenbrock-lr.dat", encoding: .utf8)
        // SGD at η = 0.1 diverged: its value is nan and it carries a marker.
        let sgd = lr.split(separator: "\n").first { $0.hasPrefix("sgd 0.1 ") }
        #expect(sgd.map { $0.split(separator: " ")[2] == "nan" && $0.split(separator: " ")[3] != "nan" } == true)
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

    @Test("golden text of one script of each kind", arguments: ["rosenbrock-trajectories", "rosenbrock-loss", "rosenbrock-lr", "mnist-ranking"])
    func golden(name: String) throws {
        let (plots, _, _) = try Self.rendered
        let script = try String(contentsOfFile: "\(plots)/\(name).gp", encoding: .utf8)
        let golden = try String(contentsOfFile: "Tests/OptLabTests/Plotting/Golden/\(name).gp", encoding: .utf8)
        #expect(script == golden)
    }

    /// Numbers in the network figures' scripts depend on the training results (best
    /// settings in labels, the colour range), so those goldens compare with every
    /// number replaced by `#`.
    @Test("golden text of the network figures' scripts, numbers masked", arguments: ["mnist-loss", "mnist-heatmap"])
    func maskedGolden(name: String) throws {
        let (plots, _, _) = try Self.rendered
        func masked(_ text: String) -> String {
            text.replacingOccurrences(of: #"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?"#, with: "#", options: .regularExpression)
        }
        let script = try String(contentsOfFile: "\(plots)/\(name).gp", encoding: .utf8)
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
        #expect(image.width == PlotStyle.size.width && image.height == PlotStyle.size.height && image.distinctColors > 40)
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
