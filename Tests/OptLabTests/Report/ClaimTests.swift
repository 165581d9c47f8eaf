import Testing
import OptLab

/// The course claims' report sections on hand-written CSVs: tables equal values computed
/// here by hand, and each verdict flips when the numbers do.
@Suite("Report: the course material's claims")
struct ClaimTests {
    static func csv(_ header: String, _ rows: [String]) -> [[String]] {
        CSV.parse(([header] + rows).joined(separator: "\n") + "\n")
    }

    static func only(_ sections: [CourseClaims.Section]) throws -> CourseClaims.Section {
        try #require(sections.count == 1, "expected one section, got \(sections.count)")
        return sections[0]
    }

    static func depthRuns(deepAccuracy: (String, String)) -> [[String]] {
        csv("run_id,problem,type,optimizer,layers,repeat,status,final_test_acc", [
            "a,mnist,network,adam,300,0,ok,0.970", "b,mnist,network,adam,300,1,ok,0.972",
            "c,mnist,network,adam,200-100,0,ok,\(deepAccuracy.0)", "d,mnist,network,adam,200-100,1,ok,\(deepAccuracy.1)",
        ])
    }

    @Test("depth: means and spreads per stack; two layers must beat one (by more than the standard error) and reach the stated levels")
    func depth() throws {
        let held = try Self.only(CourseClaims.sections(suite: "depth", runs: Self.depthRuns(deepAccuracy: ("0.979", "0.981"))))
        // Means 0.971 and 0.98; sample std of {0.970, 0.972} is 0.001414 → 0.14 points.
        #expect(held.body.contains("| 300 | 97.10% ± 0.14 | 2 |"))
        #expect(held.body.contains("| 200-100 | 98.00% ± 0.14 | 2 |"))
        #expect(held.verdict == .held)
        #expect(held.reason.hasPrefix("two hidden layers beat one by 0.90 points"))

        let failed = try Self.only(CourseClaims.sections(suite: "depth", runs: Self.depthRuns(deepAccuracy: ("0.965", "0.967"))))
        #expect(failed.verdict == .failed)
        #expect(failed.reason == "two hidden layers did not beat one (-0.50 points), and two layers stayed below 97.5%.")
        #expect(CourseClaims.sections(suite: "surfaces", runs: Self.depthRuns(deepAccuracy: ("0.979", "0.981"))).isEmpty)
    }

    @Test("depth on another dataset: only the ordering is judged, and the reason says so")
    func depthElsewhere() throws {
        func runs(_ deep: (String, String)) -> [[String]] {
            Self.csv("run_id,problem,type,optimizer,layers,repeat,status,final_test_acc", [
                "a,fashion-mnist,network,adam,300,0,ok,0.880", "b,fashion-mnist,network,adam,300,1,ok,0.884",
                "c,fashion-mnist,network,adam,200-100,0,ok,\(deep.0)", "d,fashion-mnist,network,adam,200-100,1,ok,\(deep.1)",
            ])
        }
        let held = try Self.only(CourseClaims.sections(suite: "depth-fashion", runs: runs(("0.886", "0.888"))))
        #expect(held.verdict == .held)
        #expect(held.reason == "two hidden layers beat one by 0.50 points; the 97% and 98% levels are MNIST's and are not checked on fashion-mnist.")
        #expect(held.claim.hasPrefix("Two hidden layers beat one"))
        let failed = try Self.only(CourseClaims.sections(suite: "depth-fashion", runs: runs(("0.878", "0.880"))))
        #expect(failed.verdict == .failed)
        #expect(failed.reason.hasPrefix("two hidden layers did not beat one (-0.30 points)"))
        // Means 0.882 and 0.885; standard error √(0.002828²/2 + 0.007071²/2) = 0.0054.
        let noisy = try Self.only(CourseClaims.sections(suite: "depth-fashion", runs: runs(("0.880", "0.890"))))
        #expect(noisy.verdict == .failed)
        #expect(noisy.reason.hasPrefix("two hidden layers beat one by only 0.30 points, less than the standard error of the difference (0.54 points)"))
    }

