package inventory

import "testing"

// FuzzParse checks that no INI/YAML input or host pattern makes the
// parsers panic (run with go test -fuzz=FuzzParse).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"h1 a=1\n[g]\nh[1:3]\n[g:vars]\nx=[1]\n", "all:\n  hosts:\n    a:\n", "[p:children]\nc\n[c]\n", "h x=\"{'a': (1,)}\""} {
		f.Add(s, "all:!g")
	}
	f.Fuzz(func(t *testing.T, data, pattern string) {
		inv := New()
		_ = inv.parseINI("f", []byte(data))
		inv.Reconcile()
		_, _ = inv.Hosts(pattern)
		inv2 := New()
		_ = inv2.parseYAMLInventory("f", []byte(data))
		_, _ = pyLiteral(data)
		_, _ = shlexSplit(data)
	})
}
