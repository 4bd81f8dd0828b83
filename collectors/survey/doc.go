// Package survey turns survey-tool exports (CSV and XLSX) into voc.Item
// values of kind survey, plus a voc.Reject for every row it could not load.
//
// It reads the shapes the common tools write without configuration: 问卷星
// (wjx), Google Forms, SurveyMonkey (two header rows, often UTF-16 and
// TAB-separated), Qualtrics (three header rows) and any file whose headers
// name the usual things (满意度, comment, NPS ...). Anything else is read
// through an explicit Mapping from voc.yaml. Encodings are detected (UTF-8
// with or without BOM, GBK/GB18030, Big5, UTF-16) unless the caller names one.
//
// What it owns: decoding bytes, finding the header, deciding which column
// plays which role, and reading answers (Likert labels in Chinese and
// English, 0-10 recommend scores, repurchase intent, dates in the forms
// survey tools write). What it must not do: store anything, score text, or
// drop a row silently. A whole-file problem (unreadable, no header, no
// satisfaction or comment column) is an error naming the file; a bad row is
// a Reject with its file, line and reason, so the user can correct and
// re-import it. Tool metadata such as IP addresses and durations is not
// copied into items; it stays in the raw payload, which is the whole file.
package survey
