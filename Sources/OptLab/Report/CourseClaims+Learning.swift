import Foundation

/// The claims about how networks learn: vanishing gradients with sigmoid units, and
/// AdaGrad's early stall.
extension CourseClaims {
    // MARK: activations

    static let activationsClaim = "Sigmoid units saturate, so gradients vanish layer by layer: in deeper stacks sigmoid learns slowest, and ReLU-type units (ReLU, leaky ReLU, ELU) do not suffer from it."

    static func activations(_ runs: Table, epochs: Table) -> Section? {
        guard runs.has("activation"), runs.has("layers"), runs.has("final_val_acc") else { return nil }
        let rows = runs.rows.filter { runs.value($0, "type") == "network" }
        let stacks = runs.ordered(rows.map { runs.value($0, "layers") })
        func depth(_ layers: String) -> Int { layers.split(separator: "-").count }
        guard let shallow = stacks.min(by: { depth($0) < depth($1) }), let deep = stacks.max(by: { depth($0) < depth($1) }),
              depth(deep) > depth(shallow) else { return nil }
        let activations = runs.ordered(rows.map { runs.value($0, "activation") })
        guard activations.contains("sigmoid"), activations.count > 1 else { return nil }
        func members(_ stack: String, _ activation: String) -> [[String]] {
            rows.filter { runs.value($0, "layers") == stack && runs.value($0, "activation") == activation }
        }
        // Validation accuracy by seed; a diverged or failed run counts as 0.1, chance on ten classes.
        func accuracy(_ stack: String, _ activation: String) -> [Int: Double] {
            var result: [Int: Double] = [:]
            for row in members(stack, activation) {
                let usable = RunStatus.isUsable(runs.value(row, "status"))
                result[Int(runs.value(row, "repeat")) ?? 0] = usable ? runs.number(row, "final_val_acc") ?? 0.1 : 0.1
            }
            return result
        }
        func meanAccuracy(_ stack: String, _ activation: String) -> Double? {
            let values = Array(accuracy(stack, activation).values)
            return values.isEmpty ? nil : mean(values)
        }
        var body = "| activation | " + stacks.map { "\($0) (\(depth($0)) layers)" }.joined(separator: " | ") + " |\n"
        body += "|---|" + String(repeating: "---:|", count: stacks.count) + "\n"
        for a in activations {
            body += "| \(a) | " + stacks.map { s in meanAccuracy(s, a).map { fixed($0 * 100) + "%" } ?? "—" }.joined(separator: " | ") + " |\n"
        }
        body += "\nValidation accuracy, mean over seeds (a diverged run counts as 10%, chance).\n"
        let others = activations.filter { $0 != "sigmoid" }
        func top(_ stack: String) -> String? { others.compactMap { a in meanAccuracy(stack, a).map { (a, $0) } }.max { $0.1 < $1.1 }?.0 }
        guard let topDeep = top(deep), let topShallow = top(shallow) else { return nil }

        // (1) In the deep stack every other activation beats sigmoid.
        let slowest = PairedEvidence.adjusted(others.map { a in
            PairedEvidence.compare("\(a) − sigmoid", better: accuracy(deep, a), other: accuracy(deep, "sigmoid"))
        })
        // (2) Sigmoid's gap to the best activation grows with depth, seed by seed.
        func gap(_ stack: String, _ best: String) -> [Int: Double] {
            let (b, s) = (accuracy(stack, best), accuracy(stack, "sigmoid"))
            return b.compactMapValues { $0 }.reduce(into: [:]) { result, pair in if let v = s[pair.key] { result[pair.key] = pair.value - v } }
        }
        let grows = PairedEvidence.compare("sigmoid's gap, \(depth(deep)) − \(depth(shallow)) layers", better: gap(deep, topDeep), other: gap(shallow, topShallow))
        body += "\nIn the \(depth(deep))-layer stack, each activation against sigmoid, seed by seed (points of validation accuracy; Wilcoxon signed-rank, Holm's adjustment):\n\n"
        body += slowest.map { "- " + evidenceText($0) + "\n" }.joined()
        body += "\nSigmoid's gap to the best activation (\(topDeep) in the deep stack, \(topShallow) in the shallow one), deep minus shallow: \(evidenceText(grows)).\n"
        var parts: [(String, Verdict)] = [
            (PairedEvidence.combined(slowest.map(\.outcome)) == .holds ? "sigmoid learned slowest in the deep stack"
                : slowest.contains { $0.outcome == .refuted } ? "sigmoid beat " + zip(others, slowest).filter { $0.1.outcome == .refuted }.map(\.0).joined(separator: ", ") + " in the deep stack"
                : "sigmoid was not distinguishably behind " + zip(others, slowest).filter { $0.1.outcome != .holds }.map(\.0).joined(separator: ", ") + " in the deep stack",
             PairedEvidence.combined(slowest.map(\.outcome))),
            (grows.outcome == .holds ? "its gap to the best grew with depth" : grows.outcome == .refuted ? "its gap to the best shrank with depth"
                : "the growth of its gap with depth is not distinguishable from zero", grows.outcome),
        ]
        if let (text, ratioEvidence) = gradientSection(runs, epochs: epochs, deep: deep, activations: activations, members: members) {
            body += text
            let outcome = PairedEvidence.combined(ratioEvidence.map(\.outcome))
            parts.append((outcome == .holds ? "its gradient shrank most on the way to the input"
                          : outcome == .refuted ? "its gradient shrank less on the way to the input than with " + zip(others, ratioEvidence).filter { $0.1.outcome == .refuted }.map(\.0).joined(separator: ", ")
                          : "its gradient's shrinking was not distinguishable from " + zip(others, ratioEvidence).filter { $0.1.outcome != .holds }.map(\.0).joined(separator: ", "),
                          outcome))
        }
        let verdict = PairedEvidence.combined(parts.map(\.1))
        return Section(title: "activations", claim: activationsClaim, body: body, verdict: verdict,
                       reason: parts.map(\.0).joined(separator: "; ") + ".")
    }

