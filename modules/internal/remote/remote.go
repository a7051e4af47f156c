// Package remote holds the target-side plumbing shared by file modules: one
// shell round trip that probes several paths (lstat and stat fields, owner
// and group names, symlink target, sha1, optionally contents), Ansible's
// mode arithmetic (octal and symbolic), and the attribute-setting script.
// Targets need only a POSIX shell and GNU coreutils.
package remote

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"octopus/engine/connection"
)

// Target is where scripts run: a connection plus the task's become and
// environment settings.
type Target struct {
	Conn   connection.Conn
	Become *connection.Become
	Env    map[string]string
}

// Stat holds one stat(2) result.
type Stat struct {
	Mode                uint32 // full st_mode (type and permission bits)
	UID, GID            int
	Owner, Group        string // names, or the number when unknown
	Size                int64
	Nlink               int
	Inode               uint64
	Dev                 uint64
	Atime, Mtime, Ctime float64
	Blocks              int64
	BlockSize           int64
	RDev                uint64
}

// File type bits of st_mode.
const (
	ModeType = 0o170000
	ModeReg  = 0o100000
	ModeDir  = 0o040000
	ModeLink = 0o120000
	ModeFIFO = 0o010000
	ModeSock = 0o140000
	ModeBlk  = 0o060000
	ModeChr  = 0o020000
	PermBits = 0o7777
)

// Perm returns the permission bits (including setuid, setgid, sticky).
func (s *Stat) Perm() uint32 { return s.Mode & PermBits }

// Is reports whether the file type bits equal t.
func (s *Stat) Is(t uint32) bool { return s.Mode&ModeType == t }

// Info is everything a probe learned about one path.
type Info struct {
	Path        string
	Exists      bool // lexists: true for a dangling symlink too
	L           Stat // lstat
	Follows     bool // the path resolves (stat succeeds)
	F           Stat // stat, following symlinks (valid when Follows)
	LinkTarget  string
	RealPath    string
	SHA1        string // of the file content when it is (or points to) a readable regular file
	Checksum    string // with Options.Algorithm when requested
	MD5         string // with Options.MD5
	Readable    bool
	Writable    bool
	Executable  bool
	Content     []byte // when Options.Content and the path is a readable regular file
	HasContent  bool
	Mime        string
	Charset     string
	AttrVersion string
	AttrFlags   string
	HasAttrs    bool
	ParentDir   bool    // the parent directory exists and is a directory
	Tree        []Entry // with Options.List: everything below a directory, in find order
}

// Entry is one file found below a probed directory.
type Entry struct {
	Path   string
	L      Stat
	Target uint32 // file type bits of a symlink's target (0 when dangling)
}

// IsDir reports whether the path is a directory after following symlinks.
func (i *Info) IsDir() bool { return i.Follows && i.F.Is(ModeDir) }

// IsLink reports whether the path itself is a symlink.
func (i *Info) IsLink() bool { return i.Exists && i.L.Is(ModeLink) }

// IsFile reports whether the path is (or resolves to) a regular file.
func (i *Info) IsFile() bool { return i.Follows && i.F.Is(ModeReg) }

// Options select the optional probes.
type Options struct {
	SHA1       bool   // sha1sum of regular files
	Algorithm  string // also checksum with this algorithm (md5, sha1, sha224, sha256, sha384, sha512)
	MD5        bool   // md5sum of regular files (Info.MD5)
	Content    bool   // read regular files (base64)
	MaxContent int64  // with Content: skip files larger than this (0: no limit)
	Mime       bool   // file --mime-type/--mime-encoding when `file` exists
	Attrs      bool   // lsattr -vd when lsattr exists
	RealPath   bool
	// LinkRealPath resolves RealPath for symlinks only (one fork less per
	// probed path that is not a symlink); RealPath resolves it for every path.
	LinkRealPath bool
	Users        []string // user names to resolve to uids (Env.UIDs)
	Groups       []string // group names to resolve to gids (Env.GIDs)
	List         bool     // list the tree below directories (Info.Tree)
}

// Env is what the probe learned about the remote user.
type Env struct {
	UID, GID int
	Umask    uint32
	Home     string
	UIDs     map[string]int // resolved Options.Users (absent: unknown user)
	GIDs     map[string]int // resolved Options.Groups (absent: unknown group)
}

const statFmt = `%f|%u|%g|%U|%G|%s|%h|%i|%d|%.9X|%.9Y|%.9Z|%b|%o|%t|%T`

