import Foundation

/// `report.html`: the report as one self-contained page to open offline (from a USB stick,
/// an e-mail attachment): the same text, tables and verdicts as `report.md`, every figure
/// inline as SVG, and for each momentum sweep the interactive momentum lab.
///
/// The page requests nothing: no file or host is named in a `src` or `href` (figures are
/// inline, links to the folder's other files are shown as names), and its
/// Content-Security-Policy (`default-src 'none'`) makes the browser refuse any request a
/// figure or script might still attempt.
public enum HTMLReport {
    /// The policy in the page's `<meta>`: inline script and style, images only from `data:`.
    public static let contentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

    /// Writes `report.html` into `resultsDirectory` from the report's Markdown, resolving
    /// figure links relative to that folder, and returns its path.
    public static func write(resultsDirectory: String, markdown: String, labs: [MomentumLab]) throws -> String {
        var figures = FigureInliner(base: resultsDirectory)
        let body = render(markdown: markdown, figures: &figures)
        let name = URL(fileURLWithPath: resultsDirectory).standardizedFileURL.lastPathComponent
        let html = page(title: "Report: \(name)", body: body, labs: labs)
        let path = resultsDirectory + "/report.html"
        try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }

    /// The whole page around `body`.
    public static func page(title: String, body: String, labs: [MomentumLab]) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <main>

            """
        // The labs come first, after the report's opening paragraph: they are what a reader
        // opens the page for; the tables and figures follow.
        let split = body.range(of: "</p>\n").map { $0.upperBound } ?? body.startIndex
        html += body[..<split]
        if !labs.isEmpty {
            html += "<h2 id=\"momentum-lab\">Momentum lab</h2>\n"
            html += "<p>Choose ξ and α with the sliders or by clicking a cell of the grid: the page redraws that run from the suite's own results, embedded in this page. "
            html += "The address keeps the choice (<code>#lab=PROBLEM&amp;xi=…&amp;alpha=…</code>) so a view can be shared. "
            html += "The report's tables and figures follow the labs.</p>\n"
            for (index, lab) in labs.enumerated() {
                html += "<section class=\"lab\" id=\"lab-\(index)\" data-problem=\"\(escape(lab.problem))\"></section>\n"
            }
        }
        html += body[split...]
        if !labs.isEmpty {
            html += "<script type=\"application/json\" id=\"lab-data\">\(MomentumLab.json(labs))</script>\n"
            html += "<script>\(MomentumLab.script)</script>\n"
        }
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fff}
        main{max-width:1100px;margin:0 auto;padding:1em 1.5em 4em}
        h1,h2,h3{line-height:1.2}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
        table{border-collapse:collapse;margin:.8em 0;font-size:13px;display:block;overflow-x:auto}
        th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}th{background:#f3f3f3}
        td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
        code{background:#f4f4f4;padding:0 .2em;border-radius:3px;font-size:90%}
        blockquote{border-left:4px solid #ccc;margin:.8em 0;padding:.1em 1em;color:#444}
        figure{margin:1em 0}figure svg,figure img{width:100%;height:auto;border:1px solid #eee}
        figcaption{font-size:13px;color:#555}
        .lab{border:1px solid #ccc;border-radius:6px;padding:.8em 1em;margin:1.2em 0}
        .lab .row{display:flex;flex-wrap:wrap;gap:1em}.lab .panel{flex:1 1 320px;min-width:300px}
        .lab svg{width:100%;height:auto;background:#fff}.lab label{display:block;margin:.3em 0}
        .lab input[type=range]{width:60%;vertical-align:middle}.lab .readout{font-size:13px;color:#333;min-height:3em}
        .lab svg.grid{width:auto;max-width:100%}.lab .gridbox{overflow-x:auto;margin:.5em 0}
        .lab rect.cell{cursor:pointer}.lab rect.cell.on{stroke:#000;stroke-width:2}
        """

    // MARK: Markdown

