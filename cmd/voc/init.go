package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/config"
)

func (a *app) initCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented voc.yaml and create the warehouse",
		Long: `init writes voc.yaml, a configuration file that lists every option voc has
with a comment on each, and creates the DuckDB warehouse it points at.
An existing voc.yaml is left alone unless --force is given.`,
		Example: `  voc init
  voc init --config /etc/voc/voc.yaml --db /var/lib/voc/voc.duckdb`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{"config": "none"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := a.configFlag
			if path == "" {
				path = os.Getenv("VOC_CONFIG")
			}
			if path == "" {
				path = config.DefaultPath
			}
			wrote, err := writeConfig(path, force)
			if err != nil {
				return err
			}
			if wrote {
				// Read back what was written, so --db and voc.yaml's db agree.
				if a.cfg, err = config.Load(path, true); err != nil {
					return err
				}
			} else if a.cfg, err = config.Load(path, true); err != nil {
				return fmt.Errorf("%s exists but does not load (use --force to replace it): %w", path, err)
			}
			db, err := a.openDB(cmd.Context(), false)
			if err != nil {
				return err
			}
			ver, err := db.SchemaVersion(cmd.Context())
			closeErr := db.Close()
			if err != nil {
				return err
			}
			if closeErr != nil {
				return closeErr
			}
			if a.jsonOut {
				return a.writeJSON(map[string]any{"config": path, "config_written": wrote, "db": a.dbPath(), "schema": ver})
			}
			if wrote {
				a.printf("wrote %s (every option, with comments)\n", path)
			} else {
				a.printf("kept existing %s (use --force to replace it)\n", path)
			}
			a.printf("warehouse %s ready (schema %d)\n\nnext: voc import survey FILE --source NAME\n", a.dbPath(), ver)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing voc.yaml")
	return cmd
}

// writeConfig writes the template unless a file is there and force is off.
func writeConfig(path string, force bool) (bool, error) {
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write config: %w", err)
	}
	if _, err := f.Write(config.Template()); err != nil {
		f.Close()
		return false, fmt.Errorf("write config %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("write config %s: %w", path, err)
	}
	return true, nil
}
