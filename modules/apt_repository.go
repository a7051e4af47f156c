package modules

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var aptRepoSpec = argspec.Spec{
	Module: "apt_repository",
	Options: []argspec.Option{
		{Name: "repo", Required: true},
		{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
		{Name: "mode", Type: "raw"},
		{Name: "update_cache", Type: "bool", Default: true, Aliases: []string{"update-cache"}},
		{Name: "update_cache_retries", Type: "int", Default: 5},
		{Name: "update_cache_retry_max_delay", Type: "int", Default: 12},
		{Name: "filename"},
		{Name: "install_python_apt", Type: "bool", Default: true},
		{Name: "validate_certs", Type: "bool", Default: true},
		{Name: "codename"},
	},
}

func init() { Register(Func(runAptRepository), "apt_repository") }

const (
	aptSourcesList  = "/etc/apt/sources.list"
	aptSourcesParts = "/etc/apt/sources.list.d"
)

// SourceLine is one parsed line of a sources.list file.
type SourceLine struct {
	N               int
	Valid, Enabled  bool
	Source, Comment string
}

// SourcesFile is one sources.list file's lines.
type SourcesFile struct {
	Path  string
	Lines []SourceLine
}

// ParseSourceLine is apt_repository's _parse of one line.
func ParseSourceLine(line string) SourceLine {
	l := SourceLine{Enabled: true}
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "#") {
		l.Enabled = false
		line = line[1:]
	}
	if i := strings.Index(line, "#"); i > 0 {
		l.Comment = strings.TrimSpace(line[i+1:])
		line = line[:i]
	}
	l.Source = strings.TrimSpace(line)
	if l.Source != "" {
		chunks := strings.Fields(l.Source)
		if chunks[0] == "deb" || chunks[0] == "deb-src" {
			l.Valid = true
			l.Source = strings.Join(chunks, " ")
		}
	}
	return l
}

