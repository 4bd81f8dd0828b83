package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/reports"
	"github.com/voc-analytics/voc/warehouse"
)

func (a *app) serveCommand() *cobra.Command {
	var addr, token, lang, dir string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve live reports and theme drill-downs from the warehouse",
		Long: `serve is a small web server over the warehouse, opened read-only: the
weekly report of any week and theme drill-downs whose item lists are queried
live with the reader's filters. Pages look like the written reports. Each
request opens the warehouse for itself, so imports, pipelines and the daemon
can write while it runs (a request during a write gets 503, try again).

It listens on 127.0.0.1 only, unless --addr says otherwise. On any other
address it refuses to start without an access token (--token or VOC_TOKEN),
and then answers 401 to every request that lacks it: send it as
"Authorization: Bearer TOKEN", or open any page once with ?token=TOKEN,
which sets a cookie. Ctrl-C stops it after open requests finish.`,
		Example: `  voc serve
  voc serve --out reports/            # also serve written reports under /files/
  VOC_TOKEN=s3cret voc serve --addr 0.0.0.0:8047`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				token = os.Getenv("VOC_TOKEN")
			}
			opt, err := a.reportOptions(lang)
			if err != nil {
				return err
			}
			// Open once to fail early on a missing file; then each request
			// opens it for itself, so writers are never locked out for long.
			db, err := a.openDB(cmd.Context(), true)
			if err != nil {
				return err
			}
			path := db.Path()
			db.Close()
			open := func(ctx context.Context) (*warehouse.DB, error) { return a.openDB(ctx, true) }
			srv, err := reports.NewServer(nil, reports.ServerOptions{Options: opt, Addr: addr, Token: token, Dir: dir, Log: a.log, Open: open})
			if err != nil {
				return err
			}
			return srv.ListenAndServe(cmd.Context(), func(bound string) {
				a.log.Info("serving", "addr", bound)
				if !a.jsonOut {
					a.printf("serving reports of %s on http://%s/ (Ctrl-C to stop)\n", path, bound)
				}
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", reports.DefaultAddr, "listen address; non-loopback needs --token")
	f.StringVar(&token, "token", "", "access token (default $VOC_TOKEN); required off loopback")
	f.StringVar(&lang, "lang", "zh", "default language of the pages: zh or en (?lang= overrides)")
	f.StringVar(&dir, "out", "", "directory of written reports to serve under /files/")
	return cmd
}
