package pyregex

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

type pyCase struct {
	Pat   string `json:"pat"`
	Flags Flags  `json:"flags"`
	Subj  string `json:"subj"`
	Repl  string `json:"repl"`
}

// outcome is what both engines report for one case: the groups of the
// first match, the groups of every match, and the substitution result.
type outcome struct {
	Search []*string   `json:"search"`
	All    [][]*string `json:"all"`
	Sub    *string     `json:"sub"`
}

var pyCases = []pyCase{
	{`^(?!#)foo`, 0, "foo bar", "X"},
	{`^(?!#)foo`, 0, "#foo bar", "X"},
	{`(?<=a)b`, 0, "ab cb ab", "[\\g<0>]"},
	{`(?<!a)b`, 0, "ab cb ab", "X"},
	{`foo(?=bar)`, 0, "foobar foobaz", "Y"},
	{`(\w)\1`, 0, "hello bookkeeper", `<\1>`},
	{`(?P<q>['"]).*?(?P=q)`, 0, `say "hi" and 'yo'`, `\g<q>`},
	{`(?P<a>x)(y)(?P<b>z)`, 0, "xyz xyz", `\g<b>\2\g<a>\1`},
	{`(a)|(b)`, 0, "ab", `[\1|\2]`},
	{`end$`, 0, "the end\n", "E"},
	{`end$`, 0, "the end\nmore", "E"},
	{`^\s*(?!\s*#)key=(.*)$`, Multiline, "# key=1\nkey=2\n  key=3\n", `key=\1!`},
	{`^A(?=.*z)`, IgnoreCase | Multiline, "abz\nAbc\naz", "Q"},
	{`a.b`, DotAll, "a\nb", "-"},
	{`a.b`, 0, "a\nb", "-"},
	{`x*`, 0, "abxd", "-"},
	{`(?<=x)y*`, 0, "xyyxxy", "-"},
	{`\d+(?!px)`, 0, "12px 34em 5", "N"},
	{`(?:(?<=\s)|^)word\b`, 0, "word sword word", "W"},
	{`é(?=t)`, 0, "été étage", "E"},
	{`(?<=é)t`, IgnoreCase, "ÉTÉ", "x"},
	{`\bfoo\Z`, 0, "a foo\n", "f"},
	{`\bfoo\Z`, 0, "a foo", "f"},
	{`(?i)abc(?=D)`, 0, "ABCD abcd", "z"},
	{`^(?!.*disabled).*$`, Multiline, "on\ndisabled x\noff", "<\\g<0>>"},
	{`(\d)(?=(\d{3})+$)`, 0, "1234567", `\1,`},
	{`(?P<k>\w+)=(?P=k)`, 0, "a=a b=c cc=cc", `\g<k>`},
	{`(?<![\w.])x`, 0, "x .x ax -x", "_"},
	{`[(?P<x>]`, 0, "(?P<x>", "_"},
	{`a\$b(?!c)`, 0, "a$b a$bc", "_"},
	{`\d+`, 0, "x٣٤5y", "N"},
	{`\w+`, 0, "héllo wörld_1", `<\g<0>>`},
	{`[\w.]+`, 0, "é.x ü", "W"},
	{`\bwörld\b`, 0, "hello wörld, wörlds", "W"},
	{`\bö`, 0, "aö ö", "_"},
	{`ö\B`, 0, "öa ö", "_"},
	{`[\b]x`, 0, "\bx x", "_"},
	{`\s+`, 0, "a\u00a0b\vc\u2003d", " "},
	{`[^\s]+`, 0, "a\u00a0b", "."},
	{`\W+|\S`, 0, "é, ü", "."},
	{`[\d\s]+`, 0, "1 ٢\t3", "#"},
	{`\D\S`, 0, "a1 ٣x", "_"},
	{`(?i)STRASSE|É`, 0, "é strasse", "_"},
	{`(a)(b)`, 0, "ab", `\0|\101\1|\2\\n\n\.`},
	{`(a)(b)`, 0, "ab", `\12`},
	{`(a)`, 0, "ab", `\g<0>\g<1>\08`},
	{`(a)`, 0, "ab", `\q`},
}

