/// Suggestions for misspelt names ("did you mean `rmsprop`?").
public enum NearestName {
    /// The candidate closest to `name`, if it is close enough to be a plausible typo.
    ///
    /// Candidates are ranked by edit distance counting a swap of neighbours as one edit
    /// (`rmpsrop` → `rmsprop`), then by whether every letter typed appears in the
    /// candidate in order (`adamx` → `adamax` rather than `adam`), then by the length of
    /// the shared prefix. A candidate is close enough within max(2, a third of the longer
    /// name's length) edits, or when it starts with what was typed (3 letters or more).
    public static func match(_ name: String, in candidates: [String]) -> String? {
        let typed = name.lowercased()
        var best: (candidate: String, rank: (Int, Int, Int))?
        for candidate in candidates {
            let lowered = candidate.lowercased()
            let distance = editDistance(typed, lowered)
            let isPrefix = typed.count >= 3 && lowered.hasPrefix(typed)
            guard distance <= max(2, max(typed.count, lowered.count) / 3) || isPrefix else { continue }
            let rank = (isPrefix ? 0 : distance, isSubsequence(typed, of: lowered) ? 0 : 1, -commonPrefixLength(typed, lowered))
            if best == nil || rank < best!.rank { best = (candidate, rank) }
        }
        return best?.candidate
    }

    static func isSubsequence(_ a: String, of b: String) -> Bool {
        var remaining = a.unicodeScalars[...]
        for scalar in b.unicodeScalars where remaining.first == scalar { remaining = remaining.dropFirst() }
        return remaining.isEmpty
    }

    static func commonPrefixLength(_ a: String, _ b: String) -> Int {
        zip(a.unicodeScalars, b.unicodeScalars).prefix { $0 == $1 }.count
    }

    /// "unknown optimizer 'adamm'; did you mean 'adam'? (valid: sgd, momentum, ...)".
    public static func unknownMessage(kind: String, name: String, valid: [String]) -> String {
        var message = "unknown \(kind) '\(name)'"
        if let suggestion = match(name, in: valid) {
            message += "; did you mean '\(suggestion)'?"
        }
        return message + " (valid: \(valid.joined(separator: ", ")))"
    }

    /// Optimal-string-alignment distance over Unicode scalars: insertions, deletions,
    /// substitutions and swaps of two neighbouring characters each count one.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
