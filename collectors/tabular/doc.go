// Package tabular reads the spreadsheet exports customers' tools write,
// CSV (any delimiter, any of the encodings Chinese offices produce) and
// XLSX, into rows of cells that keep their physical line numbers.
//
// It exists so every importer of exported tables (survey answers,
// complaint tickets) decodes bytes, finds delimiters, reads Excel date
// serials and reports "file:line" the same way: a user who learnt how one
// import quarantines a bad row knows them all.
//
// What it owns: turning bytes into Records (cells, the line a record starts
// on, the raw text for rejects) and reading timestamps in the forms office
// tools write. What it must not do: give columns a meaning, build items or
// decide that a row is bad beyond "this is not valid CSV". That belongs to
// the importer, which knows what the columns are for.
package tabular