// ProbeScript returns the shell script that probes paths. Its output is
// parsed by ParseProbe.
//
// Every process the script starts costs about a millisecond on the target,
// more on a loaded one, so it starts as few as it can: the ids come from
// /proc/self/status (id(1) only where that cannot be read), the umask and
// the parent directory test are builtins (the parent is computed here), a
// path that is not a symlink is stat'ed once (its stat and lstat are the
// same), and checksums are cut to their first field here rather than by
// cut(1).
func ProbeScript(paths []string, o Options) string {
	var b strings.Builder
	b.WriteString("LC_ALL=C; export LC_ALL\n")
	b.WriteString(`u=; g=; { while read -r k a e r; do case $k in Uid:) u=$e ;; Gid:) g=$e; break ;; esac; done < /proc/self/status; } 2>/dev/null` + "\n")
	b.WriteString(`[ -n "$u" ] && [ -n "$g" ] || { u=$(id -u); g=$(id -g); }` + "\n")
	b.WriteString(`printf 'I\n%s|%s||%s\nQ\n' "$u" "$g" "$HOME"; umask` + "\n")
	for _, u := range o.Users {
		fmt.Fprintf(&b, "x=$(id -u -- %s 2>/dev/null) && printf 'U\n%%s|%%s\n' \"$x\" %s\n", connection.ShellQuote(u), connection.ShellQuote(u))
	}
	for _, g := range o.Groups {
		q := connection.ShellQuote(g)
		fmt.Fprintf(&b, "x=$( (getent group %s || grep '^'%s: /etc/group) 2>/dev/null | head -n1 | cut -d: -f3) && [ -n \"$x\" ] && printf 'G\n%%s|%%s\n' \"$x\" %s\n", q, q, q)
	}
	realPath := `printf 'R\n'; realpath -m -- "$p" | base64 -w0; echo` + "\n"
	for i, p := range paths {
		q := connection.ShellQuote(p)
		fmt.Fprintf(&b, "printf '@%d\\n'\np=%s\n", i, q)
		fmt.Fprintf(&b, "[ -d %s ] && printf 'D\\n1\\n'\n", connection.ShellQuote(Dirname(p)))
		b.WriteString(`if [ -e "$p" ] || [ -L "$p" ]; then` + "\n")
		b.WriteString(`if [ -L "$p" ]; then` + "\n")
		b.WriteString(`printf 'L\n'; stat -c '` + statFmt + `' -- "$p"` + "\n")
		b.WriteString(`if [ -e "$p" ]; then printf 'F\n'; stat -L -c '` + statFmt + `' -- "$p"; fi` + "\n")
		b.WriteString(`printf 'T\n'; readlink -- "$p" | base64 -w0; echo` + "\n")
		if o.LinkRealPath && !o.RealPath {
			b.WriteString(realPath)
		}
		b.WriteString(`else printf 'B\n'; stat -c '` + statFmt + `' -- "$p"; fi` + "\n")
		if o.RealPath {
			b.WriteString(realPath)
		}
		b.WriteString(`a=; [ -r "$p" ] && a=${a}r; [ -w "$p" ] && a=${a}w; [ -x "$p" ] && a=${a}x; printf 'A\n%s\n' "$a"` + "\n")
		if o.SHA1 {
			b.WriteString(`if [ -f "$p" ] && [ -r "$p" ]; then printf 'S\n'; sha1sum < "$p"; fi` + "\n")
		}
		if alg := o.Algorithm; alg != "" {
			fmt.Fprintf(&b, `if [ -f "$p" ] && [ -r "$p" ]; then printf 'K\n'; %ssum < "$p"; fi`+"\n", alg)
		}
		if o.MD5 {
			b.WriteString(`if [ -f "$p" ] && [ -r "$p" ]; then printf '5\n'; md5sum < "$p"; fi` + "\n")
		}
		if o.Content {
			cond := ""
			if o.MaxContent > 0 {
				cond = fmt.Sprintf(` && [ "$(stat -L -c %%s -- "$p")" -le %d ]`, o.MaxContent)
			}
			b.WriteString(`if [ -f "$p" ] && [ -r "$p" ]` + cond + `; then printf 'C\n'; base64 -w0 < "$p"; echo; fi` + "\n")
		}
		if o.Mime {
			b.WriteString(`if command -v file >/dev/null 2>&1; then x=$(file --mime-type --mime-encoding -- "$p" 2>/dev/null) && printf 'M\n%s\n' "$x"; fi` + "\n")
		}
		if o.Attrs {
			b.WriteString(`if command -v lsattr >/dev/null 2>&1; then x=$(lsattr -vd -- "$p" 2>/dev/null) && printf 'V\n%s\n' "$x"; fi` + "\n")
		}
		if o.List {
			b.WriteString(`if [ -d "$p" ] && [ ! -L "$p" ]; then find "$p" -mindepth 1 -exec stat -c 'X|` + statFmt + `|%n' {} + | while IFS= read -r l; do n=${l##*|}; t=0; [ -L "$n" ] && t=$(stat -L -c %f -- "$n" 2>/dev/null || echo 0); printf 'Y\n%s|%s\n' "$t" "$l"; done; fi` + "\n")
		}
		b.WriteString("fi\n")
	}
	return b.String()
}

