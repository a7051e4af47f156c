package modules

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runKnownHosts), "known_hosts") }

var knownHostsSpec = argspec.Spec{
	Module: "known_hosts",
	Options: []argspec.Option{
		{Name: "name", Required: true, Aliases: []string{"host"}},
		{Name: "key", LogOK: true},
		{Name: "path", Type: "path", Default: "~/.ssh/known_hosts"},
		{Name: "hash_host", Type: "bool", Default: false},
		{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
	},
}

var (
	khCommaRe = regexp.MustCompile(`\S+(\s+)?,(\s+)?`)
	khLineRe  = regexp.MustCompile(`found: line (\d+)`)
)

// hashHostKey replaces the host field of key with an OpenSSH hashed name.
func hashHostKey(host, key string) string {
	salt := make([]byte, 20)
	rand.Read(salt)
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(host))
	parts := strings.Fields(key)
	i := 0
	if strings.HasPrefix(parts[0], "@") {
		i = 1
	}
	parts[i] = "|1|" + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(m.Sum(nil))
	return strings.Join(parts, " ")
}

func normalizeKHKey(key string) map[string]string {
	k := strings.Fields(key)
	d := map[string]string{}
	if len(k) > 0 && strings.HasPrefix(k[0], "@") && len(k) >= 4 {
		d["options"], d["host"], d["type"], d["key"] = k[0], k[1], k[2], k[3]
	} else if len(k) >= 3 {
		d["host"], d["type"], d["key"] = k[0], k[1], k[2]
	}
	return d
}

