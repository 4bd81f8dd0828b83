// Package reports owns what people read: the weekly executive report, theme
// drill-down pages and the read-only `voc serve` web server, all rendered as
// self-contained HTML with go-echarts charts.
//
// Reports only read from the warehouse. Every piece of review or survey text
// they show is untrusted and is escaped for the context it lands in (HTML,
// chart options, embedded JSON).
package reports
