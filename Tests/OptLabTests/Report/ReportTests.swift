import Foundation
import Testing
import OptLab

/// The report generator on a hand-written runs.csv: its tables equal values computed here
/// by hand, and its conclusions follow the numbers.
@Suite("Report: the momentum exercise and rankings")
struct ReportTests {
    static let header = "run_id,problem,type,optimizer,convention,lr,momentum,repeat,seed,status,epochs,steps,final_train_loss,final_val_loss,final_train_acc,final_val_acc,final_test_acc,best_val_loss,best_val_acc,final_loss,best_loss,final_distance,to_val_acc_0.97,wall_seconds"

    /// (ξ, α, repeat, status, final_val_acc, epochs to val_acc 0.97).
    /// With `overshoot`, ξ = 0.9, α = 0.1 does not diverge but ends at loss 2.5 or 2.7 without
    /// reaching the target.
    static func fixture(plainFast: Bool, overshoot: Bool = false) -> [[String]] {
        let runs: [(Double, Double, Int, String, String, String)] = [
            (0, 0.01, 0, "ok", "0.975", "8"), (0, 0.01, 1, "ok", "0.972", "10"),
            (0, 0.1, 0, "ok", "0.979", plainFast ? "3" : "4"), (0, 0.1, 1, "ok", "0.981", plainFast ? "3" : "4"),
            (0.9, 0.01, 0, "ok", "0.983", "3"), (0.9, 0.01, 1, "ok", "0.985", "4"),
            (0.9, 0.1, 0, overshoot ? "ok" : "diverged", overshoot ? "0.5" : "", ""), (0.9, 0.1, 1, overshoot ? "ok" : "diverged", overshoot ? "0.4" : "", ""),
        ]
        let rows = runs.enumerated().map { i, r in
            let loss = overshoot && i >= 6 ? (i == 6 ? "2.5" : "2.7") : "0.1"
            return "id\(i),mnist,network,momentum,keras,\(r.1),\(r.0),\(r.2),\(r.2 + 7),\(r.3),10,,\(loss),0.1,0.99,\(r.4),\(r.4),0.1,\(r.4),,,,\(r.5),1.5"
        }
        return CSV.parse(([header] + rows).joined(separator: "\n") + "\n")
    }

    @Test("cells, speed-ups, divergence and the effective step, computed by hand")
    func analysis() throws {
        let analyses = MomentumAnalysis.analyses(runsCSV: Self.fixture(plainFast: false))
        let a = try #require(analyses.first)
        #expect(analyses.count == 1 && a.target == "val_acc_0.97" && a.unit == "epochs")
        #expect(a.xis == [0, 0.9] && a.alphas == [0.01, 0.1])
        // Means over the two repeats: (8 + 10)/2 = 9, 4, (3 + 4)/2 = 3.5; ξ = 0.9, α = 0.1 diverged.
        #expect(a.cell(xi: 0, alpha: 0.01)?.meanToTarget == 9)
        #expect(a.cell(xi: 0, alpha: 0.1)?.meanToTarget == 4)
        #expect(a.cell(xi: 0.9, alpha: 0.01)?.meanToTarget == 3.5)
        #expect(a.cell(xi: 0.9, alpha: 0.1)?.diverged == 2)
        // Speed-up at α = 0.01: 9 / 3.5.
        #expect(a.speedUp(xi: 0.9, alpha: 0.01) == 9 / 3.5)
        #expect(a.speedUp(xi: 0.9, alpha: 0.1) == nil)
        #expect(a.fastest?.xi == 0.9 && a.fastest?.alpha == 0.01)
        #expect(a.fastestPlain?.alpha == 0.1)
        // Effective steps 0.01, 0.1, 0.1 stable; 0.1/(1 − 0.9) = 1 diverged.
        let boundary = a.divergenceBoundary
        #expect(abs(boundary.smallestDiverged! - 1) < 1e-12 && abs(boundary.largestStable! - 0.1) < 1e-12)
        // Ranks of effective steps (0.01, 0.1, 0.1) → (1, 2.5, 2.5); of epochs (9, 4, 3.5) → (3, 2, 1): ρ = −√3/2.
        #expect(abs(MomentumAnalysis.spearman([0.01, 0.1, 0.1], [9, 4, 3.5]) + 3.0.squareRoot() / 2) < 1e-12)
        // But three points are too few to report a correlation.
        #expect(a.correlationPoints == 3 && a.effectiveStepCorrelation == nil)
    }