    static func regularizationRuns(augmentationVal: String) -> [[String]] {
        csv("run_id,problem,type,optimizer,repeat,status,final_train_acc,final_val_acc,final_test_acc", [
            "a,none,network,adam,0,ok,0.99,0.95,0.95",
            "b,l2,network,adam,0,ok,0.97,0.96,0.96",
            "c,dropout,network,adam,0,ok,0.975,0.96,0.955",
            "d,augmentation,network,adam,0,ok,0.94,\(augmentationVal),0.9",
        ])
    }

    @Test("regularization: the train/validation gap of each against none")
    func regularization() throws {
        let partly = try Self.only(CourseClaims.sections(suite: "regularization", runs: Self.regularizationRuns(augmentationVal: "0.89")))
        #expect(partly.body.contains("| none | 99.00% | 95.00% | 4.00 | 95.00% | 1 |"))
        #expect(partly.body.contains("| augmentation | 94.00% | 89.00% | 5.00 | 90.00% | 1 |"))
        #expect(partly.body.contains("Test accuracy above `none`: `l2`, `dropout`."))
        #expect(partly.verdict == .partly)
        #expect(partly.reason == "2 of 3 regularizers narrowed the gap (`l2`, `dropout`); `augmentation` 5.00 points did not.")

        let held = try Self.only(CourseClaims.sections(suite: "regularization", runs: Self.regularizationRuns(augmentationVal: "0.93")))
        #expect(held.verdict == .held && held.reason == "every regularizer narrowed the train/validation gap.")
    }

    @Test("regularization: a narrower gap within the repeats' spread does not count")
    func regularizationNoise() throws {
        // Gaps: none {4, 2} → 3 ± 1.414; l2 {3.5, 1.5} → 2.5 ± 1.414, standard error of the
        // difference √(2/2 + 2/2) = 1.414 points > 0.5; dropout {1, 1} → 1, difference 2 > 1.0.
        let runs = Self.csv("run_id,problem,type,optimizer,repeat,status,final_train_acc,final_val_acc", [
            "a,none,network,adam,0,ok,0.99,0.95", "b,none,network,adam,1,ok,0.97,0.95",
            "c,l2,network,adam,0,ok,0.985,0.95", "d,l2,network,adam,1,ok,0.965,0.95",
            "e,dropout,network,adam,0,ok,0.96,0.95", "f,dropout,network,adam,1,ok,0.96,0.95",
        ])
        let section = try Self.only(CourseClaims.sections(suite: "regularization", runs: runs))
        #expect(section.verdict == .partly)
        #expect(section.reason == "1 of 2 regularizers narrowed the gap (`dropout`); `l2` 2.50 points (narrower by less than the standard error, 1.41 points) did not.")
    }

    static func batchRuns(stochasticEpochSeconds: String) -> ([[String]], [[String]]) {
        let runs = csv("run_id,problem,type,optimizer,lr,batch_size,repeat,status,final_train_loss,to_train_loss_0.3", [
            "s1,mnist,network,sgd,0.01,1,0,ok,0.2,2", "s2,mnist,network,sgd,0.1,1,0,ok,0.5,",
            "m1,mnist,network,sgd,0.01,10,0,ok,0.4,", "m2,mnist,network,sgd,0.1,10,0,ok,0.25,2",
            "f1,mnist,network,sgd,0.01,1000,0,ok,1.5,", "f2,mnist,network,sgd,0.1,1000,0,ok,0.9,",
        ])
        // seconds: since the run started, at the end of each epoch.
        let (t, t2) = (stochasticEpochSeconds, String(2 * Double(stochasticEpochSeconds)!))
        let epochs = csv("run_id,epoch,train_loss,val_loss,train_acc,val_acc,test_acc,seconds", [
            "s1,1,0.35,,,,,\(t)", "s1,2,0.2,,,,,\(t2)", "s2,1,0.6,,,,,\(t)", "s2,2,0.5,,,,,\(t2)",
            "m1,1,0.6,,,,,1", "m1,2,0.4,,,,,2", "m2,1,0.5,,,,,1", "m2,2,0.25,,,,,2",
            "f1,1,2,,,,,0.5", "f1,2,1.5,,,,,1", "f2,1,1.2,,,,,0.5", "f2,2,0.9,,,,,1",
        ])
        return (runs, epochs)
    }

