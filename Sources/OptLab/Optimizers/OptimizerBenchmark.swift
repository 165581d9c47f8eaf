import Foundation

/// Times one optimizer step over a large Float buffer (the optimizer-step benchmark of
/// BENCHMARKS.md). A benchmark, not a test: it reports, it asserts nothing.
public enum OptimizerBenchmark {
    public struct Measurement: Sendable {
        public var kind: OptimizerKind
        public var convention: Convention
        public var elements: Int
        /// Best of the timed repeats, in seconds.
        public var seconds: Double
        public var nanosecondsPerElement: Double { seconds * 1e9 / Double(elements) }
    }

    /// Runs `warmup` untimed steps then `repeats` timed ones; keeps the fastest.
    public static func measure(_ spec: OptimizerSpec, elements: Int, repeats: Int = 5, warmup: Int = 2) throws -> Measurement {
        let optimizer = try spec.make()
        let instance: OptimizerInstance<Float> = optimizer.makeInstance(parameterCount: elements)
        var parameters = [Float](repeating: 0, count: elements)
        var gradient = [Float](repeating: 0, count: elements)
        var generator = SplitMix64(seed: 1)
        for i in 0..<elements {
            parameters[i] = Float(generator.nextDouble() - 0.5)
            gradient[i] = Float(generator.nextDouble() - 0.5) * 1e-2
        }
        var best = Double.infinity
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                for round in 0..<(warmup + repeats) {
                    let started = DispatchTime.now().uptimeNanoseconds
                    instance.step(p, gradient: g)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                    if round >= warmup { best = min(best, seconds) }
                }
            }
        }
        return Measurement(kind: spec.kind, convention: spec.convention, elements: elements, seconds: best)
    }
}