    /// The HTML of the report's Markdown: headings, paragraphs, pipe tables, `-` lists,
    /// block quotes, and inline code, bold, italics and links; figure links become inline
    /// figures after their paragraph (once each; later mentions link to it).
    static func render(markdown: String, figures: inout FigureInliner) -> String {
        var html = ""
        var lines = markdown.components(separatedBy: "\n")[...]
        while let line = lines.first {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeFirst(); continue }
            if let level = headingLevel(line) {
                lines.removeFirst()
                let text = String(line.dropFirst(level + 1))
                html += "<h\(level) id=\"\(slug(text))\">\(inline(text, figures: &figures).html)</h\(level)>\n"
            } else if line.hasPrefix("|") {
                var rows: [String] = []
                while let row = lines.first, row.hasPrefix("|") { rows.append(row); lines.removeFirst() }
                html += table(rows, figures: &figures)
            } else if line.hasPrefix("- ") {
                html += "<ul>\n"
                while let item = lines.first, item.hasPrefix("- ") {
                    lines.removeFirst()
                    var text = String(item.dropFirst(2))
                    while let more = lines.first, more.hasPrefix("  "), !more.trimmingCharacters(in: .whitespaces).isEmpty {
                        text += " " + more.trimmingCharacters(in: .whitespaces); lines.removeFirst()
                    }
                    let rendered = inline(text, figures: &figures)
                    html += "<li>\(rendered.html)</li>\n" + rendered.after
                }
                html += "</ul>\n"
            } else if line.hasPrefix(">") {
                var text: [String] = []
                while let quoted = lines.first, quoted.hasPrefix(">") {
                    text.append(String(quoted.dropFirst()).trimmingCharacters(in: .whitespaces)); lines.removeFirst()
                }
                let rendered = inline(text.joined(separator: " "), figures: &figures)
                html += "<blockquote><p>\(rendered.html)</p></blockquote>\n" + rendered.after
            } else {
                var text: [String] = []
                while let next = lines.first, !next.trimmingCharacters(in: .whitespaces).isEmpty,
                      headingLevel(next) == nil, !next.hasPrefix("|"), !next.hasPrefix("- "), !next.hasPrefix(">") {
                    text.append(next); lines.removeFirst()
                }
                let rendered = inline(text.joined(separator: "\n"), figures: &figures)
                html += "<p>\(rendered.html)</p>\n" + rendered.after
            }
        }
        return html
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        return (1...4).contains(hashes) && line.dropFirst(hashes).hasPrefix(" ") ? hashes : nil
    }

    static func table(_ rows: [String], figures: inout FigureInliner) -> String {
        func cells(_ row: String) -> [String] {
            var body = row.trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("|") { body.removeFirst() }
            if body.hasSuffix("|") && !body.hasSuffix("\\|") { body.removeLast() }
            // Split on | not escaped as \|.
            var result: [String] = [], current = "", escaped = false
            for ch in body {
                if escaped { current += ch == "|" ? "|" : "\\" + String(ch); escaped = false; continue }
                if ch == "\\" { escaped = true; continue }
                if ch == "|" { result.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
                current.append(ch)
            }
            if escaped { current += "\\" }
            result.append(current.trimmingCharacters(in: .whitespaces))
            return result
        }
        guard rows.count >= 2 else { return "<p>\(inline(rows.joined(separator: " "), figures: &figures).html)</p>\n" }
        let header = cells(rows[0])
        let alignRight = cells(rows[1]).map { $0.hasSuffix(":") && !$0.hasPrefix(":") }
        var html = "<table>\n<thead><tr>"
        for (i, cell) in header.enumerated() {
            html += (i < alignRight.count && alignRight[i] ? "<th class=\"r\">" : "<th>") + inline(cell, figures: &figures).html + "</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for row in rows.dropFirst(2) {
            html += "<tr>"
            for (i, cell) in cells(row).enumerated() {
                html += (i < alignRight.count && alignRight[i] ? "<td class=\"r\">" : "<td>") + inline(cell, figures: &figures).html + "</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    /// Inline Markdown of one block: its HTML, and the figures it links, to place after it.
    static func inline(_ text: String, figures: inout FigureInliner) -> (html: String, after: String) {
        var html = "", after = ""
        var rest = Substring(text)
        while let ch = rest.first {
            if ch == "`", let end = rest.dropFirst().firstIndex(of: "`") {
                html += "<code>" + escape(String(rest[rest.index(after: rest.startIndex)..<end])) + "</code>"
                rest = rest[rest.index(after: end)...]
            } else if rest.hasPrefix("**"), let end = rest.dropFirst(2).range(of: "**") {
                let inner = inline(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound]), figures: &figures)
                html += "<strong>" + inner.html + "</strong>"; after += inner.after
                rest = rest[end.upperBound...]
            } else if (ch == "[" || (ch == "!" && rest.dropFirst().first == "[")), let link = parseLink(rest) {
                let label = inline(link.label, figures: &figures).html
                if let figure = figures.figure(link.target, caption: link.label) {
                    if figure.isFirst {
                        html += "<a href=\"#\(figure.id)\">\(label)</a>"
                        after += figure.html
                    } else {
                        html += "<a href=\"#\(figure.id)\">\(label)</a> (figure above)"
                    }
                } else if link.target.hasPrefix("#") {
                    html += "<a href=\"\(escape(link.target))\">\(label)</a>"
                } else {
                    // Another file or a web address: named, not linked, so the page stays self-contained.
                    html += label == escape(link.target) ? "<code>\(label)</code>" : "\(label) (<code>\(escape(link.target))</code>)"
                }
                rest = rest[link.end...]
            } else if ch == "*", rest.dropFirst().first != "*", rest.dropFirst().first != " ",
                      let end = rest.dropFirst().firstIndex(of: "*"), end > rest.index(after: rest.startIndex) {
                html += "<em>" + escape(String(rest[rest.index(after: rest.startIndex)..<end])) + "</em>"
                rest = rest[rest.index(after: end)...]
            } else if ch == "\\", let next = rest.dropFirst().first, "\\`*_[]|#!<>".contains(next) {
                html += escape(String(next)); rest = rest.dropFirst(2)
            } else {
                html += escape(String(ch)); rest = rest.dropFirst()
            }
        }
        return (html.replacingOccurrences(of: "\n", with: "<br>\n"), after)
    }

    static func parseLink(_ text: Substring) -> (label: String, target: String, end: Substring.Index)? {
        var s = text
        if s.first == "!" { s = s.dropFirst() }
        guard s.first == "[", let close = s.firstIndex(of: "]") else { return nil }
        let afterClose = s.index(after: close)
        guard afterClose < s.endIndex, s[afterClose] == "(", let end = s[afterClose...].firstIndex(of: ")") else { return nil }
        let label = String(s[s.index(after: s.startIndex)..<close])
        let target = String(s[s.index(after: afterClose)..<end])
        return (label, target, s.index(after: end))
    }

    static func slug(_ text: String) -> String {
        var result = ""
        for scalar in text.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII { result.unicodeScalars.append(scalar) }
            else if !result.hasSuffix("-") { result += "-" }
        }
        return String(result.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(80))
    }

    /// Text safe in HTML content and attribute values.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(ch)
            }
        }
        return result
    }
}