    @Test("batch size: best lr per size, updates and seconds per epoch, wall time to the target loss")
    func batchSize() throws {
        let (runs, epochs) = Self.batchRuns(stochasticEpochSeconds: "4")
        let held = try Self.only(CourseClaims.sections(suite: "batch-size", runs: runs, epochs: epochs, trainingExamples: ["mnist": 1000]))
        // b = 1 at lr 0.01: 1000 updates, 4 s per epoch, target at epoch 2 → 8 s.
        #expect(held.body.contains("| 1 | stochastic | 0.01 | 1000 | 4.00 | 0.35 | 0.2 | 8.00 (1/1) |"))
        #expect(held.body.contains("| 10 | mini-batch | 0.1 | 100 | 1.00 | 0.5 | 0.25 | 2.00 (1/1) |"))
        #expect(held.body.contains("| 1000 | full batch | 0.1 | 1 | 0.50 | 1.2 | 0.9 | not reached |"))
        #expect(held.body.contains("b = 10 (mini-batch) reached the target loss first in wall time, after 2.00 s."))
        #expect(held.verdict == .held)

        let (fastRuns, fastEpochs) = Self.batchRuns(stochasticEpochSeconds: "0.5")
        let failed = try Self.only(CourseClaims.sections(suite: "batch-size", runs: fastRuns, epochs: fastEpochs, trainingExamples: ["mnist": 1000]))
        #expect(failed.verdict == .failed)
        #expect(failed.reason == "the stochastic run (b = 1) was the fastest, not a mini-batch.")
    }

    static func activationRuns(deepSigmoid: String) -> [[String]] {
        let values: [(String, String, String)] = [
            ("300-100", "sigmoid", "0.96"), ("300-100", "relu", "0.97"), ("300-100", "tanh", "0.965"),
            ("100-100-100-100-100", "sigmoid", deepSigmoid), ("100-100-100-100-100", "relu", "0.97"), ("100-100-100-100-100", "tanh", "0.95"),
        ]
        return csv("run_id,problem,type,optimizer,activation,layers,repeat,status,final_val_acc",
                   values.enumerated().map { "r\($0.offset),mnist,network,momentum,\($0.element.1),\($0.element.0),0,ok,\($0.element.2)" })
    }

