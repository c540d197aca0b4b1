/// What a file-system path written in the configuration may look like.
public enum PathRules {
    /// The longest path the kernel accepts (PATH_MAX, terminating NUL included).
    public static let maxLength = 4095

    /// Why `text` cannot be used as a value the vault hands to the system: a NUL byte ends a C
    /// string early, so `"/usr/bin/app\0x"` or `"root\0x"` would be checked as one value and
    /// used as another. Nil when it can.
    public static func nulProblem(_ text: String) -> String? {
        text.utf8.contains(0) ? "contains a NUL byte" : nil
    }

    /// Why `path` is not an absolute, normalised path — the form the kernel reports for a
    /// running executable, so the only form that can ever match one; nil when it is.
    public static func absoluteProblem(_ path: String) -> String? {
        if let nul = nulProblem(path) { return nul }
        guard path.hasPrefix("/") else { return "must be an absolute path (starting with /)" }
        guard path.utf8.count <= maxLength else { return "is longer than \(maxLength) bytes" }
        guard path != "/" else { return "must name a file, not /" }
        for segment in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { return "must be normalised: no empty segment (// or a trailing /)" }
            if segment == "." || segment == ".." { return "must be normalised: no . or .. segment" }
        }
        return nil
    }
}
