import Testing
import OptLab

/// The course claims' report sections on hand-written CSVs: tables equal values computed
/// here by hand, and each verdict (holds, refuted, inconclusive at 95%) follows the paired
/// evidence. With n seeds all on one side the exact two-sided Wilcoxon p is 2/2ⁿ: 0.03125
/// for 6, 0.0078125 for 8 (0.015625 after Holm's adjustment over two comparisons).
@Suite("Report: the course material's claims")
struct ClaimTests {
    static func csv(_ header: String, _ rows: [String]) -> [[String]] {
        CSV.parse(([header] + rows).joined(separator: "\n") + "\n")
    }

    static func only(_ sections: [CourseClaims.Section]) throws -> CourseClaims.Section {
        try #require(sections.count == 1, "expected one section, got \(sections.count)")
        return sections[0]
    }

    /// One layer: 0.970, 0.971, …, 0.975 over seeds 0–5; two layers: one's value plus `deltas`.
    static func depthRuns(dataset: String = "mnist", deltas: [Double]) -> [[String]] {
        var rows: [String] = []
        for (seed, delta) in deltas.enumerated() {
            let one = 0.970 + 0.001 * Double(seed)
            rows.append("o\(seed),\(dataset),network,adam,300,\(seed),ok,\(one)")
            rows.append("t\(seed),\(dataset),network,adam,200-100,\(seed),ok,\(one + delta)")
        }
        return csv("run_id,problem,type,optimizer,layers,repeat,status,final_test_acc", rows)
    }

    @Test("depth: two layers against one, paired by seed: holds, refuted or inconclusive, with the levels stated")
    func depth() throws {
        let held = try Self.only(CourseClaims.sections(suite: "depth", runs: Self.depthRuns(deltas: [0.008, 0.009, 0.010, 0.011, 0.012, 0.013])))
        // One layer: mean 0.9725, sample std 0.001871; two: mean 0.983, std 0.003742.
        #expect(held.body.contains("| 300 | 97.25% ± 0.19 |"))
        #expect(held.body.contains("| 200-100 | 98.30% ± 0.37 |"))
        #expect(held.verdict == .holds)
        #expect(held.reason.hasPrefix("two hidden layers beat one by 1.05 points (two layers − one layer: +1.05 points ["))
        #expect(held.reason.contains("p = 0.0312, 6 seeds"))
        #expect(held.reason.hasSuffix("The stated levels: one layer 97.25% (about 97% stated; reached), two layers 98.30% (about 98% stated; reached)."))

        let refuted = try Self.only(CourseClaims.sections(suite: "depth", runs: Self.depthRuns(deltas: [-0.001, -0.002, -0.003, -0.004, -0.005, -0.006])))
        #expect(refuted.verdict == .refuted)
        #expect(refuted.reason.hasPrefix("one hidden layer beat two by 0.35 points"))
        #expect(refuted.reason.contains("two layers 96.90% (about 98% stated; not reached)"))

        let mixed = try Self.only(CourseClaims.sections(suite: "depth", runs: Self.depthRuns(deltas: [0.001, -0.002, 0.003, -0.004, 0.005, -0.006])))
        #expect(mixed.verdict == .inconclusive)
        #expect(mixed.reason.hasPrefix("the difference, -0.05 points, is not distinguishable from zero"))

        let few = try Self.only(CourseClaims.sections(suite: "depth", runs: Self.depthRuns(deltas: [0.01, 0.01, 0.01])))
        #expect(few.verdict == .inconclusive)
        #expect(few.reason.contains("(3 paired seeds, 6 needed for a test at 95%)"))
        #expect(CourseClaims.sections(suite: "surfaces", runs: Self.depthRuns(deltas: [0.01])).isEmpty)
    }

    @Test("depth on another dataset: only the ordering is judged, and the reason says so")
    func depthElsewhere() throws {
        let held = try Self.only(CourseClaims.sections(suite: "depth-fashion", runs: Self.depthRuns(dataset: "fashion-mnist", deltas: Array(repeating: 0.005, count: 6))))
        #expect(held.verdict == .holds)
        #expect(held.claim.hasPrefix("Two hidden layers beat one"))
        #expect(held.reason.hasSuffix("; the 97% and 98% levels are MNIST's and are not checked on fashion-mnist."))
    }