// runKnownHosts adds, replaces or removes a host key with ssh-keygen -F/-R
// on the target as Ansible does. One round trip probes (sanity check of the
// key, lookup in the file, its content); one more writes.
func runKnownHosts(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&knownHostsSpec, req)
	if err != nil {
		return argFail(err)
	}
	if err := expandUser(ctx, req, p, "path"); err != nil {
		return nil, err
	}
	host := strings.ToLower(p.String("name"))
	key, pth, state := p.String("key"), p.String("path"), p.String("state")
	if key == "" && state != "absent" {
		return fail(Result{}, "No key specified when adding a host")
	}
	if key != "" && p.Bool("hash_host") {
		key = hashHostKey(host, key)
	}
	if key != "" && !strings.HasSuffix(key, "\n") {
		key += "\n"
	}
	if key != "" && khCommaRe.MatchString(host) {
		return fail(Result{}, "Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.")
	}
	var sc strings.Builder
	fmt.Fprintf(&sc, "g=$(command -v ssh-keygen) || { echo NOKEYGEN; printf 'P=%%s\\n' \"$PATH\"; exit 0; }\nh=%s; f=%s\n", shellWord(host), shellWord(pth))
	sc.WriteString(`out() { printf '%s=' "$1"; printf '%s' "$2" | base64 -w0; echo; }` + "\n")
	if key != "" {
		sc.WriteString(`t=$(mktemp) && cat > "$t" && s=$("$g" -F "$h" -f "$t" 2>/dev/null); rm -f "$t"; [ -n "$s" ] || echo NOMATCH` + "\n")
	}
	sc.WriteString(`if [ -e "$f" ]; then echo EXISTS; "$g" -F "$h" -f "$f" >"${TMPDIR:-/tmp}/.okh.$$" 2>"${TMPDIR:-/tmp}/.okh2.$$"; echo "RC=$?"; out O "$(cat "${TMPDIR:-/tmp}/.okh.$$"; echo x)"; out E "$(cat "${TMPDIR:-/tmp}/.okh2.$$"; echo x)"; rm -f "${TMPDIR:-/tmp}/.okh.$$" "${TMPDIR:-/tmp}/.okh2.$$"; printf 'C='; base64 -w0 < "$f" 2>/dev/null; echo; fi` + "\n")
	sc.WriteString(pathStatScript(pth))
	res, err := target(req).Run(ctx, sc.String(), []byte(key))
	if err != nil {
		return nil, err
	}
	var exists, nomatch bool
	var rc int
	var stdout, stderr, before string
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		k, v, _ := strings.Cut(l, "=")
		dec := func() string {
			b, _ := base64.StdEncoding.DecodeString(v)
			return string(b)
		}
		switch {
		case l == "NOKEYGEN":
			return fail(Result{}, "Failed to find required executable \"ssh-keygen\" in paths: "+strings.TrimPrefix(strings.SplitN(string(res.Stdout), "\n", 3)[1], "P="))
		case l == "NOMATCH":
			nomatch = true
		case l == "EXISTS":
			exists = true
		case k == "RC":
			rc, _ = strconv.Atoi(v)
		case k == "O":
			stdout = strings.TrimSuffix(dec(), "x")
		case k == "E":
			stderr = strings.TrimSuffix(dec(), "x")
		case k == "C":
			before = dec()
		}
	}
	if nomatch {
		return fail(Result{}, "Host parameter does not match hashed host field in supplied key")
	}
	// search_for_host_key
	found, replace := false, false
	foundLine := 0
	if exists && !(stdout == "" && stderr == "" && (rc == 0 || rc == 1)) {
		if rc != 0 {
			return fail(Result{}, fmt.Sprintf("ssh-keygen failed (rc=%d, stdout='%s',stderr='%s')", rc, stdout, stderr))
		}
		found = true
		if key != "" {
			replace = true
			nk := normalizeKHKey(key)
			cur := 0
			for _, l := range strings.Split(stdout, "\n") {
				if l == "" {
					continue
				}
				if l[0] == '#' {
					if m := khLineRe.FindStringSubmatch(l); m != nil {
						cur, _ = strconv.Atoi(m[1])
					}
					continue
				}
				fk := normalizeKHKey(l)
				if strings.HasPrefix(nk["host"], "|1|") && strings.HasPrefix(fk["host"], "|1|") {
					nk["host"] = fk["host"]
				}
				if fmt.Sprint(nk) == fmt.Sprint(fk) {
					replace, foundLine = false, cur
					break
				} else if nk["type"] == fk["type"] {
					foundLine = cur
					break
				}
			}
		}
	}
	// compute_diff
	diff := map[string]any{"before_header": pth, "after_header": pth, "before": before, "after": ""}
	if !exists {
		diff["before_header"] = "/dev/null"
	}
	lines := strings.SplitAfter(before, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if (replace || state == "absent") && foundLine >= 1 && foundLine <= len(lines) {
		lines = append(lines[:foundLine-1:foundLine-1], lines[foundLine:]...)
	}
	if state == "present" && (replace || foundLine == 0) {
		lines = append(lines, key)
	}
	after := strings.Join(lines, "")
	diff["after"] = after
	r := Result{"changed": false}
	for k, v := range p {
		r[k] = v
	}
	r["diff"] = diff
	p["diff"] = diff // the module returns its params: invocation shows diff and changed
	statOut := string(res.Stdout)
	if state == "absent" && foundLine == 0 && key != "" {
		p["changed"] = false
		addPathStat(r, statOut)
		return r, nil
	}
	if req.CheckMode {
		return Result{"changed": replace || (state == "present") != found, "diff": diff}, nil
	}
	var w strings.Builder
	fmt.Fprintf(&w, "h=%s; f=%s\n", shellWord(host), shellWord(pth))
	write := false
	if found && key == "" && state == "absent" {
		w.WriteString(`ssh-keygen -R "$h" -f "$f" >/dev/null 2>&1 || exit 1` + "\n")
		r["changed"] = true
		write = true
	}
	var stdin []byte
	if (replace || found != (state == "present")) && !(found && key == "" && state == "absent") {
		// rebuild as the module does: drop the found line when replacing/removing, append the key
		var nb strings.Builder
		for i, l := range strings.SplitAfter(before, "\n") {
			if l == "" {
				continue
			}
			if foundLine == i+1 && (replace || state == "absent") {
				continue
			}
			nb.WriteString(l)
		}
		if state == "present" {
			nb.WriteString(key)
		}
		stdin = []byte(nb.String())
		w.WriteString(`d=$(dirname -- "$f"); t=$(mktemp "$d/.octopus-kh.XXXXXX") || { echo "WERR=cannot create a file in $d"; exit 0; }
cat > "$t"; ` + remote.ReplaceFile + "\n")
		r["changed"] = true
		write = true
	}
	if found && key == "" && state == "absent" {
		r["changed"] = true
	}
	if write {
		w.WriteString(pathStatScript(pth))
		res, err := target(req).Run(ctx, w.String(), stdin)
		if err != nil {
			return nil, err
		}
		if m := string(res.Stdout); strings.HasPrefix(m, "WERR=") {
			return fail(Result{}, fmt.Sprintf("Failed to write to file %s: %s", pth, strings.TrimSpace(m[5:])))
		}
		if res.RC != 0 {
			return fail(Result{}, strings.TrimSpace(string(res.Stderr)))
		}
		statOut = string(res.Stdout)
	}
	if r["changed"] == true {
		p["changed"] = true
	}
	addPathStat(r, statOut)
	return r, nil
}