    /// Per-weight gradient (root mean square) of each layer of the deep stack, the first to
    /// last hidden layer ratio by epoch, and the ratio of each activation against sigmoid's,
    /// seed by seed (each run's ratio averaged over its epochs).
    static func gradientSection(_ runs: Table, epochs: Table, deep: String, activations: [String],
                                members: (String, String) -> [[String]]) -> (String, [PairedEvidence])? {
        let norms: [(String, [Double])] = activations.compactMap { a in
            let perEpoch = members(deep, a).flatMap { epochs.rows(ofRun: runs.value($0, "run_id")) }.map { epochs.gradientValues($0) }
            guard let width = perEpoch.first?.count, width > 2, perEpoch.allSatisfy({ $0.count == width }) else { return nil }
            return (a, (0..<width).map { l in mean(perEpoch.map { $0[l] }) })
        }
        guard norms.count == activations.count, let layerCount = norms.first?.1.count, norms.allSatisfy({ $0.1.count == layerCount }) else { return nil }
        let layers = deep.split(separator: "-").count
        var body = "\nMean weight gradient of each layer in the \(layers)-layer stack (root mean square per weight, `grad_rms_k`; input side first, output layer last), over epochs and seeds, "
        body += "and the ratio of the first hidden layer's to the last hidden layer's: a small ratio is a gradient that vanishes on its way to the input.\n\n"
        body += "| activation | " + (1..<layerCount).map { "layer \($0)" }.joined(separator: " | ") + " | output | first/last hidden |\n"
        body += "|---|" + String(repeating: "---:|", count: layerCount + 1) + "\n"
        for (a, values) in norms {
            body += "| \(a) | " + values.map { String(format: "%.3g", $0) }.joined(separator: " | ") + " | \(String(format: "%.3g", values[0] / values[layerCount - 2])) |\n"
        }
        // Each run's ratio, mean over its epochs; and the mean ratio epoch by epoch.
        var bySeed: [String: [Int: Double]] = [:]
        var byEpoch: [Int: [String: [Double]]] = [:]
        for a in activations {
            for run in members(deep, a) {
                var ratios: [Double] = []
                for row in epochs.rows(ofRun: runs.value(run, "run_id")) {
                    let n = epochs.gradientValues(row)
                    guard n.count == layerCount, n[layerCount - 2] > 0 else { continue }
                    ratios.append(n[0] / n[layerCount - 2])
                    if let e = epochs.number(row, "epoch") { byEpoch[Int(e), default: [:]][a, default: []].append(n[0] / n[layerCount - 2]) }
                }
                if !ratios.isEmpty { bySeed[a, default: [:]][Int(runs.value(run, "repeat")) ?? 0] = mean(ratios) }
            }
        }
        if byEpoch.count > 1 {
            body += "\nThe first/last hidden layer ratio epoch by epoch (mean over seeds):\n\n"
            body += "| epoch | " + activations.joined(separator: " | ") + " |\n|---:|" + String(repeating: "---:|", count: activations.count) + "\n"
            for e in byEpoch.keys.sorted() {
                body += "| \(e) | " + activations.map { a in byEpoch[e]![a].map { String(format: "%.3g", mean($0)) } ?? "—" }.joined(separator: " | ") + " |\n"
            }
        }
        let others = activations.filter { $0 != "sigmoid" }
        let evidence = PairedEvidence.adjusted(others.map { a in
            PairedEvidence.compare("\(a) − sigmoid", better: bySeed[a] ?? [:], other: bySeed["sigmoid"] ?? [:])
        })
        body += "\nEach activation's first/last hidden layer ratio against sigmoid's, seed by seed (each run's mean over epochs; Wilcoxon signed-rank, Holm's adjustment):\n\n"
        body += evidence.map { "- " + $0.summary(scale: 1, unit: "", digits: 3) + "\n" }.joined()
        return (body, evidence)
    }

