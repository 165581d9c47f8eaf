import Foundation
import Testing
import OptLab
import OptLabCommands

@Suite("Command line: train", .serialized)
struct TrainCommandTests {
    static var dataDirectory: String { TestData.mnistAsTrainingDirectory }

    @Test("bad input exits 2 naming the problem", arguments: [
        (["--dataset", "mnst"], "did you mean 'mnist'?"),
        (["--dataset", "mnist", "--activation", "rleu"], "did you mean 'relu'?"),
        (["--dataset", "mnist", "--layers", "300,x"], "--layers: 'x' is not a valid value"),
        (["--dataset", "mnist", "--dropout", "1.5"], "dropout rate 1.5 is invalid"),
        (["--dataset", "mnist", "--l2", "-1"], "l2 must be a finite number ≥ 0"),
        (["--dataset", "mnist", "--augment", "spin=3"], "unknown augmentation 'spin'"),
        (["--dataset", "mnist", "--optimizer", "adam", "--set", "beta_2=2"], "beta_2 = 2.0 is invalid"),
        (["--dataset", "mnist", "--monitor", "val_los"], "did you mean 'val_loss'?"),
        (["--dataset", "mnist", "--data-dir", "/nonexistent", "--validation", "10"], "the data folder /nonexistent does not exist"),
        (["--dataset", "mnist", "--threads", "100000"], "--threads must be from 1 to 256"),
        (["--dataset", "mnist", "--plot", "run.jpg"], "--plot writes a .png or .svg file"),
        (["--dataset", "mnist", "--layers", "1000000000"], "a hidden layer has 1 to 10000 units"),
        (["--dataset", "mnist", "--seed", "18446744073709551616"], "--seed"),
    ])
    func badInput(arguments: [String], fragment: String) {
        var full = ["train", "--epochs", "1", "--batch-size", "32"] + arguments
        if !arguments.contains("--optimizer") { full += ["--optimizer", "sgd"] }
        if !arguments.contains("--data-dir") { full += ["--data-dir", Self.dataDirectory] }
        let (code, message) = OptLabCommand.execute(full)
        #expect(code == 2)
        #expect(message?.contains(fragment) == true, "message: \(message ?? "nil")")
    }

    @Test("a corrupt data file exits 2 naming the file")
    func corruptData() throws {
        let folder = TestData.scratchRoot + "/optlab-corrupt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            FileManager.default.createFile(atPath: folder + "/" + name, contents: Data([0, 0, 8, 3, 0, 0]))
        }
        let (code, message) = OptLabCommand.execute(["train", "--dataset", "mnist", "--data-dir", folder, "--optimizer", "sgd",
                                                     "--epochs", "1", "--batch-size", "8"])
        #expect(code == 2)
        #expect(message?.contains(folder + "/train-images-idx3-ubyte: truncated IDX header") == true, "\(message ?? "")")
    }

    @Test("train writes the epochs.csv columns, one row per epoch")
    func csv() throws {
        let path = TestData.scratchRoot + "/optlab-train-\(UUID().uuidString).csv"
        let (code, message) = OptLabCommand.execute([
            "train", "--dataset", "mnist", "--data-dir", Self.dataDirectory, "--layers", "32",
            "--optimizer", "momentum", "--lr", "0.1", "--epochs", "2", "--batch-size", "100",
            "--validation", "500", "--l2", "1e-4", "--csv", path, "--run-id", "cli-test",
        ])
        #expect(code == 0, "\(message ?? "")")
        let rows = CSV.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(rows.first == ["run_id", "epoch", "train_loss", "val_loss", "train_acc", "val_acc", "test_acc", "seconds", "grad_rms_1", "grad_rms_2"])
        #expect(rows.count == 3)
        // One positive gradient value per layer (784-32 and 32-10), each in its own numeric column.
        let values = rows[1][8...].compactMap { Double($0) }
        #expect(values.count == 2 && values.allSatisfy { $0 > 0 && $0.isFinite }, "\(rows[1])")
        #expect(rows[1][0] == "cli-test" && rows[1][1] == "1" && rows[2][1] == "2")
        #expect(rows[1][6].isEmpty)              // test accuracy only at the end
        let testAccuracy = try #require(Double(rows[2][6]))
        #expect(testAccuracy > 0.8)
        #expect(Double(rows[2][2])! < Double(rows[1][2])!)
    }

    @Test("a diverging run exits 0 with status diverged")
    func divergence() throws {
        let path = TestData.scratchRoot + "/optlab-diverge-\(UUID().uuidString).csv"
        let (code, _) = OptLabCommand.execute([
            "train", "--dataset", "mnist", "--data-dir", Self.dataDirectory, "--layers", "16", "--activation", "linear",
            "--output", "linear", "--optimizer", "sgd", "--lr", "10000", "--epochs", "3", "--batch-size", "500",
            "--validation", "0", "--csv", path,
        ])
        #expect(code == 0)
        let rows = CSV.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(rows.count == 2)
        // The epoch stopped at the batch whose loss passed 100 times the first batch's.
        let loss = Double(rows[1][2]) ?? .nan
        #expect(!loss.isFinite || loss > 100, "\(rows[1][2])")
    }

    @Test("--plot draws the run's loss and accuracy from its own epochs, in the optimizer's colour",
          .enabled(if: SuitePlotter.gnuplotPath() != nil, "needs gnuplot (apt-get install gnuplot-nox)"))
    func quickLook() throws {
        let root = ExecutionTests.temporaryRoot()
        let (png, csv) = (root + "/run.png", root + "/run.csv")
        let (code, message) = OptLabCommand.execute(["train", "--dataset", "mnist", "--data-dir", Self.dataDirectory,
                                                     "--validation", "100", "--layers", "8", "--epochs", "3", "--batch-size", "50",
                                                     "--optimizer", "momentum", "--csv", csv, "--plot", png])
        #expect(code == 0, "\(message ?? "")")
        let image = try PNGImage(path: png)
        #expect(image.width == 1100 && image.height == 520 && image.distinctColors > 40)
        // Momentum's own colour is in the picture.
        #expect(image.contains(rgb: UInt32(PlotStyle.color("momentum").dropFirst(), radix: 16)!))
        #expect(try CSV.parse(String(contentsOfFile: csv, encoding: .utf8)).count == 4, "header and three epochs")
    }

}
