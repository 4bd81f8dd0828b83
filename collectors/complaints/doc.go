// Package complaints turns helpdesk exports of complaint tickets (CSV and
// XLSX) into Tickets: a voc.Item of kind complaint (the customer's words,
// scored and theme-tagged by the pipeline like every other item) plus what
// the company did about it (first response, close, result, compensation,
// satisfaction after handling, escalation, how often it was reopened).
//
// Columns are found by their header names in Chinese and English (工单号 /
// ticket id, 投诉时间 / opened, 首次响应时间 / first response, 结案时间 /
// closed, 处理结果 / result, 重开次数 / times reopened ...), or named by a
// Mapping from voc.yaml.
// Bytes are read by collectors/tabular, so encodings, delimiters, XLSX and
// "file:line" in rejects behave exactly as in the survey import.
//
// What it owns: reading ticket fields and their labels (results, channels,
// escalation targets, amounts, the five-level satisfaction answer, reopen
// counts) and spotting compensation demands in the complaint text, which
// later decide the "review: possibly malicious" flag. What it must not
// do: store anything, judge a ticket, or drop a row silently. A row whose
// times are unreadable or impossible (closed or first answered before it
// was opened), whose result or satisfaction label is unknown, whose reopen
// count is unreadable, or whose column count is wrong becomes a voc.Reject
// with file, line and reason (and the column, for a reopen count).
package complaints
