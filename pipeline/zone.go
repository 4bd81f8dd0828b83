package pipeline

import (
	"os"
	"path/filepath"
	"strings"
)

// localZoneName finds the machine's IANA zone name, which time.Local does
// not expose: $TZ, else the target of /etc/localtime.
func localZoneName() string {
	if tz := os.Getenv("TZ"); tz != "" {
		return strings.TrimPrefix(tz, ":")
	}
	target, err := filepath.EvalSymlinks("/etc/localtime")
	if err != nil {
		return ""
	}
	if _, after, ok := strings.Cut(target, "zoneinfo/"); ok {
		return after
	}
	return ""
}