// ParseSourcesFile splits a file's text the way Python iterates its lines.
func ParseSourcesFile(path, text string) *SourcesFile {
	f := &SourcesFile{Path: path}
	if text == "" {
		return f
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for n, l := range lines {
		sl := ParseSourceLine(l)
		sl.N = n
		f.Lines = append(f.Lines, sl)
	}
	return f
}

// Dump renders the file as apt_repository writes it.
func (f *SourcesFile) Dump() string {
	var b strings.Builder
	for _, l := range f.Lines {
		if !l.Enabled {
			b.WriteString("# ")
		}
		b.WriteString(l.Source)
		if l.Comment != "" {
			b.WriteString(" # " + l.Comment)
		}
		b.WriteString("\n")
	}
	return b.String()
}

var nonAlnum = regexp.MustCompile(`[^a-zA-Z0-9]`)

// SuggestSourcesFilename is apt_repository's file name for a source line
// (filename overrides the derived base name).
func SuggestSourcesFilename(line, filename string) string {
	line = regexp.MustCompile(`\[[^\]]+\]`).ReplaceAllString(line, "")
	line = regexp.MustCompile(`\w+://`).ReplaceAllString(line, "")
	var parts []string
	for _, p := range strings.Fields(line) {
		if p != "deb" && p != "deb-src" {
			parts = append(parts, p)
		}
	}
	if filename != "" {
		return filename + ".list"
	}
	if len(parts) == 0 {
		return ".list"
	}
	first := parts[0]
	if i := strings.Index(first, "@"); i >= 0 {
		first = first[i+1:]
	}
	return strings.Join(strings.Fields(nonAlnum.ReplaceAllString(first, " ")), "_") + ".list"
}

// ExpandPPA turns "ppa:owner[/name]" into its deb line, owner and name.
func ExpandPPA(repo, codename string) (string, string, string) {
	ppa := strings.SplitN(repo, ":", 3)[1]
	owner, name, ok := strings.Cut(ppa, "/")
	if !ok {
		name = "ppa"
	} else if i := strings.Index(name, "/"); i >= 0 {
		name = name[:i]
	}
	return fmt.Sprintf("deb http://ppa.launchpad.net/%s/%s/ubuntu %s main", owner, name, codename), owner, name
}

// SourcesList is the set of files apt reads, in Ansible's order.
type SourcesList struct {
	Files []*SourcesFile
	New   map[string]bool
}

func (s *SourcesList) file(path string) *SourcesFile {
	for _, f := range s.Files {
		if f.Path == path {
			return f
		}
	}
	f := &SourcesFile{Path: path}
	s.Files = append(s.Files, f)
	return f
}

// Add adds (or re-enables) a valid source line into file.
func (s *SourcesList) Add(source, file string) {
	found := false
	for _, f := range s.Files {
		for i := range f.Lines {
			if f.Lines[i].Valid && f.Lines[i].Source == source {
				f.Lines[i].Enabled = true
				found = true
			}
		}
	}
	if found {
		return
	}
	if !strings.Contains(file, "/") {
		file = filepath.Join(aptSourcesParts, file)
	}
	f := s.file(file)
	f.Lines = append(f.Lines, SourceLine{N: len(f.Lines), Valid: true, Enabled: true, Source: source})
	if s.New == nil {
		s.New = map[string]bool{}
	}
	s.New[file] = true
}

// Remove drops enabled lines equal to source (with Ansible's index quirks).
func (s *SourcesList) Remove(source string) {
	for _, f := range s.Files {
		for i := 0; i < len(f.Lines); i++ {
			l := f.Lines[i]
			if l.Valid && l.Source == source && l.Enabled && l.N < len(f.Lines) {
				f.Lines = append(f.Lines[:l.N], f.Lines[l.N+1:]...)
			}
		}
	}
}

// Dump maps each non-empty file to its rendered text.
func (s *SourcesList) Dump() map[string]string {
	m := map[string]string{}
	for _, f := range s.Files {
		if len(f.Lines) > 0 {
			m[f.Path] = f.Dump()
		}
	}
	return m
}

func (s *SourcesList) enabledSources(codename string) map[string]bool {
	m := map[string]bool{}
	for _, f := range s.Files {
		for _, l := range f.Lines {
			if !l.Valid || !l.Enabled {
				continue
			}
			m[l.Source] = true
		}
	}
	return m
}

func runAptRepository(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &aptRepoSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	repo := p.String("repo")
	if repo == "" {
		return Result{"failed": true, "msg": "Please set argument 'repo' to a non-empty value"}, nil
	}
	state := p.String("state")
	// probe: the source files and the codename
	script := fmt.Sprintf(`F %s
S parts; ls -U %s 2>/dev/null | grep '\.list$'
for _f in %s/*.list; do [ -e "$_f" ] && F "$_f"; done
S codename; (. /etc/os-release 2>/dev/null; printf '%%s' "${VERSION_CODENAME:-${UBUNTU_CODENAME:-}}"); [ -n "$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-${UBUNTU_CODENAME:-}}")" ] || lsb_release -cs 2>/dev/null
S bins; for x in apt-key gpg curl wget; do command -v $x; done
`, aptSourcesList, aptSourcesParts, aptSourcesParts)
	o, err := probe.Run(ctx, req.Conn, script, sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	codename := p.String("codename")
	if codename == "" {
		codename = strings.TrimSpace(o.Section("codename"))
	}
	bins := map[string]string{}
	for _, l := range o.Lines("bins") {
		bins[l[strings.LastIndexByte(l, '/')+1:]] = l
	}
	if bins["apt-key"] == "" && bins["gpg"] == "" {
		return Result{"failed": true, "msg": "Either apt-key or gpg binary is required, but neither could be found"}, nil
	}
	load := func() *SourcesList {
		sl := &SourcesList{}
		if t, ok := o.File(aptSourcesList); ok {
			sl.Files = append(sl.Files, ParseSourcesFile(aptSourcesList, t))
		}
		for _, name := range o.Lines("parts") {
			path := aptSourcesParts + "/" + name
			if t, ok := o.File(path); ok {
				sl.Files = append(sl.Files, ParseSourcesFile(path, t))
			}
		}
		return sl
	}
	sl := load()
	before := sl.Dump()
	var keyFP string
	if state == "present" {
		if strings.HasPrefix(repo, "ppa:") {
			source, owner, name := ExpandPPA(repo, codename)
			if !sl.enabledSources(codename)[source] {
				fp, fail, err := aptRepoPPAKey(ctx, req, owner, name, bins, p.Bool("validate_certs"))
				if err != nil {
					return nil, err
				}
				if fail != nil {
					return fail, nil
				}
				keyFP = fp
				file := SuggestSourcesFilename(repo+"_"+codename, p.String("filename"))
				sl.Add(source, file)
			}
		} else {
			l := ParseSourceLine(repo)
			if !l.Valid || !l.Enabled {
				return Result{"failed": true, "msg": "Invalid repository string: " + aptRepoInvalidText(repo)}, nil
			}
			sl.Add(l.Source, SuggestSourcesFilename(l.Source, p.String("filename")))
		}
	} else {
		var source string
		if strings.HasPrefix(repo, "ppa:") {
			source, _, _ = ExpandPPA(repo, codename)
		} else {
			l := ParseSourceLine(repo)
			if !l.Valid || !l.Enabled {
				return Result{"failed": true, "msg": "Invalid repository string: " + aptRepoInvalidText(repo)}, nil
			}
			source = l.Source
		}
		sl.Remove(source)
	}
	after := sl.Dump()
	changed := !sysMapsEqual(before, after)
	var diff any = map[string]any{}
	if changed && req.DiffMode {
		var names []string
		seen := map[string]bool{}
		for k := range before {
			seen[k] = true
		}
		for k := range after {
			seen[k] = true
		}
		for k := range seen {
			names = append(names, k)
		}
		sort.Strings(names)
		var l []any
		for _, fn := range names {
			bh, ah := fn, fn
			if _, ok := before[fn]; !ok {
				bh = "/dev/null"
			}
			if _, ok := after[fn]; !ok {
				ah = "/dev/null"
			}
			l = append(l, map[string]any{"before": before[fn], "after": after[fn], "before_header": bh, "after_header": ah})
		}
		diff = l
	}
	res := Result{"changed": changed, "repo": repo, "state": state, "diff": diff}
	if !changed || req.CheckMode {
		return res, nil
	}
	// write every file whose text changes, remove emptied ones; then update the cache
	mode := ""
	if p.Set("mode") {
		switch m := p["mode"].(type) {
		case int:
			mode = strconv.FormatInt(int64(m), 8)
		default:
			mode = fmt.Sprint(m)
		}
	}
	var w strings.Builder
	w.WriteString(aptEnv)
	if keyFP != "" {
		fmt.Fprintf(&w, "CE key %s adv --recv-keys --no-tty --keyserver hkp://keyserver.ubuntu.com:80 %s\n[ \"$_r\" = 0 ] || exit 0\n", bins["apt-key"], keyFP)
	}
	restore := &strings.Builder{}
	for _, f := range sl.Files {
		raw, existed := o.File(f.Path)
		if len(f.Lines) == 0 {
			if existed {
				fmt.Fprintf(&w, "rm -f %s\n", connection.ShellQuote(f.Path))
				fmt.Fprintf(restore, "printf '%%s' %s > %s\n", connection.ShellQuote(raw), connection.ShellQuote(f.Path))
			}
			continue
		}
		text := f.Dump()
		if existed && text == raw {
			continue
		}
		q := connection.ShellQuote(f.Path)
		fmt.Fprintf(&w, "mkdir -p %s && _t=$(mktemp %s/.%s-XXXXXX) && printf '%%s' %s > \"$_t\" && { [ -e %s ] && chmod --reference=%s \"$_t\" || chmod %s \"$_t\"; } && mv -f \"$_t\" %s || { S werr; echo %s; }\n",
			connection.ShellQuote(filepath.Dir(f.Path)), connection.ShellQuote(filepath.Dir(f.Path)), filepath.Base(f.Path), connection.ShellQuote(text), q, q, "0644", q, q)
		if existed {
			fmt.Fprintf(restore, "printf '%%s' %s > %s\n", connection.ShellQuote(raw), q)
		} else {
			fmt.Fprintf(restore, "rm -f %s\n", q)
		}
		if sl.New[f.Path] && mode != "" {
			fmt.Fprintf(&w, "chmod %s %s\n", connection.ShellQuote(mode), q)
		}
	}
	if p.Bool("update_cache") {
		fmt.Fprintf(&w, `_i=0; _ok=0
while [ $_i -lt %[1]d ]; do
  CE upd apt-get update -q
  if [ "$_r" = 0 ] && ! printf '%%s' "$_e" | grep -q '^\(E:\|W: Failed to fetch\|W: Some index files failed\)'; then _ok=1; break; fi
  _d=$(( 1 << _i )); [ $_d -gt %[2]d ] && _d=%[2]d; sleep $_d; _i=$((_i+1))
done
if [ $_ok != 1 ]; then S updfail
%[3]sfi
`, p.Int("update_cache_retries"), p.Int("update_cache_retry_max_delay"), restore.String())
	}
	o2, err := probe.Run(ctx, req.Conn, w.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if msg, ok := o2.Find("werr"); ok {
		return Result{"failed": true, "msg": strings.TrimSpace(msg)}, nil
	}
	if out, rc, ok := o2.Cmd("key"); ok && rc != 0 {
		return sysCmdFailure(bins["apt-key"]+" adv --recv-keys --no-tty --keyserver hkp://keyserver.ubuntu.com:80 "+keyFP, rc, out, o2.Stderr("key")), nil
	}
	if _, ok := o2.Find("updfail"); ok {
		return Result{"failed": true, "msg": "Failed to update apt cache: " + aptUpdateError(o2.Stderr("upd"))}, nil
	}
	return res, nil
}

func aptRepoInvalidText(repo string) string {
	l := strings.TrimSpace(repo)
	l = strings.TrimPrefix(l, "#")
	if i := strings.Index(l, "#"); i > 0 {
		l = l[:i]
	}
	return l
}

func sysMapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// aptRepoPPAKey asks Launchpad (from the target) for the PPA's signing key
// and returns its fingerprint when apt does not have it yet.
func aptRepoPPAKey(ctx context.Context, req *Request, owner, name string, bins map[string]string, validate bool) (string, Result, error) {
	url := fmt.Sprintf("https://launchpad.net/api/1.0/~%s/+archive/%s", owner, name)
	k := ""
	if !validate {
		k = "k"
	}
	var out string
	if f, used, err := fetchFromTarget(ctx, req, fetchOpts{url: url, validate: validate, useProxy: true, timeout: 10, headers: map[string]string{"Accept": "application/json"}}); used {
		// from the target through the connection's Dialer
		switch {
		case err != nil:
			return "", Result{"failed": true, "msg": "failed to fetch PPA information, error was: Request failed: " + fetchMessage(err)}, nil
		case f.status != 200:
			return "", Result{"failed": true, "msg": fmt.Sprintf("failed to fetch PPA information, error was: HTTP Error %d: %s", f.status, f.reason)}, nil
		}
		out = string(f.body)
	} else {
		script := fmt.Sprintf("if has curl; then CE lp curl -fsS%s -H 'Accept: application/json' %s; else CE lp wget -q -O - --header='Accept: application/json' %s; fi\n", k, connection.ShellQuote(url), connection.ShellQuote(url))
		o, err := probe.Run(ctx, req.Conn, script, sysExecOpts(req))
		if err != nil {
			return "", nil, err
		}
		var rc int
		out, rc, _ = o.Cmd("lp")
		if rc != 0 {
			return "", Result{"failed": true, "msg": "failed to fetch PPA information, error was: " + strings.TrimSpace(o.Stderr("lp"))}, nil
		}
	}
	var info struct {
		FP string `json:"signing_key_fingerprint"`
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.FP == "" {
		return "", Result{"failed": true, "msg": "failed to fetch PPA information, error was: bad response"}, nil
	}
	if bins["apt-key"] == "" {
		return "", nil, nil // gpg-only key import is not implemented
	}
	o2, err := probe.Run(ctx, req.Conn, fmt.Sprintf("CE exp %s export %s\n", bins["apt-key"], info.FP), sysExecOpts(req))
	if err != nil {
		return "", nil, err
	}
	if o2.Stderr("exp") == "" {
		return "", nil, nil
	}
	return info.FP, nil, nil
}