    @Test("activations: sigmoid's gap to the best activation, shallow against deep")
    func activations() throws {
        let held = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: "0.90")))
        #expect(held.body.contains("| sigmoid | 96.00% | 90.00% |"))
        #expect(held.body.contains("Sigmoid trails the best activation (relu) by 7.00 points in the 5-layer stack and by 1.00 points (behind relu) in the 2-layer one."))
        #expect(held.verdict == .held)

        let failed = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: "0.962")))
        #expect(failed.verdict == .failed)
        #expect(failed.reason == "in the deep stack tanh, not sigmoid, was the weakest, but its gap to the best did not grow with depth.")
    }

    static func stallRuns(adagradCurve: [String]) -> ([[String]], [[String]]) {
        let runs = csv("run_id,problem,type,optimizer,convention,lr,repeat,status,final_val_acc", [
            "g,mnist,network,sgd,keras,0.1,0,ok,0.95",
            "a1,mnist,network,adagrad,keras,0.01,0,ok,0.9", "a2,mnist,network,adagrad,keras,0.1,0,ok,0.8",
            "m,mnist,network,adam,keras,0.001,0,ok,0.97",
        ])
        var lines: [String] = []
        for (id, curve) in [("g", ["1.0", "0.6", "0.55"]), ("a1", adagradCurve), ("a2", ["2.0", "0.2", "0.1"]), ("m", ["0.5", "0.3", "0.2"])] {
            lines += curve.enumerated().map { "\(id),\($0.offset + 1),\($0.element),,,,,1" }
        }
        return (runs, csv("run_id,epoch,train_loss,val_loss,train_acc,val_acc,test_acc,seconds", lines))
    }

    @Test("activations: per-layer gradient norms in the deep stack, and the ratio that shows them vanishing")
    func gradientNorms() throws {
        // Runs r3, r4, r5 are the deep stack's sigmoid, relu and tanh; five hidden layers and the output.
        let norms = [("r3", "0.001;0.004;0.01;0.03;0.1;0.5"), ("r4", "0.2;0.2;0.2;0.2;0.2;0.5"), ("r5", "0.05;0.06;0.07;0.08;0.1;0.5")]
        let epochs = Self.csv("run_id,epoch,train_loss,val_loss,train_acc,val_acc,test_acc,seconds,grad_norms",
                              norms.flatMap { id, n in [1, 2].map { "\(id),\($0),1,,,,,1,\(n)" } })
        let held = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: "0.90"), epochs: epochs))
        #expect(held.body.contains("| sigmoid | 0.001 | 0.004 | 0.01 | 0.03 | 0.1 | 0.5 | 0.01 |"))
        #expect(held.body.contains("| relu | 0.2 | 0.2 | 0.2 | 0.2 | 0.2 | 0.5 | 1 |"))
        // Per epoch (both epochs carry the same norms here): sigmoid 0.01, relu 1, tanh 0.5.
        #expect(held.body.contains("In the first epoch sigmoid's first hidden layer received 0.01 times the gradient of its last hidden layer (the others: 0.5–1)."))
        #expect(held.body.contains("| epoch | sigmoid | relu | tanh |\n|---:|---:|---:|---:|\n| 1 | 0.01 | 1 | 0.5 |\n| 2 | 0.01 | 1 | 0.5 |\n"))
        #expect(held.verdict == .held)
        // Ratios: sigmoid 0.001/0.1, relu 0.2/0.2, tanh 0.05/0.1.
        #expect(held.reason.hasSuffix("its gradient shrank most on the way to the input (first/last hidden layer ratio 0.01 against 0.5–1 for the others)."))

        // The same accuracies, but relu's gradient vanishes instead: only in part.
        let swapped = epochs.map { $0.map { $0 == "0.2;0.2;0.2;0.2;0.2;0.5" ? "0.0001;0.001;0.01;0.1;0.2;0.5" : $0 } }
        let partly = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: "0.90"), epochs: swapped))
        #expect(partly.verdict == .partly)
        #expect(partly.reason.hasSuffix("the gradient shrank most towards the input with relu (ratio 0.0005 against 0.01–0.5 for the others), not sigmoid."))

        // The same values in this version's layout, one grad_rms_k column per layer: the same tables.
        let columns = "run_id,epoch,train_loss,val_loss,train_acc,val_acc,test_acc,seconds," + (1...6).map { "grad_rms_\($0)" }.joined(separator: ",")
        let perLayer = Self.csv(columns, norms.flatMap { id, n in [1, 2].map { "\(id),\($0),1,,,,,1,\(n.replacingOccurrences(of: ";", with: ","))" } })
        let same = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: "0.90"), epochs: perLayer))
        #expect(same.body == held.body && same.verdict == .held)
    }

    @Test("AdaGrad's stall: further drop after epoch 1 at each optimizer's best setting")
    func adagradStall() throws {
        let (runs, epochs) = Self.stallRuns(adagradCurve: ["0.8", "0.75", "0.7"])
        let held = try Self.only(CourseClaims.sections(suite: "optimizers-mnist", runs: runs, epochs: epochs))
        // Best AdaGrad setting is lr 0.01 (0.9 > 0.8): 1 − 0.7/0.8 = 12.5%; sgd 45%, adam 60%.
        #expect(held.body.contains("| adagrad | 0.8 | 0.7 | 12.50% |"))
        #expect(held.body.contains("| sgd | 1 | 0.55 | 45.00% |"))
        // AdaGrad per learning rate: lr 0.1 runs 2.0 → 0.1, a 95% further drop.
        #expect(held.body.contains("| 0.01 | 0.8 | 0.7 | 12.50% |\n| 0.1 | 2 | 0.1 | 95.00% |"))
        #expect(held.verdict == .held)

        let (fast, fastEpochs) = Self.stallRuns(adagradCurve: ["0.8", "0.5", "0.3"])
        let failed = try Self.only(CourseClaims.sections(suite: "optimizers-mnist", runs: fast, epochs: fastEpochs))
        #expect(failed.verdict == .failed)
        #expect(failed.reason == "on `mnist` AdaGrad's further drop after epoch 1 (62.50%) ranks 3 of 3 from the smallest; the smallest is sgd's (45.00%).")
    }

    @Test("the report carries the claim section with its verdict")
    func inReport() {
        let text = ReportWriter.markdown(suite: "depth", runs: Self.depthRuns(deepAccuracy: ("0.979", "0.981")))
        #expect(text.contains("## Claim: depth"))
        #expect(text.contains("**The claim held on this run**: two hidden layers beat one by 0.90 points"))
    }
}