    /// Eight seeds: `none` gap 4 points; `l2` 1 point; augmentation's gap per seed from `augmentationGaps`.
    static func regularizationRuns(augmentationGaps: [Double]) -> [[String]] {
        var rows: [String] = []
        for seed in 0..<8 {
            rows.append("n\(seed),none,network,adam,\(seed),ok,0.99,0.95,0.95")
            rows.append("l\(seed),l2,network,adam,\(seed),ok,0.97,0.96,0.96")
            rows.append("a\(seed),augmentation,network,adam,\(seed),ok,\(0.90 + augmentationGaps[seed]),0.90,0.9")
        }
        return csv("run_id,problem,type,optimizer,repeat,status,final_train_acc,final_val_acc,final_test_acc", rows)
    }

    @Test("regularization: each regularizer's gap against none, paired by seed, Holm-adjusted")
    func regularization() throws {
        let refuted = try Self.only(CourseClaims.sections(suite: "regularization", runs: Self.regularizationRuns(augmentationGaps: Array(repeating: 0.06, count: 8))))
        #expect(refuted.body.contains("| none | 99.00% | 95.00% | 4.00 | — | 95.00% | 8 |"))
        // l2 narrows the gap by 3 points on all 8 seeds: p = 2/256, ×2 by Holm = 0.0156.
        #expect(refuted.body.contains("| l2 | 97.00% | 96.00% | 1.00 | +3.00 [+3.00, +3.00], p = 0.0156, 8 seeds | 96.00% | 8 |"))
        #expect(refuted.body.contains("Mean test accuracy above `none`: `l2`."))
        #expect(refuted.verdict == .refuted)
        #expect(refuted.reason == "narrower gap: `l2`; wider gap: `augmentation`.")

        let mixed = try Self.only(CourseClaims.sections(suite: "regularization", runs: Self.regularizationRuns(augmentationGaps: [0.03, 0.05, 0.03, 0.05, 0.03, 0.05, 0.03, 0.05])))
        #expect(mixed.verdict == .inconclusive)
        #expect(mixed.reason == "narrower gap: `l2`; not distinguishable from `none`: `augmentation`.")

        let held = try Self.only(CourseClaims.sections(suite: "regularization", runs: Self.regularizationRuns(augmentationGaps: Array(repeating: 0.02, count: 8))))
        #expect(held.verdict == .holds && held.reason == "every regularizer narrowed the train/validation gap.")
    }

    /// Eight seeds of b = 1 (lr 0.01), 10 (lr 0.1) and 1000 (lr 0.1, never reaching the
    /// target); 1000 training examples. Seconds count from the start of a run.
    static func batchRuns(stochasticEpochSeconds t: Double) -> ([[String]], [[String]]) {
        var runs: [String] = [], epochs: [String] = []
        for seed in 0..<8 {
            runs += ["s\(seed),mnist,network,sgd,0.01,1,\(seed),ok,0.2,2", "m\(seed),mnist,network,sgd,0.1,10,\(seed),ok,0.25,2",
                     "f\(seed),mnist,network,sgd,0.1,1000,\(seed),ok,0.9,"]
            epochs += ["s\(seed),1,0.35,,,,,\(t)", "s\(seed),2,0.2,,,,,\(2 * t)", "m\(seed),1,0.5,,,,,1", "m\(seed),2,0.25,,,,,2",
                       "f\(seed),1,1.2,,,,,0.5", "f\(seed),2,0.9,,,,,1"]
        }
        return (csv("run_id,problem,type,optimizer,lr,batch_size,repeat,status,final_train_loss,to_train_loss_0.3", runs),
                csv("run_id,epoch,train_loss,val_loss,train_acc,val_acc,test_acc,seconds", epochs))
    }

    @Test("batch size: updates and seconds per epoch, seconds to the target, the fastest mini-batch against the others")
    func batchSize() throws {
        let (runs, epochs) = Self.batchRuns(stochasticEpochSeconds: 4)
        let held = try Self.only(CourseClaims.sections(suite: "batch-size", runs: runs, epochs: epochs, trainingExamples: ["mnist": 1000]))
        // b = 1: 1000 updates, 4 s per epoch, target at epoch 2 → 8 s on every seed.
        #expect(held.body.contains("| 1 | stochastic | 0.01 | 1000 | 4.00 | 0.35 | 0.2 | 8.00 (8/8) |"))
        #expect(held.body.contains("| 10 | mini-batch | 0.1 | 100 | 1.00 | 0.5 | 0.25 | 2.00 (8/8) |"))
        #expect(held.body.contains("| 1000 | full batch | 0.1 | 1 | 0.50 | 1.2 | 0.9 | not reached (0/8) |"))
        #expect(held.body.contains("- b = 10 faster than b = 1 by: +6.00 s [+6.00, +6.00], p = 0.0156, 8 seeds"))
        // Against a size that never reached the target there is no time difference to print.
        #expect(held.body.contains("- b = 10 against b = 1000: b = 1000 reached it on 0 of 8 seeds, b = 10 on 8 of 8; Wilcoxon p = 0.0156 over 8 seeds"))
        #expect(held.verdict == .holds)

        let (fastRuns, fastEpochs) = Self.batchRuns(stochasticEpochSeconds: 0.5)
        let refuted = try Self.only(CourseClaims.sections(suite: "batch-size", runs: fastRuns, epochs: fastEpochs, trainingExamples: ["mnist": 1000]))
        #expect(refuted.verdict == .refuted)
        #expect(refuted.reason == "b = 10, the fastest mini-batch size, was slower than b = 1 (stochastic).")
    }

