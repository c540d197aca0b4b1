import VaultCore

/// A listing written as its pages arrive, each page asked for while the one before is being
/// written, so the CLI holds a page or two however long the listing is. `--json` writes the
/// API's object with its array one row per line (`{"credentials":[` … `],"next":null}`: one JSON
/// document, readable line by line too), each row as the daemon encoded it; text writes a table
/// whose header comes once and whose columns are sized by the first page.
struct StreamedList {
    let console: Console
    let json: Bool
    /// The array's member name in the JSON object (`credentials`, `due`, `events`).
    let key: String
    /// Column titles of the text table; empty for lines printed as they are.
    let header: [String]
    private var widths: [Int] = []
    /// The last JSON row written so far, held back for its separator.
    private var pending: String?
    private(set) var count = 0

    init(console: Console, json: Bool, key: String, header: [String] = []) {
        self.console = console
        self.json = json
        self.key = key
        self.header = header
    }

    /// `--json`: pages of encoded rows from `fetch` (given the cursor of the page before; nil
    /// for the first) until a page's `next` is nil.
    mutating func stream(encoded fetch: @escaping @Sendable (String?) async throws -> EncodedPage,
                         next: @escaping (EncodedPage) -> String? = \.next) async throws {
        try await pages(fetch, next: next) { list, page in list.add(encoded: page.rows) }
    }

    /// Text: pages of typed rows, each made a table row (or a line, without a header) by `row`.
    mutating func stream<Page: Sendable, T>(_ fetch: @escaping @Sendable (String?) async throws -> Page, next: (Page) -> String?,
                                            items: (Page) -> [T], row: (T) -> [String]) async throws {
        try await pages(fetch, next: next) { list, page in list.add(items(page).map(row)) }
    }

    private mutating func pages<Page: Sendable>(_ fetch: @escaping @Sendable (String?) async throws -> Page, next: (Page) -> String?,
                                                write: (inout StreamedList, Page) -> Void) async throws {
        var ahead: Task<Page, any Error>? = Task { try await fetch(nil) }
        while let current = ahead {
            let page = try await current.value
            ahead = next(page).map { cursor in Task { try await fetch(cursor) } }
            write(&self, page)
        }
    }

    private mutating func add(encoded rows: [String]) {
        guard !rows.isEmpty else { return }
        var lines: [String] = []
        lines.reserveCapacity(rows.count + 2)
        if count == 0 { lines.append("{\"\(key)\":[") }
        // Each row ends with the comma that joins it to the next; the page's last waits for
        // the next page (or `finish`) to know whether one follows.
        if let pending { lines.append(pending + ",") }
        lines += rows.dropLast().map { $0 + "," }
        pending = rows.last
        count += rows.count
        console.out(lines.joined(separator: "\n"))
    }

    private mutating func add(_ rows: [[String]]) {
        guard !rows.isEmpty else { return }
        var lines: [String] = []
        if count == 0 && !header.isEmpty {
            widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
            lines.append(render(header))
        }
        lines += rows.map { header.isEmpty ? $0.joined(separator: " ") : render($0) }
        count += rows.count
        console.out(lines.joined(separator: "\n"))
    }

    private func render(_ row: [String]) -> String {
        row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: max(widths[i], cell.count), withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }

    /// Closes the JSON object (`next` as the API's last page has it), or prints `empty` when
    /// there was nothing to list.
    func finish(empty: String) {
        if json {
            console.out((count == 0 ? "{\"\(key)\":[" : pending ?? "") + "\n],\"next\":null}")
        } else if count == 0 && !empty.isEmpty {
            console.out(empty)
        }
    }
}
