package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"octopus/modules/internal/argspec"
)

func init() {
	Register(guarded(runAuthorizedKey), "authorized_key", "ansible.posix.authorized_key")
}

var authorizedKeySpec = argspec.Spec{
	Module: "authorized_key",
	Options: []argspec.Option{
		{Name: "user", Required: true},
		{Name: "key", Required: true, LogOK: true},
		{Name: "path", Type: "path"},
		{Name: "manage_dir", Type: "bool", Default: true},
		{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
		{Name: "key_options", LogOK: true},
		{Name: "exclusive", Type: "bool", Default: false},
		{Name: "comment"},
		{Name: "validate_certs", Type: "bool", Default: true},
		{Name: "follow", Type: "bool", Default: false},
	},
}

var sshKeyTypes = map[string]bool{}

func init() {
	for _, t := range []string{"sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
		"webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
		"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521",
		"ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com",
		"ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "ssh-dss", "ssh-rsa", "ssh-xmss@openssh.com",
		"ssh-xmss-cert-v01@openssh.com", "rsa-sha2-256", "rsa-sha2-512", "ssh-rsa-cert-v01@openssh.com",
		"rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com"} {
		sshKeyTypes[t] = true
	}
}

// sshOpt is one key option (value nil for a flag).
type sshOpt struct {
	k string
	v *string
}

// sshKey is one parsed authorized_keys entry.
type sshKey struct {
	blob, typ string // typ "skipped" for comments and unparsable lines (blob = the raw line)
	opts      []sshOpt
	comment   string
	rank      int
}

var sshOptRe = regexp.MustCompile(`(?:[^,"']|"[^"]*"|'[^']*')+`)

func parseSSHOptions(s string) []sshOpt {
	var out []sshOpt
	for _, part := range sshOptRe.FindAllString(s, -1) {
		if k, v, ok := strings.Cut(part, "="); ok {
			vv := v
			out = append(out, sshOpt{k, &vv})
		} else {
			out = append(out, sshOpt{part, nil})
		}
	}
	return out
}

// parseSSHKey parses a line as the module does (whitespace split, key type
// anywhere, options before it, comment after the blob); ok is false when
// no key type is found.
func parseSSHKey(raw string, rank int) (sshKey, bool) {
	raw = strings.ReplaceAll(raw, `\#`, "#")
	parts := strings.Fields(raw)
	if len(parts) > 0 && parts[0] == "#" {
		return sshKey{blob: raw, typ: "skipped", rank: rank}, true
	}
	idx := -1
	for i, p := range parts {
		if sshKeyTypes[p] {
			idx = i
			break
		}
	}
	if idx < 0 || idx+1 >= len(parts) {
		return sshKey{}, false
	}
	k := sshKey{typ: parts[idx], blob: parts[idx+1], rank: rank}
	if idx > 0 {
		k.opts = parseSSHOptions(strings.Join(parts[:idx], " "))
	}
	k.comment = strings.Join(parts[idx+2:], " ")
	return k, true
}

func optsEqual(a, b []sshOpt) bool {
	m := map[string]*string{}
	for _, o := range a {
		m[o.k] = o.v
	}
	n := map[string]*string{}
	for _, o := range b {
		n[o.k] = o.v
	}
	if len(m) != len(n) {
		return false
	}
	for k, v := range m {
		w, ok := n[k]
		if !ok || (v == nil) != (w == nil) || (v != nil && *v != *w) {
			return false
		}
	}
	return true
}

func (k sshKey) line() string {
	if k.typ == "skipped" {
		return k.blob
	}
	o := ""
	if len(k.opts) > 0 {
		var s []string
		seen := map[string]int{}
		var dedup []sshOpt
		for _, op := range k.opts {
			if i, ok := seen[op.k]; ok {
				dedup[i] = op
				continue
			}
			seen[op.k] = len(dedup)
			dedup = append(dedup, op)
		}
		for _, op := range dedup {
			if op.v == nil {
				s = append(s, op.k)
			} else {
				s = append(s, op.k+"="+*op.v)
			}
		}
		o = strings.Join(s, ",") + " "
	}
	return fmt.Sprintf("%s%s %s %s\n", o, k.typ, k.blob, k.comment)
}

func runAuthorizedKey(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&authorizedKeySpec, req)
	if err != nil {
		return argFail(err)
	}
	if err := expandUser(ctx, req, p, "path"); err != nil {
		return nil, err
	}
	user, key, state := p.String("user"), p.String("key"), p.String("state")
	if strings.HasPrefix(key, "http") {
		return fail(Result{}, "Error getting key from: "+key+" (octopus does not fetch keys from URLs)")
	}
	var newKeys []string
	for _, l := range strings.Split(strings.ReplaceAll(key, "\r\n", "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			newKeys = append(newKeys, l)
		}
	}
	// probe: user entry, key file (resolved), its content
	pathGiven := p.Set("path")
	var sc strings.Builder
	fmt.Fprintf(&sc, "u=%s\n", shellWord(user))
	sc.WriteString(`e=$(getent passwd "$u" 2>/dev/null | head -n1) && printf 'U=%s\n' "$e"` + "\n")
	if pathGiven {
		fmt.Fprintf(&sc, "k=%s\n", shellWord(p.String("path")))
	} else {
		sc.WriteString(`h=$(printf '%s' "$e" | cut -d: -f6); k="$h/.ssh/authorized_keys"` + "\n")
	}
	if p.Bool("follow") {
		sc.WriteString(`k=$(realpath -m -- "$k")` + "\n")
	}
	sc.WriteString(`printf 'K=%s\n' "$k"; if [ -f "$k" ]; then printf 'C='; base64 -w0 < "$k"; echo; fi` + "\n")
	if pathGiven {
		sc.WriteString(pathStatScript(p.String("path")))
	}
	res, err := target(req).Run(ctx, sc.String(), nil)
	if err != nil {
		return nil, err
	}
	statOut := string(res.Stdout)
	var pw []string
	keyfile, existing := "", ""
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		switch {
		case strings.HasPrefix(l, "U="):
			pw = strings.Split(l[2:], ":")
		case strings.HasPrefix(l, "K="):
			keyfile = l[2:]
		case strings.HasPrefix(l, "C="):
			b, _ := base64.StdEncoding.DecodeString(l[2:])
			existing = string(b)
		}
	}
	if !(req.CheckMode && pathGiven) && len(pw) < 7 {
		if req.CheckMode && !pathGiven {
			return fail(Result{}, "Either user must exist or you must provide full path to key file in check mode")
		}
		return fail(Result{}, fmt.Sprintf("Failed to lookup user %s: \"getpwnam(): name not found: '%s'\"", user, user))
	}
	if !p.Bool("follow") && !pathGiven && len(pw) >= 7 {
		keyfile = path.Join(pw[5], ".ssh", "authorized_keys")
	}
	p["keyfile"] = keyfile // the module's params carry it (invocation shows it)
	// existing keys, keyed by blob (or raw line)
	keys := map[string]sshKey{}
	lines := strings.SplitAfter(existing, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if k, ok := parseSSHKey(l, i); ok {
			if k.typ == "skipped" {
				keys[k.blob] = k
			} else {
				keys[k.blob] = k
			}
		} else {
			keys[l] = sshKey{blob: l, typ: "skipped", rank: i}
		}
	}
	maxRank := len(keys)
	doWrite := false
	var toExist []string
	for i, nk := range newKeys {
		k, ok := parseSSHKey(nk, i)
		if !ok || k.typ == "skipped" {
			return fail(Result{}, "invalid key specified: "+nk)
		}
		if p.Set("key_options") {
			k.opts = parseSSHOptions(p.String("key_options"))
		}
		if p.Set("comment") {
			k.comment = p.String("comment")
		}
		matched := false
		var nonMatching *sshKey
		if ex, ok := keys[k.blob]; ok {
			if (ex.typ != k.typ || !optsEqual(ex.opts, k.opts) || ex.comment != k.comment) && state == "present" {
				nonMatching = &ex
			} else {
				matched = true
			}
		}
		if state == "present" {
			toExist = append(toExist, k.blob)
			if nonMatching != nil {
				delete(keys, nonMatching.blob)
				doWrite = true
			}
			if !matched {
				k.rank = maxRank + k.rank
				keys[k.blob] = k
				doWrite = true
			}
		} else if matched {
			delete(keys, k.blob)
			doWrite = true
		}
	}
	if state == "present" && p.Bool("exclusive") {
		keep := map[string]bool{}
		for _, b := range toExist {
			keep[b] = true
		}
		for b := range keys {
			if !keep[b] {
				delete(keys, b)
				doWrite = true
			}
		}
	}
	r := Result{"changed": false}
	for k, v := range p {
		r[k] = v
	}
	r["keyfile"] = keyfile
	if doWrite {
		all := make([]sshKey, 0, len(keys))
		for _, k := range keys {
			all = append(all, k)
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].rank < all[j].rank })
		var b strings.Builder
		for _, k := range all {
			b.WriteString(k.line())
		}
		content := b.String()
		if req.DiffMode {
			r["diff"] = map[string]any{"before_header": keyfile, "after_header": keyfile, "before": existing, "after": content}
		}
		if !req.CheckMode {
			uid, gid := pw[2], pw[3]
			var w strings.Builder
			fmt.Fprintf(&w, "k=%s; set -e\n", shellWord(keyfile))
			if p.Bool("manage_dir") {
				sshdir := path.Dir(keyfile)
				if !pathGiven {
					sshdir = path.Join(pw[5], ".ssh")
				} else {
					sshdir = path.Dir(p.String("path"))
				}
				fmt.Fprintf(&w, "s=%s; [ -e \"$s\" ] || mkdir -m 0700 -- \"$s\"; chown %s:%s -- \"$s\"; chmod 0700 -- \"$s\"\n", shellWord(sshdir), uid, gid)
			}
			fmt.Fprintf(&w, "[ -e \"$k\" ] || { mkdir -p -- \"$(dirname -- \"$k\")\"; : > \"$k\"; }\nchown %s:%s -- \"$k\" 2>/dev/null || true; chmod 0600 -- \"$k\" 2>/dev/null || true\n", uid, gid)
			w.WriteString("t=\"$k.octopus-tmp.$$\"; cat > \"$t\"; chown --reference=\"$k\" -- \"$t\"; chmod --reference=\"$k\" -- \"$t\"; mv -f -- \"$t\" \"$k\"\n")
			if pathGiven {
				w.WriteString(pathStatScript(p.String("path")))
			}
			res, err := target(req).Run(ctx, w.String(), []byte(content))
			if err != nil {
				return nil, err
			}
			if res.RC != 0 {
				return fail(Result{}, "Failed to write to file "+keyfile+": "+strings.TrimSpace(string(res.Stderr)))
			}
			statOut = string(res.Stdout)
		}
		r["changed"] = true
	}
	// the module returns its params: invocation shows changed and diff too
	if r["changed"] == true {
		p["changed"] = true
	}
	if d, ok := r["diff"]; ok {
		p["diff"] = d
	}
	if pathGiven {
		addPathStat(r, statOut)
	}
	return r, nil
}
