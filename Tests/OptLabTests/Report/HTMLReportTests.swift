import Foundation
import Testing
import OptLab
import OptLabCommands

/// `optlab report --html`: the Markdown rendering, the inline figures, the heavy-ball
/// theory of the momentum lab, and the page in a real browser (headless Chromium).
@Suite("Report: the HTML page and its momentum lab")
struct HTMLReportTests {
    static func folder(_ name: String) -> String {
        let path = TestData.scratchRoot + "/optlab-html-\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every `src` and `href` value of the page: each must stay inside it.
    static func references(_ html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"(?:src|href)\s*=\s*["']([^"']*)["']"#, options: [.caseInsensitive])
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap {
            Range($0.range(at: 1), in: html).map { String(html[$0]) }
        }
    }

    @Test("Markdown becomes HTML: headings, right-aligned table columns, lists, code, bold, escaped text")
    func markdown() throws {
        let dir = Self.folder("md")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = """
            # Report: x

            Generated from `runs.csv` <script>alert(1)</script>.

            ## quadratic

            | rank | optimizer | mean |
            |---:|---|---:|
            | 1 | **adam** | 0.5 \\| 0.6 |

            - first *point*
            - second, with [the data](runs.csv) and [a site](https://example.com)
            """
        let path = try HTMLReport.write(resultsDirectory: dir, markdown: text, labs: [])
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("<h1 id=\"report-x\">Report: x</h1>"))
        #expect(html.contains("<p>Generated from <code>runs.csv</code> &lt;script&gt;alert(1)&lt;/script&gt;.</p>"))
        #expect(html.contains("<h2 id=\"quadratic\">quadratic</h2>"))
        #expect(html.contains("<thead><tr><th class=\"r\">rank</th><th>optimizer</th><th class=\"r\">mean</th></tr></thead>"))
        #expect(html.contains("<tr><td class=\"r\">1</td><td><strong>adam</strong></td><td class=\"r\">0.5 | 0.6</td></tr>"))
        #expect(html.contains("<li>first <em>point</em></li>"))
        #expect(html.contains("<li>second, with the data (<code>runs.csv</code>) and a site (<code>https://example.com</code>)</li>"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"))
        #expect(!html.contains("<script>alert"))
        #expect(Self.references(html).isEmpty)
    }

    @Test("figure links become inline SVG once, ids prefixed per figure; a PNG without SVG is embedded as data")
    func figures() throws {
        let dir = Self.folder("fig")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let svg = """
            <?xml version="1.0" encoding="utf-8"  standalone="no"?>
            <svg viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
            <defs><path id='gpPt0' d='M0,0'/></defs><use xlink:href='#gpPt0'/><g clip-path="url(#clip1)"></g></svg>
            """
        try svg.write(toFile: dir + "/a.svg", atomically: true, encoding: .utf8)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        FileManager.default.createFile(atPath: dir + "/b.png", contents: Data(png))
        let text = "Figures: [a](./a.png), [b](./b.png)\n\nAgain: [a](./a.png); missing: [c](./c.png)\n"
        let html = try String(contentsOfFile: HTMLReport.write(resultsDirectory: dir, markdown: text, labs: []), encoding: .utf8)
        #expect(html.components(separatedBy: "<svg viewBox=\"0 0 10 10\"").count == 2, "inlined exactly once")
        #expect(!html.contains("<?xml"))
        #expect(html.contains("<path id='fig-1-gpPt0'") && html.contains("xlink:href='#fig-1-gpPt0'") && html.contains("url(#fig-1-clip1)"))
        #expect(html.contains("<a href=\"#fig-1\">a</a> (figure above)"))
        #expect(html.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""))
        #expect(html.contains("missing: c (<code>./c.png</code>)"))
        for reference in Self.references(html) {
            #expect(reference.hasPrefix("#") || reference.hasPrefix("data:"), "\(reference)")
        }
    }

    @Test("heavy-ball convergence factor: hand-derived values and the stability boundary")
    func convergenceFactor() {
        // λ = 1, α = 0.1, ξ = 0: z² − 0.9z = 0, ρ = 0.9.
        #expect(abs(MomentumLab.convergenceFactor(alpha: 0.1, xi: 0, eigenvalues: [1]) - 0.9) < 1e-15)
        // λ = 1, α = 1, ξ = 0.25: z² − 0.25z + 0.25, complex roots of modulus √0.25 = 0.5.
        #expect(abs(MomentumLab.convergenceFactor(alpha: 1, xi: 0.25, eigenvalues: [1]) - 0.5) < 1e-15)
        // λ = 10, α = 0.3, ξ = 0: the root 1 − 3 = −2.
        #expect(abs(MomentumLab.convergenceFactor(alpha: 0.3, xi: 0, eigenvalues: [1, 10]) - 2) < 1e-15)
        // On α = 2(1 + ξ)/λ: λ = 10, ξ = 0.5, α = 0.3: z² + 1.5z + 0.5, roots −0.5 and −1.
        #expect(abs(MomentumLab.convergenceFactor(alpha: 0.3, xi: 0.5, eigenvalues: [1, 10]) - 1) < 1e-15)
        // The worse eigenvalue decides: λ = 1 gives 0.99 at α = 0.01, λ = 10 gives 0.9.
        #expect(abs(MomentumLab.convergenceFactor(alpha: 0.01, xi: 0, eigenvalues: [1, 10]) - 0.99) < 1e-15)
        #expect(MomentumLab.predictedSteps(rho: 1, startDistance: 10, tolerance: 1e-3) == nil)
        #expect(MomentumLab.predictedSteps(rho: 0.5, startDistance: 1, tolerance: 1e-3) == 10)   // 2⁻¹⁰ < 1e-3 < 2⁻⁹
    }

    @Test("the predicted steps agree with a descent on the quadratic bowl")
    func predictionMatchesDescent() throws {
        // f = ½(x² + 10y²) from (−8, 3), ξ = 0, α = 0.1: y is 0 after one step and x shrinks
        // by 0.9 a step, so the distance falls below 1e-3 at the first t with 8·0.9ᵗ ≤ 1e-3: 86.
        let spec = OptimizerSpec(kind: .momentum, convention: .keras, overrides: ["lr": 0.1, "momentum": 0])
        let result = Descent(surface: try Surface.named("quadratic"), optimizer: try spec.make(), steps: 200).run()
        let measured = try #require(result.trajectory.first { $0.point.distance(to: Point(0, 0)) <= 1e-3 }).step
        let rho = MomentumLab.convergenceFactor(alpha: 0.1, xi: 0, eigenvalues: [1, 10])
        let predicted = MomentumLab.predictedSteps(rho: rho, startDistance: Point(-8, 3).distance(to: Point(0, 0)), tolerance: 1e-3)
        #expect(measured == 86)
        #expect(predicted == 86)
    }

    static let sweep = """
        name: lab-sweep
        seed: 5
        repeats: 2
        optimizers:
          - name: momentum
            grid: {momentum: [0, 0.5, 0.9], lr: [0.0005, 0.01, 0.1]}
        problems:
          - surface: {surface: quadratic, steps: 400, targets: {distance: 1.0e-3}}
          - surface: {surface: rosenbrock, steps: 2000, targets: {distance: 1.0e-2}}
        """

    @Test("a surface sweep gives one lab per problem: cells, paths of at most 400 points, theory only on the quadratic")
    func labData() throws {
        let root = Self.folder("labdata")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try SuiteRunner(suite: try Suite.parse(Self.sweep, file: "lab-sweep.yaml"), outputRoot: root, log: { _ in }).run()
        let rows = try ResultsStore.readRows(root + "/lab-sweep/runs.csv")
        let labs = try MomentumLab.labs(resultsDirectory: root + "/lab-sweep", runs: rows, suite: try ResolvedSuite.suite(in: root + "/lab-sweep"))
        #expect(labs.map(\.problem) == ["quadratic", "rosenbrock"])
        let quadratic = labs[0]
        #expect(quadratic.cells.count == 9 && quadratic.xis == [0, 0.5, 0.9] && quadratic.alphas == [0.0005, 0.01, 0.1])
        #expect(quadratic.cells.allSatisfy { $0.runs.count == 1 }, "a deterministic surface runs once per setting")
        let theory = try #require(quadratic.theory)
        #expect(theory.eigenvalues == [1, 10])
        #expect(theory.tolerance == 1e-3)
        #expect(labs[1].theory == nil, "Rosenbrock is not a quadratic")
        let paths = try #require(quadratic.paths)
        #expect(paths.count == 9 && paths.values.allSatisfy { $0.x.count <= MomentumLab.maximumPoints && $0.step.first == 0 })
        // The cell ξ = 0, α = 0.1 reaches 1e-3 at step 86, as predicted.
        let k = try #require(quadratic.cells.firstIndex { $0.xi == 0 && $0.alpha == 0.1 })
        #expect(quadratic.targets[0].mean[k] == 86)
        #expect(theory.predicted[k] == 86)
        #expect(!MomentumLab.json(labs).contains("<"))
    }

    @Test("a sweep without targets still gets its lab: the grid marks what diverged")
    func labWithoutTarget() throws {
        let root = Self.folder("notarget")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = """
            name: bare
            optimizers: [{name: momentum, grid: {momentum: [0, 0.9], lr: [0.01, 0.3]}}]
            problems: [{surface: {surface: quadratic, steps: 100}}]
            """
        try SuiteRunner(suite: try Suite.parse(text, file: "bare.yaml"), outputRoot: root, log: { _ in }).run()
        let rows = try ResultsStore.readRows(root + "/bare/runs.csv")
        let labs = try MomentumLab.labs(resultsDirectory: root + "/bare", runs: rows, suite: nil)
        let lab = try #require(labs.first)
        #expect(labs.count == 1 && lab.targets.map(\.name) == ["no target reached"] && lab.theory == nil)
        // ξ = 0.9, α = 0.3 on λ = 10: b = 1.9 − 3 = −1.1, z² + 1.1z + 0.9 has complex roots of
        // modulus √0.9 < 1 — it converges; ξ = 0, α = 0.3: the root 1 − 3 = −2 — it diverges.
        let diverged = zip(lab.cells, lab.targets[0].diverged).filter { $0.1 > 0 }.map { [$0.0.xi, $0.0.alpha] }
        #expect(diverged == [[0, 0.3]])
    }

    static var chromium: String? { executableOnPath("chromium") ?? executableOnPath("chromium-browser") }

    /// Loads `url` in headless Chromium; returns the DOM after the scripts ran and the
    /// console messages (errors included) the page produced.
    static func load(_ url: String, profile: String) throws -> (dom: String, console: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile, "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--disable-extensions", "--enable-logging=stderr", "--log-level=0", "--dump-dom", url]
        let out = Pipe(), logPath = profile + "-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = out
        process.standardError = log
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try log.close()
        let messages = try String(contentsOfFile: logPath, encoding: .utf8)
        return (dom, messages.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init))
    }

    static func attribute(_ name: String, ofElementWithID id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        let element = dom[dom[..<start.lowerBound].lastIndex(of: "<")!...]
        let tag = element[..<(element.firstIndex(of: ">") ?? element.endIndex)]
        guard let value = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[value.upperBound...].prefix { $0 != "\"" })
    }

    @Test("the page in headless Chromium: no console error, nothing requested, ξ and α change the drawn path and curves",
          .enabled(if: chromium != nil, "needs headless Chromium (apt-get install chromium; scripts/setup.sh installs it); skipped"))
    func browser() throws {
        let root = Self.folder("browser")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = Self.sweep.replacingOccurrences(of: "problems:\n", with: """
            problems:
              - network: {name: tiny, dataset: mnist, data_dir: "\(TestData.mnistAsTrainingDirectory)", train_limit: 600, test_limit: 100,
                          validation: 100, layers: [8], epochs: 3, batch_size: 50, targets: {val_acc: 0.5}}

            """)
        try text.write(toFile: root + "/lab-sweep.yaml", atomically: true, encoding: .utf8)
        let (ran, message) = OptLabCommand.execute(["run", root + "/lab-sweep.yaml", "--out", root + "/results", "--plots", root + "/plots"])
        #expect(ran == 0, "\(message ?? "")")
        let (code, reportMessage) = OptLabCommand.execute(["report", root + "/results/lab-sweep", "--plots", root + "/plots/lab-sweep", "--html"])
        #expect(code == 0, "\(reportMessage ?? "")")
        let page = root + "/results/lab-sweep/report.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        // One file, nothing outside it named, every figure inline.
        for reference in Self.references(html) {
            #expect(reference.hasPrefix("#") || reference.hasPrefix("data:"), "the page names \(reference)")
        }
        #expect(html.contains("content=\"\(HTMLReport.contentSecurityPolicy)\""))
        #expect(html.contains("<figure id=\"fig-1\"><svg"))
        #expect(!html.contains(".png)"))

        let profile = root + "/profile"
        let url = URL(fileURLWithPath: page).absoluteString
        let first = try Self.load(url + "#lab=quadratic&xi=0.5&alpha=0.01", profile: profile)
        let second = try Self.load(url + "#lab=quadratic&xi=0.9&alpha=0.1", profile: profile)
        // The Content-Security-Policy turns any request into a console error: none, and no script error.
        #expect(first.console == [] && second.console == [], "\(first.console + second.console)")
        #expect(first.dom.contains("data-lab-ready=\"3\""), "the script built the three labs")
        // Labs in suite order: tiny (network), quadratic, rosenbrock.
        let path1 = try #require(Self.attribute("d", ofElementWithID: "lab-1-path", in: first.dom))
        let path2 = try #require(Self.attribute("d", ofElementWithID: "lab-1-path", in: second.dom))
        #expect(path1.hasPrefix("M") && path2.hasPrefix("M") && path1 != path2, "the path follows the chosen cell")
        #expect(first.dom.contains("ξ = 0.5, α = 0.01 ("), "the readout names the chosen cell")
        #expect(second.dom.contains("ξ = 0.9, α = 0.1 ("))
        // The readout gives the theory's ρ for the cell: λ = 1 and 10, α = 0.01, ξ = 0.5.
        let rho = MomentumLab.convergenceFactor(alpha: 0.01, xi: 0.5, eigenvalues: [1, 10])
        #expect(first.dom.contains("Theory: ρ = \(String(format: "%.4g", rho))"), "ρ = \(rho)")
        // The network lab: another cell, other runs' curves.
        let net1 = try Self.load(url + "#lab=tiny&xi=0&alpha=0.0005", profile: profile)
        let net2 = try Self.load(url + "#lab=tiny&xi=0.9&alpha=0.1", profile: profile)
        #expect(net1.console == [] && net2.console == [])
        func runs(_ dom: String) -> Set<String> {
            let pattern = try! NSRegularExpression(pattern: #"class="curve" data-run="([0-9a-f]+)""#)
            return Set(pattern.matches(in: dom, range: NSRange(dom.startIndex..., in: dom)).compactMap { Range($0.range(at: 1), in: dom).map { String(dom[$0]) } })
        }
        #expect(runs(net1.dom).count == 2 && runs(net2.dom).count == 2, "one curve pair per seed")
        #expect(runs(net1.dom).isDisjoint(with: runs(net2.dom)))
    }
}
