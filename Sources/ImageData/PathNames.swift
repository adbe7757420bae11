/// The folder part of `path`, as `NSString.deletingLastPathComponent` defines it ("a/b" → "a", "/a" → "/",
/// "a" → "", trailing slashes ignored; "//" is the root, where Foundation says ""), without Foundation: on Linux
/// that property traps on a path of one character ("d", "a/"), so `--out d` or `--domains a/ b/` crashed the
/// process.
public func parentPath(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "" }
    var parent = trimmed[..<slash]
    while parent.hasSuffix("/") { parent = parent.dropLast() }
    return parent.isEmpty ? "/" : String(parent)
}
