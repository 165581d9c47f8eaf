import Foundation

extension Surface {
    /// Every surface, in the order `optlab list surfaces` shows them.
    public static let all: [Surface] = [
        quadratic, rosenbrock, beale, himmelblau, booth, rastrigin, ackley,
        saddle, sixHumpCamel, goldsteinPrice, styblinskiTang,
    ]

    /// Ill-conditioned quadratic bowl (condition number 10).
    ///
    /// ```
    /// f(x, y) = ½·(x² + 10·y²)
    /// ∇f = (x, 10·y)
    /// ```
    /// Minimum f(0, 0) = 0. Curvature is ten times larger along y than along x, so plain
    /// gradient descent zig-zags across the valley while crawling along it: the case
    /// momentum was invented for. Stable for SGD while η < 2/10.
    public static let quadratic = Surface(
        name: "quadratic",
        summary: "ill-conditioned quadratic bowl (condition number 10)",
        formula: "f(x,y) = (x^2 + 10*y^2)/2",
        minima: [Point(0, 0)], minimumValue: 0,
        start: Point(-8, 3), xRange: Interval(-10, 10), yRange: Interval(-4, 4)
    ) { x, y in
        (0.5 * (x * x + 10 * y * y), x, 10 * y)
    }

    /// Rosenbrock's banana valley.
    ///
    /// ```
    /// f(x, y) = (1 − x)² + 100·(y − x²)²
    /// ∇f = (−2(1 − x) − 400·x·(y − x²), 200·(y − x²))
    /// ```
    /// Minimum f(1, 1) = 0, at the end of a long, curved, nearly flat valley.
    public static let rosenbrock = Surface(
        name: "rosenbrock",
        summary: "curved narrow valley (Rosenbrock 1960)",
        formula: "f(x,y) = (1 - x)^2 + 100*(y - x^2)^2",
        minima: [Point(1, 1)], minimumValue: 0,
        start: Point(-2, 2), xRange: Interval(-2, 2), yRange: Interval(-1, 3), logScaleLevels: true
    ) { x, y in
        let r = y - x * x
        return ((1 - x) * (1 - x) + 100 * r * r, -2 * (1 - x) - 400 * x * r, 200 * r)
    }