    @Test("the third question seed by seed: fastest momentum cell against plain at its best α")
    func plainVersusMomentum() throws {
        let a = try #require(MomentumAnalysis.analyses(runsCSV: Self.fixture(plainFast: false)).first)
        let c = try #require(a.plainVersusMomentum(budget: 10))
        #expect(c.momentum.xi == 0.9 && c.momentum.alpha == 0.01 && c.plain.xi == 0 && c.plain.alpha == 0.1)
        // Seed 0: plain 4, momentum 3; seed 1: 4 and 4. Differences 1 and 0; the zero is
        // dropped, so W⁺ = 1 of one sign pattern pair: one-sided p = 1/2.
        #expect(c.differences == [1, 0] && c.meanDifference == 0.5 && c.momentumFaster == 1)
        #expect(c.pValue == 0.5 && c.smallestPossibleP == 0.25 && c.interval == nil)
        #expect(c.verdict == .inconclusive)
        let text = ReportWriter.exerciseQuestions([a], runs: Self.fixture(plainFast: false))
        #expect(text.contains("| mnist | ξ = 0.9, α = 0.01 | ξ = 0, α = 0.1 | 4 → 3; 4 → 4 | 0.50 | — | 1/2 | 0.5 | inconclusive (with 2 seeds the test cannot go below p = 0.25) |"), "\(text)")
        // Plain descent missing the target on seed 1 at both α: it is taken at the α that
        // reached it fastest otherwise (0.1: 4 on seed 0), and the miss counts as the budget
        // + 1 = 11 epochs: differences 4 − 3 = 1 and 11 − 4 = 7.
        var rows = Self.fixture(plainFast: false)
        let target = rows[0].firstIndex(of: "to_val_acc_0.97")!
        rows[2][target] = ""
        rows[4][target] = ""
        let censored = try #require(MomentumAnalysis.analyses(runsCSV: rows).first?.plainVersusMomentum(budget: 10))
        #expect(censored.plain.alpha == 0.1 && censored.differences == [1, 7] && censored.meanDifference == 4)
        #expect(censored.pairs.map(\.plain) == [4, nil])
    }

    @Test("the report's tables and sentences")
    func markdown() {
        let text = ReportWriter.markdown(suite: "fixture", runs: Self.fixture(plainFast: false))
        #expect(text.contains("| 0 | 9.0 (2/2) | 4.0 (2/2) |"))
        #expect(text.contains("| 0.9 | 3.5 (2/2) | div |"))
        #expect(text.contains("| 0.9 | 2.57× | — |"))
        #expect(text.contains("| 0.9 | 0.1 | 1 |"))  // effective steps at ξ = 0.9
        #expect(text.contains("reached fastest at ξ = 0.9, α = 0.01: 3.5 epochs"))
        // The largest ξ at the fastest α is the fastest cell itself: three cells, not four.
        #expect(text.contains("Cells drawn in the `mnist-momentum-cells-val_acc_0.97` figure: ξ = 0.9, α = 0.01 (fastest); ξ = 0, α = 0.01 (plain, same α); ξ = 0, α = 0.1 (plain, its best α)."))
        #expect(text.contains("**Momentum converged in fewer epochs**: plain mini-batch descent needed 4.0 epochs at its best α = 0.1, 0.5 more"))
        #expect(text.contains("every setting with α/(1 − ξ) ≤ 0.1 was stable and divergence began at 1"))
        #expect(text.contains("Too few points for a correlation between α/(1 − ξ) and epochs to target: 3 settings reached the target in every repeat (5 needed)."))
        #expect(text.contains("## The exercise's three questions"))
        // Ranking: the best momentum setting by validation accuracy is ξ = 0.9, α = 0.01 (0.984).
        #expect(text.contains("**momentum** ranks first with final_val_acc = 0.984 at lr=0.01 momentum=0.9 (2 runs)."))
        // The evidence columns of the ranking table.
        #expect(text.contains("| rank | optimizer | convention | best setting | final_val_acc | 95% interval | n | diverged | verdict |"))
        // One optimizer: there is nothing to be more robust than.
        #expect(!text.contains("Most robust"))
    }

