package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/collectors/survey"
	"github.com/voc-analytics/voc/jobs"
)

func (a *app) importCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Load exported files into the warehouse",
		Example: `  voc import survey 满意度调查.csv --source shop-survey
  voc import complaints 投诉工单.xlsx --source helpdesk`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(a.importSurveyCommand(), a.importComplaintsCommand())
	return cmd
}

func (a *app) importSurveyCommand() *cobra.Command {
	var source, encoding, product, channel string
	cmd := &cobra.Command{
		Use:   "survey FILE...",
		Short: "Import survey exports (CSV or XLSX) as survey answers",
		Long: `import survey loads survey exports into the warehouse as items of kind
"survey", labelled with --source.

Exports of 问卷星 (wjx), Google Forms, SurveyMonkey and Qualtrics are
recognised from their headers; other files need a column mapping under
sources.NAME.mapping in voc.yaml (see 'voc init'). Encodings are detected
(UTF-8 with or without BOM, GBK/GB18030, Big5, UTF-16); --encoding wins.

Satisfaction answers map onto the five levels from numbers 1-5 or labels in
Chinese (非常满意, 满意, 一般, 不满意, 非常不满意, 滿意 ...) or English (Very
satisfied ... Very dissatisfied). Rows that cannot be read (bad date,
unknown answer, wrong number of columns) are quarantined in the rejects
table with file, line and reason; the rest load. Importing the same file
again stores nothing twice.

Exit code 2 when rows were rejected, 1 when a file could not be imported.`,
		Example: `  voc import survey 满意度调查_问卷星.csv --source shop-survey
  voc import survey responses.xlsx --source nps-q4 --json
  voc import survey export.csv --source legacy --encoding gbk --product "AirSound Pro"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			opt, err := a.surveyOptions(source)
			if err != nil {
				return err
			}
			override(&opt.Encoding, encoding)
			override(&opt.Product, product)
			override(&opt.Channel, channel)
			db, err := a.openDB(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer db.Close()
			return a.reportImport(jobs.ImportSurvey(cmd.Context(), db, source, files, opt))
		},
	}
	importFlags(cmd, &source, &encoding, &product, &channel, "answers")
	return cmd
}

// importFlags declares the flags every file import takes.
func importFlags(cmd *cobra.Command, source, encoding, product, channel *string, what string) {
	f := cmd.Flags()
	f.StringVar(source, "source", "", "name of the source these "+what+" come from (required)")
	f.StringVar(encoding, "encoding", "", "file encoding: utf-8, gbk, gb18030, big5, utf-16, utf-16le, utf-16be (default: detect)")
	f.StringVar(product, "product", "", "product for "+what+" whose export has no product column")
	f.StringVar(channel, "channel", "", "channel for "+what+" whose export has no channel column")
	_ = cmd.MarkFlagRequired("source")
}

// override sets *dst to a flag's value when the flag was given: flags
// beat voc.yaml.
func override(dst *string, flag string) {
	if flag != "" {
		*dst = flag
	}
}

// reportImport prints an import's summary (or its JSON) and turns rejected
// rows into exit code 2.
func (a *app) reportImport(sum *jobs.ImportSummary, err error) error {
	if a.jsonOut {
		if err != nil {
			return err
		}
		if werr := a.writeJSON(sum); werr != nil {
			return werr
		}
	} else {
		a.printImport(sum)
	}
	if err != nil {
		return err
	}
	if sum.Partial() {
		return partialError{fmt.Sprintf("%d rows rejected", sum.Rejected)}
	}
	return nil
}

// surveyOptions starts from the source's settings in voc.yaml, if any.
func (a *app) surveyOptions(source string) (survey.Options, error) {
	loc, err := a.cfg.Location()
	if err != nil {
		return survey.Options{}, err
	}
	opt := survey.Options{Source: source, Location: loc}
	if s, ok := a.cfg.Sources[source]; ok {
		if s.Type != "survey" {
			return opt, fmt.Errorf("source %s is of type %q in %s, not a survey", source, s.Type, a.cfg.Path())
		}
		opt.Encoding, opt.Product, opt.Channel, opt.Mapping = s.Encoding, s.Product, s.Channel, s.Mapping
	}
	return opt, nil
}

// maxRejectsShown keeps a file full of bad rows from flooding the terminal;
// all of them are in the rejects table.
const maxRejectsShown = 10

func (a *app) printImport(sum *jobs.ImportSummary) {
	if sum == nil {
		return
	}
	for _, f := range sum.Files {
		a.printf("%s (%s, %s): %d loaded, %d duplicates, %d updated, %d rejected\n",
			f.File, f.Format, f.Encoding, f.Loaded, f.Duplicates, f.Updated, f.Rejected)
		for i, r := range f.Rejects {
			if i == maxRejectsShown {
				a.printf("  ... and %d more\n", len(f.Rejects)-maxRejectsShown)
				break
			}
			a.printf("  rejected %s:%d: %s\n", r.File, r.Line, r.Reason)
		}
	}
	if len(sum.Files) > 1 {
		a.printf("total: %d loaded, %d duplicates, %d updated, %d rejected\n", sum.Loaded, sum.Duplicates, sum.Updated, sum.Rejected)
	}
	if sum.Rejected > 0 {
		a.printf("rejected rows are kept in the rejects table: voc query \"SELECT file, line, reason, raw FROM rejects ORDER BY id DESC\"\n")
	}
}
