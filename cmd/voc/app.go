package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/config"
	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/warehouse"
)

// app carries what every command shares: where output goes, the global
// flags and the configuration they resolve to.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	jsonOut    bool
	dbFlag     string
	configFlag string
	verbose    bool

	cfg *config.Config
	log *slog.Logger
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr}
}

const rootLong = `voc collects customer feedback (reviews, survey answers, complaints) into a
DuckDB warehouse, scores it on the five-level satisfaction scale and reports
on what customers complain about.

The five levels:
  5 高度满意 very satisfied     4 一般满意 satisfied     3 无意见 neutral
  2 有些不满意 somewhat dissatisfied                    1 极不满意 very dissatisfied

Configuration comes from voc.yaml (see 'voc init'); flags beat environment
variables (VOC_DB, VOC_CONFIG), which beat the file.

Exit codes: 0 success, 1 failure, 2 partial (finished, some input rejected).`

const rootExample = `  # See it work on generated data, nothing to set up:
  voc demo

  # Start a project, import a survey export, look at it:
  voc init
  voc import survey 问卷导出.csv --source shop-survey
  voc status
  voc query "SELECT rating, count(*) AS n FROM items GROUP BY rating ORDER BY rating"`

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "voc",
		Short:         "Voice of the customer: satisfaction analytics and review mining",
		Long:          rootLong,
		Example:       rootExample,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup(cmd)
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetIn(a.stdin)
	pf := root.PersistentFlags()
	pf.StringVar(&a.dbFlag, "db", "", "DuckDB warehouse file (default: $VOC_DB, voc.yaml's db, or ./"+config.DefaultDB+")")
	pf.StringVar(&a.configFlag, "config", "", "configuration file (default: $VOC_CONFIG or ./"+config.DefaultPath+" when present)")
	pf.BoolVar(&a.jsonOut, "json", false, "machine-readable JSON on stdout, no progress display")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log what voc is doing to stderr")

	root.AddCommand(
		a.initCommand(),
		a.importCommand(),
		a.collectCommand(),
		a.sourcesCommand(),
		a.queryCommand(),
		a.statusCommand(),
		a.demoCommand(),
		a.scoreCommand(),
		a.explainCommand(),
		a.evalCommand(),
		a.trainCommand(),
		a.pipelineCommand(),
		a.themesCommand(),
		a.complaintsCommand(),
		a.reportCommand(),
		a.serveCommand(),
		a.scheduleCommand(),
		a.runCommand(),
		a.versionCommand(),
	)
	return root
}

// setup resolves configuration once per invocation, before any command runs.
func (a *app) setup(cmd *cobra.Command) error {
	level := slog.LevelWarn
	if a.verbose {
		level = slog.LevelDebug
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	if cmd.Annotations["config"] == "none" {
		a.cfg = config.Default()
		return nil
	}
	path, explicit := a.configFlag, a.configFlag != ""
	if !explicit {
		if env := os.Getenv("VOC_CONFIG"); env != "" {
			path, explicit = env, true
		} else {
			path = config.DefaultPath
		}
	}
	cfg, err := config.Load(path, explicit)
	if err != nil {
		return err
	}
	a.cfg = cfg
	a.log.Debug("configuration", "file", cfg.Path(), "db", a.dbPath())
	return nil
}

// dbPath applies the precedence flag > VOC_DB > voc.yaml > default.
func (a *app) dbPath() string {
	if a.dbFlag != "" {
		return a.dbFlag
	}
	if env := os.Getenv("VOC_DB"); env != "" {
		return env
	}
	if a.cfg != nil && a.cfg.DB != "" {
		return a.cfg.DB
	}
	return config.DefaultDB
}

// openDB opens the warehouse; read-only for commands that only look.
func (a *app) openDB(ctx context.Context, readOnly bool) (*warehouse.DB, error) {
	return warehouse.Open(ctx, a.dbPath(), warehouse.Options{ReadOnly: readOnly, MemoryLimit: a.memoryLimit()})
}

// memoryLimit is voc.yaml's memory_limit, or the default without a file.
func (a *app) memoryLimit() string {
	if a.cfg != nil {
		return a.cfg.MemoryLimit
	}
	return config.DefaultMemoryLimit
}

// interactive reports whether output goes to a person: a terminal, and no
// --json. Progress displays and colours are for them only.
func (a *app) interactive() bool {
	if a.jsonOut {
		return false
	}
	w := a.stdout
	if c, ok := w.(*countingWriter); ok {
		w = c.w
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func (a *app) printf(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }

func (a *app) writeJSON(v any) error { return output.JSON(a.stdout, v) }

func writeJSONError(w io.Writer, err error) error {
	return output.JSON(w, map[string]string{"error": err.Error()})
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print voc's version and the warehouse schema it writes",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{"config": "none"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := map[string]any{"version": version(), "schema": warehouse.LatestSchema()}
			if a.jsonOut {
				return a.writeJSON(v)
			}
			a.printf("voc %s (warehouse schema %d)\n", v["version"], v["schema"])
			return nil
		},
	}
}
