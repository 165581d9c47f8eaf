import Foundation
import Testing
import OptLab

@Suite("Surfaces")
struct SurfaceTests {
    /// Central difference with a step scaled to the coordinate.
    static func numericGradient(_ surface: Surface, at p: Point) -> Point {
        let hx = 1e-6 * max(1, abs(p.x)), hy = 1e-6 * max(1, abs(p.y))
        let dx = (surface.value(at: Point(p.x + hx, p.y)) - surface.value(at: Point(p.x - hx, p.y))) / (2 * hx)
        let dy = (surface.value(at: Point(p.x, p.y + hy)) - surface.value(at: Point(p.x, p.y - hy))) / (2 * hy)
        return Point(dx, dy)
    }

    @Test("the catalog has the eleven surfaces")
    func catalog() {
        #expect(Surface.all.map(\.name) == [
            "quadratic", "rosenbrock", "beale", "himmelblau", "booth", "rastrigin", "ackley",
            "saddle", "six-hump-camel", "goldstein-price", "styblinski-tang",
        ])
    }

    @Test("analytic gradient matches central differences at 50 random points",
          arguments: Surface.all.map(\.name))
    func gradient(name: String) throws {
        let surface = try Surface.named(name)
        var generator = SplitMix64(seed: 42)
        for _ in 0..<50 {
            let p = Point(
                surface.xRange.lower + generator.nextDouble() * (surface.xRange.upper - surface.xRange.lower),
                surface.yRange.lower + generator.nextDouble() * (surface.yRange.upper - surface.yRange.lower))
            let analytic = surface.valueAndGradient(at: p).gradient
            let numeric = Self.numericGradient(surface, at: p)
            // Relative to the gradient's size and to f's (finite-difference rounding
            // grows with |f|/h: Goldstein–Price reaches 1e6).
            let scale = max(1, abs(analytic.x), abs(analytic.y), abs(surface.value(at: p)) * 1e-3)
            #expect(abs(analytic.x - numeric.x) <= 1e-5 * scale, "∂f/∂x at \(p): \(analytic.x) vs \(numeric.x)")
            #expect(abs(analytic.y - numeric.y) <= 1e-5 * scale, "∂f/∂y at \(p): \(analytic.y) vs \(numeric.y)")
        }
    }

    @Test("every listed minimum has zero gradient, the stated value, and nothing lower nearby",
          arguments: Surface.all.filter { !$0.minima.isEmpty }.map(\.name))
    func minima(name: String) throws {
        let surface = try Surface.named(name)
        let value = try #require(surface.minimumValue)
        for minimum in surface.minima {
            let (f, g) = surface.valueAndGradient(at: minimum)
            #expect(abs(f - value) <= 1e-9 * max(1, abs(value)), "f\(minimum) = \(f), stated \(value)")
            #expect(abs(g.x) <= 1e-6 && abs(g.y) <= 1e-6, "∇f\(minimum) = \(g)")
            // A ring of neighbours is no lower: the point is a local minimum.
            for k in 0..<16 {
                let angle = Double(k) * .pi / 8
                let neighbour = Point(minimum.x + 1e-3 * cos(angle), minimum.y + 1e-3 * sin(angle))
                #expect(surface.value(at: neighbour) >= f)
            }
        }
    }

    @Test("windows contain the start and the minima")
    func windows() {
        for surface in Surface.all {
            for p in surface.minima + [surface.start] {
                #expect(surface.xRange.lower <= p.x && p.x <= surface.xRange.upper, "\(surface.name) \(p)")
                #expect(surface.yRange.lower <= p.y && p.y <= surface.yRange.upper, "\(surface.name) \(p)")
            }
        }
    }

    @Test("customary starts: Rosenbrock (−2, 2), Beale (3, 4)")
    func customaryStarts() throws {
        #expect(try Surface.named("rosenbrock").start == Point(-2, 2))
        #expect(try Surface.named("beale").start == Point(3, 4))
        #expect(try Surface.named("rosenbrock").xRange == Interval(-2, 2))
        #expect(try Surface.named("rosenbrock").yRange == Interval(-1, 3))
    }

    @Test("a descent that blows up stops as diverged and keeps only finite rows")
    func divergence() throws {
        // SGD with η = 0.3 on the bowl: the y factor is 1 − 0.3·10 = −2 per step, so
        // |y| = 3·2ᵗ and f ≈ 5·y² = 45·4ᵗ, which passes the loss bound 1e12 at t = 18
        // (7.7e11 at t = 17, 3.1e12 at t = 18), a step before |y| passes 1e6.
        let spec = OptimizerSpec(kind: .sgd, overrides: ["lr": 0.3])
        let result = Descent(surface: .quadratic, optimizer: try spec.make(), steps: 1000).run()
        #expect(result.status == .diverged)
        #expect(result.final.step == 18)
        #expect(result.trajectory.allSatisfy { $0.loss.isFinite })
        #expect(abs(result.final.point.y) == 3 * pow(2, 18))
    }

    @Test("on the saddle, momentum escapes exponentially and Adam linearly")
    func saddle() throws {
        // Along y, f = −y²: momentum's velocity compounds, so |y| grows geometrically
        // and passes 1e6 (diverged) within a few hundred steps.
        let momentum = try OptimizerSpec(kind: .momentum, overrides: ["lr": 0.1]).make()
        let escaped = Descent(surface: .saddle, optimizer: momentum, steps: 1000).run()
        #expect(escaped.distanceToMinimum == nil)
        #expect(escaped.status == .diverged)
        #expect(escaped.final.step < 300)
        // Adam normalises the gradient: each step moves y by at most about
        // η·(1 − β₁)/√(1 − β₂) ≈ 3.2η, so after 1000 steps |y| is between 10 and 320.
        let adam = try OptimizerSpec(kind: .adam, overrides: ["lr": 0.1]).make()
        let crawled = Descent(surface: .saddle, optimizer: adam, steps: 1000).run()
        #expect(crawled.status == .ok)
        #expect(abs(crawled.final.point.y) > 10 && abs(crawled.final.point.y) < 320)
    }
}
