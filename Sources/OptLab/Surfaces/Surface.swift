/// A point of the plane.
public struct Point: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }

    public func distance(to other: Point) -> Double {
        ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()
    }

    public var description: String { "(\(x), \(y))" }
}

/// A closed interval of one axis.
public struct Interval: Hashable, Sendable {
    public var lower: Double
    public var upper: Double
    public init(_ lower: Double, _ upper: Double) { self.lower = lower; self.upper = upper }
}

/// A synthetic loss function f(x, y) with its analytic gradient, used to watch the path
/// an optimizer takes.
///
/// Surfaces are values: the catalog is ``Surface/all``, and each entry documents its
/// formula, global minima, customary start point and plot window.
public struct Surface: Sendable {
    /// Name used on the command line, in YAML and in CSV.
    public let name: String
    /// One line on what the surface tests.
    public let summary: String
    /// The formula in plain text.
    public let formula: String
    /// Every global minimum (empty when the function is unbounded below).
    public let minima: [Point]
    /// f at the global minima (nil when unbounded below).
    public let minimumValue: Double?
    /// The customary start point of a descent.
    public let start: Point
    /// The plot window.
    public let xRange: Interval
    public let yRange: Interval
    /// Whether contour levels should be log-spaced (the function spans decades).
    public let logScaleLevels: Bool
    private let evaluate: @Sendable (Double, Double) -> (value: Double, dx: Double, dy: Double)

    init(
        name: String, summary: String, formula: String,
        minima: [Point], minimumValue: Double?, start: Point,
        xRange: Interval, yRange: Interval, logScaleLevels: Bool = false,
        evaluate: @escaping @Sendable (Double, Double) -> (value: Double, dx: Double, dy: Double)
    ) {
        self.name = name
        self.summary = summary
        self.formula = formula
        self.minima = minima
        self.minimumValue = minimumValue
        self.start = start
        self.xRange = xRange
        self.yRange = yRange
        self.logScaleLevels = logScaleLevels
        self.evaluate = evaluate
    }

    /// f(x, y).
    public func value(at p: Point) -> Double { evaluate(p.x, p.y).value }

    /// f(x, y) and ∇f(x, y) in one evaluation.
    public func valueAndGradient(at p: Point) -> (value: Double, gradient: Point) {
        let r = evaluate(p.x, p.y)
        return (r.value, Point(r.dx, r.dy))
    }

    /// Distance to the nearest global minimum (nil when there is none).
    public func distanceToNearestMinimum(from p: Point) -> Double? {
        minima.map { p.distance(to: $0) }.min()
    }

    /// Looks a surface up by name, suggesting the nearest on a typo.
    public static func named(_ name: String) throws -> Surface {
        if let surface = all.first(where: { $0.name == name.lowercased() }) { return surface }
        throw InputError(NearestName.unknownMessage(kind: "surface", name: name, valid: all.map(\.name)))
    }
}
