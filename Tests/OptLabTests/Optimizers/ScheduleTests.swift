import Foundation
import Testing
import OptLab
import OptLabCommands

/// Learning-rate schedules: their formulas at the points where the two frameworks part,
/// worked by hand; the text form; suites, the command line and the `lr` column of
/// epochs.csv. (The framework replays check 200 steps of each.)
@Suite("Optimizers: learning-rate schedules")
struct ScheduleTests {
    static func rates(_ text: String, _ convention: Convention, _ units: [Int], base: Double = 1) throws -> [Double] {
        let schedule = try LearningRateSchedule.parse(text)
        return units.map { schedule.rate($0, base: base, convention: convention) }
    }

    @Test("multistep changes at the milestone in PyTorch, one unit later in Keras")
    func multistep() throws {
        #expect(try Self.rates("multistep:milestones=3/5,factor=0.5", .pytorch, [2, 3, 4, 5, 6]) == [1, 0.5, 0.5, 0.25, 0.25])
        #expect(try Self.rates("multistep:milestones=3/5,factor=0.5", .keras, [2, 3, 4, 5, 6]) == [1, 1, 0.5, 0.5, 0.25])
    }

    @Test("step and exponential: the same in both conventions")
    func stepAndExponential() throws {
        for convention in Convention.allCases {
            let step = try Self.rates("step:every=2,factor=0.1", convention, [0, 1, 2, 3, 4], base: 10)
            #expect(zip(step, [10, 10, 1, 1, 0.1]).allSatisfy { abs($0 - $1) < 1e-15 })
            let exponential = try Self.rates("exponential:factor=0.5", convention, [0, 1, 3])
            #expect(exponential == [1, 0.5, 0.125])
        }
    }

    @Test("cosine: Keras warms up from 0 and holds the floor after its length; PyTorch from 1/3 and rises again")
    func cosine() throws {
        // warmup 4, steps 8, final 0.5: peak 1 at unit 4, 0.75 half way (unit 8), 0.5 at unit 12;
        // PyTorch's cosine is back at the peak a period later (unit 20).
        let keras = try Self.rates("cosine:steps=8,warmup=4,final=0.5", .keras, [0, 2, 4, 8, 12, 20])
        let torch = try Self.rates("cosine:steps=8,warmup=4,final=0.5", .pytorch, [0, 2, 4, 8, 12, 20])
        #expect(zip(keras, [0, 0.5, 1, 0.75, 0.5, 0.5]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(zip(torch, [1.0 / 3, 2.0 / 3, 1, 0.75, 0.5, 1]).allSatisfy { abs($0 - $1) < 1e-15 })
    }

    @Test("one-cycle: η/25 at the start, η at pct_start·steps − 1, η/(25·10⁴) at the last unit")
    func oneCycle() throws {
        let r = try Self.rates("onecycle:steps=11", .pytorch, [0, 2, 10], base: 1)
        // pct_start 0.3: the first phase ends at unit 0.3·11 − 1 = 2.3; unit 2 is 2/2.3 of the way up.
        let up = 1 + (0.04 - 1) / 2 * (1 + cos(Double.pi * 2 / 2.3))
        #expect(abs(r[0] - 0.04) < 1e-15 && abs(r[1] - up) < 1e-15 && abs(r[2] - 0.04 / 1e4) < 1e-18)
        #expect(try Self.rates("onecycle:steps=11", .keras, [0, 2, 10]) == r)
        #expect(try LearningRateSchedule.parse("onecycle:steps=11").unit == .step)
    }

    @Test("plateau: Keras reduces once patience epochs pass without improvement, PyTorch once more than patience do")
    func plateau() throws {
        func rates(_ convention: Convention, _ metrics: [Double]) throws -> [Double] {
            let spec = OptimizerSpec(kind: .sgd, convention: convention, overrides: ["lr": 1],
                                     schedule: try LearningRateSchedule.parse("plateau:factor=0.5,patience=2,threshold=0"))
            let instance: OptimizerInstance<Double> = try spec.makeInstance(parameterCount: 1)
            return metrics.map { instance.observe($0); return instance.learningRate(forStep: 1) }
        }
        // Best 1 at epoch 0; epochs 1, 2, 3 do not improve.
        #expect(try rates(.keras, [1, 1, 1, 1, 1]) == [1, 1, 0.5, 0.5, 0.25])
        #expect(try rates(.pytorch, [1, 1, 1, 1, 1]) == [1, 1, 1, 0.5, 0.5])
        // Improvement resets the count in both.
        #expect(try rates(.keras, [1, 1, 0.5, 0.5, 0.5]) == [1, 1, 1, 1, 0.5])
        let perStep = #expect(throws: InputError.self) { try LearningRateSchedule.parse("plateau:per=step") }
        #expect(perStep?.message == "schedule plateau is per epoch: it watches a metric at the end of each")
    }

