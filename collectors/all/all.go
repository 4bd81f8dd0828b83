// Package all registers every collector type: import it for its side
// effect where sources are collected (jobs, the CLI).
package all

import (
	_ "github.com/voc-analytics/voc/collectors/appstore" // appstore: App Store review feed
	_ "github.com/voc-analytics/voc/collectors/file"     // file: survey exports dropped in a folder
	_ "github.com/voc-analytics/voc/collectors/html"     // html: review pages read with CSS selectors
	_ "github.com/voc-analytics/voc/collectors/jsonapi"  // jsonapi: JSON and JSONP review APIs
	_ "github.com/voc-analytics/voc/collectors/jsonld"   // jsonld: schema.org reviews on any page
)
