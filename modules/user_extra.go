package modules

import (
	"context"
	"fmt"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

// userHashRe matches characters outside crypt(3)'s hash alphabet.
var userHashRe = regexp.MustCompile(`[^a-zA-Z0-9./=]`)

// userWarnings returns the warnings the user module gives for its
// parameters before doing anything: a password that does not look
// hashed, append without groups.
func userWarnings(p argspec.Params) []any {
	var w []any
	if pw := p.String("password"); pw != "" {
		bad := false
		switch pw {
		case "*", "!", "*************":
		default:
			if strings.ContainsAny(pw, ":*!") || !strings.Contains(pw, "$") {
				bad = true
			} else if f := strings.Split(pw, "$"); len(f) < 3 {
				bad = true
			} else {
				last := f[len(f)-1]
				want := map[string]int{"1": 22, "5": 43, "6": 86}
				if userHashRe.MatchString(last) {
					bad = true
				}
				if n, ok := want[f[1]]; ok && len(last) != n {
					bad = true
				}
			}
		}
		if bad {
			w = append(w, "The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly.")
		}
	}
	if !p.Set("groups") && p.Bool("append") {
		w = append(w, "'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups.This will change to an error in Ansible 2.14.")
	}
	return w
}

// userExpires is the expires option: whether it is set, whether it lies
// before the epoch (meaning "never"), the date useradd -e takes, and the
// days since the epoch lchage -E takes.
func userExpires(p argspec.Params) (set, never bool, date string, days int64) {
	var f float64
	switch v := p["expires"].(type) {
	case float64:
		f = v
	case int:
		f = float64(v)
	default:
		return false, false, "", 0
	}
	sec := math.Floor(f)
	t := time.Unix(int64(sec), 0).UTC()
	return true, f < 0, t.Format("2006-01-02"), int64(sec) / 86400
}

// shadowField returns field i of a shadow line as spwd does: -1 when empty.
func shadowField(line string, i int) int {
	f := strings.Split(line, ":")
	if i >= len(f) || f[i] == "" {
		return -1
	}
	n, err := strconv.Atoi(f[i])
	if err != nil {
		return -1
	}
	return n
}

// userExpiresArgs returns the usermod arguments (or, with local, the
// lchage days) that bring the account's expiry date (shadow line sh) to
// the expires option, or nothing when it already matches.
func userExpiresArgs(p argspec.Params, sh string) ([]string, *int64) {
	set, never, date, days := userExpires(p)
	if !set {
		return nil, nil
	}
	cur := shadowField(sh, 7)
	if never {
		if cur >= 0 {
			if p.Bool("local") {
				d := int64(-1)
				return nil, &d
			}
			return []string{"-e", ""}, nil
		}
		return nil, nil
	}
	if cur < 0 || time.Unix(int64(cur)*86400, 0).UTC().Format("2006-01-02") != date {
		if p.Bool("local") {
			return nil, &days
		}
		return []string{"-e", date}, nil
	}
	return nil, nil
}

// userExtras does what the user module does once the account exists:
// ssh key generation (generate_ssh_key) and password ageing
// (password_expire_min/max). It adds to res and reports whether anything
// changed; a non-nil Result is a failure.
func userExtras(ctx context.Context, req *Request, p argspec.Params, name string, st userState, shadow string, res Result) (bool, Result, error) {
	changed := false
	uid, _ := strconv.Atoi(st.pw[2])
	gid, _ := strconv.Atoi(st.pw[3])
	home := st.pw[5]
	var warns []any
	if p.Bool("generate_ssh_key") {
		typ := p.String("ssh_key_type")
		file := p.String("ssh_key_file")
		if file == "" {
			file = path.Join(".ssh", "id_"+typ)
		}
		q := connection.ShellQuote
		var s strings.Builder
		if !path.IsAbs(file) {
			fmt.Fprintf(&s, "S homeok; [ -e %s ] && echo yes\n", q(home))
			file = path.Join(home, file)
		}
		pub := file + ".pub"
		dir := path.Dir(file)
		fmt.Fprintf(&s, "S dir; [ -e %s ] && echo yes\nS key; [ -e %s ] && echo yes\nS pub; [ -e %s ] && echo yes\nS host; uname -n\nS path; printf '%%s' \"$PATH\"\nS kg; command -v ssh-keygen\n", q(dir), q(file), q(pub))
		o, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
		if err != nil {
			return false, nil, err
		}
		yes := func(k string) bool { return strings.TrimSpace(o.Section(k)) == "yes" }
		if !p.Set("ssh_key_comment") {
			p["ssh_key_comment"] = "ansible-generated on " + strings.TrimSpace(o.Section("host"))
		}
		if _, checked := o.Find("homeok"); checked && !yes("homeok") && !req.CheckMode {
			return false, Result{"failed": true, "name": name, "msg": fmt.Sprintf("User %s home directory does not exist", name), "rc": 1}, nil
		}
		kg := strings.TrimSpace(o.Section("kg"))
		rc := -1 // None: nothing done
		var g strings.Builder
		switch {
		case !yes("dir") && req.CheckMode:
			rc = 0
		case yes("key") && !p.Bool("force"):
			warns = append(warns, fmt.Sprintf("Found existing ssh key private file \"%s\", no force, so skipping ssh-keygen generation", file))
		case !yes("key") && yes("pub") && !p.Bool("force"):
			warns = append(warns, fmt.Sprintf("Found existing ssh key public file \"%s\", no force, so skipping ssh-keygen generation", pub))
		case kg == "":
			return false, Result{"failed": true, "msg": sysBinPathError("ssh-keygen", o.Section("path"))}, nil
		case req.CheckMode:
			rc = 0
		default:
			if !yes("dir") {
				fmt.Fprintf(&g, "mkdir -m 0700 %[1]s && chown %[2]d:%[3]d %[1]s || { S mkerr; exit 0; }\n", q(dir), uid, gid)
			}
			overwrite := ""
			if yes("key") {
				warns = append(warns, fmt.Sprintf("Overwriting existing ssh key private file \"%s\"", file))
				overwrite = "y"
			}
			if yes("pub") {
				warns = append(warns, fmt.Sprintf("Overwriting existing ssh key public file \"%s\"", pub))
				fmt.Fprintf(&g, "rm -f %s\n", q(pub))
			}
			args := []string{q(kg), "-t", q(typ)}
			if b := p.Int("ssh_key_bits"); b > 0 {
				args = append(args, "-b", strconv.Itoa(b))
			}
			args = append(args, "-C", q(p.String("ssh_key_comment")), "-f", q(file))
			var stdin []byte
			if p.Set("ssh_key_passphrase") {
				// the passphrase comes on standard input, never in the script
				stdin = []byte(p.String("ssh_key_passphrase") + "\n" + overwrite + "\n")
				fmt.Fprintf(&g, "IFS= read -r _pp; CE gen %s -N \"$_pp\"\n", strings.Join(args, " "))
			} else {
				stdin = []byte(overwrite + "\n")
				fmt.Fprintf(&g, "CE gen %s -N ''\n", strings.Join(args, " "))
			}
			fmt.Fprintf(&g, "[ \"$_r\" = 0 ] && chown %[1]d:%[2]d %[3]s %[4]s\n", uid, gid, q(file), q(pub))
			opts := sysExecOpts(req)
			opts.Stdin = stdin
			o2, err := probe.Run(ctx, req.Conn, g.String(), opts)
			if err != nil {
				return false, nil, err
			}
			if _, bad := o2.Find("mkerr"); bad {
				return false, Result{"failed": true, "name": name, "msg": "Failed to create " + dir, "rc": 1}, nil
			}
			_, rc, _ = o2.Cmd("gen")
			if rc != 0 {
				return false, Result{"failed": true, "name": name, "msg": o2.Stderr("gen"), "rc": rc}, nil
			}
		}
		if rc == 0 {
			changed = true
		}
		o3, err := probe.Run(ctx, req.Conn, fmt.Sprintf("if [ -e %[1]s ]; then CE fp ssh-keygen -l -f %[1]s; fi\nS pk; cat %[2]s 2>/dev/null || S nopk\n", q(file), q(pub)), sysExecOpts(req))
		if err != nil {
			return false, nil, err
		}
		fp := ""
		if out, frc, ok := o3.Cmd("fp"); ok && frc == 0 {
			fp = strings.TrimSpace(out)
		} else if ok {
			fp = strings.TrimSpace(o3.Stderr("fp"))
		}
		res["ssh_fingerprint"] = fp
		res["ssh_key_file"] = file
		if _, none := o3.Find("nopk"); none {
			res["ssh_public_key"] = nil
		} else {
			res["ssh_public_key"] = strings.TrimSpace(o3.Section("pk"))
		}
	}
	if p.Set("password_expire_min") || p.Set("password_expire_max") {
		minCh := p.Set("password_expire_min") && p.Int("password_expire_min") != shadowField(shadow, 3)
		maxCh := p.Set("password_expire_max") && p.Int("password_expire_max") != shadowField(shadow, 4)
		if minCh || maxCh {
			changed = true
			if !req.CheckMode {
				cmd := "CE chage chage"
				if minCh {
					cmd += " -m " + strconv.Itoa(p.Int("password_expire_min"))
				}
				if maxCh {
					cmd += " -M " + strconv.Itoa(p.Int("password_expire_max"))
				}
				script := "S path; printf '%s' \"$PATH\"\nPATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin\nif has chage; then " + cmd + " " + connection.ShellQuote(name) + "; else S nochage; fi\n"
				o, err := probe.Run(ctx, req.Conn, script, sysExecOpts(req))
				if err != nil {
					return false, nil, err
				}
				if _, none := o.Find("nochage"); none {
					return false, Result{"failed": true, "msg": sysBinPathError("chage", o.Section("path"))}, nil
				}
				if _, rc, _ := o.Cmd("chage"); rc != 0 {
					return false, Result{"failed": true, "name": name, "msg": o.Stderr("chage"), "rc": rc}, nil
				}
			}
		}
	}
	if len(warns) > 0 {
		old, _ := res["warnings"].([]any)
		res["warnings"] = append(old, warns...)
	}
	return changed, nil, nil
}

// regexpQuoteBasic escapes s for a grep basic regular expression.
func regexpQuoteBasic(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`\.[]*^$`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// shellJoin quotes words into one shell command line.
func shellJoin(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = connection.ShellQuote(w)
	}
	return strings.Join(q, " ")
}
