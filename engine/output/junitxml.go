package output

import (
	"math/big"
	"strings"
)

// xmlElem is an XML element as the junit callback builds it: attributes in
// insertion order, text or children.
type xmlElem struct {
	tag      string
	attrs    [][2]string
	text     string
	children []*xmlElem
}

func (e *xmlElem) attr(k, v string) { e.attrs = append(e.attrs, [2]string{k, v}) }

func (e *xmlElem) add(c *xmlElem) *xmlElem {
	e.children = append(e.children, c)
	return c
}

// prettyXML renders root as ansible's junit report is written: the element
// tree serialised and re-read by minidom, then toprettyxml() with tab
// indentation. An element with only text is written on one line; one
// with nothing is self-closing.
func prettyXML(root *xmlElem) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" ?>\n")
	writePretty(&b, root, "")
	return b.String()
}

func writePretty(b *strings.Builder, e *xmlElem, indent string) {
	b.WriteString(indent + "<" + e.tag)
	for _, a := range e.attrs {
		b.WriteString(" " + a[0] + "=\"")
		b.WriteString(xmlEscape(a[1]))
		b.WriteString("\"")
	}
	switch {
	case len(e.children) == 0 && e.text == "":
		b.WriteString("/>\n")
	case len(e.children) == 0:
		b.WriteString(">")
		// the XML parser turns CR and CRLF in text into LF
		t := strings.ReplaceAll(strings.ReplaceAll(e.text, "\r\n", "\n"), "\r", "\n")
		b.WriteString(xmlEscape(t))
		b.WriteString("</" + e.tag + ">\n")
	default:
		b.WriteString(">\n")
		if e.text != "" {
			t := strings.ReplaceAll(strings.ReplaceAll(e.text, "\r\n", "\n"), "\r", "\n")
			b.WriteString(xmlEscape(indent + "\t" + t + "\n"))
		}
		for _, c := range e.children {
			writePretty(b, c, indent+"\t")
		}
		b.WriteString(indent + "</" + e.tag + ">\n")
	}
}

// xmlEscape is minidom's escaping of text and attribute values.
var xmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", "\"", "&quot;", ">", "&gt;").Replace

// validXMLText reports whether s holds only characters XML 1.0 allows
// (ansible's report fails to parse back otherwise).
func validXMLText(s string) bool {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r == 0xfffe, r == 0xffff, r >= 0xd800 && r <= 0xdfff:
			return false
		}
	}
	return true
}

// decimalString is str(decimal.Decimal(f)): the exact decimal value of the
// float, in plain notation unless the adjusted exponent is below -6. When
// maxDigits > 0 the coefficient is first rounded half-even to that many
// significant digits, as Decimal arithmetic (default context, 28 digits)
// does.
func decimalString(f float64, maxDigits int) string {
	if f == 0 {
		return "0"
	}
	neg := f < 0
	if neg {
		f = -f
	}
	r := new(big.Rat).SetFloat64(f)
	// digits after the point: enough for any float64 (2^-1074)
	s := r.FloatString(1100)
	intPart, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	exp := -len(frac) // coefficient * 10^exp
	coef := strings.TrimLeft(intPart+frac, "0")
	if coef == "" {
		return "0"
	}
	if maxDigits > 0 && len(coef) > maxDigits {
		drop := len(coef) - maxDigits
		keep, rest := coef[:maxDigits], coef[maxDigits:]
		up := false
		switch {
		case rest[0] > '5':
			up = true
		case rest[0] == '5':
			if strings.TrimRight(rest[1:], "0") != "" {
				up = true
			} else {
				up = (keep[len(keep)-1]-'0')%2 == 1
			}
		}
		if up {
			n, _ := new(big.Int).SetString(keep, 10)
			n.Add(n, big.NewInt(1))
			keep = n.String()
			if len(keep) > maxDigits { // 999.. rounded up to 1000..
				keep = keep[:maxDigits]
				drop++
			}
		}
		coef = keep
		exp += drop
	}
	adjusted := exp + len(coef) - 1
	var out string
	switch {
	case exp <= 0 && adjusted >= -6:
		if -exp >= len(coef) {
			out = "0." + strings.Repeat("0", -exp-len(coef)) + coef
		} else if exp == 0 {
			out = coef
		} else {
			out = coef[:len(coef)+exp] + "." + coef[len(coef)+exp:]
		}
	default:
		out = coef[:1]
		if len(coef) > 1 {
			out += "." + coef[1:]
		}
		out += "E"
		if adjusted >= 0 {
			out += "+"
		}
		out += big.NewInt(int64(adjusted)).String()
	}
	if neg {
		out = "-" + out
	}
	return out
}
