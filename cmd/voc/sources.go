package main

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/warehouse"
)

func (a *app) sourcesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sources",
		Short: "List the configured sources and how their last runs went",
		Long: `sources lists the sources of voc.yaml with their health from the
warehouse: the last run (of collect or import), its status, how many items
the source holds, and the last error any run of it reported. Sources the
warehouse knows but voc.yaml no longer names are listed too.`,
		Example: `  voc sources
  voc sources --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			health := map[string]warehouse.SourceHealth{}
			db, err := a.openDB(ctx, true)
			switch {
			case errors.Is(err, warehouse.ErrNoWarehouse):
			case err != nil:
				return err
			default:
				defer db.Close()
				hs, err := db.SourcesHealth(ctx)
				if err != nil {
					return err
				}
				for _, h := range hs {
					health[h.Name] = h
				}
			}
			type sourceJSON struct {
				Name       string     `json:"name"`
				Type       string     `json:"type"`
				Channel    string     `json:"channel,omitempty"`
				Configured bool       `json:"configured"`
				Collected  bool       `json:"collected"`
				Items      int        `json:"items"`
				Newest     *time.Time `json:"newest,omitempty"`
				LastRun    *time.Time `json:"last_run,omitempty"`
				LastJob    string     `json:"last_job,omitempty"`
				Status     string     `json:"status,omitempty"`
				LastNew    int        `json:"last_new"`
				LastError  string     `json:"last_error,omitempty"`
				Watermark  string     `json:"watermark,omitempty"`
			}
			var out []sourceJSON
			seen := map[string]bool{}
			for name, s := range a.cfg.Sources {
				seen[name] = true
				h := health[name]
				out = append(out, sourceJSON{Name: name, Type: s.Type, Channel: s.Channel, Configured: true, Collected: collectors.Registered(s.Type),
					Items: h.Items, Newest: timePtr(h.Newest), LastRun: timePtr(h.LastRun.Started), LastJob: h.LastRun.Job,
					Status: string(h.LastRun.Status), LastNew: h.LastRun.Loaded, LastError: h.LastError, Watermark: h.Watermark})
			}
			for name, h := range health {
				if !seen[name] {
					out = append(out, sourceJSON{Name: name, Type: h.Type, Collected: collectors.Registered(h.Type), Items: h.Items, Newest: timePtr(h.Newest),
						LastRun: timePtr(h.LastRun.Started), LastJob: h.LastRun.Job, Status: string(h.LastRun.Status), LastNew: h.LastRun.Loaded,
						LastError: h.LastError, Watermark: h.Watermark})
				}
			}
			sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
			if a.jsonOut {
				if out == nil {
					out = []sourceJSON{}
				}
				return a.writeJSON(map[string]any{"sources": out})
			}
			if len(out) == 0 {
				a.printf("no sources configured in %s: see 'voc init' for examples\n", a.configName())
				return nil
			}
			t := output.Table{Columns: []string{"source", "type", "channel", "items", "last run", "status", "new", "last error"}}
			for _, s := range out {
				last := ""
				if s.LastRun != nil {
					last = s.LastRun.Local().Format(time.DateTime)
				}
				name := s.Name
				if !s.Configured {
					name += " (not in config)"
				}
				t.Rows = append(t.Rows, []any{name, s.Type, s.Channel, int64(s.Items), last, s.Status, int64(s.LastNew), clipText(strings.TrimPrefix(s.LastError, "source "+s.Name+": "), 80)})
			}
			return output.WriteTable(a.stdout, t)
		},
	}
}