    // MARK: AdaGrad's stall

    /// Per network problem: each optimizer's further relative drop in training loss after
    /// its first epoch, at its best setting by validation accuracy, seed by seed.
    static func adagradStall(_ runs: Table, epochs: Table) -> [Section] {
        guard runs.has("optimizer"), epochs.has("train_loss") else { return [] }
        let rows = runs.finished.filter { runs.value($0, "type") == "network" }
        let keys = SuiteSummary.settingColumns(of: runs.header) + ["convention"]
        // The runs of the best setting among `candidates`, by mean validation accuracy.
        func bestSetting(_ candidates: [[String]]) -> [[String]]? {
            var settings: [String: [[String]]] = [:]
            for row in candidates { settings[keys.map { runs.value(row, $0) }.joined(separator: "|"), default: []].append(row) }
            let scored = settings.compactMapValues { members -> Double? in
                let values = members.compactMap { runs.number($0, "final_val_acc") ?? runs.number($0, "final_train_acc") }
                return values.count == members.count ? mean(values) : nil
            }
            return scored.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }).map { settings[$0.key]! }
        }
        // Training loss after epoch 1 and at the end, mean over seeds, and each seed's relative drop.
        func progress(_ members: [[String]]) -> (first: Double, last: Double, drop: Double, bySeed: [Int: Double])? {
            let curves = members.map { epochs.rows(ofRun: runs.value($0, "run_id")).compactMap { epochs.number($0, "train_loss") } }
            let length = curves.map(\.count).min() ?? 0
            guard length >= 3 else { return nil }
            var bySeed: [Int: Double] = [:]
            for (run, curve) in zip(members, curves) { bySeed[Int(runs.value(run, "repeat")) ?? 0] = 1 - curve[length - 1] / curve[0] }
            let first = mean(curves.map { $0[0] }), last = mean(curves.map { $0[length - 1] })
            return (first, last, 1 - last / first, bySeed)
        }
        var sections: [Section] = []
        for problem in runs.ordered(rows.map { runs.value($0, "problem") }) {
            let mine = rows.filter { runs.value($0, "problem") == problem }
            var drops: [(optimizer: String, drop: Double, first: Double, last: Double, bySeed: [Int: Double])] = []
            for optimizer in runs.ordered(mine.map { runs.value($0, "optimizer") }) {
                guard let best = bestSetting(mine.filter { runs.value($0, "optimizer") == optimizer }), let p = progress(best) else { continue }
                drops.append((optimizer, p.drop, p.first, p.last, p.bySeed))
            }
            guard let adagrad = drops.first(where: { $0.optimizer == "adagrad" }), drops.count > 1 else { continue }
            let ranked = drops.sorted { $0.drop < $1.drop }
            var body = "Training loss after the first epoch and at the end, at each optimizer's best setting (by validation accuracy), mean over seeds; "
            body += "a stall is little further progress after the first epoch.\n\n"
            body += "| optimizer | train loss, epoch 1 | final train loss | further drop |\n|---|---:|---:|---:|\n"
            for d in ranked { body += "| \(d.optimizer) | \(String(format: "%.4g", d.first)) | \(String(format: "%.4g", d.last)) | \(fixed(d.drop * 100))% |\n" }
            // AdaGrad across its learning rates: where it stalls, if anywhere.
            let adagradRows = mine.filter { runs.value($0, "optimizer") == "adagrad" }
            let rates = Set(adagradRows.compactMap { runs.number($0, "lr") }).sorted()
            if rates.count > 1 {
                body += "\nAdaGrad at each learning rate (best other settings at each):\n\n"
                body += "| lr | train loss, epoch 1 | final train loss | further drop |\n|---:|---:|---:|---:|\n"
                for rate in rates {
                    guard let best = bestSetting(adagradRows.filter { runs.number($0, "lr") == rate }), let p = progress(best) else { continue }
                    body += "| \(ReportWriter.number(rate)) | \(String(format: "%.4g", p.first)) | \(String(format: "%.4g", p.last)) | \(fixed(p.drop * 100))% |\n"
                }
            }
            let others = drops.filter { $0.optimizer != "adagrad" }
            let family = PairedEvidence.adjusted(others.map { o in
                PairedEvidence.compare("\(o.optimizer) − adagrad", better: o.bySeed, other: adagrad.bySeed)
            })
            body += "\nEach optimizer's further drop against AdaGrad's, seed by seed (points; Wilcoxon signed-rank, Holm's adjustment):\n\n"
            body += family.map { "- " + evidenceText($0) + "\n" }.joined()
            let verdict = PairedEvidence.combined(family.map(\.outcome))
            let rank = ranked.firstIndex { $0.optimizer == "adagrad" }! + 1
            var reason = "on `\(problem)` AdaGrad's further drop after epoch 1 (\(fixed(adagrad.drop * 100))%) ranks \(rank) of \(drops.count) from the smallest"
            switch verdict {
            case .holds: reason += ", distinguishably smaller than every other optimizer's."
            case .refuted: reason += "; " + zip(others, family).filter { $0.1.outcome == .refuted }.map(\.0.optimizer).joined(separator: ", ") + " progressed distinguishably less."
            case .inconclusive: reason += "; not distinguishable from " + zip(others, family).filter { $0.1.outcome != .holds }.map(\.0.optimizer).joined(separator: ", ")
                + (family.contains { $0.note != nil } ? " (too few seeds for a test)" : "") + "."
            }
            sections.append(Section(title: "AdaGrad's early stall (\(problem))", claim: "AdaGrad's accumulated squared gradients only grow, so its steps shrink and training stalls early on deeper networks.",
                                    body: body, verdict: verdict, reason: reason))
        }
        return sections
    }
}
