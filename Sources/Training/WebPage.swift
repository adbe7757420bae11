import Foundation
import ImageData

/// `web/index.html` of a run: the loss plot and the sample grids, newest first, like the reference's
/// training page (util/html.py) but self-contained.
public enum WebPage {
    public static func write(runDirectory: String, title: String, records: [LossRecord], samples: [(label: String, file: String)],
                             legend: String) throws {
        let web = (runDirectory as NSString).appendingPathComponent("web")
        try FileManager.default.createDirectory(atPath: web, withIntermediateDirectories: true)
        try writeFileAtomically(Array(LossPlot.svg(records).utf8), to: (web as NSString).appendingPathComponent("loss.svg"))
        var html = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>\(escapeXML(title))</title>
        <style>body{font-family:sans-serif;margin:20px} img{image-rendering:pixelated;max-width:100%} h3{margin-bottom:4px}</style>
        </head><body>
        <h1>\(escapeXML(title))</h1>
        <h2>Losses</h2><img src="loss.svg" alt="loss plot">
        <h2>Samples</h2><p>\(escapeXML(legend))</p>

        """
        for sample in samples.reversed() {
            html += "<h3>\(escapeXML(sample.label))</h3><img src=\"\(escapeXML(sample.file))\" alt=\"\(escapeXML(sample.label))\">\n"
        }
        html += "</body></html>\n"
        try writeFileAtomically(Array(html.utf8), to: (web as NSString).appendingPathComponent("index.html"))
    }
}
