package modules

import (
	"context"
	"fmt"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var aptKeySpec = argspec.Spec{
	Module: "apt_key",
	Options: []argspec.Option{
		{Name: "id"},
		{Name: "url"},
		{Name: "data"},
		{Name: "file", Type: "path"},
		{Name: "keyring", Type: "path"},
		{Name: "validate_certs", Type: "bool", Default: true},
		{Name: "keyserver"},
		{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
	},
	MutuallyExclusive: [][]string{{"data", "file", "keyserver", "url"}},
}

func init() { Register(Func(runAptKey), "apt_key") }

// ParseGPGKeys is apt_key's parse_output_for_keys: key ids of the pub/sub
// lines (long listing or --with-colons), expired keys left out.
func ParseGPGKeys(out string, short bool) []any {
	found := []any{}
	for _, line := range strings.Split(out, "\n") {
		if !(strings.HasPrefix(line, "pub") || strings.HasPrefix(line, "sub")) || strings.Contains(line, "expired") {
			continue
		}
		code := ""
		tok := strings.Fields(line)
		if len(tok) >= 2 && strings.Count(tok[1], "/") == 1 {
			code = strings.Split(tok[1], "/")[1]
		} else {
			c := strings.Split(line, ":")
			if len(c) < 5 {
				continue
			}
			code = c[4]
		}
		if short && len(code) > 8 {
			code = code[len(code)-8:]
		}
		found = append(found, code)
	}
	return found
}

// parseKeyID is apt_key's parse_key_id: short id, fingerprint part, full id.
func parseKeyID(id string) (string, string, string, error) {
	s := strings.TrimSpace(id)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s = s[2:]
	}
	if s == "" || strings.Trim(s, "0123456789abcdefABCDEF") != "" {
		return "", "", "", fmt.Errorf("invalid literal for int() with base 16")
	}
	s = strings.ToUpper(s)
	n := len(s)
	if n != 8 && n != 16 && n <= 16 {
		return "", "", "", fmt.Errorf("key_id must be 8, 16, or 16+ hexadecimal characters in length")
	}
	fp := s
	if n > 16 {
		fp = s[n-16:]
	}
	return s[n-8:], fp, s, nil
}

func keysContain(keys []any, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

func runAptKey(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &aptKeySpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	keyID, url, data, file, keyring, keyserver := p.String("id"), p.String("url"), p.String("data"), p.String("file"), p.String("keyring"), p.String("keyserver")
	if keyID == "" && keyserver != "" {
		return Result{"failed": true, "msg": "Missing key_id, required with keyserver."}, nil
	}
	aptKey := "apt-key"
	kr := ""
	if keyring != "" {
		kr = " --keyring " + keyring
	}
	keyFile := "" // the downloaded key on the target
	fetch := func() (Result, error) {
		tmp, _, msg, err := TargetFetch(ctx, req, url, p.Bool("validate_certs"), false)
		if err != nil {
			return nil, err
		}
		if tmp == "" {
			return Result{"failed": true, "msg": fmt.Sprintf("Failed to download key at %s: %s", url, msg)}, nil
		}
		keyFile = tmp
		return nil, nil
	}
	defer func() {
		if keyFile != "" {
			probe.Run(ctx, req.Conn, "rm -f "+connection.ShellQuote(keyFile)+"\n", sysExecOpts(req))
		}
	}()
	if keyID == "" && url != "" && keyserver == "" {
		if f, err := fetch(); f != nil || err != nil {
			return f, err
		}
	}
	var s strings.Builder
	s.WriteString("LANG=C LC_ALL=C LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES\nS path; printf '%s' \"$PATH\"\nS bins; for x in apt-key gpg; do command -v $x; done\n")
	var stdin []byte
	if keyID == "" {
		switch {
		case url != "":
			fmt.Fprintf(&s, "C gpgid gpg --with-colons %s\n", connection.ShellQuote(keyFile))
		case file != "":
			fmt.Fprintf(&s, "C gpgid gpg --with-colons %s\n", connection.ShellQuote(file))
		case data != "":
			s.WriteString("C gpgid gpg --with-colons -\n")
			stdin = []byte(data)
		}
	}
	fmt.Fprintf(&s, "CE list %s%s adv --list-public-keys --keyid-format=long\n", aptKey, kr)
	o, err := probe.Run(ctx, req.Conn, s.String(), connection.ExecOptions{Become: req.Become, Env: req.Env, Stdin: stdin})
	if err != nil {
		return nil, err
	}
	bins := map[string]string{}
	for _, l := range o.Lines("bins") {
		bins[l[strings.LastIndexByte(l, '/')+1:]] = l
	}
	for _, b := range []string{"apt-key", "gpg"} {
		if bins[b] == "" {
			return Result{"failed": true, "msg": sysBinPathError(b, o.Section("path"))}, nil
		}
	}
	aptKey = bins["apt-key"]
	r := Result{"changed": false}
	if keyID == "" {
		if out, rc, ok := o.Cmd("gpgid"); ok {
			if rc != 0 {
				what := file
				if file == "" {
					what = "inline data"
				}
				return Result{"failed": true, "msg": fmt.Sprintf("Unable to extract key from '%s'", what), "stdout": out, "stderr": ""}, nil
			}
			if k := ParseGPGKeys(out, false); len(k) > 0 {
				keyID, _ = k[0].(string)
			}
		}
	}
	if keyID != "" {
		r["id"] = keyID
	} else {
		r["id"] = nil
	}
	short, fp, full, err := parseKeyID(keyID)
	if err != nil {
		r["failed"], r["msg"] = true, "Invalid key_id"
		return r, nil
	}
	r["short_id"], r["fp"], r["key_id"] = short, fp, full
	shortFormat := len(full) == 8
	out, rc, _ := o.Cmd("list")
	if rc != 0 {
		return Result{"failed": true, "msg": "Unable to list public keys", "cmd": aptKey + kr + " adv --list-public-keys --keyid-format=long", "rc": rc, "stdout": out, "stderr": o.Stderr("list")}, nil
	}
	keys := ParseGPGKeys(out, shortFormat)
	r["before"] = keys
	listCmd := fmt.Sprintf("CE list %s%s adv --list-public-keys --keyid-format=long\n", aptKey, kr)
	noErr := "apt-key did not return an error, but %s (check that the id is correct and *not* a subkey)"
	if p.String("state") == "present" {
		if (shortFormat && keysContain(keys, short)) || (!shortFormat && keysContain(keys, fp)) {
			return r, nil
		}
		r["changed"] = true
		if req.CheckMode {
			return r, nil
		}
		var a strings.Builder
		a.WriteString("LANG=C LC_ALL=C LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES\n")
		var in []byte
		addCmd := ""
		switch {
		case file != "":
			addCmd = fmt.Sprintf("%s%s add %s", aptKey, kr, file)
			fmt.Fprintf(&a, "CE add %s%s add %s\n", aptKey, kr, connection.ShellQuote(file))
		case keyserver != "":
			addCmd = fmt.Sprintf("%s%s adv --no-tty --keyserver %s", aptKey, kr, keyserver)
			fmt.Fprintf(&a, `_px=${HTTPS_PROXY:-${https_proxy:-${HTTP_PROXY:-${http_proxy:-}}}}; _pxo=""; [ -n "$_px" ] && _pxo="--keyserver-options http-proxy=$_px"
for _i in 1 2 3 4 5; do CE add %s%s adv --no-tty --keyserver %s $_pxo --recv %s; [ "$_r" = 0 ] && break; done
`, aptKey, kr, connection.ShellQuote(keyserver), connection.ShellQuote(full))
		case data != "":
			addCmd = fmt.Sprintf("%s%s add -", aptKey, kr)
			fmt.Fprintf(&a, "CE add %s%s add -\n", aptKey, kr)
			in = []byte(data)
		case url != "":
			addCmd = fmt.Sprintf("%s%s add -", aptKey, kr)
			if keyFile == "" {
				if f, err := fetch(); f != nil || err != nil {
					return f, err
				}
			}
			fmt.Fprintf(&a, "CE add %s%s add - < %s\n", aptKey, kr, connection.ShellQuote(keyFile))
		default:
			r["failed"], r["msg"] = true, "No key to add ... how did i get here?!?!"
			return r, nil
		}
		a.WriteString(listCmd)
		o2, err := probe.Run(ctx, req.Conn, a.String(), connection.ExecOptions{Become: req.Become, Env: req.Env, Stdin: in})
		if err != nil {
			return nil, err
		}
		if aout, arc, _ := o2.Cmd("add"); arc != 0 {
			switch {
			case keyserver != "":
				if arc == 2 && strings.Contains(aout, "not found on keyserver") {
					return Result{"failed": true, "cmd": addCmd + " --recv " + full, "msg": fmt.Sprintf("Key %s not found on keyserver %s", full, keyserver)}, nil
				}
				return Result{"failed": true, "cmd": addCmd + " --recv " + full, "msg": fmt.Sprintf("Error fetching key %s from keyserver: %s", full, keyserver), "rc": arc, "stdout": aout, "stderr": o2.Stderr("add")}, nil
			case file != "":
				return Result{"failed": true, "msg": "Unable to add a key from file " + file, "cmd": addCmd, "rc": arc, "keyfile": file, "stdout": aout, "stderr": o2.Stderr("add")}, nil
			default:
				return Result{"failed": true, "msg": "Unable to add a key from binary data", "cmd": addCmd, "rc": arc, "stdout": aout, "stderr": o2.Stderr("add")}, nil
			}
		}
		lo, _, _ := o2.Cmd("list")
		after := ParseGPGKeys(lo, shortFormat)
		r["after"] = after
		if (shortFormat && !keysContain(after, short)) || (!shortFormat && !keysContain(after, fp)) {
			r["failed"], r["msg"] = true, fmt.Sprintf(noErr, "failed to add the key")
		}
		return r, nil
	}
	if !keysContain(keys, fp) {
		return r, nil
	}
	r["changed"] = true
	if req.CheckMode {
		return r, nil
	}
	o2, err := probe.Run(ctx, req.Conn, fmt.Sprintf("LANG=C LC_ALL=C; export LANG LC_ALL\nCE del %s%s del %s\n%s", aptKey, kr, short, listCmd), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if dout, drc, _ := o2.Cmd("del"); drc != 0 {
		return Result{"failed": true, "msg": "Unable to remove a key with id " + short, "cmd": fmt.Sprintf("%s%s del %s", aptKey, kr, short), "rc": drc, "key_id": short, "stdout": dout, "stderr": o2.Stderr("del")}, nil
	}
	lo, _, _ := o2.Cmd("list")
	after := ParseGPGKeys(lo, shortFormat)
	r["after"] = after
	if keysContain(after, fp) {
		r["failed"], r["msg"] = true, fmt.Sprintf(noErr, "the key was not removed")
	}
	return r, nil
}
