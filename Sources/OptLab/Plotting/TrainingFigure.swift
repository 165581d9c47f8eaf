import Foundation

/// `optlab train --plot FILE.png|svg`: the run's loss and accuracy against epoch, drawn
/// from its own epoch records (no second training), in the optimizer's colour.
public enum TrainingFigure {
    /// Draws `records` into `path` (the extension chooses PNG or SVG).
    public static func draw(_ records: [EpochRecord], optimizer: String, title: String, to path: String) throws {
        let format = try Gnuplot.quickLookFormat(of: path)
        let scratch = NSTemporaryDirectory() + "optlab-train-plot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        func value(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "nan" } ?? "nan" }
        var data = "# epoch train_loss val_loss train_acc val_acc test_acc\n"
        for r in records {
            data += "\(r.epoch) \(value(r.trainLoss)) \(value(r.validationLoss)) \(value(r.trainAccuracy)) \(value(r.validationAccuracy)) \(value(r.testAccuracy))\n"
        }
        try Data(data.utf8).write(to: URL(fileURLWithPath: scratch + "/run.dat"))
        let colour = PlotStyle.color(optimizer)
        let hasValidation = records.contains { $0.validationLoss != nil }
        let hasTest = records.contains { $0.testAccuracy != nil }
        var script = PlotStyle.header(name: "run", title: title, source: "optlab train", size: (1100, 520))
        script += """
            set multiplot layout 1,2 margins 0.07,0.97,0.13,0.86 spacing 0.09,0 title "\(Gnuplot.text(title))"
            set xlabel "epoch"
            set key inside top right box opaque font ",10"
            \(records.count <= 20 ? "set xtics 1" : "")
            set title "loss"
            set logscale y
            set autoscale yfix
            set offsets 0, 0, graph 0.05, graph 0.05
            \(SuitePlotter.logTics("y"))
            plot "run.dat" using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb "\(colour)" title "training"\(hasValidation ? ", \\\n     \"\" using 1:3 with linespoints lw 2 dt 2 pt 6 ps 0.6 lc rgb \"\(colour)\" title \"validation\"" : "")
            unset logscale y
            set ytics auto
            set format y "%g"
            set title "accuracy"
            set key inside bottom right
            plot "run.dat" using 1:4 with linespoints lw 2 pt 7 ps 0.6 lc rgb "\(colour)" title "training"\(hasValidation ? ", \\\n     \"\" using 1:5 with linespoints lw 2 dt 2 pt 6 ps 0.6 lc rgb \"\(colour)\" title \"validation\"" : "")\(hasTest ? ", \\\n     \"\" using 1:6 with points pt 5 ps 1.2 lc rgb \"#000000\" title \"test\"" : "")
            unset multiplot

            """
        try Data(script.utf8).write(to: URL(fileURLWithPath: scratch + "/run.gp"))
        try Gnuplot.deliver(try Gnuplot.render(["run"], formats: [format], in: scratch)[0], to: path)
    }
}
