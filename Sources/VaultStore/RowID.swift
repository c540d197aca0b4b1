/// The id of a row read from the store: always set, since only a record not yet inserted lacks
/// one; a missing id is a damaged store, reported as such rather than trapped on.
enum RowID {
    static func stored(_ id: Int64?) throws -> Int64 {
        guard let id else { throw StoreError.constraint("a stored row has no id") }
        return id
    }
}
