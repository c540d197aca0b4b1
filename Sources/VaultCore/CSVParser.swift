/// RFC 4180 CSV over raw bytes: comma-separated, `"` quoting with `""` for a quote, CRLF or LF
/// line ends. Fields are `SecretScratch` because one column holds tokens.
public enum CSVParser {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case unterminatedQuote(line: Int)
        case textAfterQuote(line: Int)

        public var description: String {
            switch self {
            case .unterminatedQuote(let l): "invalid CSV on line \(l): a quoted field is never closed"
            case .textAfterQuote(let l): "invalid CSV on line \(l): text after a closing quote"
            }
        }
    }

    /// One parsed row and the 1-based line it started on. Blank lines are skipped.
    public struct Row: Sendable {
        public let line: Int
        public let fields: [SecretScratch]
    }

    public static func parse(_ input: UnsafeRawBufferPointer) throws(Failure) -> [Row] {
        var rows: [Row] = []
        var fields: [SecretScratch] = []
        var field = SecretScratch()
        var line = 1, rowLine = 1
        var i = 0
        var quotedField = false

        func endRow() {
            fields.append(field)
            let blank = fields.count == 1 && fields[0].isEmpty && !quotedField
            if !blank { rows.append(Row(line: rowLine, fields: fields)) }
            fields = []
            field = SecretScratch()
            quotedField = false
        }

        while i < input.count {
            let b = input[i]
            if b == UInt8(ascii: "\"") && field.isEmpty && !quotedField {
                quotedField = true
                i += 1
                var closed = false
                while i < input.count {
                    let c = input[i]
                    if c == UInt8(ascii: "\"") {
                        if i + 1 < input.count, input[i + 1] == UInt8(ascii: "\"") {
                            field.append(c)
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    if c == 0x0A { line += 1 }
                    field.append(c)
                    i += 1
                }
                guard closed else { throw .unterminatedQuote(line: rowLine) }
                if i < input.count, ![UInt8(ascii: ","), 0x0A, 0x0D].contains(input[i]) {
                    throw .textAfterQuote(line: line)
                }
                continue
            }
            switch b {
            case UInt8(ascii: ","):
                fields.append(field)
                field = SecretScratch()
                quotedField = false
            case 0x0D where i + 1 < input.count && input[i + 1] == 0x0A:
                break
            case 0x0A:
                endRow()
                line += 1
                rowLine = line
            default:
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRow() }
        return rows
    }
}
