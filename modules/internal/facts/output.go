package facts

import (
	"strings"

	"octopus/modules/internal/probe"
)

// Output is the gather script's parsed output.
type Output struct {
	*probe.Output
	ifaces []string    // network interfaces in directory order
	local  []localFact // fact_path entries in glob order
}

type localFact struct {
	path, kind, out, errText string
	rc                       int
}

// ParseOutput splits raw gather-script output into sections.
func ParseOutput(raw string) *Output {
	o := &Output{Output: probe.Parse(raw)}
	idx := map[string]int{}
	for _, s := range o.Sections {
		switch s.Kind {
		case "iface":
			o.ifaces = append(o.ifaces, s.Name)
		case "lexec", "lfile", "lbad":
			idx[s.Name] = len(o.local)
			o.local = append(o.local, localFact{path: s.Name, kind: s.Kind, out: s.Body})
		case "lrc":
			if j := strings.LastIndexByte(s.Name, ' '); j >= 0 {
				if i, ok := idx[s.Name[:j]]; ok {
					o.local[i].rc = atoi(s.Name[j+1:])
				}
			}
		case "lerr":
			if i, ok := idx[s.Name]; ok {
				o.local[i].errText = s.Body
			}
		}
	}
	return o
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func (o *Output) lines(header string) []string { return o.Lines(header) }

func (o *Output) set(header string) map[string]bool {
	m := map[string]bool{}
	for _, l := range o.Lines(header) {
		m[l] = true
	}
	return m
}

// file is the raw content of a readable file ("" otherwise).
func (o *Output) file(path string) string {
	s, _ := o.File(path)
	return s
}
