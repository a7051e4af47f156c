package output

import (
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// NewYAML returns the community.general.yaml callback: the default
// callback with results rendered as YAML.
func NewYAML(d *Display) *Default {
	c := NewDefault(d)
	c.Dump = func(res *value.Dict, indent int) string { return DumpYAMLResult(res, d.Verbosity) }
	return c
}

// DumpYAMLResult renders a result as the community.general.yaml callback
// does: "changed=... skipped=..." then the rest as YAML indented by two.
func DumpYAMLResult(res *value.Dict, verbosity int) string {
	if nl, _ := res.Get("_ansible_no_log"); nl == true {
		return `{"censored": "The output has been hidden due to the fact that 'no_log: true' was specified for this result"}`
	}
	ab := Abridge(res, verbosity)
	var dumped string
	if v, ok := ab.Get("changed"); ok {
		dumped += "changed=" + strings.ToLower(pyfmt.Str(v)) + " "
		ab.Delete("changed")
	}
	if v, ok := ab.Get("skipped"); ok {
		dumped += "skipped=" + strings.ToLower(pyfmt.Str(v)) + " "
		ab.Delete("skipped")
	}
	if ab.Has("stdout") && ab.Has("stdout_lines") {
		ab.Set("stdout_lines", "<omitted>")
	}
	if ab.Has("stderr") && ab.Has("stderr_lines") {
		ab.Set("stderr_lines", "<omitted>")
	}
	if ab.Len() > 0 {
		dumped += "\n" + YAML(ab)
	}
	return strings.TrimRight(strings.Join(strings.Split(dumped, "\n"), "\n  "), " \t\n\r")
}

// YAML renders v as the yaml callback's dumper does: yaml.dump(v,
// Dumper=MyDumper, default_flow_style=False, width=1000,
// allow_unicode=True), multi-line strings as literal blocks.
func YAML(v any) string {
	s, _ := pyfmt.YAML(v, pyfmt.YAMLOptions{Width: 1000, VaultTag: true, LiteralMultiline: true})
	return s
}