    @Test("the text form reads back; bad schedules are errors that say what was expected")
    func text() throws {
        let schedule = try LearningRateSchedule.parse("cosine:warmup=5,steps=95")
        #expect(schedule.description == "cosine:final=0,per=epoch,steps=95,warmup=5")
        #expect(try LearningRateSchedule.parse(schedule.description) == schedule)
        func message(_ text: String) -> String {
            do { _ = try LearningRateSchedule.parse(text); return "" } catch let e as InputError { return e.message } catch { return "\(error)" }
        }
        #expect(message("cosin:steps=3").contains("did you mean 'cosine'"))
        #expect(message("cosine") == "schedule cosine needs 'steps'")
        #expect(message("step:every=0") == "schedule step: every = 0 is invalid; expected a whole number ≥ 1")
        #expect(message("step:evry=2").contains("did you mean 'every'"))
        #expect(message("multistep:milestones=5/3") == "schedule multistep: milestones must increase, got '5/3'")
        #expect(message("cosine:steps=10,per=batch") == "schedule cosine: per must be step or epoch, got 'batch'")
        let torchStart = #expect(throws: InputError.self) { try LearningRateSchedule.parse("cosine:steps=10,warmup=2,start=0").check(for: .pytorch) }
        #expect(torchStart?.message.contains("needs start > 0") == true)
    }

    @Test("--schedule on the command line, with the same errors")
    func commandLine() throws {
        let spec = try OptimizerOptions.parse(["--optimizer", "sgd", "--schedule", "step:every=10"]).spec()
        #expect(spec.schedule == (try LearningRateSchedule.parse("step:every=10,factor=0.1")))
        #expect(throws: InputError.self) { try OptimizerOptions.parse(["--optimizer", "sgd", "--schedule", "cosine"]).spec() }
    }

    @Test("a suite sweeps schedules, keeps them in run ids, and records the rate of every epoch")
    func suite() throws {
        let root = ExecutionTests.temporaryRoot()
        let text = """
            name: sched
            optimizers:
              - {name: sgd, set: {lr: 0.01}, schedule: [constant, {type: step, every: 2, factor: 0.5}]}
              - {name: momentum, convention: pytorch, schedule: {type: multistep, milestones: [1, 2]}}
            problems:
              - deepobs: {problem: quadratic_deep, epochs: 3, batch_size: 128}
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        let runs = suite.expand()
        #expect(runs.map { $0.optimizer.schedule?.kind } == [nil, .step, .multistep])
        #expect(Set(runs.map(\.id)).count == 3)
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        let epochs = try ResultsStore.readRows(root + "/sched/epochs.csv")
        #expect(epochs[0].last == "lr")
        func lr(_ run: RunSpec) -> [String] { epochs.filter { $0[0] == run.id }.map { $0.last! } }
        #expect(lr(runs[0]) == ["", "0.01", "0.01", "0.01"])     // epoch 0 is before any step
        #expect(lr(runs[1]) == ["", "0.01", "0.01", "0.005"])    // halved from the third epoch (unit 2)
        let third = lr(runs[2]).dropFirst().map { Double($0)! }   // PyTorch: ×0.1 at units 1 and 2
        #expect(lr(runs[2]).first == "" && zip(third, [1e-3, 1e-4, 1e-5]).allSatisfy { abs($0 - $1) < 1e-12 * $1 })
        let error = #expect(throws: InputError.self) {
            try Suite.parse("name: s\noptimizers: [{name: sgd, schedule: {type: cosine}}]\nproblems: [{surface: {surface: quadratic, steps: 5}}]\n", file: "s.yaml")
        }
        #expect(error?.line == 2 && error?.message == "schedule cosine needs 'steps'")
    }
}
