package modules

import (
	"fmt"
	"strings"

	"octopus/modules/internal/remote"
)

// pathStatScript prints "PS=<lstat>" and "PF=<stat>" lines for p (nothing
// when p does not exist), for add_path_info without another round trip.
func pathStatScript(p string) string {
	q := shellWord(p)
	return fmt.Sprintf("if [ -e %[1]s ] || [ -L %[1]s ]; then printf 'PS=%%s\\n' \"$(stat -c '%[2]s' -- %[1]s)\"; [ -e %[1]s ] && printf 'PF=%%s\\n' \"$(stat -L -c '%[2]s' -- %[1]s)\"; fi\n", q, remote.StatFormat)
}

// addPathStat adds Ansible's path info from pathStatScript output found
// in out (the last occurrence wins).
func addPathStat(r Result, out string) {
	info := &remote.Info{}
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "PS="); ok {
			info.Exists, info.L = true, remote.StatFromFields(v)
			info.Follows = false
		} else if v, ok := strings.CutPrefix(l, "PF="); ok {
			info.Follows, info.F = true, remote.StatFromFields(v)
		}
	}
	if info.Exists {
		remote.PathInfo(r, info)
	}
}
