// Package themes finds what customers complain about: a taxonomy of
// complaint themes (delivery speed, damage in transit, quality ...), a
// matcher that tags each clause of a review with the themes it hits and
// whether it complains or praises, an escalation detector (12315, 消协,
// lawyer, chargeback ...), discovery of negative phrases no theme covers,
// and the statistics that decide whether a theme is recurring or emerging.
//
// The taxonomy ships in the binary (taxonomy.yaml, go:embed) and a user's
// YAML file is merged over it. Theme ids are the contract with reports,
// trends and outside evaluation: they never change once published; a
// taxonomy only grows.
//
// A hit on a sub-theme (id "quality.battery") is also reported as a hit on
// every ancestor ("quality"), with Hit.Via naming the sub-theme, so a
// report counting items per theme id gets parent totals without knowing
// the tree and counts each item once per theme.
//
// The package reads no files and talks to no database: callers pass
// readers and texts in, and the warehouse stores what comes out. Text is
// normalised with pipeline/normalize so the matcher and the sentiment model
// agree on what a clause is.
package themes
