import Foundation

/// Draws the loss curves of a run as a self-contained SVG (no plotting library needed).
public enum LossPlot {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    /// One polyline per loss name over total iterations; y axis linear from 0 to the largest value seen.
    public static func svg(_ records: [LossRecord], width: Int = 720, height: Int = 320) -> String {
        let names = Array(Set(records.flatMap { $0.losses.keys })).sorted()
        let left = 50.0, right = 150.0, top = 20.0, bottom = 40.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let xMax = Double(max(records.map(\.totalIters).max() ?? 1, 1))
        let xMin = Double(records.map(\.totalIters).min() ?? 0)
        let finite = records.flatMap { $0.losses.values }.filter { $0.isFinite }
        let yMax = max(finite.max() ?? 1, 1e-6)
        func x(_ v: Double) -> Double { left + (xMax > xMin ? (v - xMin) / (xMax - xMin) : 0.5) * plotW }
        func y(_ v: Double) -> Double { top + plotH - min(max(v / yMax, 0), 1) * plotH }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <line x1="\(left)" y1="\(top + plotH)" x2="\(left + plotW)" y2="\(top + plotH)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + plotH)" stroke="black"/>
        <text x="\(left + plotW / 2)" y="\(Double(height) - 8)" text-anchor="middle">iterations</text>
        <text x="\(left - 6)" y="\(top + 4)" text-anchor="end">\(format(yMax))</text>
        <text x="\(left - 6)" y="\(top + plotH)" text-anchor="end">0</text>
        <text x="\(left)" y="\(top + plotH + 14)" text-anchor="middle">\(Int(xMin))</text>
        <text x="\(left + plotW)" y="\(top + plotH + 14)" text-anchor="middle">\(Int(xMax))</text>

        """
        for (k, name) in names.enumerated() {
            let color = palette[k % palette.count]
            let points = records.compactMap { r -> String? in
                guard let v = r.losses[name], v.isFinite else { return nil }
                return "\(format(x(Double(r.totalIters)))),\(format(y(v)))"
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
            let ly = top + Double(k) * 16 + 8
            svg += "<line x1=\"\(left + plotW + 12)\" y1=\"\(ly)\" x2=\"\(left + plotW + 30)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(left + plotW + 34)\" y=\"\(ly + 4)\">\(escapeXML(name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    static func format(_ v: Double) -> String { String(format: "%.4g", v) }
}

/// Escapes text for HTML/XML output.
public func escapeXML(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