/// Turns a report's figure links (`name.png` beside the plots' scripts) into inline SVG.
struct FigureInliner {
    let base: String
    private var placed: [String: String] = [:]
    private var count = 0

    init(base: String) { self.base = base }

    /// The figure a link names, when it is one: its anchor, whether this is its first mention,
    /// and its HTML. nil for a link to anything but a PNG or SVG that exists.
    mutating func figure(_ target: String, caption: String) -> (id: String, isFirst: Bool, html: String)? {
        guard target.hasSuffix(".png") || target.hasSuffix(".svg"), !target.contains("://") else { return nil }
        let path = target.hasPrefix("/") ? target : base + "/" + target
        let stem = String(path.dropLast(4))
        let key = URL(fileURLWithPath: stem).standardizedFileURL.path
        if let id = placed[key] { return (id, false, "") }
        guard let content = Self.content(stem: stem) else { return nil }
        count += 1
        let id = "fig-\(count)"
        placed[key] = id
        let name = URL(fileURLWithPath: stem).lastPathComponent
        let body: String
        switch content {
        case .svg(let svg): body = Self.inlinable(svg, prefix: id + "-")
        case .png(let data): body = "<img alt=\"\(HTMLReport.escape(caption))\" src=\"data:image/png;base64,\(data.base64EncodedString())\">"
        }
        return (id, true, "<figure id=\"\(id)\">\(body)<figcaption>\(HTMLReport.escape(name))</figcaption></figure>\n")
    }

    enum Content { case svg(String), png(Data) }

    /// The SVG beside the PNG; else rendered from the figure's gnuplot script; else the PNG.
    static func content(stem: String) -> Content? {
        let manager = FileManager.default
        let folder = URL(fileURLWithPath: stem).deletingLastPathComponent().path
        let name = URL(fileURLWithPath: stem).lastPathComponent
        if !manager.fileExists(atPath: stem + ".svg"), manager.fileExists(atPath: stem + ".gp"),
           (try? Gnuplot.checkFileName(name + ".gp")) != nil {
            _ = try? Gnuplot.render([name], formats: ["svg"], in: folder)
        }
        if let data = manager.contents(atPath: stem + ".svg"), let text = String(data: data, encoding: .utf8) { return .svg(text) }
        if let data = manager.contents(atPath: stem + ".png") { return .png(data) }
        return nil
    }

    /// gnuplot's SVG made fit to sit inside HTML beside others: the XML prologue dropped and
    /// every id (and reference to one) prefixed so two figures' ids cannot collide.
    static func inlinable(_ svg: String, prefix: String) -> String {
        var text = svg
        if let start = text.range(of: "<svg") { text = String(text[start.lowerBound...]) }
        for open in ["id='", "id=\"", "href='#", "href=\"#", "url(#"] {
            text = text.replacingOccurrences(of: open, with: open + prefix)
        }
        return text
    }
}
