/// Suggestions for misspelt names ("did you mean `rmsprop`?").
public enum NearestName {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a
    /// plausible typo (at most a third of the longer name's length, and at least 2).
    public static func match(_ name: String, in candidates: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best else { return nil }
        let allowed = max(2, max(lowered.count, candidate.count) / 3)
        return distance <= allowed ? candidate : nil
    }

    /// "unknown optimizer 'adamm'; did you mean 'adam'? (valid: sgd, momentum, ...)".
    public static func unknownMessage(kind: String, name: String, valid: [String]) -> String {
        var message = "unknown \(kind) '\(name)'"
        if let suggestion = match(name, in: valid) {
            message += "; did you mean '\(suggestion)'?"
        }
        return message + " (valid: \(valid.joined(separator: ", ")))"
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
