/// The optimizers OptLab knows, in the order lists, tables and figure legends use.
///
/// Adding an optimizer takes its own file (a type conforming to ``Optimizer``: rule,
/// defaults per convention, colour, reference descents) and one line in ``builtIn``;
/// parsing, `optlab list optimizers`, figure colours and the registry-driven tests read
/// the list from here.
public enum OptimizerRegistry {
    /// The nine classic optimizers in increasing order of complexity, then the newer ones.
    public static let builtIn: [any Optimizer.Type] = [
        SGD.self,
        Momentum.self,
        Nesterov.self,
        AdaGrad.self,
        RMSprop.self,
        Adadelta.self,
        Adam.self,
        AdaMax.self,
        Nadam.self,
        AdamW.self,
        Lion.self,
        RAdam.self,
    ]

    /// The optimizers in use: ``builtIn`` unless a caller binds another list for the
    /// duration of a call (`OptimizerRegistry.$registered.withValue(builtIn + [Mine.self]) { ... }`).
    /// Names are resolved to types when a command line or suite is parsed, so runs
    /// carried out on other threads need no binding.
    @TaskLocal public static var registered: [any Optimizer.Type] = builtIn

    /// What is wrong with a list of optimizers, one sentence per defect naming the
    /// optimizer: duplicate or malformed names and colours, a missing or invalid default,
    /// reference descents that are not runnable. Empty when the list is usable.
    public static func defects(of types: [any Optimizer.Type]) -> [String] {
        var problems: [String] = []
        var names: [String: Int] = [:], colours: [String: String] = [:]
        for type in types {
            let name = type.name
            names[name, default: 0] += 1
            if name.isEmpty || name != name.lowercased() || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                problems.append("\(name): the name must be lower-case letters, digits or '_'")
            }
            let colour = type.color
            let hex = colour.dropFirst()
            if !(colour.hasPrefix("#") && hex.count == 6 && hex.allSatisfy(\.isHexDigit)) {
                problems.append("\(name): colour \(colour) is not #RRGGBB")
            } else if let other = colours[colour.lowercased()] {
                problems.append("\(name): colour \(colour) is already \(other)'s")
            } else {
                colours[colour.lowercased()] = name
            }
            for convention in Convention.allCases {
                let parameters = type.hyperparameters(for: convention)
                if !parameters.contains(where: { $0.name == "lr" }) {
                    problems.append("\(name) (\(convention.rawValue)): no 'lr' hyperparameter")
                }
                for p in parameters where !p.domain.contains(p.defaultValue) {
                    problems.append("\(name) (\(convention.rawValue)): default \(p.name) = \(p.defaultValue) is outside \(p.domain.summary)")
                }
                let pair = type.referenceDescents(convention)
                for (surface, setting) in [("quadratic", pair.quadratic), ("rosenbrock", pair.rosenbrock)]
                where !((setting.overrides["lr"] ?? 0) > 0 && setting.steps > 0) {
                    problems.append("\(name) (\(convention.rawValue)): reference descent on \(surface) needs lr > 0 and steps > 0")
                }
            }
        }
        for (name, count) in names.sorted(by: { $0.key < $1.key }) where count > 1 {
            problems.append("\(name): registered \(count) times")
        }
        return problems
    }
}