// Dirname is dirname(1) of p, computed as GNU coreutils does: trailing
// slashes and the last component are removed, then the slashes before it;
// "." when nothing is left of a relative path, "/" of an absolute one. Unlike
// path.Dir it does not clean the path ("a/../b" gives "a/..").
func Dirname(p string) string {
	// the last component starts after the leading slashes and after any
	// later run of slashes that is followed by something
	base := 0
	for base < len(p) && p[base] == '/' {
		base++
	}
	slash := false
	for i := base; i < len(p); i++ {
		if p[i] == '/' {
			slash = true
		} else if slash {
			base, slash = i, false
		}
	}
	prefix := 0
	if strings.HasPrefix(p, "/") {
		prefix = 1
	}
	n := base
	for n > prefix && p[n-1] == '/' {
		n--
	}
	if n == 0 {
		return "."
	}
	return p[:n]
}

// ParseProbe parses the output of ProbeScript for the same paths.
func ParseProbe(out string, paths []string) (*Env, []*Info, error) {
	env := &Env{Umask: 0o022}
	infos := make([]*Info, len(paths))
	for i, p := range paths {
		infos[i] = &Info{Path: p}
	}
	lines := strings.Split(out, "\n")
	var cur *Info
	for i := 0; i < len(lines); i++ {
		tag := lines[i]
		if strings.HasPrefix(tag, "@") {
			n, err := strconv.Atoi(tag[1:])
			if err != nil || n < 0 || n >= len(infos) {
				return nil, nil, fmt.Errorf("bad probe output %q", tag)
			}
			cur = infos[n]
			continue
		}
		if i+1 >= len(lines) {
			break
		}
		val := lines[i+1]
		i++
		if tag == "I" {
			f := strings.SplitN(val, "|", 4)
			if len(f) == 4 {
				env.UID, _ = strconv.Atoi(f[0])
				env.GID, _ = strconv.Atoi(f[1])
				if u, err := strconv.ParseUint(f[2], 8, 32); err == nil {
					env.Umask = uint32(u)
				}
				env.Home = f[3]
			}
			continue
		}
		if tag == "Q" {
			if u, err := strconv.ParseUint(strings.TrimSpace(val), 8, 32); err == nil {
				env.Umask = uint32(u)
			}
			continue
		}
		if tag == "U" || tag == "G" {
			id, name, _ := strings.Cut(val, "|")
			n, err := strconv.Atoi(id)
			if err != nil {
				continue
			}
			if tag == "U" {
				if env.UIDs == nil {
					env.UIDs = map[string]int{}
				}
				env.UIDs[name] = n
			} else {
				if env.GIDs == nil {
					env.GIDs = map[string]int{}
				}
				env.GIDs[name] = n
			}
			continue
		}
		if cur == nil {
			continue
		}
		switch tag {
		case "D":
			cur.ParentDir = true
		case "Y":
			t, rest, _ := strings.Cut(val, "|X|")
			tt, _ := strconv.ParseUint(t, 16, 32)
			f := strings.SplitN(rest, "|", 17)
			if len(f) == 17 {
				cur.Tree = append(cur.Tree, Entry{Path: f[16], L: parseStat(strings.Join(f[:16], "|")), Target: uint32(tt) & ModeType})
			}
		case "L":
			cur.Exists = true
			cur.L = parseStat(val)
		case "B": // not a symlink: stat and lstat are one
			cur.Exists, cur.Follows = true, true
			cur.L = parseStat(val)
			cur.F = cur.L
		case "F":
			cur.Follows = true
			cur.F = parseStat(val)
		case "T":
			b, _ := base64.StdEncoding.DecodeString(val)
			cur.LinkTarget = strings.TrimSuffix(string(b), "\n")
		case "R":
			b, _ := base64.StdEncoding.DecodeString(val)
			cur.RealPath = strings.TrimSuffix(string(b), "\n")
		case "A":
			cur.Readable = strings.Contains(val, "r")
			cur.Writable = strings.Contains(val, "w")
			cur.Executable = strings.Contains(val, "x")
		case "S":
			cur.SHA1 = firstField(val)
		case "K":
			cur.Checksum = firstField(val)
		case "5":
			cur.MD5 = firstField(val)
		case "C":
			b, err := base64.StdEncoding.DecodeString(val)
			if err != nil {
				return nil, nil, fmt.Errorf("reading %s: %v", cur.Path, err)
			}
			cur.Content, cur.HasContent = b, true
		case "M":
			if i := strings.LastIndex(val, ":"); i >= 0 {
				if mt, cs, ok := strings.Cut(val[i+1:], ";"); ok {
					cur.Mime = strings.TrimSpace(mt)
					if _, c, ok := strings.Cut(cs, "="); ok {
						cur.Charset = strings.TrimSpace(c)
					}
				}
			}
		case "V":
			cur.HasAttrs = true
			f := strings.Fields(val)
			if len(f) >= 2 {
				cur.AttrVersion, cur.AttrFlags = f[0], strings.ReplaceAll(f[1], "-", "")
			}
		}
	}
	return env, infos, nil
}

