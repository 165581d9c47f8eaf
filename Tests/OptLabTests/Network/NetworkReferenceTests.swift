import Foundation
import Testing
import OptLab

/// Small networks trained by PyTorch 2 and Keras 3 themselves (float32), replayed step
/// by step with `MLP` and the optimizers: the same 20-16-8-5 perceptron, starting weights,
/// data and batch order (`scripts/reference/network.py` wrote `Reference/networks.json`).
/// This checks what finite differences cannot: that the losses are the frameworks'
/// (cross-entropy averaged over the batch; squared error averaged over batch and classes;
/// L1 and L2 on weights only), and that a whole training step matches theirs.
@Suite("Network: training steps match PyTorch and Keras")
struct NetworkReferenceTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        var activation: String
        var output: String
        var optimizer: String
        var convention: String
        var hyperparameters: [String: Double]
        var l1: Double
        var l2: Double
        var losses: [Double]
        var final: [Float]
        var testDescription: String { "\(activation)/\(output) \(optimizer) \(convention) l1=\(l1) l2=\(l2)" }
    }

    struct File: Decodable {
        var sizes: [Int]
        var batch: Int
        var epochs: Int
        var leaky_slope: Float
        var inputs: [Float]
        var labels: [UInt8]
        var start: [Float]
        var cases: [Case]
    }

    static let file = TestData.reference("Tests/OptLabTests/Network/Reference/networks.json", as: File.self)

    /// Float32 on both sides, summed in different orders: measured, the losses agree to
    /// 8e-7 and the parameters after 16 steps to 3.5e-6 (Adam, whose normalized steps
    /// amplify rounding most); the bounds leave a factor of about three.
    @Test("every step's loss and the final parameters", arguments: file.cases)
    func training(_ c: Case) throws {
        let f = Self.file
        let architecture = NetworkArchitecture(
            layerSizes: f.sizes, activation: try Activation.parse(c.activation, leakySlope: f.leaky_slope),
            output: try OutputLoss.parse(c.output))
        let network = MLP(architecture: architecture, maxRows: f.batch)
        for (i, value) in f.start.enumerated() { network.parameters[i] = value }
        let spec = OptimizerSpec(kind: try OptimizerKind.parse(c.optimizer), convention: try Convention.parse(c.convention),
                                 overrides: c.hyperparameters)
        let optimizer: OptimizerInstance<Float> = try spec.make().makeInstance(parameterCount: network.parameters.count)
        let inputs = f.sizes[0], rows = f.labels.count
        var losses: [Double] = []
        for _ in 0..<f.epochs {
            for start in stride(from: 0, to: rows, by: f.batch) {
                f.inputs.withUnsafeBufferPointer { x in
                    f.labels.withUnsafeBufferPointer { y in
                        let batchX = x.baseAddress! + start * inputs, batchY = y.baseAddress! + start
                        let (loss, _) = network.forward(batchX, rows: f.batch, labels: batchY)
                        losses.append(loss + network.penalty(l1: c.l1, l2: c.l2))
                        network.backward(batchX, rows: f.batch, labels: batchY, l1: Float(c.l1), l2: Float(c.l2))
                    }
                }
                optimizer.step(network.parameters.buffer, gradient: UnsafeBufferPointer(network.gradient.buffer))
            }
        }
        #expect(losses.count == c.losses.count)
        for (step, (got, want)) in zip(losses, c.losses).enumerated() {
            #expect(abs(got - want) <= 2e-6 * max(1, abs(want)), "step \(step + 1): loss \(got), framework \(want)")
        }
        let worst = zip(network.parameters.array, c.final).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5, "largest parameter difference \(worst)")
        #expect(zip(f.start, c.final).map { abs($0 - $1) }.max()! > 1e-2, "the reference run must move the weights")
    }
}