    /// Eight seeds of a shallow (300-100) and a deep (5 × 100) stack with sigmoid, relu and tanh.
    static func activationRuns(deepSigmoid: Double) -> [[String]] {
        let values: [(String, String, Double)] = [
            ("300-100", "sigmoid", 0.96), ("300-100", "relu", 0.97), ("300-100", "tanh", 0.965),
            ("100-100-100-100-100", "sigmoid", deepSigmoid), ("100-100-100-100-100", "relu", 0.97), ("100-100-100-100-100", "tanh", 0.95),
        ]
        var rows: [String] = []
        for seed in 0..<8 {
            for (k, v) in values.enumerated() { rows.append("r\(k)s\(seed),mnist,network,momentum,\(v.1),\(v.0),\(seed),ok,\(v.2)") }
        }
        return csv("run_id,problem,type,optimizer,activation,layers,repeat,status,final_val_acc", rows)
    }

    @Test("activations: sigmoid against the others in the deep stack, and its gap growing with depth")
    func activations() throws {
        let held = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: 0.90)))
        #expect(held.body.contains("| sigmoid | 96.00% | 90.00% |"))
        #expect(held.body.contains("- relu − sigmoid: +7.00 points [+7.00, +7.00], p = 0.0156, 8 seeds"))
        // The gap: 7 points deep (relu), 1 point shallow (relu) → grew by 6 on every seed (one comparison: p = 2/256).
        #expect(held.body.contains("deep minus shallow: sigmoid's gap, 5 − 2 layers: +6.00 points [+6.00, +6.00], p = 0.00781, 8 seeds."))
        #expect(held.verdict == .holds)
        #expect(held.reason == "sigmoid learned slowest in the deep stack; its gap to the best grew with depth.")

        let refuted = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: 0.962)))
        #expect(refuted.verdict == .refuted)
        #expect(refuted.reason == "sigmoid beat tanh in the deep stack; its gap to the best shrank with depth.")
    }

    @Test("activations: per-layer gradients in the deep stack, and the ratio that shows them vanishing, seed by seed")
    func gradientNorms() throws {
        // The deep stack's sigmoid, relu and tanh runs (r3, r4, r5); five hidden layers and the output.
        let norms = [("r3", "0.001;0.004;0.01;0.03;0.1;0.5"), ("r4", "0.2;0.2;0.2;0.2;0.2;0.5"), ("r5", "0.05;0.06;0.07;0.08;0.1;0.5")]
        func epochs(_ norms: [(String, String)]) -> [[String]] {
            let columns = "run_id,epoch,train_loss,val_loss,train_acc,val_acc,test_acc,seconds," + (1...6).map { "grad_rms_\($0)" }.joined(separator: ",")
            return Self.csv(columns, norms.flatMap { id, n in
                (0..<8).flatMap { seed in [1, 2].map { "\(id)s\(seed),\($0),1,,,,,1,\(n.replacingOccurrences(of: ";", with: ","))" } }
            })
        }
        let held = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: 0.90), epochs: epochs(norms)))
        #expect(held.body.contains("| sigmoid | 0.001 | 0.004 | 0.01 | 0.03 | 0.1 | 0.5 | 0.01 |"))
        #expect(held.body.contains("| relu | 0.2 | 0.2 | 0.2 | 0.2 | 0.2 | 0.5 | 1 |"))
        #expect(held.body.contains("| epoch | sigmoid | relu | tanh |\n|---:|---:|---:|---:|\n| 1 | 0.01 | 1 | 0.5 |\n| 2 | 0.01 | 1 | 0.5 |\n"))
        // Ratios: sigmoid 0.001/0.1 = 0.01, relu 1, tanh 0.05/0.1 = 0.5.
        #expect(held.body.contains("- relu − sigmoid: +0.990 [+0.990, +0.990], p = 0.0156, 8 seeds"))
        #expect(held.verdict == .holds)
        #expect(held.reason.hasSuffix("; its gradient shrank most on the way to the input."))

        // The same accuracies, but relu's gradient vanishes more than sigmoid's: refuted.
        let swapped = norms.map { ($0.0, $0.0 == "r4" ? "0.0001;0.001;0.01;0.1;0.2;0.5" : $0.1) }
        let refuted = try Self.only(CourseClaims.sections(suite: "activations", runs: Self.activationRuns(deepSigmoid: 0.90), epochs: epochs(swapped)))
        #expect(refuted.verdict == .refuted)
        #expect(refuted.reason.hasSuffix("; its gradient shrank less on the way to the input than with relu."))
    }

    static func stallRuns(adagradCurve: [String], seeds: Int) -> ([[String]], [[String]]) {
        var runs: [String] = [], lines: [String] = []
        for seed in 0..<seeds {
            runs += ["g\(seed),mnist,network,sgd,keras,0.1,\(seed),ok,0.95", "a\(seed),mnist,network,adagrad,keras,0.01,\(seed),ok,0.9",
                     "b\(seed),mnist,network,adagrad,keras,0.1,\(seed),ok,0.8", "m\(seed),mnist,network,adam,keras,0.001,\(seed),ok,0.97"]
            for (id, curve) in [("g", ["1.0", "0.6", "0.55"]), ("a", adagradCurve), ("b", ["2.0", "0.2", "0.1"]), ("m", ["0.5", "0.3", "0.2"])] {
                lines += curve.enumerated().map { "\(id)\(seed),\($0.offset + 1),\($0.element),,,,,1" }
            }
        }
        return (csv("run_id,problem,type,optimizer,convention,lr,repeat,status,final_val_acc", runs),
                csv("run_id,epoch,train_loss,val_loss,train_acc,val_acc,test_acc,seconds", lines))
    }

    @Test("AdaGrad's stall: further drop after epoch 1 at each optimizer's best setting, against the others by seed")
    func adagradStall() throws {
        let (runs, epochs) = Self.stallRuns(adagradCurve: ["0.8", "0.75", "0.7"], seeds: 8)
        let held = try Self.only(CourseClaims.sections(suite: "optimizers-mnist", runs: runs, epochs: epochs))
        // Best AdaGrad setting is lr 0.01 (0.9 > 0.8): 1 − 0.7/0.8 = 12.5%; sgd 45%, adam 60%.
        #expect(held.body.contains("| adagrad | 0.8 | 0.7 | 12.50% |"))
        #expect(held.body.contains("| sgd | 1 | 0.55 | 45.00% |"))
        #expect(held.body.contains("| 0.01 | 0.8 | 0.7 | 12.50% |\n| 0.1 | 2 | 0.1 | 95.00% |"))
        #expect(held.body.contains("- sgd − adagrad: +32.50 points"))
        #expect(held.verdict == .holds)

        let (fast, fastEpochs) = Self.stallRuns(adagradCurve: ["0.8", "0.5", "0.3"], seeds: 8)
        let refuted = try Self.only(CourseClaims.sections(suite: "optimizers-mnist", runs: fast, epochs: fastEpochs))
        #expect(refuted.verdict == .refuted)
        #expect(refuted.reason == "on `mnist` AdaGrad's further drop after epoch 1 (62.50%) ranks 3 of 3 from the smallest; sgd, adam progressed distinguishably less.")

        let (few, fewEpochs) = Self.stallRuns(adagradCurve: ["0.8", "0.75", "0.7"], seeds: 3)
        let inconclusive = try Self.only(CourseClaims.sections(suite: "optimizers-mnist", runs: few, epochs: fewEpochs))
        #expect(inconclusive.verdict == .inconclusive)
        #expect(inconclusive.reason.hasSuffix("not distinguishable from sgd, adam (too few seeds for a test)."))
    }

    @Test("the report carries the claim section with its verdict")
    func inReport() {
        let text = ReportWriter.markdown(suite: "depth", runs: Self.depthRuns(deltas: [0.008, 0.009, 0.010, 0.011, 0.012, 0.013]))
        #expect(text.contains("## Claim: depth"))
        #expect(text.contains("**Verdict at 95%: the claim holds**: two hidden layers beat one by 1.05 points"))
    }
}