    @Test("overshooting: large effective steps that neither diverge nor reach the target")
    func overshoot() throws {
        let a = try #require(MomentumAnalysis.analyses(runsCSV: Self.fixture(plainFast: false, overshoot: true)).first)
        #expect(a.overshooting.map { [$0.xi, $0.alpha] } == [[0.9, 0.1]])
        #expect(a.cell(xi: 0.9, alpha: 0.1)?.meanFinalLoss == 2.6)
        let text = ReportWriter.markdown(suite: "fixture", runs: Self.fixture(plainFast: false, overshoot: true))
        #expect(text.contains("- Without diverging, 1 cell whose effective step exceeds every one that reached the target reached it in no repeat: ξ = 0.9, α = 0.1. The largest (α/(1 − ξ) = 1) ended at loss 2.6 against 0.1 for the fastest cell: momentum overshoots."))
        #expect(text.contains("- No run diverged."))
        // With the diverging fixture there is nothing to call overshooting.
        #expect(MomentumAnalysis.analyses(runsCSV: Self.fixture(plainFast: false)).first?.overshooting.isEmpty == true)
    }

    @Test("figure links are relative to the report, also when figures sit beside it")
    func figureLinks() throws {
        let root = TestData.scratchRoot + "/optlab-report-\(UUID().uuidString)"
        for folder in ["results/fixture", "plots/fixture"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try ResultsStore.writeAtomically(root + "/results/fixture/runs.csv", rows: Self.fixture(plainFast: false))
        for folder in ["results/fixture", "plots/fixture"] {
            FileManager.default.createFile(atPath: root + "/\(folder)/mnist-momentum-val_acc_0.97.png", contents: Data())
        }
        let beside = try String(contentsOfFile: ReportWriter.write(resultsDirectory: root + "/results/fixture", plotsDirectory: root + "/results/fixture")[0], encoding: .utf8)
        #expect(beside.contains("[mnist-momentum-val_acc_0.97](./mnist-momentum-val_acc_0.97.png)"))
        let apart = try String(contentsOfFile: ReportWriter.write(resultsDirectory: root + "/results/fixture")[0], encoding: .utf8)
        #expect(apart.contains("[mnist-momentum-val_acc_0.97](../../plots/fixture/mnist-momentum-val_acc_0.97.png)"))
    }

    @Test("the conclusion changes when the numbers do")
    func conclusionFollowsNumbers() {
        let text = ReportWriter.markdown(suite: "fixture", runs: Self.fixture(plainFast: true))
        #expect(text.contains("reached fastest at ξ = 0, α = 0.1: 3.0 epochs"))
        #expect(text.contains("**Momentum did not converge in fewer epochs**: plain mini-batch descent (ξ = 0) at its best α = 0.1 was the fastest of all."))
        #expect(!text.contains("**Momentum converged in fewer epochs**"))
    }

    @Test("most robust is judged on the learning rates every optimizer shares")
    func robustOnSharedRates() throws {
        // adam was tried at 0.01 and 0.1 only (0.90, 0.80); sgd also at 0.001 and 1 (0.10 and
        // diverged) but at the shared rates scores 0.95 and 0.85. On the shared rates sgd
        // averages 0.9 against adam's 0.85; over each one's own grid adam would have won.
        let header = RunsTable.header(sweptKeys: ["lr"], targetColumns: [])
        func row(_ optimizer: String, _ lr: String, _ acc: Double?, _ status: String = "ok") -> [String] {
            header.map { ["run_id": "\(optimizer)\(lr)", "problem": "p", "type": "network", "optimizer": optimizer, "convention": "keras",
                          "lr": lr, "repeat": "0", "seed": "0", "status": status, "final_val_acc": acc.map(CSV.number) ?? ""][$0] ?? "" }
        }
        let rows = [header, row("adam", "0.01", 0.90), row("adam", "0.1", 0.80), row("sgd", "0.001", 0.10), row("sgd", "0.01", 0.95),
                    row("sgd", "0.1", 0.85), row("sgd", "1.0", nil, "diverged")]
        let text = try #require(ReportWriter.robustness(rows, problem: "p", metric: "final_val_acc", higherIsBetter: true))
        #expect(text.contains("**sgd**, whose final_val_acc averaged over the 2 learning rates all optimizers share (best other settings at each) is 0.9."))
        let disjoint = [header, row("adam", "0.01", 0.9), row("adam", "0.1", 0.8), row("sgd", "0.5", 0.9), row("sgd", "1.0", 0.9)]
        #expect(ReportWriter.robustness(disjoint, problem: "p", metric: "final_val_acc", higherIsBetter: true)?.contains("share 0 learning rates") == true)
    }
}

/// The schedules section on hand-built runs: best setting per schedule, paired differences.
@Suite("Report: learning-rate schedules")
struct ScheduleReportTests {
    @Test("each schedule at its own best lr (a diverged setting excluded), the difference to constant paired by seed")
    func schedules() throws {
        let header = "run_id,problem,type,optimizer,convention,lr,schedule,repeat,seed,status,epochs,steps,final_train_loss,final_val_loss,final_train_acc,final_val_acc,final_test_acc,best_val_loss,best_val_acc,final_loss,best_loss,final_distance,wall_seconds"
        // (lr, schedule, seed, status, final_val_acc)
        let runs: [(String, String, Int, String, String)] = [
            ("0.1", "constant", 1, "ok", "0.80"), ("0.1", "constant", 2, "ok", "0.82"),
            ("0.01", "constant", 1, "ok", "0.85"), ("0.01", "constant", 2, "ok", "0.83"),       // best constant: 0.84
            ("0.1", "cosine:steps=9", 1, "ok", "0.95"), ("0.1", "cosine:steps=9", 2, "diverged", ""),  // not eligible
            ("0.01", "cosine:steps=9", 1, "ok", "0.88"), ("0.01", "cosine:steps=9", 2, "ok", "0.84"),  // best cosine: 0.86
        ]
        let rows = runs.enumerated().map { i, r in
            "r\(i),net,network,sgd,keras,\(r.0),\(r.1),\(r.2 - 1),\(r.2),\(r.3),3,,0.1,0.1,0.9,\(r.4),\(r.4),0.1,\(r.4),,,,1"
        }
        let csv = CSV.parse(([header] + rows).joined(separator: "\n") + "\n")
        let report = ReportWriter.markdown(suite: "s", runs: csv)
        let section = try #require(report.components(separatedBy: "### Learning-rate schedules").last)
        // Constant 0.84 ± 0.014 at lr 0.01; cosine 0.86 ± 0.028 at lr 0.01; differences by seed +0.03 and +0.01: mean +0.02.
        #expect(section.contains("| sgd (keras) | 0.84 ± 0.014 (lr=0.01) | 0.86 ± 0.028 (lr=0.01) | +0.02"))
        #expect(section.contains("(n = 2)") && section.contains("With 2 seeds per setting no difference can be called significant"))
    }
}
