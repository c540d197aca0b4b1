/// One page of the due listing chosen in one pass over every account's `RotationInput`:
/// the credentials due or overdue, most urgent first (due date, then auth id), after the
/// cursor of the previous page. Keeps at most twice the page in memory, whatever the vault holds.
public struct DueSelection: Sendable {
    /// Where a page ends: the last credential's due date and auth id, as the text `next` and
    /// `after` carry (`1767225600:MA_X`).
    public struct Cursor: Sendable, Equatable, Comparable {
        public var dueAt: Int64
        public var authID: String

        public init(dueAt: Int64, authID: String) {
            self.dueAt = dueAt
            self.authID = authID
        }

        public init?(_ text: String) {
            guard let colon = text.firstIndex(of: ":"), let at = StrictInteger.decimal(String(text[..<colon])),
                  let id = try? AuthID(String(text[text.index(after: colon)...])) else { return nil }
            self.init(dueAt: at, authID: id.rawValue)
        }

        public var text: String { "\(dueAt):\(authID)" }

        public static func < (a: Cursor, b: Cursor) -> Bool { (a.dueAt, a.authID) < (b.dueAt, b.authID) }
    }

    let defaults: RotationPolicy
    let now: Int64
    let window: TimeSpan?
    let after: Cursor?
    let limit: Int
    private var kept: [Cursor] = []
    /// Whether a credential past the page was seen (so a `next` cursor is due).
    private var more = false

    public init(defaults: RotationPolicy, now: Int64, window: TimeSpan?, after: Cursor?, limit: Int) {
        precondition(limit > 0)
        self.defaults = defaults
        self.now = now
        self.window = window
        self.after = after
        self.limit = limit
    }

    public mutating func add(_ input: RotationInput) {
        guard let s = input.schedule(defaults: defaults, now: now, window: window), s.standing != .ok else { return }
        let key = Cursor(dueAt: s.dueAt, authID: input.authID)
        if let after, key <= after { return }
        kept.append(key)
        if kept.count >= 2 * limit { trim() }
    }

    private mutating func trim() {
        kept.sort()
        if kept.count > limit {
            more = true
            kept.removeLast(kept.count - limit)
        }
    }

    /// The page's auth ids in order, and the cursor for the next page (nil at the end).
    public mutating func finish() -> (authIDs: [String], next: Cursor?) {
        trim()
        return (kept.map(\.authID), more ? kept.last : nil)
    }
}
