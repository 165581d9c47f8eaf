/// How a run ended. The raw values are the `status` column of `runs.csv`.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    /// Completed every step or epoch.
    case ok
    /// The run left the documented bounds: on a surface, the point or the loss became
    /// non-finite, a coordinate left ±1e6 or the loss left ±1e12; on a network, the loss or
    /// a parameter became non-finite or a batch's loss exceeded 100 times the first one's.
    case diverged
    /// Something broke while running (an I/O error); the message says what.
    case failed
    /// Early stopping ended the run before its last epoch.
    case stoppedEarly = "stopped_early"
    /// `stop_at_target` ended the run once every target was reached; the remaining epochs
    /// or steps were not run.
    case stoppedAtTarget = "stopped_at_target"

    /// The run ended normally (ranked): not diverged, not failed.
    public var isUsable: Bool { self == .ok || self == .stoppedEarly || self == .stoppedAtTarget }

    /// The status text of a runs.csv field is a usable run's.
    public static func isUsable(_ text: String) -> Bool { RunStatus(rawValue: text)?.isUsable ?? false }
}

/// One optimizer descending one surface, in Double precision.
public struct Descent: Sendable {
    /// A point beyond this bound on either axis counts as divergence.
    public static let divergenceBound = 1e6
    /// A loss beyond this bound (in absolute value) counts as divergence.
    public static let lossBound = 1e12

    /// One row of a trajectory: `step` 0 is the start.
    public struct Step: Sendable, Equatable {
        public var step: Int
        public var point: Point
        public var loss: Double

        public init(step: Int, point: Point, loss: Double) {
            self.step = step
            self.point = point
            self.loss = loss
        }
    }

    public struct Result: Sendable {
        public var trajectory: [Step]
        public var status: RunStatus
        public var final: Step { trajectory[trajectory.count - 1] }
        /// Distance from the final point to the nearest global minimum.
        public var distanceToMinimum: Double?
    }

    public let surface: Surface
    public let optimizer: any Optimizer
    public let start: Point
    public let steps: Int
    /// Standard deviation σ of the Gaussian noise added to each gradient component.
    public let noise: Double
    /// Seed of the noise (a run's seed), drawn from its own stream.
    public let seed: UInt64
    /// With `stop_at_target`: the targets; the descent ends (status `stopped_at_target`)
    /// at the step where the last of them is first reached.
    public var stopTargets: [@Sendable (Step) -> Bool] = []

    /// A learning-rate schedule (per step or per epoch alike: a descent's epoch is a step),
    /// in the optimizer's convention.
    public var schedule: LearningRateSchedule?

    public init(surface: Surface, optimizer: any Optimizer, start: Point? = nil, steps: Int, noise: Double = 0, seed: UInt64 = 0) {
        precondition(steps >= 0, "steps must be non-negative")
        self.surface = surface
        self.optimizer = optimizer
        self.start = start ?? surface.start
        self.steps = steps
        self.noise = noise
        self.seed = seed
    }

    /// Runs the descent: gradient (plus N(0, σ²) noise per component when `noise` is σ > 0),
    /// optimizer step, record. Stops early with status `diverged` when the point or the
    /// loss becomes non-finite, a coordinate leaves ±``divergenceBound`` or the loss leaves
    /// ±``lossBound``; the row that crossed the bound is kept when it is finite.
    public func run() -> Result {
        let instance: OptimizerInstance<Double> = optimizer.makeInstance(parameterCount: 2)
        instance.follow(schedule, convention: optimizer.convention)
        var parameters = [start.x, start.y]
        var (loss, gradient) = surface.valueAndGradient(at: start)
        var trajectory = [Step(step: 0, point: start, loss: loss)]
        trajectory.reserveCapacity(steps + 1)
        var status = RunStatus.ok
        var noiseGenerator = SplitMix64.derived(seed: seed, stream: "gradient-noise")
        var unreached = stopTargets.filter { !$0(trajectory[0]) }
        if !stopTargets.isEmpty && unreached.isEmpty && steps > 0 { status = .stoppedAtTarget }
        for step in stride(from: 1, through: steps, by: 1) where status == .ok {
            if noise > 0 {
                gradient = Point(gradient.x + noise * noiseGenerator.nextGaussian(), gradient.y + noise * noiseGenerator.nextGaussian())
            }
            instance.epoch = step - 1
            instance.step(&parameters, gradient: [gradient.x, gradient.y])
            let point = Point(parameters[0], parameters[1])
            (loss, gradient) = surface.valueAndGradient(at: point)
            instance.observe(loss)
            let finite = point.x.isFinite && point.y.isFinite && loss.isFinite
            if finite { trajectory.append(Step(step: step, point: point, loss: loss)) }
            if !finite || abs(point.x) > Self.divergenceBound || abs(point.y) > Self.divergenceBound || abs(loss) > Self.lossBound {
                status = .diverged
                break
            }
            if !unreached.isEmpty {
                let current = trajectory[trajectory.count - 1]
                unreached.removeAll { $0(current) }
                if unreached.isEmpty && step < steps { status = .stoppedAtTarget }
            }
        }
        let last = trajectory[trajectory.count - 1].point
        return Result(trajectory: trajectory, status: status,
                      distanceToMinimum: surface.distanceToNearestMinimum(from: last))
    }
}
