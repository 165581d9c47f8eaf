import Foundation

/// Figures of a surface problem: descent trajectories over the contour map (and their
/// animation), and the loss against step.
extension SuitePlotter {
    // MARK: Surfaces

    func surfaceFigures(_ problem: Suite.SurfaceProblem, ranking: SuiteSummary.ProblemRanking, runs: Table,
                                paths: [String: [[String]]], source: String) throws -> [Figure] {
        let surface = problem.surface
        let name = problem.name
        let floor = surface.minimumValue ?? 0
        // The function on a 160 × 160 grid (log-scaled above its minimum where it spans decades).
        let n = 160
        let xs = (0..<n).map { surface.xRange.lower + (surface.xRange.upper - surface.xRange.lower) * Double($0) / Double(n - 1) }
        let ys = (0..<n).map { surface.yRange.lower + (surface.yRange.upper - surface.yRange.lower) * Double($0) / Double(n - 1) }
        var grid = "\(n) " + xs.map(Self.fmt).joined(separator: " ") + "\n"
        for y in ys {
            let values = xs.map { x -> Double in
                let f = surface.value(at: Point(x, y))
                return surface.logScaleLevels ? log10(f - floor + 1e-3) : f
            }
            grid += Self.fmt(y) + " " + values.map { String(format: "%.6g", $0) }.joined(separator: " ") + "\n"
        }
        try save(grid, "\(name)-surface.dat")

        // Paths of each optimizer's best run, thinned to at most ~1,500 points.
        var pathText = "# optimizer step x y loss loss_above_minimum\n"
        var blocks: [(entry: SuiteSummary.Entry, every: Int, diverged: Bool)] = []
        var finiteMax = 0.0
        for entry in ranking.entries {
            guard let id = entry.runIDs.first ?? entry.exampleRunID, let rows = paths[id], !rows.isEmpty else { continue }
            let stride = max(1, rows.count / 1500)
            let kept = rows.enumerated().filter { $0.offset % stride == 0 || $0.offset == rows.count - 1 }.map(\.element)
            pathText += "# \(entry.optimizer)\n"
            for row in kept {
                let loss = Double(row[4]) ?? .nan
                let above = max(loss - floor, 1e-16)
                pathText += "\(entry.optimizer) \(row[1]) \(row[2]) \(row[3]) \(row[4]) \(Self.fmt(above))\n"
            }
            pathText += "\n\n"
            let status = runs.rows.first { $0.first == id }.flatMap { RunStatus(rawValue: runs.value($0, "status")) }
            if status != .diverged { finiteMax = max(finiteMax, kept.compactMap { Double($0[4]) }.map { max($0 - floor, 1e-16) }.max() ?? 0) }
            blocks.append((entry, max(1, kept.count / 12), status == .diverged))
        }
        try save(pathText, "\(name)-paths.dat")

        var script = PlotStyle.header(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)", source: source)
        script += """
            set title "\(surface.name): \(surface.formula.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "_", with: "\\\\_"))" noenhanced

            """ + Self.surfaceMap(surface, data: "\(name)-surface.dat")
            + "plot " + Self.surfaceMapLayers(data: "\(name)-surface.dat").joined(separator: ", \\\n     ")
        var layers: [String] = []
        for (i, block) in blocks.enumerated() {
            let color = PlotStyle.color(block.entry.optimizer)
            let suffix = block.diverged ? " [diverged]" : ""
            layers.append("\"\(name)-paths.dat\" index \(i) using 3:4 with lines lw 2 lc rgb \"\(color)\" title \"\(Self.label(block.entry))\(suffix)\"")
            layers.append("\"\(name)-paths.dat\" index \(i) every \(block.every) using 3:4 with points pt 7 ps 0.7 lc rgb \"\(color)\" notitle")
        }
        let start = blocks.first.flatMap { block in (block.entry.runIDs.first ?? block.entry.exampleRunID).flatMap { paths[$0]?.first } }.map { "\($0[2]) \($0[3])" } ?? "\(surface.start.x) \(surface.start.y)"
        script = script.replacingOccurrences(of: "\nplot \"", with: "\n$start << EOD\n\(start)\nEOD\n$minima << EOD\n"
            + surface.minima.map { "\($0.x) \($0.y)" }.joined(separator: "\n") + "\nEOD\nplot \"")
        layers.append("$start using 1:2 with points pt 4 ps 2 lw 2 lc rgb \"#000000\" title \"start\"")
        if !surface.minima.isEmpty {
            layers.append("$minima using 1:2 with points pt 3 ps 2.2 lw 2 lc rgb \"#c00000\" title \"global minimum\"")
        }
        script += ", \\\n     " + layers.joined(separator: ", \\\n     ") + "\n"
        try save(script, "\(name)-trajectories.gp")
        var animation: [Figure] = []
        if animate {
            // The same map, drawn 60 times with the paths cut at a growing step.
            let maxStep = blocks.compactMap { block in (block.entry.runIDs.first ?? block.entry.exampleRunID).flatMap { paths[$0]?.last.flatMap { Int($0[1]) } } }.max() ?? 1
            let setup = script.components(separatedBy: "\nplot \"")[0]
                .replacingOccurrences(of: PlotStyle.header(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)", source: source), with: "")
            var gif = "# Trajectories on \(surface.name) growing step by step. Generated by `optlab plot --animate`\n"
            gif += "# from \(source). Render from this folder: gnuplot \(name)-animation.gp\n"
            gif += "set terminal gif animate delay 8 loop 0 size \(PlotStyle.size.width),\(PlotStyle.size.height) enhanced font \"Helvetica,11\"\n"
            gif += "set output \"\(name)-animation.gif\"\nset encoding utf8\nset key outside right top box opaque\n" + setup + "\n"
            let moving = blocks.enumerated().map { i, block in
                "\"\(name)-paths.dat\" index \(i) using 3:($2 <= S ? $4 : NaN) with lines lw 2 lc rgb \"\(PlotStyle.color(block.entry.optimizer))\" title \"\(Self.label(block.entry))\""
            }
            var frame = Self.surfaceMapLayers(data: "\(name)-surface.dat") + moving
            frame.append("$start using 1:2 with points pt 4 ps 2 lw 2 lc rgb \"#000000\" title \"start\"")
            if !surface.minima.isEmpty { frame.append("$minima using 1:2 with points pt 3 ps 2.2 lw 2 lc rgb \"#c00000\" title \"global minimum\"") }
            gif += "do for [k=1:60] {\n    S = k * \(maxStep) / 60.0\n    set title sprintf(\"\(surface.name): step %d of \(maxStep)\", int(S))\n"
            gif += "    plot " + frame.joined(separator: ", \\\n         ") + "\n}\n"
            try save(gif, "\(name)-animation.gp")
            animation = [Figure(name: "\(name)-animation", title: "Trajectories on \(surface.name), animated")]
        }

        var loss = PlotStyle.header(name: "\(name)-loss", title: "Loss against step on \(surface.name)", source: source)
        let logarithmic = surface.minimumValue != nil
        loss += """
            set title "\(surface.name): loss\(logarithmic ? " above the minimum" : "") against step"
            set xlabel "step"
            set ylabel "\(logarithmic ? "f(x, y) − f_{min}" : "f(x, y)")"
            \(logarithmic ? "set logscale y\nset format y \"10^{%L}\"\n" : "")\(finiteMax > 0 && logarithmic ? "set yrange [*:\(finiteMax * 10)]\n" : "")
            """
        let lossLayers = blocks.enumerated().map { i, block in
            "\"\(name)-paths.dat\" index \(i) using 2:\(logarithmic ? 6 : 5) with lines lw 2 lc rgb \"\(PlotStyle.color(block.entry.optimizer))\" title \"\(Self.label(block.entry))\(block.diverged ? " [diverged]" : "")\""
        }
        loss += "plot " + lossLayers.joined(separator: ", \\\n     ") + "\n"
        try save(loss, "\(name)-loss.gp")
        return [Figure(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)"),
                Figure(name: "\(name)-loss", title: "Loss against step on \(surface.name)")] + animation
    }
}
