package pyfmt

import (
	"encoding/json"
	"math"
	"math/rand"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// pyScript reads cases from stdin and prints Python's answers for them.
const pyScript = `
import json, sys, textwrap
cases = json.load(sys.stdin)
out = []
for c in cases:
    if c["kind"] == "wrap":
        out.append(textwrap.wrap(c["s"], c["w"], drop_whitespace=c["d"]))
    elif c["kind"] == "repr":
        out.append(repr(c["s"]))
    elif c["kind"] == "json":
        out.append(json.dumps(c["s"], ensure_ascii=c["d"]))
    elif c["kind"] == "float":
        out.append(repr(float.fromhex(c["s"])))
json.dump(out, sys.stdout)
`

// TestAgainstPython compares TextWrap, Quote, QuoteJSON and Float with
// CPython on random inputs.
func TestAgainstPython(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against python3 skipped in -short mode")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	rng := rand.New(rand.NewSource(1))
	alphabet := []rune("aaaabbbcc--- _\t\n1é'\"\\x\u00a0\u0085\u2028\U0001F600\x01\x7f")
	randStr := func(n int) string {
		r := make([]rune, rng.Intn(n))
		for i := range r {
			r[i] = alphabet[rng.Intn(len(alphabet))]
		}
		return string(r)
	}
	type pcase struct {
		Kind string `json:"kind"`
		S    string `json:"s"`
		W    int    `json:"w"`
		D    bool   `json:"d"`
	}
	var cases []pcase
	var floats []float64
	for i := 0; i < 600; i++ {
		cases = append(cases, pcase{Kind: "wrap", S: randStr(60), W: 1 + rng.Intn(15), D: rng.Intn(2) == 0})
		cases = append(cases, pcase{Kind: "repr", S: randStr(12)})
		cases = append(cases, pcase{Kind: "json", S: randStr(12), D: rng.Intn(2) == 0})
		f := math.Float64frombits(rng.Uint64())
		if rng.Intn(2) == 0 {
			f = float64(rng.Int63n(1e6)) * math.Pow(10, float64(rng.Intn(50)-25))
		}
		if math.IsNaN(f) {
			f = 0.5
		}
		floats = append(floats, f)
		cases = append(cases, pcase{Kind: "float", S: strconvHex(f)})
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(py, "-c", pyScript)
	cmd.Stdin = strings.NewReader(string(in))
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var answers []json.RawMessage
	if err := json.Unmarshal(outb, &answers); err != nil {
		t.Fatal(err)
	}
	fi := 0
	for i, c := range cases {
		var got any
		switch c.Kind {
		case "wrap":
			l := TextWrap(c.S, c.W, c.D)
			if l == nil {
				l = []string{}
			}
			got = l
		case "repr":
			got = Quote(c.S)
		case "json":
			got = QuoteJSON(c.S, c.D)
		case "float":
			got = Float(floats[fi])
			fi++
		}
		g, _ := json.Marshal(got)
		var want, have any
		json.Unmarshal(answers[i], &want)
		json.Unmarshal(g, &have)
		if string(mustJSON(want)) != string(mustJSON(have)) {
			t.Errorf("%s %q (w=%d d=%v): got %s, python %s", c.Kind, c.S, c.W, c.D, g, answers[i])
		}
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func strconvHex(f float64) string { return strconv.FormatFloat(f, 'x', -1, 64) }
