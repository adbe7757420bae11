import Foundation

/// The reference's results page (`util/html.py`): a title, then per test image a header and a one-row table
/// of its images (real_A, fake_B, rec_A, ...) with their labels; each image links to itself.
public struct ResultsPage: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var header: String
        /// (label, file name inside images/)
        public var images: [(label: String, file: String)]

        public init(header: String, images: [(label: String, file: String)]) {
            self.header = header
            self.images = images
        }

        public static func == (l: Row, r: Row) -> Bool {
            l.header == r.header && l.images.map(\.label) == r.images.map(\.label) && l.images.map(\.file) == r.images.map(\.file)
        }
    }

    public var title: String
    public var rows: [Row]
    /// Displayed image width in pixels (the reference's `--display_winsize`, 256).
    public var imageWidth: Int

    public init(title: String, rows: [Row] = [], imageWidth: Int = 256) {
        self.title = title
        self.rows = rows
        self.imageWidth = imageWidth
    }

    public func html() -> String {
        var out = "<!DOCTYPE html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n"
        out += "    <title>\(escapeHTML(title))</title>\n  </head>\n  <body>\n"
        for row in rows {
            out += "    <h3>\(escapeHTML(row.header))</h3>\n"
            out += "    <table border=\"1\" style=\"table-layout: fixed;\">\n      <tr>\n"
            for image in row.images {
                let href = escapeHTML("images/" + percentEncoded(image.file))
                out += "        <td halign=\"center\" style=\"word-wrap: break-word;\" valign=\"top\">\n"
                out += "          <p>\n            <a href=\"\(href)\">\n"
                out += "              <img src=\"\(href)\" style=\"width:\(imageWidth)px\">\n"
                out += "            </a><br>\n            <p>\(escapeHTML(image.label))</p>\n          </p>\n        </td>\n"
            }
            out += "      </tr>\n    </table>\n"
        }
        out += "  </body>\n</html>\n"
        return out
    }

    /// Writes `folder/index.html` atomically.
    public func write(toFolder folder: String) throws {
        try writeFileAtomically(Array(html().utf8), to: (folder as NSString).appendingPathComponent("index.html"))
    }
}

func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for ch in text {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(ch)
        }
    }
    return out
}

func percentEncoded(_ name: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "?#;")
    return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
}