func (c pyCase) goOutcome(t *testing.T) outcome {
	re, err := Compile(c.Pat, c.Flags)
	if err != nil {
		t.Fatalf("%q: %v", c.Pat, err)
	}
	groups := func(m []int) []*string {
		var g []*string
		for i := 0; i < len(m)/2; i++ {
			if m[2*i] < 0 {
				g = append(g, nil)
				continue
			}
			s := c.Subj[m[2*i]:m[2*i+1]]
			g = append(g, &s)
		}
		return g
	}
	var o outcome
	m, err := re.Search(c.Subj)
	if err != nil {
		t.Fatal(err)
	}
	o.Search = groups(m)
	all, err := re.FindAll(c.Subj, -1)
	if err != nil {
		t.Fatal(err)
	}
	o.All = [][]*string{}
	for _, m := range all {
		o.All = append(o.All, groups(m))
	}
	if s, _, err := re.Sub(c.Subj, c.Repl, 0); err == nil {
		o.Sub = &s
	}
	return o
}

const pyScript = `
import json, re, sys
out = []
for c in json.load(sys.stdin):
    f = 0
    if c["flags"] & 1: f |= re.I
    if c["flags"] & 2: f |= re.M
    if c["flags"] & 4: f |= re.S
    r = re.compile(c["pat"], f)
    m = r.search(c["subj"])
    o = {"search": None if m is None else [m.group(0)] + list(m.groups()),
         "all": [[x.group(0)] + list(x.groups()) for x in r.finditer(c["subj"])]}
    try:
        o["sub"] = r.sub(c["repl"], c["subj"])
    except Exception:
        o["sub"] = None
    out.append(o)
json.dump(out, sys.stdout)
`

// TestAgainstPython runs every case through Python's re in one process
// and compares search groups, finditer groups and sub results.
func TestAgainstPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	in, _ := json.Marshal(pyCases)
	cmd := exec.Command("python3", "-c", pyScript)
	cmd.Stdin = strings.NewReader(string(in))
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want []outcome
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	pass := 0
	for i, c := range pyCases {
		got := c.goOutcome(t)
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want[i])
		if !reflect.DeepEqual(string(g), string(w)) {
			t.Errorf("case %d %q on %q:\n go  %s\n py  %s", i, c.Pat, c.Subj, g, w)
			continue
		}
		pass++
	}
	t.Logf("%d/%d cases identical to Python", pass, len(pyCases))
}

// TestEngineChoice checks RE2 is kept for what it handles and the
// fallback only serves what RE2 cannot compile.
func TestEngineChoice(t *testing.T) {
	for pat, bt := range map[string]bool{
		`^foo\s+(\d+)`: false, `(?P<n>x)\Z`: false, `(?m)^a$`: false,
		`^(?!#)foo`: true, `(\w)\1`: true, `(?<=a)b`: true, `end$`: true,
		`\bword\b`: true, `\Bx`: true, `[\d]x`: false,
	} {
		re, err := Compile(pat, 0)
		if err != nil {
			t.Fatal(err)
		}
		if re.Backtracking() != bt {
			t.Errorf("%q: backtracking=%v, want %v", pat, re.Backtracking(), bt)
		}
	}
	if _, err := Compile(`(?<=a`, 0); err == nil {
		t.Error("invalid pattern accepted")
	}
}

// TestTimeout checks a catastrophic pattern stops at MatchTimeout.
func TestTimeout(t *testing.T) {
	old := MatchTimeout
	MatchTimeout = 200 * time.Millisecond
	defer func() { MatchTimeout = old }()
	re, err := Compile(`^(a+)+(?=b)\1$`, 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = re.Search(strings.Repeat("a", 40) + "c")
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("no timeout: err=%v after %v", err, time.Since(start))
	}
}
