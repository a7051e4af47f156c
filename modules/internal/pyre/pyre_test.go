package pyre

import "testing"

func TestExpandAndSub(t *testing.T) {
	re, err := Compile(`^(?P<k>\w+)=(\d+)$`)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("port=80\n")
	m := re.SearchLine(line)
	if m == nil {
		t.Fatal("python $ must match before the final newline")
	}
	got, err := re.Expand([]byte(`\g<k>: \2\t\g<1>`), line, m)
	if err != nil || string(got) != "port: 80\tport" {
		t.Errorf("expand: %q %v", got, err)
	}
	if _, err := re.Expand([]byte(`\3`), line, m); err == nil {
		t.Error("invalid group reference accepted")
	}
	sub, _ := Compile(`(?m)^a`)
	out, n, err := sub.Sub([]byte("ab\nac\nb"), []byte(`X\g<0>`))
	if err != nil || n != 2 || string(out) != "Xab\nXac\nb" {
		t.Errorf("sub: %q %d %v", out, n, err)
	}
	z, _ := Compile(`end\Z`)
	if z.MatchString("end\n") || !z.MatchString("the end") {
		t.Error(`\Z translation`)
	}
}
