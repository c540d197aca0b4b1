import VaultCore

/// A listing written as its pages arrive, so the CLI holds one page however long the listing
/// is. `--json` writes the API's object with its array one element per line
/// (`{"credentials":[` … `],"next":null}`: one JSON document, readable line by line too); text
/// writes a table whose header comes once and whose columns are sized by the first page.
struct StreamedList {
    let console: Console
    let json: Bool
    /// The array's member name in the JSON object (`credentials`, `due`, `events`).
    let key: String
    /// Column titles of the text table; empty for lines printed as they are.
    let header: [String]
    private var widths: [Int] = []
    /// The last JSON element written so far, held back for its separator.
    private var pending: String?
    private(set) var count = 0

    init(console: Console, json: Bool, key: String, header: [String] = []) {
        self.console = console
        self.json = json
        self.key = key
        self.header = header
    }

    /// One page: each item as JSON, or as its table row (or text line, without a header).
    mutating func add<T: Encodable>(_ items: [T], row: (T) -> [String]) {
        guard !items.isEmpty else { return }
        var lines: [String] = []
        lines.reserveCapacity(items.count + 2)
        if json {
            if count == 0 { lines.append("{\"\(key)\":[") }
            // Each element ends with the comma that joins it to the next; the page's last
            // waits for the next page (or `finish`) to know whether one follows.
            if let pending { lines.append(pending + ",") }
            let encoded = items.map { AdminJSON.encode($0, pretty: false) }
            lines += encoded.dropLast().map { $0 + "," }
            pending = encoded.last
        } else {
            let rows = items.map(row)
            if count == 0 && !header.isEmpty {
                widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
                lines.append(render(header))
            }
            lines += rows.map { header.isEmpty ? $0.joined(separator: " ") : render($0) }
        }
        count += items.count
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
