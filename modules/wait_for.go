package modules

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/pyre"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runWaitFor), "wait_for") }

var waitForSpec = argspec.Spec{
	Module: "wait_for",
	Options: []argspec.Option{
		{Name: "host", Default: "127.0.0.1"},
		{Name: "timeout", Type: "int", Default: 300},
		{Name: "connect_timeout", Type: "int", Default: 5},
		{Name: "delay", Type: "int", Default: 0},
		{Name: "port", Type: "int"},
		{Name: "active_connection_states", Type: "list", Elements: "str", Default: []any{"ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "SYN_RECV", "SYN_SENT", "TIME_WAIT"}},
		{Name: "path", Type: "path"},
		{Name: "search_regex"},
		{Name: "state", Default: "started", Choices: []any{"absent", "drained", "present", "started", "stopped"}},
		{Name: "exclude_hosts", Type: "list", Elements: "str"},
		{Name: "sleep", Type: "int", Default: 1},
		{Name: "msg"},
	},
}

var tcpStateIDs = map[string]string{"ESTABLISHED": "01", "SYN_SENT": "02", "SYN_RECV": "03", "FIN_WAIT1": "04", "FIN_WAIT2": "05", "TIME_WAIT": "06"}

// portProbe is a script that connects to host:port from the target and
// prints UP or DOWN: bash's /dev/tcp, else nc, else (for local addresses)
// a LISTEN socket on the port in /proc/net/tcp*. With read set, the data
// the server sends is printed (base64) after UP.
func portProbe(host string, port, ct int, read bool) string {
	rd := ""
	if read {
		rd = `; while IFS= read -r -t 1 l <&3 || [ -n "$l" ]; do printf "%s\n" "$l"; l=; done`
	}
	return fmt.Sprintf(`h=%s; p=%d
if command -v bash >/dev/null 2>&1; then
  out=$(timeout %d bash -c 'exec 3<>/dev/tcp/'"$h"'/'"$p"' || exit 1; echo C%s' 2>/dev/null)
  case "$out" in C*) echo UP; printf '%%s' "${out#C}" | base64 -w0; echo;; *) echo DOWN;; esac
elif command -v nc >/dev/null 2>&1; then
  if nc -z -w %d "$h" "$p" 2>/dev/null; then echo UP; else echo DOWN; fi
else
  x=$(printf '%%04X' "$p"); if cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v x=":$x" '$4=="0A" && substr($2, length($2)-4)==x {f=1} END {exit !f}'; then echo UP; else echo DOWN; fi
fi
`, shellWord(host), port, ct, rd, ct)
}

// hostHex converts an address to /proc/net/tcp notation (little-endian
// 32-bit words), as wait_for's drained check does.
func hostHex(host string) []string {
	var ips []net.IP
	switch host {
	case "localhost":
		ips = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	default:
		if ip := net.ParseIP(host); ip != nil {
			ips = []net.IP{ip}
		} else if addrs, err := net.LookupIP(host); err == nil {
			ips = addrs
		}
	}
	var out []string
	for _, ip := range ips {
		b := []byte(ip.To4())
		fam := "4"
		if b == nil {
			b, fam = []byte(ip.To16()), "6"
		}
		s := fam
		for i := 0; i+4 <= len(b); i += 4 {
			s += fmt.Sprintf("%08X", binary.LittleEndian.Uint32(b[i:i+4]))
		}
		out = append(out, s)
	}
	return out
}

func runWaitFor(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&waitForSpec, req)
	if err != nil {
		return argFail(err)
	}
	if req.CheckMode {
		return Result{"changed": false, "skipped": true, "msg": "remote module (wait_for) does not support check mode"}, nil
	}
	if err := expandUser(ctx, req, p, "path"); err != nil {
		return nil, err
	}
	host, port, pth, state, msg := p.String("host"), p.Int("port"), p.String("path"), p.String("state"), p.String("msg")
	timeout, delay, ct := p.Int("timeout"), p.Int("delay"), p.Int("connect_timeout")
	var re *pyre.Regexp
	if p.Set("search_regex") {
		if re, err = pyre.Compile("(?m)" + p.String("search_regex")); err != nil {
			return fail(Result{}, "Invalid regular expression: "+err.Error())
		}
	}
	failE := func(m string) (Result, error) { return Result{"failed": true, "msg": m, "elapsed": 0}, nil }
	if port != 0 && pth != "" {
		return failE("port and path parameter can not both be passed to wait_for")
	}
	if pth != "" && state == "stopped" {
		return failE("state=stopped should only be used for checking a port in the wait_for module")
	}
	if pth != "" && state == "drained" {
		return failE("state=drained should only be used for checking a port in the wait_for module")
	}
	if p.Set("exclude_hosts") && state != "drained" {
		return failE("exclude_hosts should only be with state=drained")
	}
	var active []string
	for _, s := range p.List("active_connection_states") {
		id, ok := tcpStateIDs[s]
		if !ok {
			return failE(fmt.Sprintf("unknown active_connection_state (%s) defined", s))
		}
		active = append(active, id)
	}
	start := time.Now()
	sleepCtx := func(d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	if delay > 0 {
		if err := sleepCtx(time.Duration(delay) * time.Second); err != nil {
			return nil, err
		}
	}
	end := start.Add(time.Duration(timeout) * time.Second)
	elapsed := func() int { return int(time.Since(start) / time.Second) }
	orMsg := func(def string) string {
		if msg != "" {
			return msg
		}
		return def
	}
	run := func(script string) (string, error) {
		res, err := target(req).Run(ctx, script, nil)
		if err != nil {
			return "", err
		}
		return string(res.Stdout), nil
	}
	pause := time.Duration(p.Int("sleep")) * time.Second
	var groups []any
	groupdict := map[string]any{}
	met := false
	var pathInfo *remote.Info
	switch {
	case port == 0 && pth == "" && state != "drained":
		if err := sleepCtx(time.Until(end)); err != nil {
			return nil, err
		}
		met = true
	case state == "absent" || state == "stopped":
		for time.Now().Before(end) {
			var out string
			if pth != "" {
				out, err = run(fmt.Sprintf("[ -e %s ] && echo UP || echo DOWN\n", remote.QuotePath(pth)))
			} else {
				out, err = run(portProbe(host, port, ct, false))
			}
			if err != nil {
				return nil, err
			}
			if strings.HasPrefix(out, "DOWN") {
				met = true
				break
			}
			if err := sleepCtx(pause); err != nil {
				return nil, err
			}
		}
		if !met {
			if port != 0 {
				return Result{"failed": true, "msg": orMsg(fmt.Sprintf("Timeout when waiting for %s:%d to stop.", host, port)), "elapsed": elapsed()}, nil
			}
			return Result{"failed": true, "msg": orMsg(fmt.Sprintf("Timeout when waiting for %s to be absent.", pth)), "elapsed": elapsed()}, nil
		}
	case state == "started" || state == "present":
		for time.Now().Before(end) {
			var data []byte
			found := false
			if pth != "" {
				q := remote.QuotePath(pth)
				sc := fmt.Sprintf("if [ -e %[1]s ]; then echo UP; stat -c '%[2]s' -- %[1]s; stat -L -c '%[2]s' -- %[1]s; echo; else e=$(LC_ALL=C stat -L -- %[1]s 2>&1); echo \"ERR ${e##*: }\"; fi\n", q, remote.StatFormat)
				if re != nil {
					sc = fmt.Sprintf("if [ -e %[1]s ]; then echo UP; stat -c '%[2]s' -- %[1]s; stat -L -c '%[2]s' -- %[1]s; base64 -w0 < %[1]s 2>/dev/null; echo; else e=$(LC_ALL=C stat -L -- %[1]s 2>&1); echo \"ERR ${e##*: }\"; fi\n", q, remote.StatFormat)
				}
				out, err := run(sc)
				if err != nil {
					return nil, err
				}
				first, rest, _ := strings.Cut(out, "\n")
				if strings.HasPrefix(first, "ERR ") && !strings.Contains(first, "No such file or directory") {
					return Result{"failed": true, "msg": orMsg(fmt.Sprintf("Failed to stat %s, %s", pth, strings.TrimPrefix(first, "ERR "))), "elapsed": elapsed()}, nil
				}
				if first == "UP" {
					found = true
					lst, rest2, _ := strings.Cut(rest, "\n")
					fst, body, _ := strings.Cut(rest2, "\n")
					pathInfo = &remote.Info{Exists: true, Follows: true, L: remote.StatFromFields(lst), F: remote.StatFromFields(fst)}
					data, _ = base64.StdEncoding.DecodeString(strings.TrimSpace(body))
				}
			} else {
				w := ct
				if alt := int(math.Ceil(time.Until(end).Seconds())); alt < w {
					w = alt
				}
				if w < 1 {
					w = 1
				}
				out, err := run(portProbe(host, port, w, re != nil))
				if err != nil {
					return nil, err
				}
				first, rest, _ := strings.Cut(out, "\n")
				if first == "UP" {
					found = true
					data, _ = base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
				}
			}
			if found && re == nil {
				met = true
				break
			}
			if found {
				if m := re.FindSubmatchIndex(data); m != nil {
					names := re.SubexpNames()
					for i := 1; i < len(m)/2; i++ {
						var v any
						if m[2*i] >= 0 {
							v = string(data[m[2*i]:m[2*i+1]])
						}
						groups = append(groups, v)
						if names[i] != "" {
							groupdict[names[i]] = v
						}
					}
					met = true
					break
				}
			}
			if err := sleepCtx(pause); err != nil {
				return nil, err
			}
		}
		if !met {
			var m string
			switch {
			case port != 0 && re != nil:
				m = fmt.Sprintf("Timeout when waiting for search string %s in %s:%d", p.String("search_regex"), host, port)
			case port != 0:
				m = fmt.Sprintf("Timeout when waiting for %s:%d", host, port)
			case re != nil:
				m = fmt.Sprintf("Timeout when waiting for search string %s in %s", p.String("search_regex"), pth)
			default:
				m = fmt.Sprintf("Timeout when waiting for file %s", pth)
			}
			return Result{"failed": true, "msg": orMsg(m), "elapsed": elapsed()}, nil
		}
	case state == "drained":
		ips := hostHex(host)
		var excl []string
		for _, h := range p.List("exclude_hosts") {
			excl = append(excl, hostHex(h)...)
		}
		for time.Now().Before(end) {
			out, err := run("cat /proc/net/tcp 2>/dev/null | sed 's/^/4 /'; cat /proc/net/tcp6 2>/dev/null | sed 's/^/6 /'\n")
			if err != nil {
				return nil, err
			}
			if countActive(out, port, ips, excl, active) == 0 {
				met = true
				break
			}
			if err := sleepCtx(pause); err != nil {
				return nil, err
			}
		}
		if !met {
			return Result{"failed": true, "msg": orMsg(fmt.Sprintf("Timeout when waiting for %s:%d to drain", host, port)), "elapsed": elapsed()}, nil
		}
	}
	if groups == nil {
		groups = []any{}
	}
	r := Result{"changed": false, "state": state, "port": nil, "search_regex": nil, "match_groups": groups, "match_groupdict": groupdict, "path": nil, "elapsed": elapsed()}
	if port != 0 {
		r["port"] = port
	}
	if p.Set("search_regex") {
		r["search_regex"] = p.String("search_regex")
	}
	if pth != "" {
		r["path"] = pth
		remote.PathInfo(r, pathInfo)
	}
	return r, nil
}

// countActive counts connections in /proc/net/tcp* lines (prefixed with
// the family) on the local port whose state is active, as wait_for's
// drained check does.
func countActive(out string, port int, ips, excl, active []string) int {
	hexPort := fmt.Sprintf("%04X", port)
	has := func(l []string, s string) bool {
		for _, x := range l {
			if x == s {
				return true
			}
		}
		return false
	}
	n := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[2] == "local_address" {
			continue
		}
		fam := f[0]
		if !has(active, f[4]) {
			continue
		}
		lip, lport, _ := strings.Cut(f[2], ":")
		if lport != hexPort {
			continue
		}
		rip, _, _ := strings.Cut(f[3], ":")
		if has(excl, fam+rip) {
			continue
		}
		all := "00000000"
		if fam == "6" {
			all = strings.Repeat("0", 32)
		}
		if has(ips, fam+lip) || has(ips, fam+all) || (strings.HasPrefix(lip, "0000000000000000FFFF0000") && has(ips, "60000000000000000FFFF000000000000")) {
			n++
		}
	}
	return n
}