    /// Beale's function: flat plateaus and sharp ridges.
    ///
    /// ```
    /// f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²
    /// ```
    /// Minimum f(3, 0.5) = 0.
    public static let beale = Surface(
        name: "beale",
        summary: "plateaus and sharp ridges (Beale 1958)",
        formula: "f(x,y) = (1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        minima: [Point(3, 0.5)], minimumValue: 0,
        start: Point(3, 4), xRange: Interval(-4.5, 4.5), yRange: Interval(-4.5, 4.5), logScaleLevels: true
    ) { x, y in
        let a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y * y * y
        let dx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1)
        let dy = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y
        return (a * a + b * b + c * c, dx, dy)
    }

    /// Himmelblau's function: four global minima of equal value.
    ///
    /// ```
    /// f(x, y) = (x² + y − 11)² + (x + y² − 7)²
    /// ```
    /// Minima f = 0 at (3, 2), (−2.805118, 3.131313), (−3.779310, −3.283186),
    /// (3.584428, −1.848127). Which one a run reaches depends on the optimizer's path.
    public static let himmelblau = Surface(
        name: "himmelblau",
        summary: "four global minima of equal value (Himmelblau 1972)",
        formula: "f(x,y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        minima: [
            Point(3, 2),
            Point(-2.805118086952745, 3.131312518250573),
            Point(-3.779310253377747, -3.2831859912861696),
            Point(3.5844283403304917, -1.8481265269644036),
        ],
        minimumValue: 0,
        start: Point(0, 0), xRange: Interval(-5, 5), yRange: Interval(-5, 5), logScaleLevels: true
    ) { x, y in
        let a = x * x + y - 11, b = x + y * y - 7
        return (a * a + b * b, 4 * x * a + 2 * b, 2 * a + 4 * y * b)
    }

    /// Booth's function: a tilted quadratic (Hessian eigenvalues 2 and 18).
    ///
    /// ```
    /// f(x, y) = (x + 2y − 7)² + (2x + y − 5)²
    /// ```
    /// Minimum f(1, 3) = 0.
    public static let booth = Surface(
        name: "booth",
        summary: "tilted quadratic, condition number 9",
        formula: "f(x,y) = (x + 2*y - 7)^2 + (2*x + y - 5)^2",
        minima: [Point(1, 3)], minimumValue: 0,
        start: Point(-8, -8), xRange: Interval(-10, 10), yRange: Interval(-10, 10), logScaleLevels: true
    ) { x, y in
        let a = x + 2 * y - 7, b = 2 * x + y - 5
        return (a * a + b * b, 2 * a + 4 * b, 4 * a + 2 * b)
    }

    /// Rastrigin's function: a bowl covered in a regular grid of local minima.
    ///
    /// ```
    /// f(x, y) = 20 + x² − 10·cos(2πx) + y² − 10·cos(2πy)
    /// ```
    /// Minimum f(0, 0) = 0; local minima near every integer point.
    public static let rastrigin = Surface(
        name: "rastrigin",
        summary: "bowl under a grid of local minima (Rastrigin 1974)",
        formula: "f(x,y) = 20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
        minima: [Point(0, 0)], minimumValue: 0,
        start: Point(-4.5, 4.5), xRange: Interval(-5.12, 5.12), yRange: Interval(-5.12, 5.12)
    ) { x, y in
        let value = 20 + x * x - 10 * cos(2 * .pi * x) + y * y - 10 * cos(2 * .pi * y)
        return (value, 2 * x + 20 * .pi * sin(2 * .pi * x), 2 * y + 20 * .pi * sin(2 * .pi * y))
    }

    /// Ackley's function: a nearly flat, rippled outer region around a deep central hole.
    ///
    /// ```
    /// f(x, y) = −20·exp(−0.2·√(½(x² + y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20
    /// ```
    /// Minimum f(0, 0) = 0. The first term is a cone at the origin, not differentiable
    /// there; the gradient at the origin is taken as 0 (a subgradient).
    public static let ackley = Surface(
        name: "ackley",
        summary: "rippled plateau around a deep central hole (Ackley 1987)",
        formula: "f(x,y) = -20*exp(-0.2*sqrt((x^2+y^2)/2)) - exp((cos(2*pi*x)+cos(2*pi*y))/2) + e + 20",
        minima: [Point(0, 0)], minimumValue: 0,
        start: Point(-4.5, 3.5), xRange: Interval(-5, 5), yRange: Interval(-5, 5)
    ) { x, y in
        let r = (0.5 * (x * x + y * y)).squareRoot()
        let cone = exp(-0.2 * r)
        let ripple = exp(0.5 * (cos(2 * .pi * x) + cos(2 * .pi * y)))
        let value = -20 * cone - ripple + M_E + 20
        // d/dx(−20·e^(−0.2r)) = 4·e^(−0.2r)·∂r/∂x with ∂r/∂x = x/(2r).
        let coneScale = r > 0 ? 2 * cone / r : 0
        return (value, coneScale * x + .pi * sin(2 * .pi * x) * ripple,
                coneScale * y + .pi * sin(2 * .pi * y) * ripple)
    }

    /// The hyperbolic saddle: a stationary point that is not a minimum.
    ///
    /// ```
    /// f(x, y) = x² − y²
    /// ```
    /// Unbounded below: no minimum. Started close to the x axis, a descent first
    /// slides into the saddle point (0, 0) and then must escape along y; how fast it
    /// escapes separates the optimizers. Every run eventually diverges.
    public static let saddle = Surface(
        name: "saddle",
        summary: "saddle point at the origin, unbounded below",
        formula: "f(x,y) = x^2 - y^2",
        minima: [], minimumValue: nil,
        start: Point(-1.5, 1e-3), xRange: Interval(-2, 2), yRange: Interval(-2, 2)
    ) { x, y in
        (x * x - y * y, 2 * x, -2 * y)
    }

    /// The six-hump camel function: two global and four local minima.
    ///
    /// ```
    /// f(x, y) = (4 − 2.1x² + x⁴/3)·x² + xy + (−4 + 4y²)·y²
    /// ```
    /// Minima f = −1.0316284534898774 at (0.0898420131, −0.7126564030) and its mirror.
    public static let sixHumpCamel = Surface(
        name: "six-hump-camel",
        summary: "two global and four local minima",
        formula: "f(x,y) = (4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
        minima: [Point(0.08984201310031807, -0.7126564030207396), Point(-0.08984201310031807, 0.7126564030207396)],
        minimumValue: -1.0316284534898774,
        start: Point(-1.5, -1), xRange: Interval(-3, 3), yRange: Interval(-2, 2)
    ) { x, y in
        let x2 = x * x, y2 = y * y
        let value = (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2
        return (value, 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y2 * y)
    }

    /// The Goldstein–Price function: values spanning six decades, several local minima.
    ///
    /// ```
    /// f(x, y) = [1 + (x + y + 1)²·(19 − 14x + 3x² − 14y + 6xy + 3y²)]
    ///         · [30 + (2x − 3y)²·(18 − 32x + 12x² + 48y − 36xy + 27y²)]
    /// ```
    /// Minimum f(0, −1) = 3.
    public static let goldsteinPrice = Surface(
        name: "goldstein-price",
        summary: "steep walls, values over six decades (Goldstein & Price 1971)",
        formula: "f(x,y) = [1 + (x+y+1)^2*(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)] * [30 + (2x-3y)^2*(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]",
        minima: [Point(0, -1)], minimumValue: 3,
        start: Point(1, 1), xRange: Interval(-2, 2), yRange: Interval(-2, 2), logScaleLevels: true
    ) { x, y in
        let s = x + y + 1, p = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
        let d = 2 * x - 3 * y, q = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
        let a = 1 + s * s * p, b = 30 + d * d * q
        // ∂p/∂x = ∂p/∂y = −14 + 6x + 6y; ∂q/∂x = −32 + 24x − 36y; ∂q/∂y = 48 − 36x + 54y.
        let dpdxy = -14 + 6 * x + 6 * y
        let dadx = 2 * s * p + s * s * dpdxy, dady = dadx
        let dbdx = 4 * d * q + d * d * (-32 + 24 * x - 36 * y)
        let dbdy = -6 * d * q + d * d * (48 - 36 * x + 54 * y)
        return (a * b, dadx * b + a * dbdx, dady * b + a * dbdy)
    }

    /// The Styblinski–Tang function in two dimensions.
    ///
    /// ```
    /// f(x, y) = ½·(x⁴ − 16x² + 5x + y⁴ − 16y² + 5y)
    /// ```
    /// Minimum f = −78.33233140754282 at x = y = −2.903534027771177 (a root of
    /// 4t³ − 32t + 5 = 0); shallower local minima at t ≈ 2.7468 on each axis.
    public static let styblinskiTang = Surface(
        name: "styblinski-tang",
        summary: "one global and three local minima (Styblinski & Tang 1990)",
        formula: "f(x,y) = (x^4 - 16*x^2 + 5*x + y^4 - 16*y^2 + 5*y)/2",
        minima: [Point(-2.903534027771177, -2.903534027771177)], minimumValue: -78.33233140754282,
        start: Point(0, 0), xRange: Interval(-5, 5), yRange: Interval(-5, 5)
    ) { x, y in
        let value = 0.5 * (x * x * x * x - 16 * x * x + 5 * x + y * y * y * y - 16 * y * y + 5 * y)
        return (value, 0.5 * (4 * x * x * x - 32 * x + 5), 0.5 * (4 * y * y * y - 32 * y + 5))
    }
}
