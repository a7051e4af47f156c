package remote

import (
	"regexp"
	"strings"

	"octopus/engine/connection"
)

// QuotePath quotes a path for the shell, expanding a leading "~" or "~/"
// to $HOME on the target as Python's os.path.expanduser does.
func QuotePath(p string) string {
	if p == "~" {
		return `"$HOME"`
	}
	if strings.HasPrefix(p, "~/") {
		return `"$HOME"` + connection.ShellQuote(p[1:])
	}
	return connection.ShellQuote(p)
}

// ExpandUser returns p with a leading "~" replaced by home.
func ExpandUser(p, home string) string {
	if home == "" {
		return p
	}
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return home + p[1:]
	}
	return p
}

// QuoteGlob quotes a glob pattern for the shell: literal runs are quoted,
// the wildcards * ? and [...] stay active. A leading ~ becomes $HOME.
func QuoteGlob(p string) string {
	var b strings.Builder
	if p == "~" || strings.HasPrefix(p, "~/") {
		b.WriteString(`"$HOME"`)
		p = p[1:]
	}
	lit := func(s string) {
		if s != "" {
			b.WriteString(connection.ShellQuote(s))
		}
	}
	start := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*', '?':
			lit(p[start:i])
			b.WriteByte(p[i])
			start = i + 1
		case '[':
			if j := strings.IndexByte(p[i+1:], ']'); j > 0 {
				lit(p[start:i])
				b.WriteString(p[i : i+j+2])
				i += j + 1
				start = i + 1
			}
		}
	}
	lit(p[start:])
	if b.Len() == 0 {
		return "''"
	}
	return b.String()
}

var pyVarRe = regexp.MustCompile(`\$(\w+|\{[^}]*\})`)
var shellName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ExpandVarsWord returns a shell word (for an assignment: no field
// splitting) that evaluates to s after Python's os.path.expandvars and
// expanduser on the target: defined $NAME / ${NAME} are replaced, undefined
// ones stay literally.
func ExpandVarsWord(s string) string {
	var b strings.Builder
	if s == "~" || strings.HasPrefix(s, "~/") {
		b.WriteString(`"$HOME"`)
		s = s[1:]
	}
	last := 0
	for _, m := range pyVarRe.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		if strings.HasPrefix(name, "{") {
			name = name[1 : len(name)-1]
		}
		if !shellName.MatchString(name) {
			continue
		}
		if m[0] > last {
			b.WriteString(connection.ShellQuote(s[last:m[0]]))
		}
		b.WriteString("${" + name + "-" + connection.ShellQuote(s[m[0]:m[1]]) + "}")
		last = m[1]
	}
	if last < len(s) {
		b.WriteString(connection.ShellQuote(s[last:]))
	}
	if b.Len() == 0 {
		return "''"
	}
	return b.String()
}

// ReplaceFile is shell text that renames the new file "$t" over "$f" as
// Ansible's atomic_move does: "$t" takes the mode and owner of the file
// it replaces, or mode 0666 under the umask when there is none. "$t" must
// be in the same directory as "$f" for the rename to be atomic.
const ReplaceFile = `if [ -e "$f" ]; then chmod --reference="$f" -- "$t"; chown --reference="$f" -- "$t" 2>/dev/null; ` +
	`else chmod "$(printf '%o' $((0666 & ~$(umask))))" -- "$t"; fi; mv -f -- "$t" "$f"`