// firstField is a checksum tool's digest: its output up to the first space.
func firstField(s string) string {
	d, _, _ := strings.Cut(s, " ")
	return d
}

func parseStat(s string) Stat {
	f := strings.Split(s, "|")
	for len(f) < 16 {
		f = append(f, "0")
	}
	var st Stat
	m, _ := strconv.ParseUint(f[0], 16, 32)
	st.Mode = uint32(m)
	st.UID, _ = strconv.Atoi(f[1])
	st.GID, _ = strconv.Atoi(f[2])
	st.Owner, st.Group = f[3], f[4]
	if st.Owner == "UNKNOWN" {
		st.Owner = f[1]
	}
	if st.Group == "UNKNOWN" {
		st.Group = f[2]
	}
	st.Size, _ = strconv.ParseInt(f[5], 10, 64)
	st.Nlink, _ = strconv.Atoi(f[6])
	st.Inode, _ = strconv.ParseUint(f[7], 10, 64)
	st.Dev, _ = strconv.ParseUint(f[8], 10, 64)
	st.Atime, st.Mtime, st.Ctime = pyTime(f[9]), pyTime(f[10]), pyTime(f[11])
	st.Blocks, _ = strconv.ParseInt(f[12], 10, 64)
	st.BlockSize, _ = strconv.ParseInt(f[13], 10, 64)
	maj, _ := strconv.ParseUint(f[14], 16, 64)
	min, _ := strconv.ParseUint(f[15], 16, 64)
	st.RDev = (maj&0xfff)<<8 | (min & 0xff) | (min&^0xff)<<12 | (maj&^0xfff)<<32
	return st
}

// pyTime converts "sec.nsec" as CPython computes st_mtime: sec + nsec*1e-9.
func pyTime(s string) float64 {
	sec, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(sec, 10, 64)
	for len(frac) < 9 {
		frac += "0"
	}
	ns, _ := strconv.ParseInt(frac[:9], 10, 64)
	return float64(n) + float64(ns)*1e-9
}

// Probe runs ProbeScript in one round trip.
func (t Target) Probe(ctx context.Context, paths []string, o Options) (*Env, []*Info, error) {
	res, err := t.Conn.Exec(ctx, ProbeScript(paths, o), connection.ExecOptions{Become: t.Become, Env: t.Env})
	if err != nil {
		return nil, nil, err
	}
	return ParseProbe(string(res.Stdout), paths)
}

// Run executes a script as the task's user and returns its result.
func (t Target) Run(ctx context.Context, script string, stdin []byte) (*connection.Result, error) {
	return t.Conn.Exec(ctx, script, connection.ExecOptions{Become: t.Become, Env: t.Env, Stdin: stdin})
}

// ModeString formats permission bits as Ansible does: '0%03o'.
func ModeString(perm uint32) string { return fmt.Sprintf("0%03o", perm) }

// PathInfo adds Ansible's add_path_info keys (uid, gid, owner, group, mode,
// state, size) for info to r, as AnsibleModule does for results carrying a
// path or dest.
func PathInfo(r map[string]any, info *Info) {
	if info == nil || !info.Follows {
		return
	}
	r["uid"] = info.L.UID
	r["gid"] = info.L.GID
	r["owner"] = info.L.Owner
	r["group"] = info.L.Group
	r["mode"] = ModeString(info.L.Perm())
	switch {
	case info.L.Is(ModeLink):
		r["state"] = "link"
	case info.F.Is(ModeDir):
		r["state"] = "directory"
	case info.F.Nlink > 1:
		r["state"] = "hard"
	default:
		r["state"] = "file"
	}
	r["size"] = int(info.L.Size)
}
