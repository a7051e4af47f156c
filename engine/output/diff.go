package output

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

func sortStrings(s []string) { sort.Strings(s) }

// FormatDiff renders a module's "diff" value (a dict or a list of dicts
// with before/after/before_header/after_header/prepared) as ansible's
// callbacks print it: a unified diff with 3 lines of context.
func FormatDiff(diff any, d *Display) string {
	var list []any
	switch t := diff.(type) {
	case []any:
		list = t
	default:
		list = []any{t}
	}
	var out strings.Builder
	for _, x := range list {
		m, ok := x.(*value.Dict)
		if !ok {
			continue
		}
		for _, k := range []string{"dst_binary", "src_binary"} {
			if m.Has(k) {
				which := "destination"
				if k == "src_binary" {
					which = "source"
				}
				out.WriteString("diff skipped: " + which + " file appears to be binary\n")
			}
		}
		for _, k := range []string{"dst_larger", "src_larger"} {
			if v, ok := m.Get(k); ok {
				which := "destination"
				if k == "src_larger" {
					which = "source"
				}
				fmt.Fprintf(&out, "diff skipped: %s file size is greater than %v\n", which, v)
			}
		}
		before, hb := m.Get("before")
		after, ha := m.Get("after")
		if hb && ha {
			bs, as := diffText(before), diffText(after)
			bh, ah := "before", "after"
			if v, ok := m.Get("before_header"); ok {
				bh = "before: " + pyfmt.Str(v)
			}
			if v, ok := m.Get("after_header"); ok {
				ah = "after: " + pyfmt.Str(v)
			}
			bl, al := splitKeepNL(bs), splitKeepNL(as)
			if n := len(bl); n > 0 && !strings.HasSuffix(bl[n-1], "\n") {
				bl[n-1] += "\n\\ No newline at end of file\n"
			}
			if n := len(al); n > 0 && !strings.HasSuffix(al[n-1], "\n") {
				al[n-1] += "\n\\ No newline at end of file\n"
			}
			text, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: bl, B: al, FromFile: bh, ToFile: ah, Context: 3})
			if text != "" {
				for _, line := range splitKeepNL(text) {
					switch {
					case strings.HasPrefix(line, "+"):
						line = d.Colorize(line, ColorDiffAdd)
					case strings.HasPrefix(line, "-"):
						line = d.Colorize(line, ColorDiffRemove)
					case strings.HasPrefix(line, "@@"):
						line = d.Colorize(line, ColorDiffLines)
					}
					out.WriteString(line)
				}
				out.WriteString("\n")
			}
		}
		if p, ok := m.Get("prepared"); ok {
			out.WriteString(pyfmt.Str(p))
		}
	}
	return out.String()
}

func diffText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case *value.Dict:
		return pyfmt.JSONText(t, pyfmt.JSONOptions{Indent: 4, SortKeys: true}) + "\n"
	}
	return pyfmt.Str(v)
}

// splitKeepNL splits s into lines that keep their "\n" (nil for "").
func splitKeepNL(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
