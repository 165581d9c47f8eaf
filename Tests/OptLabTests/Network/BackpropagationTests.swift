import Testing
import OptLab

/// Backpropagation against central finite differences on a tiny network (6-5-4-3, four
/// examples). The network computes in Float; the loss is accumulated in Double and the
/// difference step is h = 1e-2, which balances Float rounding (≈ 6e-8·|L|/h) against the
/// O(h²) truncation of central differences. The tolerance is a norm-wise relative error
/// ‖g − g_fd‖/√(‖g‖² + ‖g_fd‖²) of 2e-4, documented here because the computation is not
/// in Double; measured values are 1e-5 to 9e-5, and a 1% error in one activation's
/// derivative gives about 2e-3.
@Suite("Network: backpropagation")
struct BackpropagationTests {
    static let rows = 4, inputs = 6
    static let labels: [UInt8] = [0, 2, 1, 2]

    static func input() -> [Float] {
        var generator = SplitMix64(seed: 7)
        return (0..<(rows * inputs)).map { _ in Float(generator.nextDouble()) }
    }

    /// Loss the network minimises: mean data loss plus the penalty.
    static func loss(_ network: MLP, _ x: [Float], l1: Double, l2: Double, dropout: SplitMix64?) -> Double {
        var generator = dropout
        let data = x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { yp in
                if generator != nil {
                    return withUnsafeMutablePointer(to: &generator!) {
                        network.forward(xp.baseAddress!, rows: rows, labels: yp.baseAddress!, dropout: $0).loss
                    }
                }
                return network.forward(xp.baseAddress!, rows: rows, labels: yp.baseAddress!).loss
            }
        }
        return data + network.penalty(l1: l1, l2: l2)
    }

    static func check(_ architecture: NetworkArchitecture, l1: Double = 0, l2: Double = 0, dropoutSeed: UInt64? = nil) -> Double {
        let network = MLP(architecture: architecture, maxRows: rows)
        var generator = SplitMix64(seed: 3)
        network.initialize(using: &generator)
        // Non-zero biases, so their gradients are exercised too.
        for layer in network.layers {
            for j in 0..<layer.fanOut { network.parameters[layer.biasOffset + j] = Float(generator.nextDouble() - 0.5) * 0.2 }
        }
        let x = input()
        let mask = dropoutSeed.map { SplitMix64(seed: $0) }
        _ = loss(network, x, l1: l1, l2: l2, dropout: mask)
        x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { yp in
                network.backward(xp.baseAddress!, rows: rows, labels: yp.baseAddress!, l1: Float(l1), l2: Float(l2))
            }
        }
        let analytic = network.gradient.array
        var difference = 0.0, magnitude = 0.0
        for (numeric, a) in zip(numericGradient(network, x, l1: l1, l2: l2, dropout: mask), analytic.map(Double.init)) {
            difference += (numeric - a) * (numeric - a)
            magnitude += numeric * numeric + a * a
        }
        return (difference / magnitude).squareRoot()
    }

    /// Central differences of the loss, h = 1e-2, for every parameter.
    static func numericGradient(_ network: MLP, _ x: [Float], l1: Double = 0, l2: Double = 0, dropout mask: SplitMix64? = nil) -> [Double] {
        let h: Float = 1e-2
        return (0..<network.parameters.count).map { i in
            let saved = network.parameters[i]
            network.parameters[i] = saved + h
            let plus = loss(network, x, l1: l1, l2: l2, dropout: mask)
            network.parameters[i] = saved - h
            let minus = loss(network, x, l1: l1, l2: l2, dropout: mask)
            network.parameters[i] = saved
            return (plus - minus) / (2 * Double(h))
        }
    }

    @Test("the recorded per-layer gradient norms are those of the finite-difference gradient's weight blocks")
    func gradientNorms() {
        let network = MLP(architecture: NetworkArchitecture(layerSizes: [6, 5, 4, 3], activation: .sigmoid), maxRows: Self.rows)
        var generator = SplitMix64(seed: 5)
        network.initialize(using: &generator)
        let x = Self.input()
        _ = Self.loss(network, x, l1: 0, l2: 0.01, dropout: nil)
        x.withUnsafeBufferPointer { xp in
            Self.labels.withUnsafeBufferPointer { network.backward(xp.baseAddress!, rows: Self.rows, labels: $0.baseAddress!, l2: 0.01) }
        }
        var norms = [Double](repeating: 0, count: 3)
        network.addWeightGradientNorms(to: &norms)
        network.addWeightGradientNorms(to: &norms)  // sums: twice the norms
        let numeric = Self.numericGradient(network, x, l2: 0.01)
        for (l, layer) in network.layers.enumerated() {
            let block = numeric[layer.weightOffset..<layer.biasOffset]
            let expected = block.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(abs(norms[l] / 2 - expected) < 1e-3 * expected, "layer \(l): \(norms[l] / 2) vs \(expected)")
        }
    }

    static let activations: [Activation] = [.sigmoid, .tanh, .relu, .leakyReLU(slope: 0.1), .elu(alpha: 1), .linear]

    @Test("every activation, every output and loss", arguments: activations, OutputLoss.allCases)
    func gradients(activation: Activation, output: OutputLoss) {
        let error = Self.check(NetworkArchitecture(layerSizes: [6, 5, 4, 3], activation: activation, output: output))
        #expect(error < 2e-4, "relative error \(error)")
    }

    @Test("L1 and L2 penalties on weights", arguments: [(0.01, 0.0), (0.0, 0.05), (0.02, 0.03)])
    func penalties(l1: Double, l2: Double) {
        let error = Self.check(NetworkArchitecture(layerSizes: [6, 5, 4, 3], activation: .tanh), l1: l1, l2: l2)
        #expect(error < 2e-4, "relative error \(error)")
    }

    @Test("dropout: the same mask in forward and backward")
    func dropout() {
        let architecture = NetworkArchitecture(layerSizes: [6, 5, 4, 3], activation: .sigmoid, dropout: [0.4, 0.3])
        let error = Self.check(architecture, dropoutSeed: 11)
        #expect(error < 2e-4, "relative error \(error)")
    }

    @Test("penalty is λ₁·Σ|w| + λ₂·Σw² over weights only, not biases")
    func penaltyValue() {
        let network = MLP(architecture: NetworkArchitecture(layerSizes: [2, 2, 1], activation: .relu), maxRows: 1)
        // Layer 1: W = [[1, −2], [3, −4]], b = [5, 6]; layer 2: W = [[−0.5], [0.25]], b = [100].
        let values: [Float] = [1, -2, 3, -4, 5, 6, -0.5, 0.25, 100]
        for (i, v) in values.enumerated() { network.parameters[i] = v }
        // Σ|w| = 1 + 2 + 3 + 4 + 0.5 + 0.25 = 10.75; Σw² = 1 + 4 + 9 + 16 + 0.25 + 0.0625 = 30.3125.
        #expect(network.penalty(l1: 0.1, l2: 0) == 1.075)
        #expect(network.penalty(l1: 0, l2: 2) == 60.625)
    }

    @Test("softmax cross-entropy of zero logits is log 10 per example")
    func uniformSoftmax() {
        let network = MLP(architecture: NetworkArchitecture(layerSizes: [3, 10], activation: .relu), maxRows: 2)
        let x: [Float] = [1, 2, 3, 4, 5, 6]
        let labels: [UInt8] = [3, 9]
        let (loss, _) = x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { network.forward(xp.baseAddress!, rows: 2, labels: $0.baseAddress!) }
        }
        #expect(abs(loss - 2.302585092994046) < 1e-6)
    }

    @Test("the quadratic cost: finite-difference gradients, and K/2 times the mean squared error's", arguments: [OutputLoss.sigmoid, .linear])
    func quadraticCost(output: OutputLoss) {
        let quadratic = NetworkArchitecture(layerSizes: [6, 5, 4, 3], activation: .sigmoid, output: output, squaredLoss: .quadratic)
        #expect(Self.check(quadratic) < 2e-4)
        // The same weights under both scalings: ½·Σ against (1/3)·Σ over 3 outputs, so the
        // losses and every gradient component differ by the factor (½)/(⅓) = 1.5 = K/2.
        func lossAndGradient(_ loss: SquaredLoss) -> (Double, [Float]) {
            let network = MLP(architecture: NetworkArchitecture(layerSizes: [6, 5, 4, 3], activation: .sigmoid, output: output, squaredLoss: loss),
                              maxRows: Self.rows)
            var generator = SplitMix64(seed: 9)
            network.initialize(using: &generator)
            let x = Self.input()
            let value = Self.loss(network, x, l1: 0, l2: 0, dropout: nil)
            x.withUnsafeBufferPointer { xp in
                Self.labels.withUnsafeBufferPointer { network.backward(xp.baseAddress!, rows: Self.rows, labels: $0.baseAddress!) }
            }
            return (value, network.gradient.array)
        }
        let (mseLoss, mseGradient) = lossAndGradient(.mse)
        let (quadraticLoss, quadraticGradient) = lossAndGradient(.quadratic)
        #expect(abs(quadraticLoss / mseLoss - 1.5) < 1e-6)
        for (q, m) in zip(quadraticGradient, mseGradient) where abs(m) > 1e-7 {
            #expect(abs(q / m - 1.5) < 1e-4)
        }
        // Zero outputs against a one-hot target: ½·(0 − 1)² = 0.5 per example for quadratic.
        let zero = MLP(architecture: NetworkArchitecture(layerSizes: [3, 10], activation: .relu, output: .linear, squaredLoss: .quadratic), maxRows: 2)
        let x: [Float] = [1, 2, 3, 4, 5, 6]
        let labels: [UInt8] = [3, 9]
        let (loss, _) = x.withUnsafeBufferPointer { xp in labels.withUnsafeBufferPointer { zero.forward(xp.baseAddress!, rows: 2, labels: $0.baseAddress!) } }
        #expect(loss == 0.5)
    }
}
